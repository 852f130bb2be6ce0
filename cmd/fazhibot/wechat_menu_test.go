package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fazhibot/internal/wechatfake"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/credential"

	"fazhibot/bot"
	"fazhibot/configs"
	"fazhibot/storage/redisstore"
)

// The credentials the fake WeChat accepts, and the token it hands out.
const (
	fakeAppID     = "wx-fake-appid"
	fakeAppSecret = "fake-app-secret-0123456789"
	fakeToken     = "fake-access-token"
)

// fakeWeChat is a local stand-in for api.weixin.qq.com: it serves
// /cgi-bin/token, /cgi-bin/menu/create and /cgi-bin/menu/get, records what
// it was sent, and can be told to answer a path with a fixed response.
type fakeWeChat struct {
	mu       sync.Mutex
	requests []string          // paths, in order
	tokens   int               // tokens handed out
	created  [][]byte          // bodies of menu/create
	menu     []byte            // the "button" list menu/get returns; nil for no menu
	fail     map[string]string // path → JSON body to answer instead
	once     map[string]string // path → JSON body to answer instead, once
	status   map[string]int    // path → HTTP status to answer instead
}

// startFakeWeChat starts a fake WeChat and points the SDK's HTTP client at
// it until the test ends. The client is process-global: tests using this
// must not run in parallel.
func startFakeWeChat(t *testing.T) *fakeWeChat {
	t.Helper()
	f := &fakeWeChat{fail: map[string]string{}, once: map[string]string{}, status: map[string]int{}}
	wechatfake.Redirect(t, http.HandlerFunc(f.serve))
	return f
}

func (f *fakeWeChat) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.Path)
	if code := f.status[r.URL.Path]; code != 0 {
		http.Error(w, "fake failure", code)
		return
	}
	if resp := f.fail[r.URL.Path]; resp != "" {
		io.WriteString(w, resp)
		return
	}
	if resp := f.once[r.URL.Path]; resp != "" {
		delete(f.once, r.URL.Path)
		io.WriteString(w, resp)
		return
	}
	q := r.URL.Query()
	switch r.URL.Path {
	case "/cgi-bin/token":
		if q.Get("appid") != fakeAppID || q.Get("secret") != fakeAppSecret || q.Get("grant_type") != "client_credential" {
			io.WriteString(w, `{"errcode":40125,"errmsg":"invalid appsecret"}`)
			return
		}
		f.tokens++
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":7200}`, fakeToken)
		return
	}
	if q.Get("access_token") != fakeToken {
		io.WriteString(w, `{"errcode":40014,"errmsg":"invalid access_token"}`)
		return
	}
	switch r.URL.Path {
	case "/cgi-bin/menu/create":
		var req struct {
			Button json.RawMessage `json:"button"`
		}
		if r.Method != http.MethodPost || json.Unmarshal(body, &req) != nil {
			io.WriteString(w, `{"errcode":47001,"errmsg":"data format error"}`)
			return
		}
		f.created = append(f.created, body)
		f.menu = req.Button
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	case "/cgi-bin/menu/get":
		if f.menu == nil {
			io.WriteString(w, `{"errcode":46003,"errmsg":"menu no exist"}`)
			return
		}
		fmt.Fprintf(w, `{"menu":{"button":%s,"menuid":208396938}}`, f.menu)
	default:
		http.NotFound(w, r)
	}
}

// seen returns the paths requested so far.
func (f *fakeWeChat) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// bodies returns the bodies menu/create received so far.
func (f *fakeWeChat) bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, b := range f.created {
		out = append(out, string(b))
	}
	return out
}

// tokenCount returns how many tokens the fake handed out.
func (f *fakeWeChat) tokenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens
}

// runWeChatCmd runs fazhibot with args, the fake's credentials (unless
// extra overrides them) and, when menuYAML is not empty, a configuration
// file holding it under wechat.menu.
func runWeChatCmd(t *testing.T, menuYAML string, extra map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	env := map[string]string{"FAZHIBOT_WECHAT_APP_ID": fakeAppID, "FAZHIBOT_WECHAT_APP_SECRET": fakeAppSecret}
	for k, v := range extra {
		env[k] = v
	}
	if menuYAML != "" {
		path := filepath.Join(t.TempDir(), "fazhibot.yaml")
		if err := os.WriteFile(path, []byte("wechat:\n  menu:\n"+menuYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append([]string{"-c", path}, args...)
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, testEnv(t, env), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("bad JSON %q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

func TestWeChatMenuPush(t *testing.T) {
	tests := []struct {
		name     string
		menuYAML string // "" for the default menu
		wantBody string // the JSON menu/create must receive
		wantOut  []string
	}{
		{
			name: "default menu",
			wantBody: `{"button":[{"name":"法治问答","sub_button":[
				{"type":"click","name":"热门问题","key":"HOT"},
				{"type":"click","name":"收录报告","key":"REPORTS"},
				{"type":"click","name":"使用帮助","key":"HELP"}]}]}`,
			wantOut: []string{
				"已向公众号 " + fakeAppID + " 推送自定义菜单：\n" +
					"1. 法治问答\n" +
					"   1.1 热门问题  点击后机器人回复热门问题（key HOT）\n" +
					"   1.2 收录报告  点击后机器人回复收录报告（key REPORTS）\n" +
					"   1.3 使用帮助  点击后机器人回复使用帮助（key HELP）\n" +
					"关注者最迟约 5 分钟后看到新菜单",
			},
		},
		{
			name: "leaves at the top, a view button and an unknown key",
			menuYAML: "    - {name: 热门, key: HOT}\n" +
				"    - name: 江津发布\n      sub_buttons:\n" +
				"        - {name: 江津区政府网, url: 'https://www.jiangjin.gov.cn/'}\n" +
				"        - {name: 办事指南, key: GUIDE}\n" +
				"    - {name: Help, key: HELP}\n",
			wantBody: `{"button":[
				{"type":"click","name":"热门","key":"HOT"},
				{"name":"江津发布","sub_button":[
					{"type":"view","name":"江津区政府网","url":"https://www.jiangjin.gov.cn/"},
					{"type":"click","name":"办事指南","key":"GUIDE"}]},
				{"type":"click","name":"Help","key":"HELP"}]}`,
			wantOut: []string{
				"1. 热门  点击后机器人回复热门问题（key HOT）\n" +
					"2. 江津发布\n" +
					"   2.1 江津区政府网  打开网页 https://www.jiangjin.gov.cn/\n" +
					"   2.2 办事指南  点击后机器人回复使用帮助（key GUIDE 不是 HOT、REPORTS、HELP 之一）\n" +
					"3. Help  点击后机器人回复使用帮助（key HELP）\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := startFakeWeChat(t)
			stdout, stderr, err := runWeChatCmd(t, tt.menuYAML, nil, "wechat", "menu", "push")
			if err != nil {
				t.Fatalf("push: %v; stderr:\n%s", err, stderr)
			}
			if want := []string{"/cgi-bin/token", "/cgi-bin/menu/create"}; !reflect.DeepEqual(fake.seen(), want) {
				t.Errorf("requests %q, want %q", fake.seen(), want)
			}
			if got := fake.bodies(); len(got) != 1 || !sameJSON(t, got[0], tt.wantBody) {
				t.Errorf("menu/create received:\n%s\nwant:\n%s", got, tt.wantBody)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout:\n%s\nlacks:\n%s", stdout, want)
				}
			}

			// show prints what push printed.
			shown, stderr, err := runWeChatCmd(t, "", nil, "wechat", "menu", "show")
			if err != nil {
				t.Fatalf("show: %v; stderr:\n%s", err, stderr)
			}
			tree := func(s string) string { // the numbered lines
				var lines []string
				for line := range strings.Lines(s) {
					if trimmed := strings.TrimLeft(line, " "); trimmed != "" && trimmed[0] >= '1' && trimmed[0] <= '9' {
						lines = append(lines, line)
					}
				}
				return strings.Join(lines, "")
			}
			if got, want := tree(shown), tree(stdout); got != want || got == "" {
				t.Errorf("show printed:\n%s\npush printed:\n%s", shown, stdout)
			}
		})
	}
}

func TestWeChatMenuShow(t *testing.T) {
	tests := []struct {
		name string
		menu string // the fake's button list; "" for no menu
		want string
	}{
		{
			name: "no menu",
			want: "公众号 " + fakeAppID + " 目前没有自定义菜单。可用 fazhibot wechat menu push 推送配置项 wechat.menu 中的菜单。\n",
		},
		{
			name: "menu set elsewhere",
			menu: `[{"name":"法治问答","sub_button":[
				{"type":"click","name":"热门问题","key":"hot","sub_button":[]},
				{"type":"miniprogram","name":"小程序","appid":"wx123","pagepath":"pages/index","url":"https://x.cn/","sub_button":[]},
				{"type":"scancode_push","name":"扫一扫","key":"SCAN","sub_button":[]}]},
				{"type":"view","name":"官网","url":"https://www.jiangjin.gov.cn/","sub_button":[]}]`,
			want: "公众号 " + fakeAppID + " 当前的自定义菜单：\n" +
				"1. 法治问答\n" +
				"   1.1 热门问题  点击后机器人回复热门问题（key hot）\n" +
				"   1.2 小程序  打开小程序 wx123 的页面 pages/index\n" +
				"   1.3 扫一扫  scancode_push 类型按钮（key SCAN）\n" +
				"2. 官网  打开网页 https://www.jiangjin.gov.cn/\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := startFakeWeChat(t)
			if tt.menu != "" {
				fake.menu = []byte(tt.menu)
			}
			stdout, stderr, err := runWeChatCmd(t, "", nil, "wechat", "menu", "show")
			if err != nil {
				t.Fatalf("show: %v; stderr:\n%s", err, stderr)
			}
			if stdout != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.want)
			}
			if want := []string{"/cgi-bin/token", "/cgi-bin/menu/get"}; !reflect.DeepEqual(fake.seen(), want) {
				t.Errorf("requests %q, want %q", fake.seen(), want)
			}
		})
	}
}

// TestWeChatMenuRefusedLocally checks that a menu or credentials WeChat
// would refuse fail before any request is made.
func TestWeChatMenuRefusedLocally(t *testing.T) {
	tests := []struct {
		name     string
		menuYAML string
		env      map[string]string
		want     string
	}{
		{
			name:     "too many buttons",
			menuYAML: "    - {name: 一, key: a}\n    - {name: 二, key: b}\n    - {name: 三, key: c}\n    - {name: 四, key: d}\n",
			want:     "配置项 wechat.menu[3]: 一级菜单最多 3 个，实为 4 个",
		},
		{
			name:     "too many sub-buttons",
			menuYAML: "    - name: 问答\n      sub_buttons: [{name: a, key: a}, {name: b, key: b}, {name: c, key: c}, {name: d, key: d}, {name: e, key: e}, {name: f, key: f}]\n",
			want:     "配置项 wechat.menu[0].sub_buttons[5]: 子菜单最多 5 个，实为 6 个",
		},
		{
			name:     "long top-level name",
			menuYAML: "    - {name: 法治政府建设, key: HOT}\n",
			want:     `配置项 wechat.menu[0].name: 名称 "法治政府建设" 过长：一级菜单最多 4 个汉字`,
		},
		{
			name:     "long sub name",
			menuYAML: "    - name: 问答\n      sub_buttons: [{name: 法治政府建设年度报告, key: REPORTS}]\n",
			want:     "配置项 wechat.menu[0].sub_buttons[0].name: 名称 \"法治政府建设年度报告\" 过长：子菜单最多 7 个汉字",
		},
		{
			name:     "long key",
			menuYAML: "    - {name: 问答, key: " + strings.Repeat("K", 129) + "}\n",
			want:     "配置项 wechat.menu[0].key: 最长 128 字节，实为 129 字节",
		},
		{
			name:     "bad url",
			menuYAML: "    - {name: 官网, url: 'javascript:alert(1)'}\n",
			want:     `配置项 wechat.menu[0].url: 网址 "javascript:alert(1)" 无效，应以 http:// 或 https:// 开头`,
		},
		{
			name:     "leaf with key and url",
			menuYAML: "    - {name: 官网, key: HOT, url: 'https://www.jiangjin.gov.cn/'}\n",
			want:     "配置项 wechat.menu[0]: key 和 url 只能设置其中一个",
		},
		{
			name:     "empty name",
			menuYAML: "    - name: 问答\n      sub_buttons: [{name: '', key: HELP}]\n",
			want:     "配置项 wechat.menu[0].sub_buttons[0].name: 菜单名称不能为空",
		},
		{
			name:     "empty menu",
			menuYAML: "    []\n",
			want:     "配置项 wechat.menu 为空，没有可推送的菜单",
		},
		{
			name: "no AppID",
			env:  map[string]string{"FAZHIBOT_WECHAT_APP_ID": ""},
			want: "未配置公众号 AppID：请设置配置项 wechat.app_id 或环境变量 FAZHIBOT_WECHAT_APP_ID",
		},
		{
			name: "no AppSecret",
			env:  map[string]string{"FAZHIBOT_WECHAT_APP_SECRET": ""},
			want: "未配置公众号 AppSecret：请设置配置项 wechat.app_secret 或环境变量 FAZHIBOT_WECHAT_APP_SECRET",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := startFakeWeChat(t)
			_, _, err := runWeChatCmd(t, tt.menuYAML, tt.env, "wechat", "menu", "push")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("push error %v, want one containing %q", err, tt.want)
			}
			if seen := fake.seen(); len(seen) != 0 {
				t.Errorf("WeChat was asked %q before the error", seen)
			}
		})
	}
}

func TestWeChatMenuWeChatErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		fail   map[string]string
		status map[string]int
		env    map[string]string
		want   string
	}{
		{
			name: "wrong AppSecret",
			args: []string{"wechat", "menu", "push"},
			fail: map[string]string{"/cgi-bin/token": `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}`},
			want: "获取访问令牌（access_token）失败：微信返回错误码 40001（AppSecret 错误，或 access_token 无效；请核对 wechat.app_secret）：invalid credential",
		},
		{
			name: "IP not whitelisted",
			args: []string{"wechat", "menu", "show"},
			fail: map[string]string{"/cgi-bin/token": `{"errcode":40164,"errmsg":"invalid ip 1.2.3.4, not in whitelist"}`},
			want: "微信返回错误码 40164（本机 IP 不在公众号的 IP 白名单中",
		},
		{
			name: "menu refused",
			args: []string{"wechat", "menu", "push"},
			fail: map[string]string{"/cgi-bin/menu/create": `{"errcode":48001,"errmsg":"api unauthorized"}`},
			want: "推送菜单失败：微信返回错误码 48001（公众号没有该接口的权限；未认证的订阅号不能使用自定义菜单接口）：api unauthorized",
		},
		{
			name: "stale token on create",
			args: []string{"wechat", "menu", "push"},
			fail: map[string]string{"/cgi-bin/menu/create": `{"errcode":40001,"errmsg":"invalid credential"}`},
			want: "推送菜单失败：微信返回错误码 40001",
		},
		{
			name: "unknown code on get",
			args: []string{"wechat", "menu", "show"},
			fail: map[string]string{"/cgi-bin/menu/get": `{"errcode":65999,"errmsg":"something new"}`},
			want: "查询菜单失败：微信返回错误码 65999：something new",
		},
		{
			name:   "HTTP failure hides the AppSecret",
			args:   []string{"wechat", "menu", "push"},
			status: map[string]int{"/cgi-bin/token": http.StatusBadGateway},
			want:   "获取访问令牌（access_token）失败：http get error : uri=https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=" + fakeAppID + "&secret=*** , statusCode=502",
		},
		{
			name:   "HTTP failure hides the access token",
			args:   []string{"wechat", "menu", "show"},
			status: map[string]int{"/cgi-bin/menu/get": http.StatusInternalServerError},
			want:   "查询菜单失败：http get error : uri=https://api.weixin.qq.com/cgi-bin/menu/get?access_token=*** , statusCode=500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := startFakeWeChat(t)
			for path, body := range tt.fail {
				fake.fail[path] = body
			}
			for path, code := range tt.status {
				fake.status[path] = code
			}
			_, _, err := runWeChatCmd(t, "", tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			for _, secret := range []string{fakeAppSecret, fakeToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q reveals %q", err, secret)
				}
			}
			if got := fake.bodies(); len(got) != 0 {
				t.Errorf("menu/create recorded %q despite the failure", got)
			}
		})
	}
}

// TestWeChatMenuRetriesStaleToken checks that a token WeChat no longer
// accepts is replaced once, and the call repeated.
func TestWeChatMenuRetriesStaleToken(t *testing.T) {
	fake := startFakeWeChat(t)
	fake.once["/cgi-bin/menu/create"] = `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}`
	if _, stderr, err := runWeChatCmd(t, "", nil, "wechat", "menu", "push"); err != nil {
		t.Fatalf("push: %v; stderr:\n%s", err, stderr)
	}
	want := []string{"/cgi-bin/token", "/cgi-bin/menu/create", "/cgi-bin/token", "/cgi-bin/menu/create"}
	if got := fake.seen(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if got := fake.bodies(); len(got) != 1 {
		t.Errorf("menu/create recorded %d menus, want 1", len(got))
	}
}

func TestWeChatMenuCancelled(t *testing.T) {
	fake := startFakeWeChat(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	getenv := testEnv(t, map[string]string{"FAZHIBOT_WECHAT_APP_ID": fakeAppID, "FAZHIBOT_WECHAT_APP_SECRET": fakeAppSecret})
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"wechat", "menu", "push"}, getenv, strings.NewReader(""), &stdout, &stderr)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "获取访问令牌（access_token）已取消") {
		t.Errorf("error %v, want a cancelled token request", err)
	}
	if err != nil && strings.Contains(err.Error(), fakeAppSecret) {
		t.Errorf("error %q reveals the AppSecret", err)
	}
	if seen := fake.seen(); len(seen) != 0 {
		t.Errorf("WeChat was asked %q", seen)
	}
}

// TestWeChatMenuTokenInRedis checks that with redis.url set the access
// token is kept in Redis and shared by later runs.
func TestWeChatMenuTokenInRedis(t *testing.T) {
	const redisURL = "redis://127.0.0.1:6379/0"
	fake := startFakeWeChat(t)
	store, err := redisstore.Open(context.Background(), redisURL, redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // after forget below
	cacheKey := credential.CacheKeyOfficialAccountPrefix + "_access_token_" + fakeAppID
	forget := func() {
		if err := store.TokenCache().Delete(cacheKey); err != nil {
			t.Fatalf("is Redis running on 127.0.0.1:6379? %v", err)
		}
	}
	forget()
	t.Cleanup(forget)

	env := map[string]string{"FAZHIBOT_REDIS_URL": redisURL}
	for range 2 {
		if _, stderr, err := runWeChatCmd(t, "", env, "wechat", "menu", "show"); err != nil {
			t.Fatalf("show: %v; stderr:\n%s", err, stderr)
		}
	}
	if n := fake.tokenCount(); n != 1 {
		t.Errorf("WeChat handed out %d tokens for two runs, want 1", n)
	}
	if got := store.TokenCache().Get(cacheKey); got != fakeToken {
		t.Errorf("Redis holds token %v, want %q", got, fakeToken)
	}

	// A token retired by WeChat is replaced in Redis.
	if err := store.TokenCache().Set(cacheKey, "retired-token", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runWeChatCmd(t, "", env, "wechat", "menu", "push"); err != nil {
		t.Fatalf("push: %v; stderr:\n%s", err, stderr)
	}
	if got := store.TokenCache().Get(cacheKey); got != fakeToken {
		t.Errorf("Redis holds token %v after the retry, want %q", got, fakeToken)
	}
	if n := fake.tokenCount(); n != 2 {
		t.Errorf("WeChat handed out %d tokens, want 2", n)
	}

	// Without Redis every run fetches its own token.
	for range 2 {
		if _, stderr, err := runWeChatCmd(t, "", nil, "wechat", "menu", "show"); err != nil {
			t.Fatalf("show: %v; stderr:\n%s", err, stderr)
		}
	}
	if n := fake.tokenCount(); n != 4 {
		t.Errorf("WeChat handed out %d tokens in all, want 4", n)
	}
}

func TestWeChatUsage(t *testing.T) {
	for _, args := range [][]string{
		{"wechat"},
		{"wechat", "menu"},
		{"wechat", "menu", "delete"},
		{"wechat", "menus", "show"},
		{"wechat", "menu", "show", "extra"},
	} {
		fake := startFakeWeChat(t)
		_, stderr, err := runWeChatCmd(t, "", nil, args...)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr, "用法: fazhibot wechat menu push | show") {
			t.Errorf("%q: error %v, stderr %q; want the usage", args, err, stderr)
		}
		if seen := fake.seen(); len(seen) != 0 {
			t.Errorf("%q: WeChat was asked %q", args, seen)
		}
	}
}

// TestDefaultMenuKeys keeps the default menu's keys, spelled out in
// configs, in step with the keys the bot answers.
func TestDefaultMenuKeys(t *testing.T) {
	var keys []string
	for _, b := range configs.Default().WeChat.Menu {
		for _, s := range b.SubButtons {
			keys = append(keys, s.Key)
		}
		if b.Key != "" {
			keys = append(keys, b.Key)
		}
	}
	if want := []string{bot.MenuHot, bot.MenuReports, bot.MenuHelp}; !reflect.DeepEqual(keys, want) {
		t.Errorf("default menu keys %q, want %q", keys, want)
	}
}
