// Package storetest is the contract test suite shared by fazhibot's session
// stores, memstore and redisstore: both must pass the same cases so that
// package bot and package handlers can use either through one interface.
// It lives beside memstore, the reference implementation, and is imported
// only by tests.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Store is the method set under test.
type Store interface {
	Session(ctx context.Context, user string) ([]byte, error)
	SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error
	DeleteSession(ctx context.Context, user string) error
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	SaveReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error
	Reply(ctx context.Context, key string) ([]byte, bool, error)
	Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error)
	BeginMessage(ctx context.Context, user, claimKey string, claimTTL time.Duration, limit int, window time.Duration) (claimed bool, session []byte, allowed bool, err error)
	FinishMessage(ctx context.Context, user string, session []byte, sessionTTL time.Duration, replyKey string, reply []byte, replyTTL time.Duration) error
	Ping(ctx context.Context) error
	Close() error
}

// TokenCache is the silenceper/wechat/v2 cache.Cache method set.
type TokenCache interface {
	Get(key string) interface{}
	Set(key string, val interface{}, timeout time.Duration) error
	IsExist(key string) bool
	Delete(key string) error
}

// Harness is one fresh, empty store under test.
type Harness struct {
	Store  Store
	Tokens TokenCache // Store's token cache
	// Wait lets at least d pass on the store's clock: a fake clock
	// advances, a real server is waited for.
	Wait func(d time.Duration)
}

// Durations used by the suite. Short ones are waited out with
// Harness.Wait; long ones must never expire during a test.
const (
	shortTTL = 100 * time.Millisecond
	long     = time.Minute
	// rateWindow is the window of the reset case: its first calls must
	// all land inside it, so it is longer than shortTTL.
	rateWindow = 500 * time.Millisecond
)

// Run runs every contract case as a subtest of t. It calls newHarness once
// per subtest; the harness must clean up after itself through t.Cleanup
// and tolerate the subtest having closed the store already.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	cases := []struct {
		name string
		run  func(t *testing.T, h Harness)
	}{
		{"SessionRoundTrip", testSessionRoundTrip},
		{"SessionIsCopied", testSessionIsCopied},
		{"SessionExpiry", testSessionExpiry},
		{"DeleteSession", testDeleteSession},
		{"NonPositiveTTL", testNonPositiveTTL},
		{"ClaimOnce", testClaimOnce},
		{"ClaimExpiry", testClaimExpiry},
		{"ClaimConcurrent", testClaimConcurrent},
		{"Reply", testReply},
		{"ReplyExpiry", testReplyExpiry},
		{"AllowLimit", testAllowLimit},
		{"AllowReset", testAllowReset},
		{"AllowConcurrent", testAllowConcurrent},
		{"AllowInvalidWindow", testAllowInvalidWindow},
		{"Message", testMessage},
		{"MessageShared", testMessageShared},
		{"MessageInvalid", testMessageInvalid},
		{"TokenCache", testTokenCache},
		{"TokenCacheExpiry", testTokenCacheExpiry},
		{"CanceledContext", testCanceledContext},
		{"Close", testClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newHarness(t))
		})
	}
}

func testSessionRoundTrip(t *testing.T, h Harness) {
	ctx := t.Context()
	cases := []struct {
		name string
		user string
		data []byte
	}{
		{"json", "oAbCdEfGhIjKlMnOpQrStUvWxYz0", []byte(`{"topic":"行政复议","page":2}`)},
		{"binary", "user:with:colons", []byte{0, 1, 2, 0xff, 0, '\n'}},
		{"empty", "empty-data", []byte{}},
		{"unicode user", "公民-42", []byte("你好")},
		{"large", "large", bytes.Repeat([]byte("法治"), 32<<10)},
		{"empty user", "", []byte("anonymous")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := h.Store.SaveSession(ctx, c.user, c.data, long); err != nil {
				t.Fatalf("SaveSession: %v", err)
			}
			got, err := h.Store.Session(ctx, c.user)
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			if got == nil || !bytes.Equal(got, c.data) {
				t.Fatalf("Session = %q (nil: %v), want %q", clip(got), got == nil, clip(c.data))
			}
		})
	}

	t.Run("missing", func(t *testing.T) {
		got, err := h.Store.Session(ctx, "nobody")
		if err != nil || got != nil {
			t.Fatalf("Session(missing) = %q, %v; want nil, nil", got, err)
		}
	})
	t.Run("overwrite", func(t *testing.T) {
		for _, v := range []string{"v1", "v2"} {
			if err := h.Store.SaveSession(ctx, "overwritten", []byte(v), long); err != nil {
				t.Fatalf("SaveSession(%s): %v", v, err)
			}
		}
		got, err := h.Store.Session(ctx, "overwritten")
		if err != nil || string(got) != "v2" {
			t.Fatalf("Session = %q, %v; want v2, nil", got, err)
		}
	})
}

func testSessionIsCopied(t *testing.T, h Harness) {
	ctx := t.Context()
	data := []byte("original")
	if err := h.Store.SaveSession(ctx, "u", data, long); err != nil {
		t.Fatal(err)
	}
	copy(data, "mutated!")
	got, err := h.Store.Session(ctx, "u")
	if err != nil || string(got) != "original" {
		t.Fatalf("after mutating the saved slice: Session = %q, %v; want original", got, err)
	}
	copy(got, "mutated!")
	again, err := h.Store.Session(ctx, "u")
	if err != nil || string(again) != "original" {
		t.Fatalf("after mutating the returned slice: Session = %q, %v; want original", again, err)
	}
}

func testSessionExpiry(t *testing.T, h Harness) {
	ctx := t.Context()
	if err := h.Store.SaveSession(ctx, "short", []byte("s"), shortTTL); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveSession(ctx, "long", []byte("l"), long); err != nil {
		t.Fatal(err)
	}
	h.Wait(2 * shortTTL)
	for _, c := range []struct {
		user string
		want []byte
	}{
		{"short", nil},
		{"long", []byte("l")},
	} {
		got, err := h.Store.Session(ctx, c.user)
		if err != nil || !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("Session(%s) after %v = %q, %v; want %q, nil", c.user, 2*shortTTL, got, err, c.want)
		}
	}
}

func testDeleteSession(t *testing.T, h Harness) {
	ctx := t.Context()
	if err := h.Store.SaveSession(ctx, "u", []byte("x"), long); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveSession(ctx, "other", []byte("y"), long); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.DeleteSession(ctx, "u"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if got, err := h.Store.Session(ctx, "u"); err != nil || got != nil {
		t.Fatalf("Session after delete = %q, %v; want nil, nil", got, err)
	}
	if got, err := h.Store.Session(ctx, "other"); err != nil || string(got) != "y" {
		t.Fatalf("Session(other) after deleting u = %q, %v; want y", got, err)
	}
	if err := h.Store.DeleteSession(ctx, "u"); err != nil {
		t.Fatalf("DeleteSession(missing) = %v, want nil", err)
	}
}

func testNonPositiveTTL(t *testing.T, h Harness) {
	ctx := t.Context()
	for _, ttl := range []time.Duration{0, -time.Second} {
		cases := []struct {
			name string
			call func() error
		}{
			{"SaveSession", func() error { return h.Store.SaveSession(ctx, "u", []byte("x"), ttl) }},
			{"Claim", func() error { _, err := h.Store.Claim(ctx, "k", ttl); return err }},
			{"SaveReply", func() error { return h.Store.SaveReply(ctx, "k", []byte("x"), ttl) }},
			{"TokenCache.Set", func() error { return h.Tokens.Set("k", "v", ttl) }},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%v", c.name, ttl), func(t *testing.T) {
				err := c.call()
				if err == nil || !strings.Contains(err.Error(), "positive") {
					t.Fatalf("err = %v, want an error saying the duration must be positive", err)
				}
			})
		}
	}
	// Nothing was stored by the refused calls.
	if got, err := h.Store.Session(ctx, "u"); err != nil || got != nil {
		t.Errorf("Session after refused save = %q, %v; want nil, nil", got, err)
	}
	if first, err := h.Store.Claim(ctx, "k", long); err != nil || !first {
		t.Errorf("Claim after refused claims = %v, %v; want true, nil", first, err)
	}
}

func testClaimOnce(t *testing.T, h Harness) {
	ctx := t.Context()
	cases := []struct {
		key  string
		want []bool
	}{
		{"msg-1", []bool{true, false, false}},
		{"msg-2", []bool{true, false}},
		{"oUser:1700000000", []bool{true}},
	}
	for _, c := range cases {
		for i, want := range c.want {
			got, err := h.Store.Claim(ctx, c.key, long)
			if err != nil || got != want {
				t.Errorf("Claim(%s) call %d = %v, %v; want %v, nil", c.key, i+1, got, err, want)
			}
		}
	}
}

func testClaimExpiry(t *testing.T, h Harness) {
	ctx := t.Context()
	steps := []struct {
		wait time.Duration
		want bool
	}{
		{0, true},
		{0, false},
		{2 * shortTTL, true}, // the claim expired
		{0, false},
	}
	for i, s := range steps {
		if s.wait > 0 {
			h.Wait(s.wait)
		}
		got, err := h.Store.Claim(ctx, "retried", shortTTL)
		if err != nil || got != s.want {
			t.Fatalf("step %d: Claim = %v, %v; want %v, nil", i, got, err, s.want)
		}
	}
}

func testClaimConcurrent(t *testing.T, h Harness) {
	const n = 50
	firsts := racing(t, n, "Claim", func() (bool, error) { return h.Store.Claim(t.Context(), "contended", long) })
	if firsts != 1 {
		t.Fatalf("%d of %d concurrent Claims returned true, want exactly 1", firsts, n)
	}
}

// racing calls f from n goroutines released at once and returns how many
// calls returned true; it fails the test when any call failed (what names
// the call in the message).
func racing(t *testing.T, n int, what string, f func() (bool, error)) int {
	t.Helper()
	start := make(chan struct{})
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		trues int
		errs  []error
	)
	for range n {
		wg.Go(func() {
			<-start
			ok, err := f()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				trues++
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d %s calls failed, first: %v", len(errs), n, what, errs[0])
	}
	return trues
}

func testReply(t *testing.T, h Harness) {
	ctx := t.Context()
	got, ok, err := h.Store.Reply(ctx, "missing")
	if err != nil || ok || got != nil {
		t.Fatalf("Reply(missing) = %q, %v, %v; want nil, false, nil", got, ok, err)
	}
	cases := []struct {
		key   string
		reply []byte
	}{
		{"text", []byte("<xml><Content><![CDATA[您好]]></Content></xml>")},
		{"empty", []byte{}}, // e.g. unsubscribe: nothing to send, still cached
		{"nil", nil},        // saved as empty
	}
	for _, c := range cases {
		if err := h.Store.SaveReply(ctx, c.key, c.reply, long); err != nil {
			t.Fatalf("SaveReply(%s): %v", c.key, err)
		}
		got, ok, err := h.Store.Reply(ctx, c.key)
		if err != nil || !ok || !bytes.Equal(got, c.reply) {
			t.Errorf("Reply(%s) = %q, %v, %v; want %q, true, nil", c.key, got, ok, err, c.reply)
		}
	}
	// Replies and claims live in separate namespaces.
	if first, err := h.Store.Claim(ctx, "text", long); err != nil || !first {
		t.Errorf("Claim of a key with a cached reply = %v, %v; want true, nil", first, err)
	}
}

func testReplyExpiry(t *testing.T, h Harness) {
	ctx := t.Context()
	if err := h.Store.SaveReply(ctx, "short", []byte("s"), shortTTL); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveReply(ctx, "long", []byte("l"), long); err != nil {
		t.Fatal(err)
	}
	h.Wait(2 * shortTTL)
	if got, ok, err := h.Store.Reply(ctx, "short"); err != nil || ok || got != nil {
		t.Errorf("Reply(short) after expiry = %q, %v, %v; want nil, false, nil", got, ok, err)
	}
	if got, ok, err := h.Store.Reply(ctx, "long"); err != nil || !ok || string(got) != "l" {
		t.Errorf("Reply(long) = %q, %v, %v; want l, true, nil", got, ok, err)
	}
}

func testAllowLimit(t *testing.T, h Harness) {
	ctx := t.Context()
	cases := []struct {
		user    string
		limit   int
		calls   int
		allowed int
	}{
		{"one", 1, 3, 1},
		{"three", 3, 5, 3},
		{"ten", 10, 12, 10},
		{"unlimited-zero", 0, 20, 20},
		{"unlimited-negative", -1, 20, 20},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			var got []bool
			for range c.calls {
				ok, err := h.Store.Allow(ctx, c.user, c.limit, long)
				if err != nil {
					t.Fatalf("Allow: %v", err)
				}
				got = append(got, ok)
			}
			for i, ok := range got {
				if want := i < c.allowed; ok != want {
					t.Fatalf("Allow results = %v, want the first %d true and the rest false", got, c.allowed)
				}
			}
		})
	}
	// A different window length is a separate counter.
	if ok, err := h.Store.Allow(ctx, "one", 1, 2*long); err != nil || !ok {
		t.Errorf("Allow(one) with another window = %v, %v; want true, nil", ok, err)
	}
}

func testAllowReset(t *testing.T, h Harness) {
	ctx := t.Context()
	steps := []struct {
		wait time.Duration
		want bool
	}{
		{0, true},
		{0, true},
		{0, false},
		{rateWindow + shortTTL, true}, // a new window
		{0, true},
		{0, false},
	}
	for i, s := range steps {
		if s.wait > 0 {
			h.Wait(s.wait)
		}
		got, err := h.Store.Allow(ctx, "resetting", 2, rateWindow)
		if err != nil || got != s.want {
			t.Fatalf("step %d: Allow = %v, %v; want %v, nil", i, got, err, s.want)
		}
	}
}

func testAllowConcurrent(t *testing.T, h Harness) {
	const n, limit = 50, 10
	allowed := racing(t, n, "Allow", func() (bool, error) { return h.Store.Allow(t.Context(), "burst", limit, long) })
	if allowed != limit {
		t.Fatalf("%d of %d concurrent Allow calls allowed, want %d", allowed, n, limit)
	}
}

func testAllowInvalidWindow(t *testing.T, h Harness) {
	ctx := t.Context()
	for _, w := range []time.Duration{0, -time.Minute} {
		if ok, err := h.Store.Allow(ctx, "u", 5, w); err == nil || ok {
			t.Errorf("Allow(limit 5, window %v) = %v, %v; want false and an error", w, ok, err)
		}
		if ok, err := h.Store.Allow(ctx, "u", 0, w); err != nil || !ok {
			t.Errorf("Allow(limit 0, window %v) = %v, %v; want true, nil (unlimited)", w, ok, err)
		}
	}
}

func testTokenCache(t *testing.T, h Harness) {
	c := h.Tokens
	if v := c.Get("missing"); v != nil {
		t.Fatalf("Get(missing) = %#v, want nil", v)
	}
	if c.IsExist("missing") {
		t.Fatal("IsExist(missing) = true")
	}
	cases := []struct {
		key  string
		val  interface{}
		want string
	}{
		{"_access_token_wx1234567890abcdef", "72_AbC-dEf.token", "72_AbC-dEf.token"},
		{"jsapi_ticket", []byte("ticket-bytes"), "ticket-bytes"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		if err := c.Set(tc.key, tc.val, long); err != nil {
			t.Fatalf("Set(%s): %v", tc.key, err)
		}
		// The SDK type-asserts val.(string).
		got, ok := c.Get(tc.key).(string)
		if !ok || got != tc.want {
			t.Errorf("Get(%s) = %#v, want string %q", tc.key, c.Get(tc.key), tc.want)
		}
		if !c.IsExist(tc.key) {
			t.Errorf("IsExist(%s) = false after Set", tc.key)
		}
	}
	if err := c.Set("bad", 42, long); err == nil {
		t.Error("Set(int) = nil error, want an unsupported-type error")
	}
	if c.IsExist("bad") {
		t.Error("IsExist(bad) = true after a refused Set")
	}
	key := cases[0].key
	if err := c.Set(key, "replaced", long); err != nil {
		t.Fatal(err)
	}
	if got := c.Get(key); got != "replaced" {
		t.Errorf("Get after replacing = %#v, want replaced", got)
	}
	if err := c.Delete(key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if c.IsExist(key) || c.Get(key) != nil {
		t.Errorf("after Delete: IsExist = %v, Get = %#v; want false, nil", c.IsExist(key), c.Get(key))
	}
	if err := c.Delete(key); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
	// Tokens do not collide with sessions of the same name.
	if got, err := h.Store.Session(t.Context(), "jsapi_ticket"); err != nil || got != nil {
		t.Errorf("Session(jsapi_ticket) = %q, %v; want nil, nil", got, err)
	}
}

func testTokenCacheExpiry(t *testing.T, h Harness) {
	if err := h.Tokens.Set("short", "s", shortTTL); err != nil {
		t.Fatal(err)
	}
	if err := h.Tokens.Set("long", "l", long); err != nil {
		t.Fatal(err)
	}
	h.Wait(2 * shortTTL)
	if v := h.Tokens.Get("short"); v != nil || h.Tokens.IsExist("short") {
		t.Errorf("short token after expiry: Get = %#v, IsExist = %v; want nil, false", v, h.Tokens.IsExist("short"))
	}
	if v := h.Tokens.Get("long"); v != "l" {
		t.Errorf("Get(long) = %#v, want l", v)
	}
}

func testCanceledContext(t *testing.T, h Harness) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cases := []struct {
		name string
		call func() error
	}{
		{"Session", func() error { _, err := h.Store.Session(ctx, "u"); return err }},
		{"SaveSession", func() error { return h.Store.SaveSession(ctx, "u", []byte("x"), long) }},
		{"DeleteSession", func() error { return h.Store.DeleteSession(ctx, "u") }},
		{"Claim", func() error { _, err := h.Store.Claim(ctx, "k", long); return err }},
		{"SaveReply", func() error { return h.Store.SaveReply(ctx, "k", []byte("x"), long) }},
		{"Reply", func() error { _, _, err := h.Store.Reply(ctx, "k"); return err }},
		{"Allow", func() error { _, err := h.Store.Allow(ctx, "u", 1, long); return err }},
		{"Ping", func() error { return h.Store.Ping(ctx) }},
	}
	for _, c := range cases {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context = %v, want an error wrapping context.Canceled", c.name, err)
		}
	}
	// Nothing was written.
	if first, err := h.Store.Claim(t.Context(), "k", long); err != nil || !first {
		t.Errorf("Claim after the canceled one = %v, %v; want true, nil", first, err)
	}
}

func testClose(t *testing.T, h Harness) {
	ctx := t.Context()
	if err := h.Store.Ping(ctx); err != nil {
		t.Fatalf("Ping before Close: %v", err)
	}
	if err := h.Store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"Session", func() error { _, err := h.Store.Session(ctx, "u"); return err }},
		{"SaveSession", func() error { return h.Store.SaveSession(ctx, "u", []byte("x"), long) }},
		{"DeleteSession", func() error { return h.Store.DeleteSession(ctx, "u") }},
		{"Claim", func() error { _, err := h.Store.Claim(ctx, "k", long); return err }},
		{"SaveReply", func() error { return h.Store.SaveReply(ctx, "k", []byte("x"), long) }},
		{"Reply", func() error { _, _, err := h.Store.Reply(ctx, "k"); return err }},
		{"Allow", func() error { _, err := h.Store.Allow(ctx, "u", 1, long); return err }},
		{"Ping", func() error { return h.Store.Ping(ctx) }},
		{"TokenCache.Set", func() error { return h.Tokens.Set("k", "v", long) }},
		{"TokenCache.Delete", func() error { return h.Tokens.Delete("k") }},
	}
	for _, c := range cases {
		if err := c.call(); err == nil {
			t.Errorf("%s after Close = nil error, want an error", c.name)
		}
	}
	if v := h.Tokens.Get("k"); v != nil {
		t.Errorf("TokenCache.Get after Close = %#v, want nil", v)
	}
	if err := h.Store.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// clip shortens b for failure messages.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// testMessage drives BeginMessage and FinishMessage through the turns of
// one conversation: the first delivery claims, reads no session and is
// counted; finishing saves the session and the reply; a redelivery loses
// the claim but still reads and counts; the limit refuses the third.
func testMessage(t *testing.T, h Harness) {
	ctx := t.Context()
	const user, limit = "oMsgUser", 2
	steps := []struct {
		name        string
		claim       string
		wantClaimed bool
		wantSession []byte
		wantAllowed bool
		save        []byte // session FinishMessage saves, nil for none
		reply       string // reply FinishMessage caches under claim
	}{
		{"first delivery", "msg:1", true, nil, true, []byte("s1"), "答复一"},
		{"redelivery", "msg:1", false, []byte("s1"), true, nil, ""},
		{"next message", "msg:2", true, []byte("s1"), false, []byte{}, ""},
		{"no claim key", "", true, []byte{}, false, nil, ""},
	}
	for _, st := range steps {
		claimed, sess, allowed, err := h.Store.BeginMessage(ctx, user, st.claim, long, limit, long)
		if err != nil {
			t.Fatalf("%s: BeginMessage: %v", st.name, err)
		}
		if claimed != st.wantClaimed || allowed != st.wantAllowed || !bytes.Equal(sess, st.wantSession) || (sess == nil) != (st.wantSession == nil) {
			t.Fatalf("%s: BeginMessage = %v, %q (nil: %v), %v; want %v, %q (nil: %v), %v", st.name,
				claimed, sess, sess == nil, allowed, st.wantClaimed, st.wantSession, st.wantSession == nil, st.wantAllowed)
		}
		replyKey := ""
		if st.claim != "" && st.wantClaimed {
			replyKey = st.claim
		}
		if err := h.Store.FinishMessage(ctx, user, st.save, long, replyKey, []byte(st.reply), long); err != nil {
			t.Fatalf("%s: FinishMessage: %v", st.name, err)
		}
		if replyKey != "" {
			got, ok, err := h.Store.Reply(ctx, replyKey)
			if err != nil || !ok || string(got) != st.reply {
				t.Fatalf("%s: Reply(%s) = %q, %v, %v; want %q", st.name, replyKey, got, ok, err, st.reply)
			}
		}
	}
	// A claim made by BeginMessage is one Claim sees, and the other way round.
	if first, err := h.Store.Claim(ctx, "msg:1", long); err != nil || first {
		t.Errorf("Claim(msg:1) after BeginMessage claimed it = %v, %v; want false", first, err)
	}
	if _, err := h.Store.Claim(ctx, "msg:3", long); err != nil {
		t.Fatal(err)
	}
	if claimed, _, _, err := h.Store.BeginMessage(ctx, user, "msg:3", long, 0, 0); err != nil || claimed {
		t.Errorf("BeginMessage(msg:3) after Claim = %v, %v; want false", claimed, err)
	}
	// Nothing to finish contacts no one and is no error.
	if err := h.Store.FinishMessage(ctx, user, nil, 0, "", nil, 0); err != nil {
		t.Errorf("FinishMessage with nothing to write = %v", err)
	}
}

// testMessageShared checks that BeginMessage shares its state with the
// single-purpose methods: the session SaveSession wrote, the count Allow
// made, and claims expiring after claimTTL.
func testMessageShared(t *testing.T, h Harness) {
	ctx := t.Context()
	if err := h.Store.SaveSession(ctx, "u", []byte("saved"), long); err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Store.Allow(ctx, "u", 1, long); err != nil || !ok {
		t.Fatalf("Allow = %v, %v", ok, err)
	}
	claimed, sess, allowed, err := h.Store.BeginMessage(ctx, "u", "k", shortTTL, 1, long)
	if err != nil || !claimed || string(sess) != "saved" || allowed {
		t.Fatalf("BeginMessage = %v, %q, %v, %v; want true, saved, false (Allow counted one of one)", claimed, sess, allowed, err)
	}
	h.Wait(2 * shortTTL)
	if claimed, _, _, err := h.Store.BeginMessage(ctx, "u", "k", shortTTL, 0, 0); err != nil || !claimed {
		t.Fatalf("BeginMessage after the claim expired = %v, %v; want true", claimed, err)
	}
	if err := h.Store.FinishMessage(ctx, "u", []byte("next"), long, "", nil, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := h.Store.Session(ctx, "u"); err != nil || string(got) != "next" {
		t.Fatalf("Session after FinishMessage = %q, %v; want next", got, err)
	}
}

// testMessageInvalid: durations a call needs must be positive; nothing is
// claimed, counted or written by a refused call.
func testMessageInvalid(t *testing.T, h Harness) {
	ctx := t.Context()
	cases := []struct {
		name string
		call func() error
	}{
		{"claim ttl", func() error { _, _, _, err := h.Store.BeginMessage(ctx, "u", "k", 0, 0, 0); return err }},
		{"window", func() error { _, _, _, err := h.Store.BeginMessage(ctx, "u", "", 0, 1, -time.Second); return err }},
		{"session ttl", func() error { return h.Store.FinishMessage(ctx, "u", []byte("x"), 0, "", nil, 0) }},
		{"reply ttl", func() error { return h.Store.FinishMessage(ctx, "u", nil, 0, "k", []byte("x"), 0) }},
	}
	for _, c := range cases {
		if err := c.call(); err == nil || !strings.Contains(err.Error(), "positive") {
			t.Errorf("%s: err = %v, want an error saying it must be positive", c.name, err)
		}
	}
	if first, err := h.Store.Claim(ctx, "k", long); err != nil || !first {
		t.Errorf("Claim(k) after the refused calls = %v, %v; want true", first, err)
	}
	if got, err := h.Store.Session(ctx, "u"); err != nil || got != nil {
		t.Errorf("Session(u) after the refused calls = %q, %v; want nil", got, err)
	}
	if _, ok, err := h.Store.Reply(ctx, "k"); err != nil || ok {
		t.Errorf("Reply(k) after the refused calls: ok %v, %v; want none", ok, err)
	}
}
