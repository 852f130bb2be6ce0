package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"fazhibot/storage/redisstore"
)

// roundTrips is a go-redis hook that counts round trips: each Process call
// (one command) and each ProcessPipeline call (one pipeline) is one.
type roundTrips struct {
	mu    sync.Mutex
	n     int
	names []string // the commands of each round trip, for failure messages
}

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count(cmd)
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.count(cmds...)
		return next(ctx, cmds)
	}
}

func (h *roundTrips) count(cmds ...redis.Cmder) {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Name()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	h.names = append(h.names, strings.Join(names, "+"))
}

// take returns the round trips counted since the last take, and resets.
func (h *roundTrips) take() (int, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, names := h.n, h.names
	h.n, h.names = 0, nil
	return n, names
}

// TestRedisRoundTripsPerMessage sends signed WeChat pushes end to end
// (httptest server, handlers, bot, knowledge base of the sample reports,
// the shared Redis with the rate limit on) and counts the store's round
// trips per message with a go-redis hook: two for every message (claim,
// session read and rate count; then session and reply cache), and two for
// a retry after the reply (the lost claim, the cached reply).
func TestRedisRoundTripsPerMessage(t *testing.T) {
	fx := newKBFixture(t)
	counter := &roundTrips{}
	prefix := redisKeyPrefix(t)
	store, err := redisstore.Open(t.Context(), "redis://"+sharedRedisAddr+"/0", redisstore.Options{KeyPrefix: prefix, Hook: counter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteRedisPrefix(sharedRedisAddr, prefix); store.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx); err != nil {
		requireOrSkipCI(t, "the shared Redis at "+sharedRedisAddr+" is unreachable: "+err.Error())
	}
	d := fx.dialogue(t, store, -1) // the configured rate limit, 20 a minute
	for _, mode := range []struct {
		name string
		safe bool
	}{{"plaintext", false}, {"safe mode", true}} {
		t.Run(mode.name, func(t *testing.T) {
			cb := newCallback(t, d, store, mode.safe)
			user := cb.citizen(t).user
			cb.post(t, user, "你好", cb.ids.Add(1)) // warms the connection pool
			counter.take()
			id := cb.ids.Add(1)
			steps := []struct {
				name, text string
				msgID      int64
				contains   string
				want       int
			}{
				{"question", "生态环境局2020年罚款多少", id, "316.79万元", 2},
				{"retry after the reply", "生态环境局2020年罚款多少", id, "316.79万元", 2},
				{"follow-up", "那2021年呢", cb.ids.Add(1), "412.36万元", 2},
				{"detail", "详情", cb.ids.Add(1), "412.36万元", 2},
				{"small talk", "谢谢", cb.ids.Add(1), "", 2},
				{"not covered", "明天江津天气怎么样", cb.ids.Add(1), "", 2},
			}
			for _, st := range steps {
				r, _ := cb.post(t, user, st.text, st.msgID)
				if !strings.Contains(r.Content, st.contains) {
					t.Fatalf("%s: reply %q, want it to contain %q", st.name, r.Content, st.contains)
				}
				n, names := counter.take()
				t.Logf("%s: %d round trips: %s", st.name, n, strings.Join(names, ", "))
				if n != st.want || n > 2 {
					t.Errorf("%s: %d Redis round trips (%s), want %d (at most 2)", st.name, n, strings.Join(names, ", "), st.want)
				}
			}
		})
	}
}

// deleteRedisPrefix deletes the keys under prefix on the Redis at addr.
func deleteRedisPrefix(addr, prefix string) {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}
