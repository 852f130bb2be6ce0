package handlers

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"fazhibot/bot"
	"fazhibot/storage/memstore"
	"fazhibot/storage/redisstore"
)

// openTestRedis returns a store on the shared Redis (DEVELOPERS.md) under
// a key prefix of its own. It skips t when Redis is unreachable, unless
// CI=true.
func openTestRedis(t *testing.T) *redisstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	s, err := redisstore.Open(ctx, "redis://127.0.0.1:6379/0",
		redisstore.Options{KeyPrefix: "fazhibot-test:handlers:" + rand.Text()[:10] + ":"})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the shared Redis is unreachable: %v (CI=true, so this is a failure)", err)
		}
		t.Skipf("the shared Redis is unreachable: %v; skipping (with CI=true this fails instead)", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestWeChatSameMsgIdTwoUsers: two citizens whose messages carry the same
// MsgId each get the answer to their own question, and each one's retry
// gets their own cached reply, on every ReplyCache implementation.
func TestWeChatSameMsgIdTwoUsers(t *testing.T) {
	caches := []struct {
		name  string
		cache func(t *testing.T) ReplyCache
	}{
		{"fake", func(*testing.T) ReplyCache { return &fakeCache{} }},
		{"memstore", func(*testing.T) ReplyCache { return memstore.New(nil) }},
		{"redis", func(t *testing.T) ReplyCache { return openTestRedis(t) }},
	}
	users := []struct{ openID, question string }{
		{"oCitizenAAAAAAAAAAAAAAAAAAAAA", "2020年行政复议案件有多少件？"},
		{"oCitizenBBBBBBBBBBBBBBBBBBBBB", "我的身份证号码是什么？"},
	}
	for _, tc := range caches {
		t.Run(tc.name, func(t *testing.T) {
			cache := tc.cache(t)
			srv, resp, _ := newTestServer(t, func(o *Options) { o.Replies = cache })
			resp.fn = func(_ context.Context, m bot.Message) bot.Reply {
				return bot.Reply{Text: "答复" + string(m.User) + "：" + m.Text}
			}
			msg := func(openID, question string) []byte {
				b := string(fixture(t, "text.xml"))
				b = strings.Replace(b, "oCitizen0000000000000000001", openID, 1)
				return []byte(strings.Replace(b, "2020年行政复议案件有多少件？", question, 1))
			}
			// Each user's first delivery, then each user's retry.
			for round, label := range []string{"first delivery", "retry"} {
				for _, u := range users {
					got := readReply(t, serve(srv, wxRequest{body: msg(u.openID, u.question)}.build(t)), false)
					want := "答复" + u.openID + "：" + u.question
					if got.Content != want || got.ToUserName != u.openID {
						t.Errorf("%s of %s: reply %q to %s, want %q", label, u.openID, got.Content, got.ToUserName, want)
					}
				}
				if n, want := resp.calls.Load(), int32(len(users)); n != want {
					t.Errorf("after round %d: Responder called %d times, want %d (once per user)", round+1, n, want)
				}
			}
		})
	}
}
