package handlers

import (
	"context"
	"crypto/rand"
	"fazhibot/internal/testenv"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fazhibot/bot"
	"fazhibot/knowledge"
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
	s, err := redisstore.Open(ctx, "redis://"+testenv.RedisAddr+"/0",
		redisstore.Options{KeyPrefix: "fazhibot-test:handlers:" + rand.Text()[:10] + ":"})
	if err != nil {
		testenv.RequireOrSkip(t, fmt.Sprintf("the shared Redis is unreachable: %v", err))
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

// stubKnowledge is a bot.Knowledge for small talk: it has no reports, and
// a question waits until its context is done, like a search that misses
// the reply deadline.
type stubKnowledge struct{}

func (stubKnowledge) Answer(ctx context.Context, _ knowledge.Query) (knowledge.Answer, error) {
	<-ctx.Done()
	return knowledge.Answer{}, ctx.Err()
}
func (stubKnowledge) Understand(knowledge.Query) knowledge.Understanding {
	return knowledge.Understanding{}
}
func (stubKnowledge) Excerpt(knowledge.Hit, knowledge.Query) string { return "" }
func (stubKnowledge) Coverage() []knowledge.DepartmentYears         { return nil }
func (stubKnowledge) SensitiveWords() []string                      { return nil }

// countingLog is a bot.QueryLogger that counts the exchanges.
type countingLog struct{ n atomic.Int32 }

func (l *countingLog) Log(context.Context, bot.LogEntry) { l.n.Add(1) }

// TestWeChatOnceResponder: with bot.Dialogue on a MessageStore the
// Dialogue claims each message itself and caches its reply with the
// session; a retry is answered from that cache without running the
// Dialogue, two citizens with one MsgId each get their own reply, and a
// reply that misses the deadline is the busy text for the retry too.
func TestWeChatOnceResponder(t *testing.T) {
	type store interface {
		ReplyCache
		bot.MessageStore
		bot.RateLimiter
	}
	stores := []struct {
		name  string
		store func(t *testing.T) store
	}{
		{"memstore", func(*testing.T) store { return memstore.New(nil) }},
		{"redis", func(t *testing.T) store { return openTestRedis(t) }},
	}
	msg := func(t *testing.T, openID, text string, msgID int) []byte {
		b := string(fixture(t, "text.xml"))
		b = strings.Replace(b, "oCitizen0000000000000000001", openID, 1)
		b = strings.Replace(b, "2020年行政复议案件有多少件？", text, 1)
		return []byte(regexp.MustCompile(`<MsgId>\d+</MsgId>`).ReplaceAllString(b, "<MsgId>"+strconv.Itoa(msgID)+"</MsgId>"))
	}
	for _, tc := range stores {
		t.Run(tc.name, func(t *testing.T) {
			store := tc.store(t)
			log := &countingLog{}
			d, err := bot.New(bot.Options{Knowledge: stubKnowledge{}, Sessions: store, Limiter: store, Logger: log, RateLimit: 100})
			if err != nil {
				t.Fatal(err)
			}
			srv, _, _ := newTestServer(t, func(o *Options) {
				o.Responder, o.Replies, o.ReplyTimeout = d, store, 300*time.Millisecond
			})
			if srv.claimer == nil {
				t.Fatal("the Server does not leave the claim to bot.Dialogue")
			}
			steps := []struct {
				name, user, text string
				msgID            int
				want             string // "" for the greeting's first line
				wantLogged       int32
			}{
				{"first delivery", "oCitizenA", "你好", 7, "", 1},
				{"retry", "oCitizenA", "你好", 7, "", 1},
				{"another citizen, same MsgId", "oCitizenB", "谢谢", 7, "", 2},
				{"late answer", "oCitizenA", "生态环境局2020年罚款多少", 8, busyText, 3},
				{"retry of the late answer", "oCitizenA", "生态环境局2020年罚款多少", 8, busyText, 3},
			}
			replies := map[string]string{}
			for _, st := range steps {
				got := readReply(t, serve(srv, wxRequest{body: msg(t, st.user, st.text, st.msgID)}.build(t)), false)
				key := st.user + "/" + strconv.Itoa(st.msgID)
				if first, ok := replies[key]; ok && got.Content != first {
					t.Errorf("%s: reply %q, want the first delivery's %q", st.name, got.Content, first)
				}
				replies[key] = got.Content
				if got.ToUserName != st.user || got.Content == "" || st.want != "" && got.Content != st.want {
					t.Errorf("%s: reply %q to %s, want %q", st.name, got.Content, got.ToUserName, st.want)
				}
				// The exchange is logged after the reply is written.
				if _, ok := pollFor(time.Second, func() bool { return log.n.Load() == st.wantLogged }); !ok {
					t.Errorf("%s: %d exchanges logged, want %d (a retry never reaches the Dialogue)", st.name, log.n.Load(), st.wantLogged)
				}
			}
			if replies["oCitizenA/7"] == replies["oCitizenB/7"] {
				t.Errorf("both citizens got %q", replies["oCitizenA/7"])
			}
		})
	}
}

// pollFor calls cond until it holds or timeout passes.
func pollFor(timeout time.Duration, cond func() bool) (time.Duration, bool) {
	return testenv.Poll(timeout, 5*time.Millisecond, cond)
}
