package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// oldServerError is an error reply of Redis.
type oldServerError string

func (e oldServerError) Error() string { return string(e) }
func (oldServerError) RedisError()     {}

// oldServerHook makes the shared Redis 7 answer as Redis 6.2 does: SET
// with NX and GET is a syntax error, PEXPIRE with an option has the wrong
// number of arguments; neither runs.
type oldServerHook struct{ refused int }

func (*oldServerHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (*oldServerHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *oldServerHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var known []redis.Cmder
		for _, c := range cmds {
			args := c.Args()
			switch name := strings.ToLower(c.Name()); {
			case name == "set" && hasArg(args, "get"):
				c.SetErr(oldServerError("ERR syntax error"))
				h.refused++
			case name == "pexpire" && len(args) > 3:
				c.SetErr(oldServerError("ERR wrong number of arguments for 'pexpire' command"))
				h.refused++
			default:
				known = append(known, c)
			}
		}
		if len(known) == 0 {
			return nil
		}
		return next(ctx, known)
	}
}

func hasArg(args []any, want string) bool {
	for _, a := range args[1:] {
		if s, ok := a.(string); ok && strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// beginMessageRules checks BeginMessage's claim, session and rate limit on
// s: first is the rate count the first call leaves (2 on an old server,
// whose first call is counted twice).
func beginMessageRules(t *testing.T, s *Store, first int64) {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveSession(ctx, "u", []byte("session"), time.Minute); err != nil {
		t.Fatal(err)
	}
	const limit = 3
	for i := range 4 {
		key := "m" + string(rune('0'+i))
		claimed, sess, allowed, err := s.BeginMessage(ctx, "u", key, time.Minute, limit, time.Minute)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if want := first+int64(i) <= limit; !claimed || string(sess) != "session" || allowed != want {
			t.Errorf("message %d: BeginMessage = %v, %q, %v; want true, %q, %v", i, claimed, sess, allowed, "session", want)
		}
		claimed, _, _, err = s.BeginMessage(ctx, "u", key, time.Minute, 0, time.Minute)
		if err != nil || claimed {
			t.Errorf("message %d delivered again: claimed = %v, %v; want false", i, claimed, err)
		}
	}
	raw := s.rdb
	rate := s.key(nsRate, "60000:u")
	if ttl, err := raw.PTTL(ctx, rate).Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("rate counter TTL = %v, %v; want the window", ttl, err)
	}
	if ttl, err := raw.PTTL(ctx, s.key(nsClaim, "m0")).Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("claim TTL = %v, %v; want the claim's", ttl, err)
	}
	// A counter left without a TTL (a pipeline cut between INCR and
	// PEXPIRE, or an older version's) gets one at the next message.
	if err := raw.Persist(ctx, rate).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.BeginMessage(ctx, "u", "", 0, limit, time.Minute); err != nil {
		t.Fatal(err)
	}
	if ttl, err := raw.PTTL(ctx, rate).Result(); err != nil || ttl <= 0 {
		t.Errorf("rate counter TTL after a lost one = %v, %v; want the window", ttl, err)
	}
}

func TestBeginMessageOnRedis7(t *testing.T) {
	s := openShared(t)
	beginMessageRules(t, s, 1)
	if s.legacy.Load() {
		t.Error("the Store fell back to the commands of older servers on Redis 7")
	}
}

func TestBeginMessageLegacyCommands(t *testing.T) {
	s := openShared(t)
	s.legacy.Store(true)
	beginMessageRules(t, s, 1)
}

// TestBeginMessageOnOldServer: a server older than Redis 7.0 refuses the
// claim's and the rate limit's commands once; the Store then uses the
// older commands, and nothing else changes but the first call's count.
func TestBeginMessageOnOldServer(t *testing.T) {
	sharedURL(t)
	prefix := testPrefix(t)
	hook := &oldServerHook{}
	s, err := Open(t.Context(), "redis://"+sharedAddr+"/0", Options{KeyPrefix: prefix, Hook: hook})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteKeys(t, []string{sharedAddr}, prefix); s.Close() })
	beginMessageRules(t, s, 2)
	if !s.legacy.Load() {
		t.Error("the Store did not fall back to the older commands")
	}
	if hook.refused != 2 {
		t.Errorf("%d commands refused, want 2 (the first call's claim and PEXPIRE)", hook.refused)
	}
}

// TestStoreSpeaksRESP2: the Store's connections use RESP2, which every
// Redis speaks and which spares go-redis looking for push notifications.
func TestStoreSpeaksRESP2(t *testing.T) {
	s := openShared(t)
	info, err := s.rdb.ClientInfo(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if info.Resp != 2 {
		t.Errorf("the Store's connection speaks RESP%d, want RESP2", info.Resp)
	}
}
