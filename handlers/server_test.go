package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesOptions(t *testing.T) {
	valid := func() Options {
		return Options{Token: testToken, Responder: &fakeResponder{}, Replies: &fakeCache{}}
	}
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr string // "" means valid
	}{
		{"minimal plaintext mode", func(*Options) {}, ""},
		{"safe mode", func(o *Options) { o.AppID, o.EncodingAESKey = testAppID, testAESKey }, ""},
		{"custom path", func(o *Options) { o.WeChatPath = "/wx/callback_v2" }, ""},
		{"longest timeout", func(o *Options) { o.ReplyTimeout = MaxReplyTimeout }, ""},
		{"no token disables the callback", func(o *Options) { o.Token = "" }, ""},
		{"AES key without token", func(o *Options) { o.Token, o.AppID, o.EncodingAESKey = "", "wxapp", testAESKey }, "Token is required with EncodingAESKey"},
		{"no responder", func(o *Options) { o.Responder = nil }, "Responder is required"},
		{"no reply cache", func(o *Options) { o.Replies = nil }, "Replies is required"},
		{"AES key without AppID", func(o *Options) { o.EncodingAESKey = testAESKey }, "AppID is required"},
		{"AES key too short", func(o *Options) { o.AppID, o.EncodingAESKey = testAppID, testAESKey[:42] }, "must be 43 characters"},
		{"AES key not base64", func(o *Options) { o.AppID, o.EncodingAESKey = testAppID, strings.Repeat("!", 43) }, "not the base64"},
		{"timeout over 4.5s", func(o *Options) { o.ReplyTimeout = 5 * time.Second }, "ReplyTimeout"},
		{"negative timeout", func(o *Options) { o.ReplyTimeout = -time.Second }, "ReplyTimeout"},
		{"relative path", func(o *Options) { o.WeChatPath = "wechat" }, "WeChatPath"},
		{"root path", func(o *Options) { o.WeChatPath = "/" }, "WeChatPath"},
		{"trailing slash", func(o *Options) { o.WeChatPath = "/wechat/" }, "WeChatPath"},
		{"wildcard", func(o *Options) { o.WeChatPath = "/{x}" }, "WeChatPath"},
		{"dot segment", func(o *Options) { o.WeChatPath = "/a/../wechat" }, "WeChatPath"},
		{"method in path", func(o *Options) { o.WeChatPath = "/wechat POST" }, "WeChatPath"},
		{"health path", func(o *Options) { o.WeChatPath = "/healthz" }, "another route"},
		{"API path", func(o *Options) { o.WeChatPath = "/api/v1/ask" }, "reserved for the JSON API"},
		{"under the API", func(o *Options) { o.WeChatPath = "/api/wechat" }, "reserved for the JSON API"},
		{"the API root", func(o *Options) { o.WeChatPath = "/api" }, "reserved for the JSON API"},
		{"API tokens", func(o *Options) { o.APITokens = []string{"a", "b"} }, ""},
		{"empty API token", func(o *Options) { o.APITokens = []string{"a", ""} }, "APITokens[1] is empty"},
		{"API token with spaces", func(o *Options) { o.APITokens = []string{" a"} }, "APITokens[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := valid()
			tt.edit(&opts)
			s, err := New(opts)
			if tt.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("New = %v, %v", s, err)
				}
				return
			}
			if s != nil || !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New = %v, %v; want an ErrInvalidOptions naming %q", s, err, tt.wantErr)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	s, err := New(Options{Token: testToken, Responder: &fakeResponder{}, Replies: &fakeCache{}})
	if err != nil {
		t.Fatal(err)
	}
	if s.wechatPath != DefaultWeChatPath || s.replyTimeout != MaxReplyTimeout || s.now == nil || s.log == nil || s.aesKey != nil {
		t.Errorf("defaults: path %q timeout %v now %v log %v key %v", s.wechatPath, s.replyTimeout, s.now != nil, s.log != nil, s.aesKey)
	}
}

func TestRoutes(t *testing.T) {
	srv, _, _ := newTestServer(t, func(o *Options) { o.WeChatPath = "/wx/callback" })
	echo := func(path string) wxRequest {
		return wxRequest{method: http.MethodGet, path: path, query: func(q url.Values) { q.Set("echostr", "e") }}
	}
	tests := []struct {
		name       string
		req        wxRequest
		wantStatus int
		wantBody   string
	}{
		{"health", wxRequest{method: http.MethodGet, path: "/healthz"}, 200, "ok"},
		{"health by POST", wxRequest{method: http.MethodPost, path: "/healthz"}, 405, ""},
		{"custom WeChat path", echo("/wx/callback"), 200, "e"},
		{"default path unused", echo("/wechat"), 404, ""},
		{"WeChat by PUT", wxRequest{method: http.MethodPut, path: "/wx/callback"}, 405, ""},
		{"unknown path", wxRequest{method: http.MethodGet, path: "/admin"}, 404, ""},
		{"API without a token", wxRequest{method: http.MethodPost, path: "/api/v1/ask"}, 401, `{"error":"缺少访问令牌"}` + "\n"},
		{"API by GET", wxRequest{method: http.MethodGet, path: "/api/v1/ask"}, 405, `{"error":"不支持该请求方法，请使用 POST"}` + "\n"},
		{"unknown API path", wxRequest{method: http.MethodGet, path: "/api/v2/ask"}, 404, `{"error":"接口不存在"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(srv, tt.req.build(t))
			if rec.Code != tt.wantStatus || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestNoTokenDisablesTheCallback(t *testing.T) {
	s, _, _ := newTestServer(t, func(o *Options) { o.Token = "" })
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(method, DefaultWeChatPath+"?signature=x&timestamp=1&nonce=n", strings.NewReader("<xml></xml>")))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s = %d, want 404 without a token", method, DefaultWeChatPath, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /healthz = %d", rec.Code)
	}
}
