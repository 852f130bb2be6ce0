package handlers

// Test helpers: WeChat's signature and message encryption implemented from
// the spec with the standard library only (never with the SDK the package
// uses), request builders, and fakes for Responder and ReplyCache.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fazhibot/internal/wechatclient"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fazhibot/bot"
)

const (
	testToken  = "fazhibotTestToken"
	testAppID  = "wxfazhibot00000001"
	testAESKey = "AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dw"
	testNonce  = "1350985367"
)

// testNow is the injected clock: the fixtures' CreateTime, 2025-03-01 10:00 CST.
var testNow = time.Unix(1740794400, 0)

// fixture reads testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wxSign is WeChat's signature, as the independent client computes it.
func wxSign(parts ...string) string { return wechatclient.Signature(parts...) }

// wxEncrypt encrypts msg for appID as WeChat does, with 16 fresh random
// bytes, through the independent client.
func wxEncrypt(t testing.TB, encodingAESKey, appID string, msg []byte) string {
	t.Helper()
	c, err := wechatclient.New(testToken, appID, encodingAESKey)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	enc, err := c.Encrypt(random, msg)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// wxDecrypt reverses wxEncrypt and returns the message and the AppID.
func wxDecrypt(t testing.TB, encodingAESKey, encrypted string) (msg []byte, appID string) {
	t.Helper()
	c, err := wechatclient.New(testToken, "", encodingAESKey)
	if err != nil {
		t.Fatal(err)
	}
	msg, appID, err = c.Decrypt(encrypted)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	return msg, appID
}

// wxRequest describes one callback the way WeChat sends it; build signs it.
type wxRequest struct {
	method    string // POST unless set
	path      string // /wechat unless set
	timestamp string // testNow unless set
	body      []byte // the plaintext message (or any body)

	safe      bool                    // encrypt body into an envelope, encrypt_type=aes
	appID     string                  // AppID inside the ciphertext; testAppID unless set
	envelope  func(enc string) []byte // the safe-mode body around Encrypt; a plain envelope unless set
	encrypted string                  // use this Encrypt instead of encrypting body

	query func(q url.Values) // edits the signed query
}

func (c wxRequest) build(t testing.TB) *http.Request {
	t.Helper()
	method, path, ts := c.method, c.path, c.timestamp
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/wechat"
	}
	if ts == "" {
		ts = strconv.FormatInt(testNow.Unix(), 10)
	}
	q := url.Values{
		"timestamp": {ts},
		"nonce":     {testNonce},
		"signature": {wxSign(testToken, ts, testNonce)},
		"openid":    {"oCitizen0000000000000000001"},
	}
	body := c.body
	if c.safe {
		appID := c.appID
		if appID == "" {
			appID = testAppID
		}
		enc := c.encrypted
		if enc == "" {
			enc = wxEncrypt(t, testAESKey, appID, c.body)
		}
		if c.envelope != nil {
			body = c.envelope(enc)
		} else {
			body = []byte("<xml><ToUserName><![CDATA[gh_jiangjinfabu]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", wxSign(testToken, ts, testNonce, enc))
	}
	if c.query != nil {
		c.query(q)
	}
	r := httptest.NewRequest(method, path+"?"+q.Encode(), bytes.NewReader(body))
	r.Header.Set("Content-Type", "text/xml")
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// wxText is a passive text reply, decoded independently of the SDK.
type wxText struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
}

// wxEnvelope is a safe-mode reply.
type wxEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string
	MsgSignature string
	TimeStamp    string
	Nonce        string
}

// readReply decodes a 200 XML reply; in safe mode it checks the signature
// and the AppID and decrypts.
func readReply(t testing.TB, rec *httptest.ResponseRecorder, safe bool) wxText {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Fatalf("Content-Type %q, body %q", ct, rec.Body.String())
	}
	raw := rec.Body.Bytes()
	if safe {
		var env wxEnvelope
		if err := xml.Unmarshal(raw, &env); err != nil {
			t.Fatalf("envelope %q: %v", raw, err)
		}
		if want := wxSign(testToken, env.TimeStamp, env.Nonce, env.Encrypt); env.MsgSignature != want {
			t.Fatalf("MsgSignature %q, want %q", env.MsgSignature, want)
		}
		// The SDK reuses the request's timestamp and nonce.
		if env.TimeStamp != strconv.FormatInt(testNow.Unix(), 10) || env.Nonce != testNonce {
			t.Fatalf("TimeStamp %q Nonce %q", env.TimeStamp, env.Nonce)
		}
		var appID string
		raw, appID = wxDecrypt(t, testAESKey, env.Encrypt)
		if appID != testAppID {
			t.Fatalf("reply encrypted for AppID %q", appID)
		}
	}
	var out wxText
	if err := xml.Unmarshal(raw, &out); err != nil {
		t.Fatalf("reply %q: %v", raw, err)
	}
	return out
}

// fakeResponder records its calls and answers with fn, or by default with
// "答复：kind|text" (nothing for unsubscribe, like the bot).
type fakeResponder struct {
	fn    func(ctx context.Context, m bot.Message) bot.Reply
	calls atomic.Int32

	mu  sync.Mutex
	got []bot.Message
}

func (f *fakeResponder) Respond(ctx context.Context, m bot.Message) bot.Reply {
	f.calls.Add(1)
	f.mu.Lock()
	f.got = append(f.got, m)
	f.mu.Unlock()
	if f.fn != nil {
		return f.fn(ctx, m)
	}
	if m.Kind == bot.KindUnsubscribe {
		return bot.Reply{}
	}
	return bot.Reply{Text: "答复：" + string(m.Kind) + "|" + m.Text}
}

func (f *fakeResponder) messages() []bot.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// fakeCache is an in-memory ReplyCache (TTLs are recorded, not enforced)
// with injectable failures.
type fakeCache struct {
	claimErr, saveErr, replyErr error
	panicOnClaim                bool
	onReply                     func() // called on every Reply

	mu      sync.Mutex
	claims  map[string]time.Duration
	replies map[string][]byte
}

var errCacheDown = errors.New("fake cache: connection refused")

func (c *fakeCache) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if c.panicOnClaim {
		panic("fake cache: claim exploded")
	}
	if c.claimErr != nil {
		return false, c.claimErr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.claims == nil {
		c.claims = map[string]time.Duration{}
	}
	if _, taken := c.claims[key]; taken {
		return false, nil
	}
	c.claims[key] = ttl
	return true, nil
}

func (c *fakeCache) SaveReply(_ context.Context, key string, reply []byte, _ time.Duration) error {
	if c.saveErr != nil {
		return c.saveErr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.replies == nil {
		c.replies = map[string][]byte{}
	}
	c.replies[key] = slices.Clone(reply)
	return nil
}

func (c *fakeCache) Reply(_ context.Context, key string) ([]byte, bool, error) {
	if c.onReply != nil {
		c.onReply()
	}
	if c.replyErr != nil {
		return nil, false, c.replyErr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.replies[key]
	return slices.Clone(b), ok, nil
}

func (c *fakeCache) claimTTL(key string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.claims[key]
}

func (c *fakeCache) saved(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.replies[key]
	return string(b), ok
}

// newTestServer returns a plaintext-mode Server on the fixed clock with
// fakes; edit adjusts the Options (e.g. to set EncodingAESKey).
func newTestServer(t testing.TB, edit func(*Options)) (*Server, *fakeResponder, *fakeCache) {
	t.Helper()
	resp, cache := &fakeResponder{}, &fakeCache{}
	opts := Options{
		AppID:     testAppID,
		Token:     testToken,
		Now:       func() time.Time { return testNow },
		Logger:    slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Responder: resp,
		Replies:   cache,
	}
	if edit != nil {
		edit(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, resp, cache
}

func safeMode(o *Options) { o.EncodingAESKey = testAESKey }
