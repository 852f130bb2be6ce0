package handlers

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sirupsen/logrus"

	"fazhibot/bot"
)

func TestWeChatVerify(t *testing.T) {
	tests := []struct {
		name       string
		safe       bool
		req        wxRequest
		wantStatus int
		wantBody   string
	}{
		{
			name:       "signed echo",
			req:        wxRequest{method: http.MethodGet, query: func(q url.Values) { q.Set("echostr", "6230496327470143836") }},
			wantStatus: http.StatusOK, wantBody: "6230496327470143836",
		},
		{
			name:       "signed echo in safe mode",
			safe:       true,
			req:        wxRequest{method: http.MethodGet, query: func(q url.Values) { q.Set("echostr", "echo-safe") }},
			wantStatus: http.StatusOK, wantBody: "echo-safe",
		},
		{
			name: "bad signature",
			req: wxRequest{method: http.MethodGet, query: func(q url.Values) {
				q.Set("echostr", "x")
				q.Set("signature", wxSign("another-token", q.Get("timestamp"), q.Get("nonce")))
			}},
			wantStatus: http.StatusForbidden, wantBody: "请求校验失败",
		},
		{
			name:       "no signature",
			req:        wxRequest{method: http.MethodGet, query: func(q url.Values) { q.Set("echostr", "x"); q.Del("signature") }},
			wantStatus: http.StatusForbidden, wantBody: "请求校验失败",
		},
		{
			name: "stale timestamp, correctly signed",
			req: wxRequest{method: http.MethodGet, timestamp: strconv.FormatInt(testNow.Add(-6*time.Minute).Unix(), 10),
				query: func(q url.Values) { q.Set("echostr", "x") }},
			wantStatus: http.StatusForbidden, wantBody: "请求校验失败",
		},
		{
			name:       "no echostr",
			req:        wxRequest{method: http.MethodGet},
			wantStatus: http.StatusBadRequest, wantBody: "请求格式错误",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := func(*Options) {}
			if tt.safe {
				edit = safeMode
			}
			srv, _, _ := newTestServer(t, edit)
			rec := serve(srv, tt.req.build(t))
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestWeChatMessageKinds(t *testing.T) {
	const user = bot.UserID("oCitizen0000000000000000001")
	created := time.Unix(1740794400, 0)
	tests := []struct {
		fixture   string
		want      *bot.Message // nil: the Responder is not called
		wantReply string       // "" means the body is "success"
	}{
		{"text.xml", &bot.Message{Kind: bot.KindText, Text: "2020年行政复议案件有多少件？"}, "答复：text|2020年行政复议案件有多少件？"},
		{"voice.xml", &bot.Message{Kind: bot.KindVoice, Text: "生态环境局的执法情况"}, "答复：voice|生态环境局的执法情况"},
		{"voice_unrecognized.xml", &bot.Message{Kind: bot.KindVoice, Text: ""}, "答复：voice|"},
		{"subscribe.xml", &bot.Message{Kind: bot.KindSubscribe}, "答复：subscribe|"},
		{"unsubscribe.xml", &bot.Message{Kind: bot.KindUnsubscribe}, ""},
		{"click.xml", &bot.Message{Kind: bot.KindMenuClick, Text: "MENU_REPORTS"}, "答复：click|MENU_REPORTS"},
		{"image.xml", &bot.Message{Kind: bot.KindUnsupported}, "答复：unsupported|"},
		{"video.xml", &bot.Message{Kind: bot.KindUnsupported}, "答复：unsupported|"},
		{"shortvideo.xml", &bot.Message{Kind: bot.KindUnsupported}, "答复：unsupported|"},
		{"location.xml", &bot.Message{Kind: bot.KindUnsupported}, "答复：unsupported|"},
		{"link.xml", &bot.Message{Kind: bot.KindUnsupported}, "答复：unsupported|"},
		{"view.xml", nil, ""},
		{"location_event.xml", nil, ""},
	}
	for _, mode := range []string{"plaintext", "safe"} {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.fixture, func(t *testing.T) {
				safe := mode == "safe"
				edit := func(*Options) {}
				if safe {
					edit = safeMode
				}
				srv, resp, _ := newTestServer(t, edit)
				before := time.Now().Unix()
				rec := serve(srv, wxRequest{body: fixture(t, tt.fixture), safe: safe}.build(t))
				after := time.Now().Unix()

				got := resp.messages()
				switch {
				case tt.want == nil && len(got) != 0:
					t.Fatalf("Responder called with %+v", got)
				case tt.want != nil:
					want := *tt.want
					want.Channel, want.User, want.Time, want.PageBytes = bot.ChannelWeChat, user, created, wechatPageBytes
					if len(got) != 1 || got[0] != want {
						t.Fatalf("Responder got %+v, want [%+v]", got, want)
					}
				}

				if tt.wantReply == "" {
					if rec.Code != http.StatusOK || rec.Body.String() != "success" {
						t.Fatalf("got %d %q, want 200 \"success\"", rec.Code, rec.Body.String())
					}
					return
				}
				reply := readReply(t, rec, safe)
				// Replies are stamped with the wall clock, as the SDK stamps
				// them, not with Options.Now.
				if reply.CreateTime < before || reply.CreateTime > after {
					t.Errorf("reply CreateTime %d, want the wall clock in [%d, %d]", reply.CreateTime, before, after)
				}
				want := wxText{XMLName: reply.XMLName, ToUserName: string(user), FromUserName: "gh_jiangjinfabu",
					CreateTime: reply.CreateTime, MsgType: "text", Content: tt.wantReply}
				if reply != want {
					t.Errorf("reply %+v, want %+v", reply, want)
				}
			})
		}
	}
}

// TestWeChatCompatibleMode: in compatible mode the body carries a plaintext
// copy next to Encrypt; only the authenticated, encrypted copy counts.
func TestWeChatCompatibleMode(t *testing.T) {
	srv, resp, _ := newTestServer(t, safeMode)
	req := wxRequest{
		safe: true,
		body: fixture(t, "text.xml"),
		envelope: func(enc string) []byte {
			return []byte(`<xml><ToUserName><![CDATA[gh_jiangjinfabu]]></ToUserName>
<FromUserName><![CDATA[oForged]]></FromUserName><CreateTime>1740794400</CreateTime>
<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[明文副本]]></Content><MsgId>1</MsgId>
<Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`)
		},
	}
	reply := readReply(t, serve(srv, req.build(t)), true)
	if want := "答复：text|2020年行政复议案件有多少件？"; reply.Content != want || reply.ToUserName != "oCitizen0000000000000000001" {
		t.Errorf("reply %+v, want Content %q to the encrypted sender", reply, want)
	}
	if got := resp.messages(); len(got) != 1 || got[0].User != "oCitizen0000000000000000001" {
		t.Errorf("Responder got %+v", got)
	}
}

// TestWeChatPublishedVector replays WeChat's published WXBizMsgCrypt example.
func TestWeChatPublishedVector(t *testing.T) {
	const (
		token     = "QDG6eK"
		aesKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
		appID     = "wx5823bf96d3bd56c7"
		timestamp = "1409659813"
		nonce     = "1372623149"
		msgSig    = "477715d11cdb4164915debcba66cb864d751f3e6"
	)
	body := fixture(t, "vector_request.xml")
	encrypt := string(body[strings.Index(string(body), "<Encrypt><![CDATA[")+len("<Encrypt><![CDATA[") : strings.Index(string(body), "]]></Encrypt>")])

	// The test's own crypto agrees with the vector, so the other tests'
	// requests are what WeChat would send.
	if got := wxSign(token, timestamp, nonce, encrypt); got != msgSig {
		t.Fatalf("wxSign = %s, want the published %s", got, msgSig)
	}
	msg, gotAppID := wxDecrypt(t, aesKey, encrypt)
	if want := fixture(t, "vector_message.xml"); !bytes.Equal(msg, want) || gotAppID != appID {
		t.Fatalf("wxDecrypt = %q for %q, want %q for %q", msg, gotAppID, want, appID)
	}

	// The Server accepts it on a clock set to the example's date.
	now := time.Unix(1409659813, 0).Add(90 * time.Second) // 2014-09-02 12:11:43 UTC
	resp := &fakeResponder{}
	srv, err := New(Options{
		AppID: appID, Token: token, EncodingAESKey: aesKey,
		Now:       func() time.Time { return now },
		Logger:    slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Responder: resp, Replies: &fakeCache{},
	})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"msg_signature": {msgSig}, "timestamp": {timestamp}, "nonce": {nonce}, "encrypt_type": {"aes"}}
	r, _ := http.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), bytes.NewReader(body))
	before := time.Now().Unix()
	rec := serve(srv, r)
	after := time.Now().Unix()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d %q", rec.Code, rec.Body.String())
	}
	want := bot.Message{Channel: bot.ChannelWeChat, User: "mycreate", Kind: bot.KindText, Text: "hello", Time: time.Unix(1409659813, 0),
		PageBytes: wechatPageBytes}
	if got := resp.messages(); len(got) != 1 || got[0] != want {
		t.Fatalf("Responder got %+v, want [%+v]", got, want)
	}

	var env wxEnvelope
	if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatal(err)
	}
	// The SDK signs the reply with the request's timestamp and nonce.
	if env.MsgSignature != wxSign(token, env.TimeStamp, env.Nonce, env.Encrypt) || env.TimeStamp != timestamp || env.Nonce != nonce {
		t.Fatalf("reply envelope %+v is not signed for timestamp %s and nonce %s", env, timestamp, nonce)
	}
	raw, replyAppID := wxDecrypt(t, aesKey, env.Encrypt)
	var reply wxText
	if err := xml.Unmarshal(raw, &reply); err != nil {
		t.Fatal(err)
	}
	if replyAppID != appID || reply.ToUserName != "mycreate" || reply.FromUserName != appID ||
		reply.Content != "答复：text|hello" || reply.CreateTime < before || reply.CreateTime > after {
		t.Errorf("reply %+v for AppID %q", reply, replyAppID)
	}

	// The same request five minutes and a second later is a replay.
	now = now.Add(5*time.Minute - 89*time.Second)
	r, _ = http.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), bytes.NewReader(body))
	if rec := serve(srv, r); rec.Code != http.StatusForbidden {
		t.Errorf("replay after 5m01s: status %d, want 403", rec.Code)
	}
}

func TestWeChatRejects(t *testing.T) {
	stale := strconv.FormatInt(testNow.Add(-5*time.Minute-time.Second).Unix(), 10)
	future := strconv.FormatInt(testNow.Add(5*time.Minute+time.Second).Unix(), 10)
	text := fixture(t, "text.xml")
	huge := append(bytes.Clone(text), bytes.Repeat([]byte(" "), maxBodyBytes)...)
	tests := []struct {
		name       string
		safe       bool // the Server has an EncodingAESKey
		req        wxRequest
		wantStatus int
	}{
		{"bad signature", false, wxRequest{body: text, query: func(q url.Values) { q.Set("signature", wxSign("x", "y", "z")) }}, 403},
		{"no signature", false, wxRequest{body: text, query: func(q url.Values) { q.Del("signature") }}, 403},
		{"signature of another nonce", false, wxRequest{body: text, query: func(q url.Values) { q.Set("nonce", "1") }}, 403},
		{"stale timestamp", false, wxRequest{body: text, timestamp: stale}, 403},
		{"future timestamp", false, wxRequest{body: text, timestamp: future}, 403},
		{"timestamp not a number", false, wxRequest{body: text, timestamp: "yesterday"}, 403},
		{"body over 64 KiB", false, wxRequest{body: huge}, 413},
		{"empty body", false, wxRequest{}, 400},
		{"truncated XML", false, wxRequest{body: text[:len(text)/2]}, 400},
		{"not XML", false, wxRequest{body: []byte("你好")}, 400},
		{"wrong root element", false, wxRequest{body: bytes.ReplaceAll(text, []byte("xml>"), []byte("msg>"))}, 400},
		{"no MsgType", false, wxRequest{body: []byte("<xml><FromUserName>o1</FromUserName><Content>hi</Content></xml>")}, 400},
		{"MsgId not a number", false, wxRequest{body: bytes.Replace(text, []byte("24890000000000001"), []byte("abc"), 1)}, 400},
		{"unknown encrypt_type", false, wxRequest{body: text, query: func(q url.Values) { q.Set("encrypt_type", "des") }}, 400},
		{"encrypted callback without a key", false, wxRequest{body: text, safe: true}, 403},
		{"plaintext callback with a key (downgrade)", true, wxRequest{body: text}, 403},

		{"safe: bad msg_signature", true, wxRequest{body: text, safe: true, query: func(q url.Values) { q.Set("msg_signature", wxSign("x")) }}, 403},
		{"safe: no msg_signature", true, wxRequest{body: text, safe: true, query: func(q url.Values) { q.Del("msg_signature") }}, 403},
		{"safe: bad signature next to a good msg_signature", true, wxRequest{body: text, safe: true, query: func(q url.Values) { q.Set("signature", wxSign("x")) }}, 403},
		{"safe: stale timestamp", true, wxRequest{body: text, safe: true, timestamp: stale}, 403},
		{"safe: wrong AppID", true, wxRequest{body: text, safe: true, appID: "wx0000000000000bad"}, 403},
		{"safe: body over 64 KiB", true, wxRequest{body: huge, safe: true}, 413},
		{"safe: malformed envelope", true, wxRequest{body: text, safe: true, envelope: func(enc string) []byte { return []byte("<xml><Encrypt>" + enc) }}, 400},
		{"safe: envelope without Encrypt", true, wxRequest{body: text, safe: true, envelope: func(string) []byte { return text }}, 400},
		{"safe: Encrypt not base64", true, wxRequest{safe: true, encrypted: "不是base64"}, 400},
		{"safe: Encrypt not whole blocks", true, wxRequest{safe: true, encrypted: "c2hvcnQ="}, 400},
		{"safe: decrypted message not XML", true, wxRequest{body: []byte("你好"), safe: true}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := func(*Options) {}
			if tt.safe {
				edit = safeMode
			}
			srv, resp, _ := newTestServer(t, edit)
			rec := serve(srv, tt.req.build(t))
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d %q, want %d", rec.Code, rec.Body.String(), tt.wantStatus)
			}
			if n := resp.calls.Load(); n != 0 {
				t.Errorf("Responder called %d times", n)
			}
		})
	}
}

// TestWeChatRetries: WeChat's retries of one message, while the first
// attempt runs and after it, get the identical reply; the Responder runs once.
func TestWeChatRetries(t *testing.T) {
	tests := []struct {
		name      string
		fixture   string
		safe      bool
		wantReply string
		wantKey   string
	}{
		{"text", "text.xml", false, "答复", "msg:oCitizen0000000000000000001:24890000000000001"},
		{"text in safe mode", "text.xml", true, "答复", "msg:oCitizen0000000000000000001:24890000000000001"},
		{"subscribe event", "subscribe.xml", false, "答复", "evt:oCitizen0000000000000000001:1740794400:subscribe"},
		{"unsubscribe: no reply", "unsubscribe.xml", true, "", "evt:oCitizen0000000000000000001:1740794400:unsubscribe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started, release := make(chan struct{}), make(chan struct{})
			polling := make(chan struct{}, 1)
			srv, resp, cache := newTestServer(t, func(o *Options) {
				if tt.safe {
					safeMode(o)
				}
			})
			var once sync.Once
			resp.fn = func(context.Context, bot.Message) bot.Reply {
				once.Do(func() { close(started) })
				<-release
				return bot.Reply{Text: tt.wantReply}
			}
			cache.onReply = func() {
				select {
				case polling <- struct{}{}:
				default:
				}
			}
			req := wxRequest{body: fixture(t, tt.fixture), safe: tt.safe}

			// Requests are built up front: build may call t.Fatal.
			reqs := []*http.Request{req.build(t), req.build(t), req.build(t)}
			var first, during *httptest.ResponseRecorder
			var wg sync.WaitGroup
			wg.Go(func() { first = serve(srv, reqs[0]) })
			<-started
			wg.Go(func() { during = serve(srv, reqs[1]) })
			select {
			case <-polling: // the retry waits for the first attempt's reply
			case <-time.After(3 * time.Second):
				t.Error("the retry never polled the reply cache")
			}
			close(release)
			wg.Wait()
			after := serve(srv, reqs[2])

			if n := resp.calls.Load(); n != 1 {
				t.Errorf("Responder called %d times, want 1", n)
			}
			for name, got := range map[string]*httptest.ResponseRecorder{"first": first, "retry during": during, "retry after": after} {
				if content := replyContent(t, got, tt.safe); content != tt.wantReply {
					t.Errorf("%s: reply %q, want %q", name, content, tt.wantReply)
				}
				// Safe-mode bodies differ by random padding; plaintext ones only
				// by the CreateTime the SDK stamps with the real clock, which
				// moves when the retry lands in the next second.
				if !tt.safe && withoutCreateTime(got.Body.String()) != withoutCreateTime(first.Body.String()) {
					t.Errorf("%s: body %q differs from the first %q", name, got.Body.String(), first.Body.String())
				}
			}
			if saved, ok := cache.saved(tt.wantKey); !ok || saved != `{"text":"`+tt.wantReply+`"}` {
				t.Errorf("cache[%s] = %q, %v", tt.wantKey, saved, ok)
			}
			if ttl := cache.claimTTL(tt.wantKey); ttl != retryWindow {
				t.Errorf("claimed %s for %v, want %v", tt.wantKey, ttl, retryWindow)
			}
		})
	}
}

// TestWeChatSlowResponder: past ReplyTimeout the citizen is told to ask again,
// and retries get the same.
func TestWeChatSlowResponder(t *testing.T) {
	tests := []struct {
		name string
		fn   func(ctx context.Context, stuck <-chan struct{}) bot.Reply
	}{
		{"honours its context", func(ctx context.Context, _ <-chan struct{}) bot.Reply {
			<-ctx.Done()
			return bot.Reply{Text: "迟到的答复"}
		}},
		{"ignores its context", func(_ context.Context, stuck <-chan struct{}) bot.Reply {
			<-stuck
			return bot.Reply{Text: "迟到的答复"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stuck := make(chan struct{})
			t.Cleanup(func() { close(stuck) })
			srv, resp, cache := newTestServer(t, func(o *Options) { o.ReplyTimeout = 200 * time.Millisecond })
			resp.fn = func(ctx context.Context, _ bot.Message) bot.Reply { return tt.fn(ctx, stuck) }
			req := wxRequest{body: fixture(t, "text.xml")}

			for _, attempt := range []string{"first", "retry"} {
				if got := readReply(t, serve(srv, req.build(t)), false).Content; got != busyText {
					t.Errorf("%s: reply %q, want %q", attempt, got, busyText)
				}
			}
			if n := resp.calls.Load(); n != 1 {
				t.Errorf("Responder called %d times, want 1", n)
			}
			if saved, _ := cache.saved("msg:oCitizen0000000000000000001:24890000000000001"); saved != `{"text":"`+busyText+`"}` {
				t.Errorf("cached %q", saved)
			}
		})
	}
}

// TestWeChatCacheFailures: a failing ReplyCache never fails the callback.
func TestWeChatCacheFailures(t *testing.T) {
	tests := []struct {
		name       string
		breakCache func(*fakeCache)
		wantFirst  string
		wantRetry  string
		wantCalls  int32
	}{
		{"claim fails: every attempt answers", func(c *fakeCache) { c.claimErr = errCacheDown },
			"答复：text|2020年行政复议案件有多少件？", "答复：text|2020年行政复议案件有多少件？", 2},
		{"read fails: the retry answers itself", func(c *fakeCache) { c.replyErr = errCacheDown },
			"答复：text|2020年行政复议案件有多少件？", "答复：text|2020年行政复议案件有多少件？", 2},
		{"save fails: the retry waits, then is told to ask again", func(c *fakeCache) { c.saveErr = errCacheDown },
			"答复：text|2020年行政复议案件有多少件？", busyText, 1},
		{"corrupt cached reply: the retry answers itself", func(c *fakeCache) {
			c.replies = map[string][]byte{"msg:oCitizen0000000000000000001:24890000000000001": []byte("<garbage")}
			c.claims = map[string]time.Duration{"msg:oCitizen0000000000000000001:24890000000000001": retryWindow}
		}, "答复：text|2020年行政复议案件有多少件？", "答复：text|2020年行政复议案件有多少件？", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, resp, cache := newTestServer(t, func(o *Options) { o.ReplyTimeout = 200 * time.Millisecond })
			tt.breakCache(cache)
			req := wxRequest{body: fixture(t, "text.xml")}
			if got := readReply(t, serve(srv, req.build(t)), false).Content; got != tt.wantFirst {
				t.Errorf("first: %q, want %q", got, tt.wantFirst)
			}
			if got := readReply(t, serve(srv, req.build(t)), false).Content; got != tt.wantRetry {
				t.Errorf("retry: %q, want %q", got, tt.wantRetry)
			}
			if n := resp.calls.Load(); n != tt.wantCalls {
				t.Errorf("Responder called %d times, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestWeChatPanics(t *testing.T) {
	t.Run("Responder panics: apology, cached for retries", func(t *testing.T) {
		srv, resp, _ := newTestServer(t, nil)
		resp.fn = func(context.Context, bot.Message) bot.Reply { panic("index out of range") }
		req := wxRequest{body: fixture(t, "text.xml")}
		for _, attempt := range []string{"first", "retry"} {
			if got := readReply(t, serve(srv, req.build(t)), false).Content; got != failText {
				t.Errorf("%s: reply %q, want %q", attempt, got, failText)
			}
		}
		if n := resp.calls.Load(); n != 1 {
			t.Errorf("Responder called %d times, want 1", n)
		}
	})
	t.Run("handler panics: 500, server keeps serving", func(t *testing.T) {
		srv, _, cache := newTestServer(t, nil)
		cache.panicOnClaim = true
		rec := serve(srv, wxRequest{body: fixture(t, "text.xml")}.build(t))
		if rec.Code != http.StatusInternalServerError || rec.Body.String() != "服务器内部错误" {
			t.Errorf("got %d %q, want 500", rec.Code, rec.Body.String())
		}
		cache.panicOnClaim = false
		if got := readReply(t, serve(srv, wxRequest{body: fixture(t, "voice.xml")}.build(t)), false).Content; got != "答复：voice|生态环境局的执法情况" {
			t.Errorf("next message: %q", got)
		}
	})
}

func TestWeChatReplyCleaning(t *testing.T) {
	long := strings.Repeat("法治政府建设", 200) // 3600 bytes
	tests := []struct {
		name, reply, want string
	}{
		{"cut at 2048 bytes on a character boundary", long, long[:2046]},
		{"control characters dropped", "第一条\x00\x1b第二条\n第三条", "第一条第二条\n第三条"},
		{"invalid UTF-8 replaced", "报告\xff", "报告\uFFFD"},
		{"CDATA terminator survives", "a]]>b", "a]]>b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, resp, _ := newTestServer(t, safeMode)
			resp.fn = func(context.Context, bot.Message) bot.Reply { return bot.Reply{Text: tt.reply} }
			got := readReply(t, serve(srv, wxRequest{body: fixture(t, "text.xml"), safe: true}.build(t)), true).Content
			if got != tt.want || len(got) > maxReplyBytes || !utf8.ValidString(got) {
				t.Errorf("reply %q (%d bytes), want %q", got, len(got), tt.want)
			}
		})
	}
}

// TestWeChatLogsNoContent: at Info the log has one line per message and no
// message or reply contents.
func TestWeChatLogsNoContent(t *testing.T) {
	var buf bytes.Buffer
	srv, _, _ := newTestServer(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	readReply(t, serve(srv, wxRequest{body: fixture(t, "text.xml")}.build(t)), false)
	serve(srv, wxRequest{body: fixture(t, "text.xml"), timestamp: "1"}.build(t))
	logged := buf.String()
	for _, secret := range []string{"行政复议", "答复", "oCitizen"} {
		if strings.Contains(logged, secret) {
			t.Errorf("Info log contains %q:\n%s", secret, logged)
		}
	}
	if !strings.Contains(logged, "wechat message answered") || !strings.Contains(logged, "status=403") {
		t.Errorf("log lacks the answer and the refusal:\n%s", logged)
	}
}

// TestWeChatSDKInput: neither a signed POST carrying echostr nor a JSON
// Content-Type can steer the callback away from the XML message (as they
// would the SDK's server, which the callback does not use for messages).
func TestWeChatSDKInput(t *testing.T) {
	const want = "答复：text|2020年行政复议案件有多少件？"
	echo := func(q url.Values) { q.Set("echostr", "echo-me") }
	tests := []struct {
		name        string
		safe        bool
		req         wxRequest
		contentType string
	}{
		{"POST with echostr", false, wxRequest{query: echo}, ""},
		{"safe-mode POST with echostr", true, wxRequest{safe: true, query: echo}, ""},
		{"JSON Content-Type", false, wxRequest{}, "application/json"},
		{"safe mode, JSON Content-Type", true, wxRequest{safe: true}, "application/json; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := func(*Options) {}
			if tt.safe {
				edit = safeMode
			}
			srv, resp, _ := newTestServer(t, edit)
			tt.req.body = fixture(t, "text.xml")
			r := tt.req.build(t)
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			if got := readReply(t, serve(srv, r), tt.safe).Content; got != want {
				t.Errorf("reply %q, want %q", got, want)
			}
			if n := resp.calls.Load(); n != 1 {
				t.Errorf("Responder called %d times, want 1", n)
			}
		})
	}
}

// TestWeChatNoReply: "no reply" is the plain body "success" in every mode,
// written once, never an encrypted empty message.
func TestWeChatNoReply(t *testing.T) {
	tests := []struct {
		name    string
		safe    bool
		fixture string
	}{
		{"plaintext, unsubscribe", false, "unsubscribe.xml"},
		{"plaintext, ignored event", false, "view.xml"},
		{"safe, unsubscribe", true, "unsubscribe.xml"},
		{"safe, ignored event", true, "view.xml"},
		{"safe, empty reply text", true, "text.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := func(*Options) {}
			if tt.safe {
				edit = safeMode
			}
			srv, resp, _ := newTestServer(t, edit)
			resp.fn = func(context.Context, bot.Message) bot.Reply { return bot.Reply{} }
			rec := serve(srv, wxRequest{body: fixture(t, tt.fixture), safe: tt.safe}.build(t))
			if rec.Code != http.StatusOK || rec.Body.String() != "success" {
				t.Errorf("got %d %q, want 200 \"success\"", rec.Code, rec.Body.String())
			}
			h := rec.Header()
			if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", h)
			}
		})
	}
}

// TestWeChatOfficialAccountOffline: the official account of a URL
// verification carries the configuration and cannot reach WeChat's API for
// an access token.
func TestWeChatOfficialAccountOffline(t *testing.T) {
	srv, _, _ := newTestServer(t, safeMode)
	r := wxRequest{body: fixture(t, "text.xml"), safe: true, query: func(q url.Values) { q.Set("echostr", "x") }}.build(t)
	before := r.URL.String()
	sdk := srv.newWeChatServer(httptest.NewRecorder(), r, url.Values{"timestamp": {"1"}}, []byte("<xml/>"))
	if sdk.AppID != testAppID || sdk.Token != testToken || sdk.EncodingAESKey != testAESKey {
		t.Errorf("SDK config %+v", *sdk.Config)
	}
	if _, err := sdk.GetAccessToken(); !errors.Is(err, errNoAccessToken) {
		t.Errorf("GetAccessToken error %v, want errNoAccessToken", err)
	}
	if sdk.Request == r || sdk.Request.URL.RawQuery != "timestamp=1" || sdk.Request.Header.Get("Content-Type") != "text/xml; charset=utf-8" {
		t.Errorf("SDK request %v %v", sdk.Request.URL, sdk.Request.Header)
	}
	if r.URL.String() != before || r.Header.Get("Content-Type") != "text/xml" {
		t.Errorf("the incoming request was modified: %v %v", r.URL, r.Header)
	}
}

// TestWeChatLogrusStaysAtInfo: the SDK logs message contents only at Debug
// through the global logrus logger; nothing linked into this package (the
// SDK's root package would) raises logrus above its default Info.
func TestWeChatLogrusStaysAtInfo(t *testing.T) {
	srv, _, _ := newTestServer(t, safeMode)
	readReply(t, serve(srv, wxRequest{body: fixture(t, "text.xml"), safe: true}.build(t)), true)
	if lvl := logrus.GetLevel(); lvl != logrus.InfoLevel {
		t.Errorf("logrus level %v, want info", lvl)
	}
}

// failingWriter is a connection that breaks on the first body write.
type failingWriter struct {
	header  http.Header
	headers []int
}

func (f *failingWriter) Header() http.Header       { return f.header }
func (f *failingWriter) WriteHeader(code int)      { f.headers = append(f.headers, code) }
func (f *failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// TestWeChatWriteFails: when the SDK's write fails after the response has
// started, the handler aborts the connection instead of answering twice.
func TestWeChatWriteFails(t *testing.T) {
	for _, fix := range []string{"text.xml", "unsubscribe.xml"} {
		t.Run(fix, func(t *testing.T) {
			srv, _, _ := newTestServer(t, nil)
			w := &failingWriter{header: http.Header{}}
			r := wxRequest{body: fixture(t, fix)}.build(t)
			got := func() (v any) {
				defer func() { v = recover() }()
				srv.ServeHTTP(w, r)
				return nil
			}()
			if got != http.ErrAbortHandler {
				t.Errorf("panic %v, want http.ErrAbortHandler", got)
			}
			if len(w.headers) != 1 || w.headers[0] != http.StatusOK {
				t.Errorf("status written %v, want [200] once", w.headers)
			}
		})
	}
}

// BenchmarkWeChatCallback measures one callback end to end through the
// handler, with a Responder and ReplyCache that cost nothing.
func BenchmarkWeChatCallback(b *testing.B) {
	for _, mode := range []string{"plaintext", "safe"} {
		b.Run(mode, func(b *testing.B) {
			safe := mode == "safe"
			srv, _, _ := newTestServer(b, func(o *Options) {
				if safe {
					safeMode(o)
				}
				o.Logger = slog.New(slog.DiscardHandler)
				o.Replies = &nopCache{}
			})
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				reqs[i] = wxRequest{body: fixture(b, "text.xml"), safe: safe}.build(b)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if rec := serve(srv, reqs[i]); rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkNewWeChatServer measures what a URL verification pays for its
// own SDK server.
func BenchmarkNewWeChatServer(b *testing.B) {
	srv, _, _ := newTestServer(b, safeMode)
	r := httptest.NewRequest(http.MethodPost, "/wechat", nil)
	w := httptest.NewRecorder()
	q := url.Values{"timestamp": {"1740794400"}, "nonce": {testNonce}}
	b.ReportAllocs()
	for b.Loop() {
		srv.newWeChatServer(w, r, q, nil)
	}
}

// nopCache is a ReplyCache that always lets the caller answer, for
// benchmarks that must not accumulate claims.
type nopCache struct{}

func (*nopCache) Claim(context.Context, string, time.Duration) (bool, error) { return true, nil }
func (*nopCache) SaveReply(context.Context, string, []byte, time.Duration) error {
	return nil
}
func (*nopCache) Reply(context.Context, string) ([]byte, bool, error) { return nil, false, nil }

// FuzzWeChatCallback feeds arbitrary bodies into a correctly signed
// plaintext callback.
// fuzzReplyTimeout bounds each fuzz execution's wait for a reply.
const fuzzReplyTimeout = 20 * time.Millisecond

func FuzzWeChatCallback(f *testing.F) {
	addFixtureSeeds(f)
	// A short deadline keeps every execution fast: inputs repeating a
	// MsgId take the retry path, which waits for the first reply.
	srv, _, _ := newTestServer(f, func(o *Options) { o.Logger, o.ReplyTimeout = debugDiscard(), fuzzReplyTimeout })
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := serve(srv, wxRequest{body: body}.build(t))
		assertFuzzStatus(t, rec.Code, rec.Body.String())
	})
}

// FuzzWeChatCallbackSafeMode feeds arbitrary messages through a correctly
// signed and encrypted envelope, exercising decryption and AppID checks.
func FuzzWeChatCallbackSafeMode(f *testing.F) {
	addFixtureSeeds(f)
	srv, _, _ := newTestServer(f, func(o *Options) { safeMode(o); o.Logger, o.ReplyTimeout = debugDiscard(), fuzzReplyTimeout })
	f.Fuzz(func(t *testing.T, msg []byte) {
		rec := serve(srv, wxRequest{body: msg, safe: true}.build(t))
		assertFuzzStatus(t, rec.Code, rec.Body.String())
	})
}

func addFixtureSeeds(f *testing.F) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range names {
		f.Add(fixture(f, filepath.Base(name)))
	}
	for _, seed := range []string{"", "<xml>", "<xml></xml>", "<xml><MsgType>event</MsgType><FromUserName>o</FromUserName></xml>",
		"<xml><!DOCTYPE x [<!ENTITY a \"b\">]><Content>&a;</Content></xml>", "\xff\xfe<\x00x\x00"} {
		f.Add([]byte(seed))
	}
}

func assertFuzzStatus(t *testing.T, status int, body string) {
	t.Helper()
	switch status {
	case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("status %d %q", status, body)
	}
}

func debugDiscard() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// replyContent returns the text of a 200 reply, "" for "success".
func replyContent(t testing.TB, rec *httptest.ResponseRecorder, safe bool) string {
	t.Helper()
	if rec.Code == http.StatusOK && rec.Body.String() == "success" {
		return ""
	}
	return readReply(t, rec, safe).Content
}

// withoutCreateTime drops the CreateTime element of a passive reply.
func withoutCreateTime(body string) string {
	return regexp.MustCompile(`<CreateTime>\d+</CreateTime>`).ReplaceAllString(body, "")
}
