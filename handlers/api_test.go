package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fazhibot/bot"
	"fazhibot/knowledge"
)

const (
	apiToken      = "api-token-0123456789"
	otherAPIToken = "api-token-other"
)

// apiCall describes one JSON API request; the zero value is a valid ask
// with apiToken.
type apiCall struct {
	method      string // POST unless set
	path        string // apiAskPath unless set
	auth        string // the Authorization header; "Bearer "+apiToken unless set, none if "-"
	contentType string // application/json unless set, none if "-"
	body        string // {"user":"u1","text":"行政复议多少件"} unless set
}

func (c apiCall) build() *http.Request {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	r := httptest.NewRequest(or(c.method, http.MethodPost), or(c.path, apiAskPath),
		strings.NewReader(or(c.body, `{"user":"u1","text":"行政复议多少件"}`)))
	if auth := or(c.auth, "Bearer "+apiToken); auth != "-" {
		r.Header.Set("Authorization", auth)
	}
	if ct := or(c.contentType, "application/json"); ct != "-" {
		r.Header.Set("Content-Type", ct)
	}
	return r
}

func apiServer(t testing.TB, edit func(*Options)) (*Server, *fakeResponder) {
	t.Helper()
	srv, resp, _ := newTestServer(t, func(o *Options) {
		o.APITokens = []string{otherAPIToken, apiToken}
		if edit != nil {
			edit(o)
		}
	})
	return srv, resp
}

// decodeJSON checks the JSON headers and decodes the body strictly.
func decodeJSON[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q, body %q", ct, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var v T
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("body: %v", err)
	}
	return v
}

func TestAPIAsk(t *testing.T) {
	hits := []knowledge.Hit{
		{ReportID: "jj-sthjj-2020", Title: "江津区生态环境局2020年度法治政府建设情况报告",
			Path: []string{"一、2020年推进法治政府建设的主要举措", "（三）严格规范执法"}, Score: 12.34567, Confidence: 0.9},
		{ReportID: "jj-sfj-2021", Title: "司法局报告", Score: 0.0004},
	}
	sthjjHit := apiHit{ReportID: "jj-sthjj-2020", Title: "江津区生态环境局2020年度法治政府建设情况报告",
		Section: "一、2020年推进法治政府建设的主要举措 > （三）严格规范执法", Score: 12.346}
	tests := []struct {
		name    string
		reply   func(ctx context.Context) bot.Reply // nil: the fake's default reply
		timeout time.Duration
		want    askResponse
	}{
		{
			name: "answer without hits: hits is an empty array",
			want: askResponse{Reply: "答复：text|行政复议多少件", Choices: []string{}, Hits: []apiHit{}},
		},
		{
			name: "answer with hits",
			reply: func(context.Context) bot.Reply {
				return bot.Reply{Text: "去年共办理行政复议案件12件。", Next: bot.NextRelated, Answered: true,
					Intent: bot.IntentAnswer, Hits: hits}
			},
			want: askResponse{Answered: true, Intent: "answer", Reply: "去年共办理行政复议案件12件。", Choices: []string{},
				Next: "related", Source: &sthjjHit, Hits: []apiHit{sthjjHit,
					{ReportID: "jj-sfj-2021", Title: "司法局报告", Section: "", Score: 0},
				}},
		},
		{
			name: "a question back: its choices and note as they are",
			reply: func(context.Context) bot.Reply {
				return bot.Reply{Text: "您是否想问:", Choices: []string{"区司法局2021年度:开展法治宣传", "区交通局2021年度:开展法治宣传"},
					Note: "请回复数字查看。", Intent: bot.IntentClarify, Hits: hits}
			},
			want: askResponse{Intent: "clarify", Reply: "您是否想问:",
				Choices: []string{"区司法局2021年度:开展法治宣传", "区交通局2021年度:开展法治宣传"}, Note: "请回复数字查看。",
				Hits: []apiHit{sthjjHit, {ReportID: "jj-sfj-2021", Title: "司法局报告", Section: "", Score: 0}}},
		},
		{
			name: "Responder too slow: the busy text, not answered",
			reply: func(ctx context.Context) bot.Reply {
				<-ctx.Done()
				return bot.Reply{Text: "迟到的答复", Answered: true, Hits: hits}
			},
			timeout: 50 * time.Millisecond,
			want:    askResponse{Intent: "busy", Reply: busyText, Choices: []string{}, Hits: []apiHit{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, resp := apiServer(t, func(o *Options) { o.ReplyTimeout = tt.timeout })
			if tt.reply != nil {
				resp.fn = func(ctx context.Context, _ bot.Message) bot.Reply { return tt.reply(ctx) }
			}
			rec := serve(srv, apiCall{}.build())
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d %q", rec.Code, rec.Body.String())
			}
			raw := rec.Body.String()
			got := decodeJSON[askResponse](t, rec)
			if gotJSON, wantJSON := mustJSON(t, got), mustJSON(t, tt.want); gotJSON != wantJSON {
				t.Errorf("answer %s, want %s", gotJSON, wantJSON)
			}
			if !strings.Contains(raw, `"hits":[`) {
				t.Errorf("hits is not an array: %s", raw)
			}
			want := bot.Message{Channel: bot.ChannelAPI, User: "u1", Kind: bot.KindText, Text: "行政复议多少件", Time: testNow}
			if msgs := resp.messages(); len(msgs) != 1 || msgs[0] != want {
				t.Errorf("Responder got %+v, want [%+v]", msgs, want)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAPIAskRejects(t *testing.T) {
	body := func(user, text string) string { return mustJSON(t, askRequest{User: user, Text: text}) }
	tests := []struct {
		name       string
		edit       func(*Options)
		call       apiCall
		wantStatus int
		wantError  string // the JSON error message
		wantHeader [2]string
	}{
		{"no Authorization", nil, apiCall{auth: "-"}, 401, "缺少访问令牌", [2]string{"WWW-Authenticate", `Bearer realm="fazhibot"`}},
		{"empty bearer token", nil, apiCall{auth: "Bearer "}, 401, "缺少访问令牌", [2]string{"WWW-Authenticate", `Bearer realm="fazhibot"`}},
		{"Basic scheme", nil, apiCall{auth: "Basic " + apiToken}, 401, "缺少访问令牌", [2]string{"WWW-Authenticate", `Bearer realm="fazhibot"`}},
		{"wrong token", nil, apiCall{auth: "Bearer api-token-0123456788"}, 401, "访问令牌无效",
			[2]string{"WWW-Authenticate", `Bearer realm="fazhibot", error="invalid_token"`}},
		{"token prefix", nil, apiCall{auth: "Bearer " + apiToken[:5]}, 401, "访问令牌无效", [2]string{}},
		{"no tokens configured", func(o *Options) { o.APITokens = nil }, apiCall{}, 401, "访问令牌无效", [2]string{}},
		{"Authorize refuses", func(o *Options) { o.Authorize = func(*http.Request, string) bool { return false } }, apiCall{}, 401, "访问令牌无效", [2]string{}},
		{"auth before content checks", nil, apiCall{auth: "-", contentType: "text/plain", body: "{"}, 401, "缺少访问令牌", [2]string{}},

		{"no Content-Type", nil, apiCall{contentType: "-"}, 415, "请求体应为 JSON（Content-Type: application/json）", [2]string{}},
		{"form Content-Type", nil, apiCall{contentType: "application/x-www-form-urlencoded"}, 415, "", [2]string{}},
		{"GBK charset", nil, apiCall{contentType: "application/json; charset=gbk"}, 415, "", [2]string{}},

		{"not JSON", nil, apiCall{body: "user=u1&text=hi"}, 400, "请求体不是有效的 JSON（第 1 个字节附近有语法错误）", [2]string{}},
		{"empty body", nil, apiCall{body: " "}, 400, "请求体为空，应为一个 JSON 对象；本接口的字段为 user、text", [2]string{}},
		{"truncated JSON", nil, apiCall{body: `{"user":"u1","text":"hi"`}, 400, "请求体不是完整的 JSON（在结尾处中断）", [2]string{}},
		{"JSON array", nil, apiCall{body: `[]`}, 400, "请求体应为一个 JSON 对象；本接口的字段为 user、text", [2]string{}},
		{"unknown field", nil, apiCall{body: `{"user":"u1","text":"hi","debug":true}`}, 400, `未知字段 "debug"；本接口的字段为 user、text`, [2]string{}},
		{"a likely wrong name", nil, apiCall{body: `{"user":"u1","question":"hi"}`}, 400, `未知字段 "question"；本接口的字段为 user、text`, [2]string{}},
		{"unknown Chinese field", nil, apiCall{body: `{"用户":"u1"}`}, 400, `未知字段 "用户"；本接口的字段为 user、text`, [2]string{}},
		{"wrong field type", nil, apiCall{body: `{"user":1,"text":"hi"}`}, 400, "字段 user 的类型不对：应为字符串", [2]string{}},
		{"text as an array", nil, apiCall{body: `{"user":"u1","text":["hi"]}`}, 400, "字段 text 的类型不对：应为字符串", [2]string{}},
		{"two objects", nil, apiCall{body: `{"user":"u1","text":"hi"}{"user":"u2","text":"hi"}`}, 400, "请求体只能包含一个 JSON 对象", [2]string{}},
		{"null", nil, apiCall{body: `null`}, 400, "缺少 user 字段", [2]string{}},
		{"no user", nil, apiCall{body: `{"text":"hi"}`}, 400, "缺少 user 字段", [2]string{}},
		{"blank user", nil, apiCall{body: body("  ", "hi")}, 400, "缺少 user 字段", [2]string{}},
		{"user over 128 bytes", nil, apiCall{body: body(strings.Repeat("u", 129), "hi")}, 400, "user 字段过长，最多 128 字节", [2]string{}},
		{"user with a newline", nil, apiCall{body: body("u1\nu2", "hi")}, 400, "user 字段不能含有控制字符", [2]string{}},
		{"no text", nil, apiCall{body: `{"user":"u1"}`}, 400, "缺少 text 字段", [2]string{}},
		{"blank text", nil, apiCall{body: body("u1", " \n ")}, 400, "缺少 text 字段", [2]string{}},
		{"text over 1000 characters", nil, apiCall{body: body("u1", strings.Repeat("法", 1001))}, 400, "text 字段过长，最多 1000 个字", [2]string{}},
		{"body over 64 KiB", nil, apiCall{body: `{"user":"u1","text":"` + strings.Repeat("a", maxAPIBodyBytes) + `"}`}, 413, "请求体过大", [2]string{}},
		{"trailing data over 64 KiB", nil, apiCall{body: `{"user":"u1","text":"hi"}` + strings.Repeat(" ", maxAPIBodyBytes)}, 413, "请求体过大", [2]string{}},

		{"GET", nil, apiCall{method: http.MethodGet}, 405, "不支持该请求方法，请使用 POST", [2]string{"Allow", "POST"}},
		{"PUT", nil, apiCall{method: http.MethodPut}, 405, "", [2]string{"Allow", "POST"}},
		{"unknown API path", nil, apiCall{path: "/api/v1/unknown"}, 404, "接口不存在", [2]string{}},
		{"Responder panics", nil, apiCall{body: body("u1", "panic")}, 500, "服务器内部错误", [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, resp := apiServer(t, tt.edit)
			resp.fn = func(_ context.Context, m bot.Message) bot.Reply {
				if m.Text == "panic" {
					panic("responder exploded")
				}
				return bot.Reply{Text: "答复"}
			}
			rec := serve(srv, tt.call.build())
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d %q, want %d", rec.Code, rec.Body.String(), tt.wantStatus)
			}
			got := decodeJSON[errorBody](t, rec)
			if got.Error == "" || tt.wantError != "" && got.Error != tt.wantError {
				t.Errorf("error %q, want %q", got.Error, tt.wantError)
			}
			if k, v := tt.wantHeader[0], tt.wantHeader[1]; k != "" && rec.Header().Get(k) != v {
				t.Errorf("%s %q, want %q", k, rec.Header().Get(k), v)
			}
			if tt.wantStatus == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", rec.Header().Get("WWW-Authenticate"))
			}
			if n := resp.calls.Load(); tt.wantStatus != 500 && n != 0 {
				t.Errorf("Responder called %d times", n)
			}
		})
	}
}

func TestAPIAskAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		call apiCall
	}{
		{"second configured token", nil, apiCall{auth: "Bearer " + otherAPIToken}},
		{"lower-case scheme", nil, apiCall{auth: "bearer " + apiToken}},
		{"charset utf-8", nil, apiCall{contentType: "application/json; charset=UTF-8"}},
		{"user of 128 bytes", nil, apiCall{body: mustJSON(t, askRequest{User: strings.Repeat("u", 128), Text: "hi"})}},
		{"text of 1000 characters", nil, apiCall{body: mustJSON(t, askRequest{User: "u1", Text: strings.Repeat("法", 1000)})}},
		{"Authorize accepts what APITokens lacks", func(o *Options) {
			o.APITokens = nil
			o.Authorize = func(r *http.Request, token string) bool {
				return token == "from-the-checker" && r.URL.Path == apiAskPath
			}
		}, apiCall{auth: "Bearer from-the-checker"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, resp := apiServer(t, tt.edit)
			rec := serve(srv, tt.call.build())
			if rec.Code != http.StatusOK || resp.calls.Load() != 1 {
				t.Fatalf("status %d %q, Responder called %d times", rec.Code, rec.Body.String(), resp.calls.Load())
			}
		})
	}
}

func TestTokenListed(t *testing.T) {
	hashes := func(tokens ...string) [][sha256.Size]byte {
		var out [][sha256.Size]byte
		for _, tok := range tokens {
			out = append(out, sha256.Sum256([]byte(tok)))
		}
		return out
	}
	tests := []struct {
		name   string
		token  string
		hashes [][sha256.Size]byte
		want   bool
	}{
		{"only token", "abc", hashes("abc"), true},
		{"last of several", "abc", hashes("x", "y", "abc"), true},
		{"first of several", "abc", hashes("abc", "y"), true},
		{"none configured", "abc", nil, false},
		{"prefix", "ab", hashes("abc"), false},
		{"longer", "abcd", hashes("abc"), false},
		{"case differs", "ABC", hashes("abc"), false},
		{"empty", "", hashes("abc"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokenListed(tt.token, tt.hashes); got != tt.want {
				t.Errorf("tokenListed(%q) = %v, want %v", tt.token, got, tt.want)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header, want string
		ok           bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER  abc ", "abc", true},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic abc", "", false},
		{"abc", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := bearerToken(tt.header); got != tt.want || ok != tt.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRoundScore(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{12.34567, 12.346}, {0.0004, 0}, {0.0005, 0.001}, {3, 3}, {-1.23456, -1.235},
	}
	for _, tt := range tests {
		if got := roundScore(tt.in); got != tt.want {
			t.Errorf("roundScore(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
