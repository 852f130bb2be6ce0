package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// pipelineCounter is a redis.Hook that counts pipelines and the commands
// in them.
type pipelineCounter struct {
	pipelines, commands atomic.Int64
}

func (*pipelineCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (*pipelineCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}

func (c *pipelineCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.pipelines.Add(1)
		c.commands.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// TestConcurrentMessagesShareRoundTrips: many messages at once still get
// their own claims, sessions, rate counts and cached replies, while their
// pipelines share round trips.
func TestConcurrentMessagesShareRoundTrips(t *testing.T) {
	sharedURL(t)
	prefix := testPrefix(t)
	counter := &pipelineCounter{}
	s, err := Open(t.Context(), "redis://"+sharedAddr+"/0", Options{KeyPrefix: prefix, Hook: counter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteKeys(t, []string{sharedAddr}, prefix); s.Close() })

	const users, turns, limit = 48, 6, 4
	var wg sync.WaitGroup
	errs := make(chan error, users)
	start := make(chan struct{})
	for u := range users {
		wg.Go(func() {
			<-start
			ctx := context.Background()
			user := fmt.Sprintf("u%02d", u)
			var last []byte
			for i := range turns {
				key := fmt.Sprintf("%s:%d", user, i)
				claimed, sess, allowed, err := s.BeginMessage(ctx, user, key, time.Minute, limit, time.Minute)
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s turn %d: BeginMessage: %v", user, i, err)
					return
				case !claimed || string(sess) != string(last) || allowed != (i < limit):
					errs <- fmt.Errorf("%s turn %d: BeginMessage = %v, %q, %v; want true, %q, %v", user, i, claimed, sess, allowed, last, i < limit)
					return
				}
				last = []byte(fmt.Sprintf("session of %s after %d", user, i))
				if err := s.FinishMessage(ctx, user, last, time.Minute, key, []byte("reply "+key), time.Minute); err != nil {
					errs <- fmt.Errorf("%s turn %d: FinishMessage: %v", user, i, err)
					return
				}
				// The message again, as WeChat's retry: the claim is taken
				// and the reply cached.
				claimed, _, _, err = s.BeginMessage(ctx, user, key, time.Minute, 0, time.Minute)
				if err != nil || claimed {
					errs <- fmt.Errorf("%s turn %d: retry claimed = %v, %v; want false", user, i, claimed, err)
					return
				}
				if r, ok, err := s.Reply(ctx, key); err != nil || !ok || string(r) != "reply "+key {
					errs <- fmt.Errorf("%s turn %d: Reply = %q, %v, %v", user, i, r, ok, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	calls := int64(users * turns * 3)
	p, c := counter.pipelines.Load(), counter.commands.Load()
	t.Logf("%d calls of BeginMessage and FinishMessage in %d pipelines (%d commands)", calls, p, c)
	if p > calls {
		t.Errorf("%d pipelines for %d calls", p, calls)
	}
}

// TestMessageCallsAfterTheirDeadline: a call whose context ends while it
// waits for its turn is not sent, and the calls after it still are.
func TestMessageCallsAfterTheirDeadline(t *testing.T) {
	s := openShared(t)
	ctx := context.Background()
	// Keep both flights busy: a pipeline blocked on BLPOP holds its
	// connection until the list gets an element.
	block := func() {
		_ = s.batch.do(ctx, s.rdb, []redis.Cmder{redis.NewStringSliceCmd(ctx, "blpop", s.key("test:", "never"), 2)})
	}
	var wg sync.WaitGroup
	for range maxFlights {
		wg.Go(block)
	}
	time.Sleep(100 * time.Millisecond)

	expired, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	var lateErr error
	wg.Go(func() { lateErr = s.FinishMessage(expired, "late", []byte("late"), time.Minute, "", nil, 0) })
	time.Sleep(50 * time.Millisecond)
	var onTimeErr error
	wg.Go(func() { onTimeErr = s.FinishMessage(ctx, "on-time", []byte("on time"), time.Minute, "", nil, 0) })
	wg.Wait()

	if lateErr == nil {
		t.Error("FinishMessage past its deadline succeeded")
	}
	if got, err := s.Session(ctx, "late"); err != nil || got != nil {
		t.Errorf("the late session was saved: %q, %v", got, err)
	}
	if onTimeErr != nil {
		t.Errorf("FinishMessage after the late one: %v", onTimeErr)
	}
	if got, err := s.Session(ctx, "on-time"); err != nil || string(got) != "on time" {
		t.Errorf("Session = %q, %v; want the session saved after the late call", got, err)
	}
}

// BenchmarkMessage is one WeChat message's store work, as the bot does it:
// BeginMessage (claim, session, rate limit), then FinishMessage (session
// and cached reply), one message at a time and from 32 senders at once.
func BenchmarkMessage(b *testing.B) {
	s := openShared(b)
	ctx := context.Background()
	session := make([]byte, 540)
	reply := make([]byte, 600)
	var next atomic.Int64
	step := func() error {
		i := next.Add(1)
		user := "wechat:user-" + strconv.FormatInt(i%1000, 10)
		key := "msg:" + user + ":" + strconv.FormatInt(i, 10)
		claimed, _, _, err := s.BeginMessage(ctx, user, key, 30*time.Second, 1000000, time.Minute)
		if err != nil || !claimed {
			return fmt.Errorf("BeginMessage = %v, %v", claimed, err)
		}
		return s.FinishMessage(ctx, user, session, 30*time.Minute, key, reply, 30*time.Second)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := step(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := step(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
