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
	want := Default()
	want.Knowledge.CacheDir = filepath.Join(os.TempDir(), "fazhibot") // cache_dir is empty there too
	if !reflect.DeepEqual(got, want) {
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
		{
			name: "menu from the file replaces the default",
			yaml: "wechat:\n  menu:\n    - {name: 问答, key: HOT}\n    - name: 更多\n      sub_buttons:\n        - {name: 江津发布, url: 'https://www.jiangjin.gov.cn/'}\n",
			want: func(c *Config) {
				c.WeChat.Menu = []MenuButton{
					{Name: "问答", Key: "HOT"},
					{Name: "更多", SubButtons: []MenuButton{{Name: "江津发布", URL: "https://www.jiangjin.gov.cn/"}}},
				}
			},
		},
		{
			name: "empty menu is nil",
			yaml: "wechat:\n  menu: []\n",
			want: func(c *Config) { c.WeChat.Menu = nil },
		},
		{
			name: "empty sub_buttons are nil",
			yaml: "wechat:\n  menu: [{name: 帮助, key: HELP, sub_buttons: []}]\n",
			want: func(c *Config) { c.WeChat.Menu = []MenuButton{{Name: "帮助", Key: "HELP"}} },
		},
		{
			name: "the menu has no environment variable",
			env:  map[string]string{"FAZHIBOT_WECHAT_MENU": "[{name: x, key: y}]", "FAZHIBOT_WECHAT_APP_ID": "wx1"},
			want: func(c *Config) { c.WeChat.AppID = "wx1" },
		},
		{
			name: "logs",
			yaml: "logs:\n  user_secret: 化名密钥-0123456789\n  retention_days: 30\n",
			env: map[string]string{
				"FAZHIBOT_LOGS_ENABLED":        "false",
				"FAZHIBOT_LOGS_STORE_OPENID":   "true",
				"FAZHIBOT_LOGS_BUFFER_SIZE":    "5000",
				"FAZHIBOT_LOGS_BATCH_SIZE":     "50",
				"FAZHIBOT_LOGS_FLUSH_INTERVAL": "1s",
			},
			want: func(c *Config) {
				c.Logs = LogsConfig{UserSecret: "化名密钥-0123456789", StoreOpenID: true, BufferSize: 5000,
					BatchSize: 50, FlushInterval: time.Second, RetentionDays: 30}
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
			// No HOME or XDG_CACHE_HOME in these environments.
			want.Knowledge.CacheDir = filepath.Join(os.TempDir(), "fazhibot")
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestDefaultCacheDir(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/a"}, "/x/cache/fazhibot"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.cache/fazhibot"},
		{nil, filepath.Join(os.TempDir(), "fazhibot")},
		{map[string]string{"HOME": "/home/a", "FAZHIBOT_KNOWLEDGE_CACHE_DIR": "/var/cache/fz"}, "/var/cache/fz"},
	} {
		c, err := Load(nil, mapEnv(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		if c.Knowledge.CacheDir != tc.want || c.Knowledge.DictDir != "" {
			t.Errorf("env %v: cache_dir %q dict_dir %q, want %q and the built-in dictionaries", tc.env, c.Knowledge.CacheDir, c.Knowledge.DictDir, tc.want)
		}
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
		{name: "metrics_listen without port", yaml: "server:\n  metrics_listen: localhost\n", want: "配置项 server.metrics_listen:"},
		{name: "metrics_listen same as listen", yaml: "server:\n  metrics_listen: ':8080'\n", want: "配置项 server.metrics_listen: 不能与 server.listen 相同"},
		{name: "memory limit too low", yaml: "server:\n  memory_limit_mb: 100\n", want: "配置项 server.memory_limit_mb: 100 无效"},
		{name: "negative memory limit", env: map[string]string{"FAZHIBOT_SERVER_MEMORY_LIMIT_MB": "-1"}, want: "配置项 server.memory_limit_mb:"},
		{name: "memory limit is valid", yaml: "server:\n  memory_limit_mb: 1280\n"},
		{name: "short metrics_token", yaml: "server:\n  metrics_token: short\n", want: "配置项 server.metrics_token:"},
		{name: "redis url of another scheme", yaml: "redis:\n  url: http://127.0.0.1:6379\n", want: "配置项 redis.url:"},
		{name: "zero session_ttl", yaml: "redis:\n  session_ttl: 0s\n", want: "配置项 redis.session_ttl:"},
		{name: "negative rate_limit", yaml: "redis:\n  rate_limit: -1\n", want: "配置项 redis.rate_limit:"},
		{name: "relative wechat path", yaml: "wechat:\n  path: wechat\n", want: "配置项 wechat.path:"},
		{name: "empty api token", yaml: "api:\n  tokens: [good, '']\n", want: "配置项 api.tokens: 第 2 个令牌为空"},
		{name: "empty hotline", yaml: "bot:\n  hotline: ''\n", want: "配置项 bot.hotline:"},
		{name: "empty sensitive word", yaml: "bot:\n  sensitive_words: [' ']\n", want: "配置项 bot.sensitive_words:"},

		// The menu (wechat.menu).
		{name: "no menu is valid", yaml: "wechat:\n  menu: []\n"},
		{
			name: "full menu is valid",
			yaml: "wechat:\n  menu:\n" + menuYAML(3, 5, "江津法治", "江津区法治报告", "HOT"),
		},
		{name: "ASCII names count half", yaml: "wechat:\n  menu: [{name: ABCDEFGH, sub_buttons: [{name: ABCDEFGHIJKLMN, key: k}]}]\n"},
		{name: "view button", yaml: "wechat:\n  menu: [{name: 官网, url: 'http://www.jiangjin.gov.cn/'}]\n"},
		{name: "unknown key in a button", yaml: "wechat:\n  menu: [{nmae: 帮助, key: HELP}]\n", want: "配置项 wechat.menu[0].nmae: 未知的配置项，此处可用的有 name、key、url、sub_buttons"},
		{name: "unknown key in a sub-button", yaml: "wechat:\n  menu: [{name: 帮助, sub_buttons: [{name: a, kye: b}]}]\n", want: "配置项 wechat.menu[0].sub_buttons[0].kye: 未知的配置项"},
		{name: "text for the menu", yaml: "wechat:\n  menu: 帮助\n", want: `配置项 wechat.menu: 值 "帮助" 无效，应为列表`},
		{name: "text for a button", yaml: "wechat:\n  menu: [帮助]\n", want: `配置项 wechat.menu[0]: 值 "帮助" 无效，应为包含子配置项的映射`},
		{name: "number for a name", yaml: "wechat:\n  menu: [{name: [1], key: k}]\n", want: "配置项 wechat.menu[0].name:"},
		{name: "too many buttons", yaml: "wechat:\n  menu:\n" + menuYAML(4, 1, "菜单", "子", "k"), want: "配置项 wechat.menu[3]: 一级菜单最多 3 个，实为 4 个"},
		{name: "too many sub-buttons", yaml: "wechat:\n  menu:\n" + menuYAML(1, 6, "菜单", "子", "k"), want: "配置项 wechat.menu[0].sub_buttons[5]: 子菜单最多 5 个，实为 6 个"},
		{name: "long name", yaml: "wechat:\n  menu: [{name: 法治问答咨询, key: k}]\n", want: `配置项 wechat.menu[0].name: 名称 "法治问答咨询" 过长：一级菜单最多 4 个汉字或 8 个英文字符（汉字计 2、英文计 1），实为 12`},
		{name: "long ASCII name", yaml: "wechat:\n  menu: [{name: ABCDEFGHI, key: k}]\n", want: "配置项 wechat.menu[0].name:"},
		{name: "long sub name", yaml: "wechat:\n  menu: [{name: 问答, sub_buttons: [{name: 重庆市江津区法治, key: k}]}]\n", want: "配置项 wechat.menu[0].sub_buttons[0].name: 名称 \"重庆市江津区法治\" 过长：子菜单最多 7 个汉字"},
		{name: "empty name", yaml: "wechat:\n  menu: [{name: ' ', key: k}]\n", want: "配置项 wechat.menu[0].name: 菜单名称不能为空"},
		{name: "empty sub name", yaml: "wechat:\n  menu: [{name: 问答, sub_buttons: [{key: k}]}]\n", want: "配置项 wechat.menu[0].sub_buttons[0].name: 菜单名称不能为空"},
		{name: "long key", yaml: "wechat:\n  menu: [{name: 问答, key: " + strings.Repeat("k", 129) + "}]\n", want: "配置项 wechat.menu[0].key: 最长 128 字节，实为 129 字节"},
		{name: "key of 128 bytes", yaml: "wechat:\n  menu: [{name: 问答, key: " + strings.Repeat("k", 128) + "}]\n"},
		{name: "blank key", yaml: "wechat:\n  menu: [{name: 问答, key: ' '}]\n", want: "配置项 wechat.menu[0].key: 不能只含空白"},
		{name: "url without scheme", yaml: "wechat:\n  menu: [{name: 官网, url: www.jiangjin.gov.cn}]\n", want: `配置项 wechat.menu[0].url: 网址 "www.jiangjin.gov.cn" 无效，应以 http:// 或 https:// 开头`},
		{name: "url of another scheme", yaml: "wechat:\n  menu: [{name: 官网, url: 'ftp://jiangjin.gov.cn/'}]\n", want: "配置项 wechat.menu[0].url:"},
		{name: "url without host", yaml: "wechat:\n  menu: [{name: 官网, url: 'https:///x'}]\n", want: "配置项 wechat.menu[0].url:"},
		{name: "long url", yaml: "wechat:\n  menu: [{name: 官网, url: 'https://x.cn/" + strings.Repeat("a", 1024) + "'}]\n", want: "配置项 wechat.menu[0].url: 最长 1024 字节"},
		{name: "leaf with key and url", yaml: "wechat:\n  menu: [{name: 问答, key: k, url: 'https://x.cn/'}]\n", want: "配置项 wechat.menu[0]: key 和 url 只能设置其中一个"},
		{name: "leaf with neither", yaml: "wechat:\n  menu: [{name: 问答}]\n", want: "配置项 wechat.menu[0]: 须设置 key"},
		{name: "sub leaf with neither", yaml: "wechat:\n  menu: [{name: 问答, sub_buttons: [{name: 帮助}]}]\n", want: "配置项 wechat.menu[0].sub_buttons[0]: 须设置 key"},
		{name: "parent with a key", yaml: "wechat:\n  menu: [{name: 问答, key: k, sub_buttons: [{name: 帮助, key: HELP}]}]\n", want: "配置项 wechat.menu[0]: 有子菜单（sub_buttons）的按钮不能再设置 key 或 url"},
		{name: "third level", yaml: "wechat:\n  menu: [{name: 问答, sub_buttons: [{name: 帮助, sub_buttons: [{name: x, key: y}]}]}]\n", want: "配置项 wechat.menu[0].sub_buttons[0].sub_buttons: 子菜单不能再有子菜单"},

		// Import limits.
		{name: "upload_timeout of 12s is valid", yaml: "admin:\n  upload_timeout: 12s\n"},
		{name: "upload_timeout past the write timeout", yaml: "admin:\n  upload_timeout: 15s\n", want: "配置项 admin.upload_timeout: 应大于 0 且不超过 12s"},
		{name: "no preview memory", env: map[string]string{"FAZHIBOT_ADMIN_MAX_PREVIEW_MB": "0"}, want: "配置项 admin.max_preview_mb: 应至少为 1"},
		{name: "report size zero", yaml: "knowledge:\n  max_report_mb: 0\n", want: "配置项 knowledge.max_report_mb: 应在 1 到 1024 之间"},
		{name: "no passages", yaml: "knowledge:\n  max_report_passages: 0\n", want: "配置项 knowledge.max_report_passages: 应至少为 1"},
		{name: "no characters", env: map[string]string{"FAZHIBOT_KNOWLEDGE_MAX_REPORT_CHARS": "-5"}, want: "配置项 knowledge.max_report_chars: 应至少为 1"},

		// The query log.
		{name: "logs secret of 16 characters is valid", env: map[string]string{"FAZHIBOT_LOGS_USER_SECRET": "0123456789abcdef"}},
		{name: "logs kept forever is valid", yaml: "logs:\n  retention_days: 0\n"},
		{name: "short logs secret", env: map[string]string{"FAZHIBOT_LOGS_USER_SECRET": "short"}, want: "配置项 logs.user_secret: 至少应为 16 个字符"},
		{name: "empty logs buffer", yaml: "logs:\n  buffer_size: 0\n", want: "配置项 logs.buffer_size: 应至少为 1，实为 0"},
		{name: "logs batch too large", yaml: "logs:\n  batch_size: 10000\n", want: "配置项 logs.batch_size: 应在 1 到 5000 之间"},
		{name: "logs flush interval too short", yaml: "logs:\n  flush_interval: 1ms\n", want: "配置项 logs.flush_interval:"},
		{name: "negative retention", env: map[string]string{"FAZHIBOT_LOGS_RETENTION_DAYS": "-1"}, want: "配置项 logs.retention_days: 应不小于 0"},
		{name: "retention days not a number", env: map[string]string{"FAZHIBOT_LOGS_RETENTION_DAYS": "半年"}, want: "环境变量 FAZHIBOT_LOGS_RETENTION_DAYS"},
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

// menuYAML returns the YAML list, indented for wechat.menu, of n top-level
// buttons named name, each with subs sub-buttons named sub and keyed key.
func menuYAML(n, subs int, name, sub, key string) string {
	var b strings.Builder
	for range n {
		b.WriteString("    - name: " + name + "\n      sub_buttons:\n")
		for range subs {
			b.WriteString("        - {name: " + sub + ", key: " + key + "}\n")
		}
	}
	return b.String()
}

func TestValidateMenuReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Knowledge.DictDir = testDictDir
	c.WeChat.Menu = []MenuButton{
		{Name: "", Key: "k"},
		{Name: "问答", SubButtons: []MenuButton{{Name: "帮助", Key: "HELP", URL: "https://x.cn/"}}},
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a broken menu")
	}
	want := "配置项 wechat.menu[0].name: 菜单名称不能为空\n" +
		"配置项 wechat.menu[1].sub_buttons[0]: key 和 url 只能设置其中一个"
	if err.Error() != want {
		t.Errorf("Validate:\n got %q\nwant %q", err, want)
	}
}

func TestMenuNameWidth(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"", 0},
		{"HOT", 3},
		{"法治问答", 8},
		{"12345热线", 9},
		{"问答（新）", 10}, // full-width brackets count like 汉字
	}
	for _, tt := range tests {
		if got := MenuNameWidth(tt.name); got != tt.want {
			t.Errorf("MenuNameWidth(%q) = %d, want %d", tt.name, got, tt.want)
		}
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
