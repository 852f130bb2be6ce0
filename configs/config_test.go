package configs

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// testDictDir is the jieba directory seen from this package's directory.
const testDictDir = "jieba"

func mapEnv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

func TestExampleMatchesDefault(t *testing.T) {
	data, err := os.ReadFile("config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(strings.NewReader(string(data)), nil)
	if err != nil {
		t.Fatalf("Load(config.example.yaml): %v", err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.yaml differs from Default():\n got %+v\nwant %+v", got, want)
	}

	// Every key must be written out, so that the example documents it.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	c := Default()
	_ = walk(reflect.ValueOf(&c).Elem(), "", func(key string, _ reflect.Value) error {
		if lookup(doc.Content[0], strings.Split(key, ".")) == nil {
			t.Errorf("config.example.yaml does not mention %s", key)
		}
		return nil
	})
}

// lookup returns the value node at path below the mapping n, or nil.
func lookup(n *yaml.Node, path []string) *yaml.Node {
	if len(path) == 0 {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == path[0] {
			return lookup(n.Content[i+1], path[1:])
		}
	}
	return nil
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want func(*Config)
	}{
		{name: "nothing set", want: func(*Config) {}},
		{name: "empty file", yaml: "# nothing\n", want: func(*Config) {}},
		{
			name: "file",
			yaml: "server:\n  listen: 127.0.0.1:9000\nredis:\n  session_ttl: 1h\napi:\n  tokens: [甲, 乙]\n",
			want: func(c *Config) {
				c.Server.Listen = "127.0.0.1:9000"
				c.Redis.SessionTTL = time.Hour
				c.API.Tokens = []string{"甲", "乙"}
			},
		},
		{
			name: "environment wins over file",
			yaml: "server:\n  listen: :9000\n",
			env:  map[string]string{"FAZHIBOT_SERVER_LISTEN": ":9090"},
			want: func(c *Config) { c.Server.Listen = ":9090" },
		},
		{
			name: "empty variable counts as unset",
			yaml: "server:\n  listen: :9000\n",
			env:  map[string]string{"FAZHIBOT_SERVER_LISTEN": ""},
			want: func(c *Config) { c.Server.Listen = ":9000" },
		},
		{
			name: "list",
			env:  map[string]string{"FAZHIBOT_API_TOKENS": "a,b"},
			want: func(c *Config) { c.API.Tokens = []string{"a", "b"} },
		},
		{
			name: "list items trimmed, empty ones dropped",
			env:  map[string]string{"FAZHIBOT_BOT_SENSITIVE_WORDS": " 赌博 ,, 色情 ,"},
			want: func(c *Config) { c.Bot.SensitiveWords = []string{"赌博", "色情"} },
		},
		{
			name: "every kind of value",
			env: map[string]string{
				"FAZHIBOT_DATABASE_URL":             "postgres://u:p@127.0.0.1:5432/test",
				"FAZHIBOT_KNOWLEDGE_DICT_DIR":       "/opt/jieba",
				"FAZHIBOT_KNOWLEDGE_MIN_CONFIDENCE": "0.35",
				"FAZHIBOT_KNOWLEDGE_MAX_HITS":       "3",
				"FAZHIBOT_REDIS_URL":                "redis://127.0.0.1:6379/0",
				"FAZHIBOT_REDIS_SESSION_TTL":        "45m",
				"FAZHIBOT_REDIS_RATE_LIMIT":         "0",
				"FAZHIBOT_WECHAT_APP_ID":            "wx0123",
				"FAZHIBOT_WECHAT_REPLY_TIMEOUT":     "3s",
				"FAZHIBOT_BOT_HOTLINE":              "023-12345",
			},
			want: func(c *Config) {
				c.Database.URL = "postgres://u:p@127.0.0.1:5432/test"
				c.Knowledge.DictDir = "/opt/jieba"
				c.Knowledge.MinConfidence = 0.35
				c.Knowledge.MaxHits = 3
				c.Redis.URL = "redis://127.0.0.1:6379/0"
				c.Redis.SessionTTL = 45 * time.Minute
				c.Redis.RateLimit = 0
				c.WeChat.AppID = "wx0123"
				c.WeChat.ReplyTimeout = 3 * time.Second
				c.Bot.Hotline = "023-12345"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r io.Reader // nil: no file at all
			if tt.yaml != "" {
				r = strings.NewReader(tt.yaml)
			}
			got, err := Load(r, mapEnv(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadAndValidateErrors(t *testing.T) {
	dicts := t.TempDir()
	for _, name := range DictFiles() {
		if name != "idf.utf8" {
			if err := os.WriteFile(filepath.Join(dicts, name), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want string // a part of the error message, "" for no error
	}{
		{name: "defaults are valid"},
		{name: "postgres url is valid", yaml: "database:\n  url: postgresql://u@127.0.0.1/test\n"},
		{name: "aes_key of 43 characters is valid", yaml: "wechat:\n  aes_key: " + strings.Repeat("k", 43) + "\n"},
		{name: "reply_timeout of 4.5s is valid", env: map[string]string{"FAZHIBOT_WECHAT_REPLY_TIMEOUT": "4500ms"}},

		// Load errors.
		{name: "unknown top-level key", yaml: "serverr:\n  listen: :80\n", want: "配置项 serverr: 未知的配置项"},
		{name: "unknown nested key", yaml: "database:\n  uri: sqlite:x.db\n", want: "配置项 database.uri: 未知的配置项"},
		{name: "duration without unit", yaml: "redis:\n  session_ttl: 30\n", want: `配置项 redis.session_ttl: 值 "30" 无效`},
		{name: "text for a number", yaml: "knowledge:\n  max_hits: many\n", want: "配置项 knowledge.max_hits:"},
		{name: "text for a list", yaml: "api:\n  tokens: a,b\n", want: "配置项 api.tokens:"},
		{name: "value for a section", yaml: "server: 8080\n", want: "配置项 server:"},
		{name: "broken YAML", yaml: "server: [\n", want: "配置文件: 格式错误"},
		{name: "two documents", yaml: "server: {}\n---\nbot: {}\n", want: "配置文件: 只能包含一个 YAML 文档"},
		{
			name: "bad duration in env",
			env:  map[string]string{"FAZHIBOT_REDIS_SESSION_TTL": "half an hour"},
			want: "环境变量 FAZHIBOT_REDIS_SESSION_TTL（配置项 redis.session_ttl）: 无效的时长",
		},
		{name: "bad int in env", env: map[string]string{"FAZHIBOT_REDIS_RATE_LIMIT": "20/min"}, want: "环境变量 FAZHIBOT_REDIS_RATE_LIMIT"},
		{name: "bad float in env", env: map[string]string{"FAZHIBOT_KNOWLEDGE_MIN_CONFIDENCE": "high"}, want: "环境变量 FAZHIBOT_KNOWLEDGE_MIN_CONFIDENCE"},

		// Validate errors.
		{
			name: "bad database url",
			env:  map[string]string{"FAZHIBOT_DATABASE_URL": "mysql://x"},
			want: `配置项 database.url: 不支持的地址 "mysql://x"，应为 sqlite:路径 或 postgres://…`,
		},
		{name: "sqlite url without path", yaml: "database:\n  url: 'sqlite:'\n", want: "配置项 database.url:"},
		{name: "postgres url without host", yaml: "database:\n  url: postgres://\n", want: "配置项 database.url:"},
		{name: "aes_key of wrong length", yaml: "wechat:\n  aes_key: abc\n", want: "配置项 wechat.aes_key: 长度应为 43 个字符，实为 3 个"},
		{name: "reply_timeout 6s", yaml: "wechat:\n  reply_timeout: 6s\n", want: "配置项 wechat.reply_timeout:"},
		{name: "reply_timeout 0", env: map[string]string{"FAZHIBOT_WECHAT_REPLY_TIMEOUT": "0s"}, want: "配置项 wechat.reply_timeout:"},
		{
			name: "missing dictionary",
			env:  map[string]string{"FAZHIBOT_KNOWLEDGE_DICT_DIR": dicts},
			want: "配置项 knowledge.dict_dir: 缺少 jieba 词典文件 " + filepath.Join(dicts, "idf.utf8"),
		},
		{name: "missing dictionary dir", env: map[string]string{"FAZHIBOT_KNOWLEDGE_DICT_DIR": "no/such/dir"}, want: `配置项 knowledge.dict_dir: jieba 词典目录 "no/such/dir" 不存在`},
		{name: "missing terms dir", yaml: "knowledge:\n  terms_dir: no/such/dir\n", want: "配置项 knowledge.terms_dir:"},
		{name: "negative min_confidence", yaml: "knowledge:\n  min_confidence: -0.1\n", want: "配置项 knowledge.min_confidence:"},
		{name: "no hits", yaml: "knowledge:\n  max_hits: 0\n", want: "配置项 knowledge.max_hits:"},
		{name: "listen without port", yaml: "server:\n  listen: localhost\n", want: "配置项 server.listen:"},
		{name: "redis url of another scheme", yaml: "redis:\n  url: http://127.0.0.1:6379\n", want: "配置项 redis.url:"},
		{name: "zero session_ttl", yaml: "redis:\n  session_ttl: 0s\n", want: "配置项 redis.session_ttl:"},
		{name: "negative rate_limit", yaml: "redis:\n  rate_limit: -1\n", want: "配置项 redis.rate_limit:"},
		{name: "relative wechat path", yaml: "wechat:\n  path: wechat\n", want: "配置项 wechat.path:"},
		{name: "empty api token", yaml: "api:\n  tokens: [good, '']\n", want: "配置项 api.tokens: 第 2 个令牌为空"},
		{name: "empty hotline", yaml: "bot:\n  hotline: ''\n", want: "配置项 bot.hotline:"},
		{name: "empty sensitive word", yaml: "bot:\n  sensitive_words: [' ']\n", want: "配置项 bot.sensitive_words:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"FAZHIBOT_KNOWLEDGE_DICT_DIR": testDictDir}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := Load(strings.NewReader(tt.yaml), mapEnv(env))
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestDriver(t *testing.T) {
	tests := []struct {
		url, driver, dsn string
	}{
		{"sqlite:data/fazhibot.db", "sqlite", "data/fazhibot.db"},
		{"sqlite:/var/lib/fazhibot/kb.db", "sqlite", "/var/lib/fazhibot/kb.db"},
		{"postgres://u:p@127.0.0.1:5432/test", "postgres", "postgres://u:p@127.0.0.1:5432/test"},
		{"postgresql://127.0.0.1/test", "postgres", "postgresql://127.0.0.1/test"},
		{"mysql://x", "", ""},
		{"data/fazhibot.db", "", ""},
	}
	for _, tt := range tests {
		driver, dsn := DatabaseConfig{URL: tt.url}.Driver()
		if driver != tt.driver || dsn != tt.dsn {
			t.Errorf("Driver(%q) = %q, %q; want %q, %q", tt.url, driver, dsn, tt.driver, tt.dsn)
		}
	}
}

func TestSetString(t *testing.T) {
	var s struct {
		B bool
		I int
		F float64
		D time.Duration
		L []string
		S string
	}
	v := reflect.ValueOf(&s).Elem()
	tests := []struct {
		field, in string
		want      any
		ok        bool
	}{
		{"B", "true", true, true},
		{"B", "yes", false, false},
		{"I", "-7", -7, true},
		{"I", "7.5", 0, false},
		{"F", "1e-3", 1e-3, true},
		{"D", "1h30m", 90 * time.Minute, true},
		{"D", "90", time.Duration(0), false},
		{"L", "x, y", []string{"x", "y"}, true},
		{"L", " , ", []string(nil), true},
		{"S", "江津", "江津", true},
	}
	for _, tt := range tests {
		f := v.FieldByName(tt.field)
		f.SetZero()
		problem := setString(f, tt.in)
		if (problem == "") != tt.ok {
			t.Errorf("setString(%s, %q) problem %q, want ok=%v", tt.field, tt.in, problem, tt.ok)
		}
		if got := f.Interface(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("setString(%s, %q) set %#v, want %#v", tt.field, tt.in, got, tt.want)
		}
	}
}

func TestEmbeddedFiles(t *testing.T) {
	reports, err := fs.Glob(BundledReports(), "*")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"jj-sthjj-2020.txt"}; !reflect.DeepEqual(reports, want) {
		t.Errorf("BundledReports() holds %q, want only %q", reports, want)
	}
	data, err := fs.ReadFile(BundledReports(), "jj-sthjj-2020.txt")
	if err != nil || !strings.Contains(string(data), "重庆市江津区生态环境局") {
		t.Errorf("reading the bundled report: %v", err)
	}
	if _, err := fs.ReadDir(DefaultTerms(), "."); err != nil {
		t.Errorf("DefaultTerms(): %v", err)
	}
}
