package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of fazhibot. The yaml tags are the keys
// of the configuration file; the environment variable of a key is derived
// from the same tags (see the package documentation). A Config is a plain
// value: copies are independent except for the shared backing arrays of its
// slices, which must not be modified.
type Config struct {
	Server    ServerConfig    `yaml:"server"`
	Database  DatabaseConfig  `yaml:"database"`
	Knowledge KnowledgeConfig `yaml:"knowledge"`
	Redis     RedisConfig     `yaml:"redis"`
	WeChat    WeChatConfig    `yaml:"wechat"`
	API       APIConfig       `yaml:"api"`
	Admin     AdminConfig     `yaml:"admin"`
	Bot       BotConfig       `yaml:"bot"`
	Logs      LogsConfig      `yaml:"logs"`
}

// ServerConfig configures the HTTP server.
type ServerConfig struct {
	Listen string `yaml:"listen"` // address to listen on, e.g. ":8080"
	// MetricsListen, when set, is a second address that serves only
	// /metrics (e.g. "127.0.0.1:9090"); /metrics is then not served on
	// Listen.
	MetricsListen string `yaml:"metrics_listen"`
	// MetricsToken, when set, is the bearer token /metrics requires,
	// wherever it is served. With neither MetricsListen nor MetricsToken,
	// /metrics is not served at all.
	MetricsToken string `yaml:"metrics_token"`
	// MemoryLimitMB, when above 0, is the Go runtime's soft memory limit
	// for serve, in MiB: the collector works harder as the heap nears it,
	// so building a large knowledge base peaks near the limit instead of
	// at twice the live heap. It is not a hard cap, and a limit below the
	// live heap makes the collector take up to half the CPU. 0 leaves the
	// runtime's default; the GOMEMLIMIT environment variable, when set,
	// takes precedence.
	MemoryLimitMB int `yaml:"memory_limit_mb"`
}

// DatabaseConfig configures the knowledge-base database.
type DatabaseConfig struct {
	// URL is "sqlite:PATH" or a "postgres://…" / "postgresql://…" URL.
	URL string `yaml:"url"`
}

// KnowledgeConfig configures the knowledge base and its search.
type KnowledgeConfig struct {
	// DictDir holds the gojieba dictionaries named in DictFiles. Empty
	// means the dictionaries built into the binary (JiebaDicts), written
	// once to CacheDir.
	DictDir string `yaml:"dict_dir"`
	// CacheDir is where the built-in dictionaries are written for gojieba,
	// which reads files, and where serve keeps each published version's
	// built index (CacheDir/index, the last three versions), so that a
	// restart reads it instead of building. Empty means $XDG_CACHE_HOME/fazhibot, else
	// $HOME/.cache/fazhibot, else fazhibot in the system's temporary
	// directory.
	CacheDir string `yaml:"cache_dir"`
	// TermsDir holds term lists replacing the built-in ones of
	// DefaultTerms; empty means the built-in ones.
	TermsDir string `yaml:"terms_dir"`
	// MinConfidence is the share (0–1) of a question's weighted terms the
	// best passage must cover to be given as an answer; 0 means the search
	// engine's calibrated default.
	MinConfidence float64 `yaml:"min_confidence"`
	// MaxHits is the most passages a search returns.
	MaxHits int `yaml:"max_hits"`
	// ReloadInterval is how often a server checks the database for a newly
	// published knowledge-base version it was not notified of.
	ReloadInterval time.Duration `yaml:"reload_interval"`
	// MaxReportMB bounds one report file's content in MiB: the file for
	// text formats, the uncompressed word/document.xml for a .docx. Imports
	// (console and CLI) refuse larger reports.
	MaxReportMB int `yaml:"max_report_mb"`
	// MaxReportPassages bounds the paragraphs and passages of one report.
	MaxReportPassages int `yaml:"max_report_passages"`
	// MaxReportChars bounds the characters of one report's text.
	MaxReportChars int `yaml:"max_report_chars"`
}

// RedisConfig configures sessions, message dedupe, reply cache and rate
// limits.
type RedisConfig struct {
	// URL is a "redis://…" or "rediss://…" URL; empty means the embedded
	// in-process store.
	URL string `yaml:"url"`
	// SessionTTL is how long a conversation is remembered after its last
	// message.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// RateLimit is the most messages a user may send per minute; 0 turns
	// rate limiting off.
	RateLimit int `yaml:"rate_limit"`
}

// WeChatConfig configures the WeChat official account callback.
type WeChatConfig struct {
	Path      string `yaml:"path"`       // URL path of the callback
	AppID     string `yaml:"app_id"`     // AppID of the official account
	AppSecret string `yaml:"app_secret"` // AppSecret of the official account
	Token     string `yaml:"token"`      // Token used to sign callbacks
	// AESKey is the EncodingAESKey for encrypted messages: empty, or 43
	// characters.
	AESKey string `yaml:"aes_key"`
	// ReplyTimeout is how long the bot may take to reply in the callback;
	// WeChat retries after 5 seconds, so it is at most 4.5s.
	ReplyTimeout time.Duration `yaml:"reply_timeout"`
	// Menu is the custom menu "fazhibot wechat menu push" sets on the
	// account, top-level buttons first; see MenuButton. It is set in the
	// file only, never from the environment.
	Menu []MenuButton `yaml:"menu"`
}

// APIConfig configures the JSON API.
type APIConfig struct {
	// Tokens are the bearer tokens accepted by the JSON API; none means the
	// API is closed.
	Tokens []string `yaml:"tokens"`
}

// AdminConfig configures the staff console.
type AdminConfig struct {
	// Approval is "none" (staff publish their drafts themselves) or
	// "required" (a staff member's draft goes live only after an admin
	// approves it).
	Approval string `yaml:"approval"`
	// SessionTTL is how long a console login lasts.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// SecureCookies marks console cookies Secure; set it when the console
	// is served over TLS (directly or behind a TLS proxy).
	SecureCookies bool `yaml:"secure_cookies"`
	// UploadTimeout bounds receiving and parsing one console upload; files
	// not parsed by then are reported as timed out. It stays under the
	// HTTP write timeout (15s) so that staff always get an answer.
	UploadTimeout time.Duration `yaml:"upload_timeout"`
	// MaxPreviewMB bounds, in MiB (estimated), the parsed uploads kept in
	// memory while they wait to be saved; the oldest previews are dropped
	// beyond it, and one upload larger than it is refused file by file.
	MaxPreviewMB int `yaml:"max_preview_mb"`
}

// MaxUploadTimeout is the longest AdminConfig.UploadTimeout allowed: the
// HTTP write timeout of "serve" is 15s, and the answer must be written
// after the upload is parsed.
const MaxUploadTimeout = 12 * time.Second

// The values of AdminConfig.Approval.
const (
	ApprovalNone     = "none"
	ApprovalRequired = "required"
)

// BotConfig configures the conversation.
type BotConfig struct {
	Hotline string `yaml:"hotline"` // hotline offered when the bot cannot help
	// SensitiveWords are words that make the bot decline a message.
	SensitiveWords []string `yaml:"sensitive_words"`
}

// DictFiles are the gojieba dictionaries that must exist in
// KnowledgeConfig.DictDir.
func DictFiles() []string {
	return []string{"jieba.dict.utf8", "hmm_model.utf8", "user.dict.utf8", "idf.utf8", "stop_words.utf8"}
}

// maxReplyTimeout is the longest WeChatConfig.ReplyTimeout allowed.
const maxReplyTimeout = 4500 * time.Millisecond

// minMemoryLimitMB is the lowest ServerConfig.MemoryLimitMB other than 0:
// below it the dictionaries and an empty knowledge base alone exceed it.
const minMemoryLimitMB = 256

// envPrefix starts the environment variable of every key.
const envPrefix = "FAZHIBOT_"

// Default returns the configuration used for every key that is set neither
// in the file nor in the environment. Each call returns a fresh value.
func Default() Config {
	return Config{
		Server:   ServerConfig{Listen: ":8080"},
		Database: DatabaseConfig{URL: "sqlite:data/fazhibot.db"},
		Knowledge: KnowledgeConfig{
			MaxHits:           5,
			ReloadInterval:    30 * time.Second,
			MaxReportMB:       16,
			MaxReportPassages: 10000,
			MaxReportChars:    1000000,
		},
		Admin: AdminConfig{Approval: ApprovalNone, SessionTTL: 8 * time.Hour,
			UploadTimeout: 10 * time.Second, MaxPreviewMB: 128},
		Redis: RedisConfig{
			SessionTTL: 30 * time.Minute,
			RateLimit:  20,
		},
		WeChat: WeChatConfig{
			Path:         "/wechat",
			ReplyTimeout: maxReplyTimeout,
			Menu:         defaultMenu(),
		},
		Bot:  BotConfig{Hotline: "12345"},
		Logs: defaultLogs(),
	}
}

// Error is a problem with one configuration key. Its message, in Chinese
// for staff, names the key (and the environment variable when the value
// came from one) and what is wrong.
type Error struct {
	Key     string // dotted key, e.g. "database.url"; "" for the file as a whole
	Env     string // environment variable the value came from, or ""
	Problem string // what is wrong, in Chinese
}

func (e *Error) Error() string {
	switch {
	case e.Env != "":
		return fmt.Sprintf("环境变量 %s（配置项 %s）: %s", e.Env, e.Key, e.Problem)
	case e.Key == "":
		return "配置文件: " + e.Problem
	}
	return fmt.Sprintf("配置项 %s: %s", e.Key, e.Problem)
}

// Load returns Default overlaid with the YAML document read from r and then
// with the environment as seen through getenv. r may be nil for defaults and
// environment only; an empty document is allowed. getenv may be nil for no
// environment; an empty variable counts as unset. Unknown keys and values of
// the wrong type are errors naming the key; a malformed environment value is
// an error naming the variable. Empty lists are returned as nil. Load does
// not call Validate.
func Load(r io.Reader, getenv func(string) string) (Config, error) {
	c := Default()
	if r != nil {
		data, err := io.ReadAll(r)
		if err != nil {
			return Config{}, fmt.Errorf("读取配置文件失败: %w", err)
		}
		if err := decodeYAML(data, &c); err != nil {
			return Config{}, err
		}
	}
	if getenv != nil {
		err := walk(reflect.ValueOf(&c).Elem(), "", func(key string, v reflect.Value) error {
			if fileOnly(v.Type()) {
				return nil // no environment variable; see fileOnly
			}
			name := envName(key)
			s := getenv(name)
			if s == "" {
				return nil
			}
			if problem := setString(v, s); problem != "" {
				return &Error{Key: key, Env: name, Problem: problem}
			}
			return nil
		})
		if err != nil {
			return Config{}, err
		}
	}
	var emptyToNil func(string, reflect.Value) error
	emptyToNil = func(_ string, v reflect.Value) error {
		switch {
		case v.Kind() == reflect.Slice && v.Len() == 0:
			v.SetZero()
		case fileOnly(v.Type()):
			for i := range v.Len() {
				_ = walk(v.Index(i), "", emptyToNil)
			}
		}
		return nil
	}
	_ = walk(reflect.ValueOf(&c).Elem(), "", emptyToNil)
	if c.Knowledge.CacheDir == "" {
		c.Knowledge.CacheDir = defaultCacheDir(getenv)
	}
	return c, nil
}

// defaultCacheDir is KnowledgeConfig.CacheDir when none is set.
func defaultCacheDir(getenv func(string) string) string {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	switch {
	case getenv("XDG_CACHE_HOME") != "":
		return filepath.Join(getenv("XDG_CACHE_HOME"), "fazhibot")
	case getenv("HOME") != "":
		return filepath.Join(getenv("HOME"), ".cache", "fazhibot")
	}
	return filepath.Join(os.TempDir(), "fazhibot")
}

// fileOnly reports whether keys of type t can be set in the file only: a
// list of sections, such as wechat.menu, has no environment form. Load
// does not read an environment variable for such a key.
func fileOnly(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct
}

// envName returns the environment variable of a dotted key.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// decodeYAML decodes one YAML document into c, rejecting unknown keys.
func decodeYAML(data []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(c)
	switch {
	case errors.Is(err, io.EOF):
		return nil // empty document
	case err == nil:
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return &Error{Problem: "只能包含一个 YAML 文档"}
		}
		return nil
	}
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) == 1 {
			if errs := explain(doc.Content[0], reflect.TypeFor[Config](), ""); len(errs) > 0 {
				return errors.Join(errs...)
			}
		}
	}
	return &Error{Problem: "格式错误: " + err.Error()}
}

// explain returns an *Error for each unknown key and each value of the wrong
// type in the YAML node n decoded into type t at key.
func explain(n *yaml.Node, t reflect.Type, key string) []error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if fileOnly(t) { // a list of sections: explain each item
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return []error{&Error{Key: key, Problem: fmt.Sprintf("值 %s 无效，应为列表", describe(n))}}
		}
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, explain(item, t.Elem(), fmt.Sprintf("%s[%d]", key, i))...)
		}
		return errs
	}
	if t.Kind() != reflect.Struct {
		if n.Decode(reflect.New(t).Interface()) != nil {
			return []error{&Error{Key: key, Problem: fmt.Sprintf("值 %s 无效，应为%s", describe(n), typeName(t))}}
		}
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return []error{&Error{Key: key, Problem: fmt.Sprintf("值 %s 无效，应为包含子配置项的映射", describe(n))}}
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		f, ok := fieldByKey(t, name)
		if !ok {
			errs = append(errs, &Error{Key: join(key, name),
				Problem: "未知的配置项，此处可用的有 " + strings.Join(keysOf(t), "、")})
			continue
		}
		errs = append(errs, explain(n.Content[i+1], f.Type, join(key, name))...)
	}
	return errs
}

// describe renders a YAML node for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "（映射）"
	case yaml.SequenceNode:
		return "（列表）"
	}
	return strconv.Quote(n.Value)
}

// typeName names a leaf type for staff.
func typeName(t reflect.Type) string {
	if t == reflect.TypeFor[time.Duration]() {
		return "时长，如 30m、4.5s"
	}
	switch t.Kind() {
	case reflect.Int:
		return "整数"
	case reflect.Float64:
		return "数字"
	case reflect.Bool:
		return " true 或 false"
	case reflect.Slice:
		return "文本列表"
	}
	return "文本"
}

// setString parses s into the leaf v as an environment value and returns
// what is wrong with s, or "" on success. A list is comma-separated; its
// items are trimmed and empty items dropped.
func setString(v reflect.Value, s string) string {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Sprintf("无效的时长 %q，应如 30m、4.5s", s)
		}
		v.SetInt(int64(d))
		return ""
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Sprintf("无效的整数 %q", s)
		}
		v.SetInt(int64(n))
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Sprintf("无效的数字 %q", s)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Sprintf("无效的布尔值 %q，应为 true 或 false", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			panic("configs: unsupported list type " + v.Type().String())
		}
		var items []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		v.Set(reflect.ValueOf(items))
	default:
		// A programming error: a key of a type this function does not know.
		panic("configs: unsupported key type " + v.Type().String())
	}
	return ""
}

// walk calls fn for every leaf key of the struct v, in declaration order,
// with the key's dotted path below prefix. It stops at the first error.
func walk(v reflect.Value, prefix string, fn func(key string, v reflect.Value) error) error {
	t := v.Type()
	for i := range t.NumField() {
		name := tagName(t.Field(i))
		if name == "" {
			continue
		}
		var err error
		if f := v.Field(i); f.Kind() == reflect.Struct {
			err = walk(f, join(prefix, name), fn)
		} else {
			err = fn(join(prefix, name), f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); tagName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func keysOf(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name := tagName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Driver splits the database URL into a driver name, "sqlite" or
// "postgres", and the data source for it: the file path for sqlite, the
// whole URL for postgres. It returns two empty strings for a URL of any
// other form; Validate reports those.
func (d DatabaseConfig) Driver() (driver, dsn string) {
	switch {
	case strings.HasPrefix(d.URL, "sqlite:"):
		return "sqlite", strings.TrimPrefix(d.URL, "sqlite:")
	case strings.HasPrefix(d.URL, "postgres://"), strings.HasPrefix(d.URL, "postgresql://"):
		return "postgres", d.URL
	}
	return "", ""
}

// Validate reports every problem of c as an *Error naming the key, joined
// with errors.Join, or nil when c is usable. Besides checking values it
// checks that the jieba dictionaries exist in knowledge.dict_dir (when set) and that
// knowledge.terms_dir, when set, is a directory; relative paths are taken
// from the working directory.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Problem: fmt.Sprintf(format, args...)})
	}

	if _, port, err := net.SplitHostPort(c.Server.Listen); err != nil || port == "" {
		bad("server.listen", "地址 %q 无效，应如 :8080 或 127.0.0.1:8080", c.Server.Listen)
	}
	if ml := c.Server.MetricsListen; ml != "" {
		if _, port, err := net.SplitHostPort(ml); err != nil || port == "" {
			bad("server.metrics_listen", "地址 %q 无效，应如 127.0.0.1:9090", ml)
		} else if ml == c.Server.Listen && port != "0" {
			bad("server.metrics_listen", "不能与 server.listen 相同")
		}
	}
	if mt := c.Server.MetricsToken; mt != "" && (len(mt) < 16 || strings.TrimSpace(mt) != mt) {
		bad("server.metrics_token", "令牌至少 16 个字符，且前后不能有空格")
	}

	if m := c.Server.MemoryLimitMB; m != 0 && m < minMemoryLimitMB {
		bad("server.memory_limit_mb", "%d 无效，应为 0（不设上限）或不小于 %d 的整数（MB）", m, minMemoryLimitMB)
	}

	switch driver, dsn := c.Database.Driver(); {
	case driver == "":
		bad("database.url", "不支持的地址 %q，应为 sqlite:路径 或 postgres://…", c.Database.URL)
	case driver == "sqlite" && (dsn == "" || strings.HasPrefix(dsn, "//") || strings.Contains(dsn, "?")):
		bad("database.url", "地址 %q 无效，应为 sqlite:路径，如 sqlite:data/fazhibot.db", c.Database.URL)
	case driver == "postgres":
		if u, err := url.Parse(dsn); err != nil || u.Host == "" {
			bad("database.url", "地址 %q 无效，应如 postgres://用户:密码@主机:5432/数据库", c.Database.URL)
		}
	}

	k := c.Knowledge
	if k.DictDir == "" {
		// The built-in dictionaries; they are written to CacheDir on use.
	} else if fi, err := os.Stat(k.DictDir); err != nil || !fi.IsDir() {
		bad("knowledge.dict_dir", "jieba 词典目录 %q 不存在；留空则使用程序内置的词典", k.DictDir)
	} else {
		for _, name := range DictFiles() {
			path := filepath.Join(k.DictDir, name)
			if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
				bad("knowledge.dict_dir", "缺少 jieba 词典文件 %s", path)
			}
		}
	}
	if k.TermsDir != "" {
		if fi, err := os.Stat(k.TermsDir); err != nil || !fi.IsDir() {
			bad("knowledge.terms_dir", "目录 %q 不存在；留空则使用内置词表", k.TermsDir)
		}
	}
	if k.ReloadInterval < time.Second {
		bad("knowledge.reload_interval", "应至少为 1s，实为 %v", k.ReloadInterval)
	}
	if c.Admin.Approval != ApprovalNone && c.Admin.Approval != ApprovalRequired {
		bad("admin.approval", "应为 none 或 required，实为 %q", c.Admin.Approval)
	}
	if c.Admin.SessionTTL < time.Minute {
		bad("admin.session_ttl", "应至少为 1m，实为 %v", c.Admin.SessionTTL)
	}
	if !(k.MinConfidence >= 0 && k.MinConfidence <= 1) {
		bad("knowledge.min_confidence", "应为 0 到 1 之间的数字（0 表示使用默认值），实为 %v", k.MinConfidence)
	}
	if k.MaxHits < 1 {
		bad("knowledge.max_hits", "应至少为 1，实为 %d", k.MaxHits)
	}
	if k.MaxReportMB < 1 || k.MaxReportMB > 1024 {
		bad("knowledge.max_report_mb", "应在 1 到 1024 之间，实为 %d", k.MaxReportMB)
	}
	if k.MaxReportPassages < 1 {
		bad("knowledge.max_report_passages", "应至少为 1，实为 %d", k.MaxReportPassages)
	}
	if k.MaxReportChars < 1 {
		bad("knowledge.max_report_chars", "应至少为 1，实为 %d", k.MaxReportChars)
	}
	if c.Admin.UploadTimeout <= 0 || c.Admin.UploadTimeout > MaxUploadTimeout {
		bad("admin.upload_timeout", "应大于 0 且不超过 %v（须短于 HTTP 写超时 15 秒，员工才总能收到结果），实为 %v", MaxUploadTimeout, c.Admin.UploadTimeout)
	}
	if c.Admin.MaxPreviewMB < 1 {
		bad("admin.max_preview_mb", "应至少为 1，实为 %d", c.Admin.MaxPreviewMB)
	}

	if r := c.Redis; r.URL != "" {
		if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("redis.url", "不支持的地址 %q，应为 redis://… 或 rediss://…，留空则使用内置存储", r.URL)
		}
	}
	if c.Redis.SessionTTL <= 0 {
		bad("redis.session_ttl", "应大于 0，实为 %v", c.Redis.SessionTTL)
	}
	if c.Redis.RateLimit < 0 {
		bad("redis.rate_limit", "应不小于 0（0 表示不限流），实为 %d", c.Redis.RateLimit)
	}

	w := c.WeChat
	if !strings.HasPrefix(w.Path, "/") {
		bad("wechat.path", "路径 %q 无效，应以 / 开头，如 /wechat", w.Path)
	}
	if n := len([]rune(w.AESKey)); n != 0 && n != 43 {
		bad("wechat.aes_key", "长度应为 43 个字符，实为 %d 个", n)
	}
	if w.ReplyTimeout <= 0 || w.ReplyTimeout > maxReplyTimeout {
		bad("wechat.reply_timeout", "应大于 0 且不超过 4.5s（微信 5 秒内收不到回复会重试），实为 %v", w.ReplyTimeout)
	}
	errs = append(errs, validateMenu(w.Menu)...)

	for i, token := range c.API.Tokens {
		if strings.TrimSpace(token) == "" {
			bad("api.tokens", "第 %d 个令牌为空", i+1)
		}
	}

	if strings.TrimSpace(c.Bot.Hotline) == "" {
		bad("bot.hotline", "不能为空")
	}
	for i, word := range c.Bot.SensitiveWords {
		if strings.TrimSpace(word) == "" {
			bad("bot.sensitive_words", "第 %d 个词为空", i+1)
		}
	}
	errs = append(errs, c.Logs.validate()...)
	return errors.Join(errs...)
}
