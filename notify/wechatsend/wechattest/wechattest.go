// Package wechattest is a local fake of the WeChat API for tests of the
// notification loop: it hands out access tokens and takes customer-service
// messages, answering chosen OpenIDs with chosen error codes. It is
// imported only by tests.
package wechattest

import (
	"encoding/json"
	"fazhibot/internal/wechatfake"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// The credentials the fake accepts and the token it hands out.
const (
	AppID     = "wx-notify-test"
	AppSecret = "notify-test-secret-0123456789"
	Token     = "notify-test-access-token"
)

// Message is a customer-service text message the fake accepted.
type Message struct {
	To   string
	Text string
}

// API is the fake. Its methods are safe for concurrent use.
type API struct {
	mu     sync.Mutex
	tokens int
	sent   []Message
	errs   map[string]int // OpenID → errcode to answer with
	calls  int            // send calls, failed ones included
}

// Start starts a fake WeChat API and points the SDK's HTTP client at it
// until t ends. The SDK's client is process-wide: tests using Start must
// not run in parallel with each other.
func Start(t testing.TB) *API {
	t.Helper()
	a := &API{errs: map[string]int{}}
	wechatfake.Redirect(t, http.HandlerFunc(a.serve))
	return a
}

// FailFor makes sends to openID answer errcode (45015 window closed,
// 45047 rate limit, 43004 unsubscribed, …).
func (a *API) FailFor(openID string, errcode int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.errs[openID] = errcode
}

// Tokens returns how many access tokens the fake handed out.
func (a *API) Tokens() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokens
}

// Sent returns the messages accepted, in order.
func (a *API) Sent() []Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Message(nil), a.sent...)
}

// Calls returns how many send requests arrived, refused ones included.
func (a *API) Calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls
}

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.URL.Path {
	case "/cgi-bin/token":
		if q.Get("appid") != AppID || q.Get("secret") != AppSecret || q.Get("grant_type") != "client_credential" {
			io.WriteString(w, `{"errcode":40125,"errmsg":"invalid appsecret"}`)
			return
		}
		a.tokens++
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":7200}`, Token)
	case "/cgi-bin/message/custom/send":
		a.calls++
		if q.Get("access_token") != Token {
			io.WriteString(w, `{"errcode":40014,"errmsg":"invalid access_token"}`)
			return
		}
		var m struct {
			ToUser  string `json:"touser"`
			MsgType string `json:"msgtype"`
			Text    struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if r.Method != http.MethodPost || json.Unmarshal(body, &m) != nil || m.MsgType != "text" || m.ToUser == "" {
			io.WriteString(w, `{"errcode":47001,"errmsg":"data format error"}`)
			return
		}
		if code := a.errs[m.ToUser]; code != 0 {
			fmt.Fprintf(w, `{"errcode":%d,"errmsg":"fake error %d"}`, code, code)
			return
		}
		a.sent = append(a.sent, Message{To: m.ToUser, Text: m.Text.Content})
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	default:
		http.NotFound(w, r)
	}
}
