package redisstore

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// callBudget bounds each call on a dead or hung Redis in these tests. The
// assertion is that the call returned an error by itself, before this
// context expired; how much faster it is belongs in benchmarks.
const callBudget = time.Second

// storeCall is one method call, reduced to its error.
type storeCall struct {
	name string
	call func(ctx context.Context, s *Store) error
}

// everyCall calls every method of Store and of its TokenCache. The
// TokenCache reads report failures as misses, so they are turned into an
// error when they do not report a miss.
var everyCall = []storeCall{
	{"Session", func(ctx context.Context, s *Store) error { _, err := s.Session(ctx, "u"); return err }},
	{"SaveSession", func(ctx context.Context, s *Store) error {
		return s.SaveSession(ctx, "u", []byte("x"), time.Minute)
	}},
	{"DeleteSession", func(ctx context.Context, s *Store) error { return s.DeleteSession(ctx, "u") }},
	{"Claim", func(ctx context.Context, s *Store) error { _, err := s.Claim(ctx, "k", time.Minute); return err }},
	{"SaveReply", func(ctx context.Context, s *Store) error {
		return s.SaveReply(ctx, "k", []byte("x"), time.Minute)
	}},
	{"Reply", func(ctx context.Context, s *Store) error { _, _, err := s.Reply(ctx, "k"); return err }},
	{"Allow", func(ctx context.Context, s *Store) error { _, err := s.Allow(ctx, "u", 3, time.Minute); return err }},
	{"Ping", func(ctx context.Context, s *Store) error { return s.Ping(ctx) }},
	{"TokenCache.SetContext", func(ctx context.Context, s *Store) error {
		return s.TokenCache().SetContext(ctx, "t", "v", time.Minute)
	}},
	{"TokenCache.DeleteContext", func(ctx context.Context, s *Store) error {
		return s.TokenCache().DeleteContext(ctx, "t")
	}},
	{"TokenCache.GetContext", func(ctx context.Context, s *Store) error {
		if v := s.TokenCache().GetContext(ctx, "t"); v != nil {
			return nil
		}
		return errMiss
	}},
	{"TokenCache.IsExistContext", func(ctx context.Context, s *Store) error {
		if s.TokenCache().IsExistContext(ctx, "t") {
			return nil
		}
		return errMiss
	}},
}

var errMiss = errors.New("token cache miss")

// assertAllFail runs every call with a callBudget context and checks that
// each returns an error before the context expires.
func assertAllFail(t *testing.T, s *Store) {
	t.Helper()
	for _, c := range everyCall {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), callBudget)
			defer cancel()
			err := c.call(ctx, s)
			if err == nil {
				t.Fatal("err = nil with Redis down, want an error")
			}
			if ctx.Err() != nil {
				t.Fatalf("the call ran out the %v context instead of failing by itself: %v", callBudget, err)
			}
		})
	}
}

// assertAllWork checks that the Store works: a round trip of every kind.
func assertAllWork(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	if err := s.SaveSession(ctx, "u", []byte("after"), time.Minute); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if got, err := s.Session(ctx, "u"); err != nil || string(got) != "after" {
		t.Fatalf("Session = %q, %v; want after", got, err)
	}
	if first, err := s.Claim(ctx, "k-after", time.Minute); err != nil || !first {
		t.Fatalf("Claim = %v, %v; want true", first, err)
	}
	if err := s.SaveReply(ctx, "k-after", []byte("r"), time.Minute); err != nil {
		t.Fatalf("SaveReply: %v", err)
	}
	if got, ok, err := s.Reply(ctx, "k-after"); err != nil || !ok || string(got) != "r" {
		t.Fatalf("Reply = %q, %v, %v; want r, true", got, ok, err)
	}
	if ok, err := s.Allow(ctx, "u-after", 1, time.Minute); err != nil || !ok {
		t.Fatalf("Allow = %v, %v; want true", ok, err)
	}
	if err := s.TokenCache().Set("t", "v", time.Minute); err != nil || s.TokenCache().Get("t") != "v" {
		t.Fatalf("TokenCache Set = %v, Get = %#v; want nil, v", err, s.TokenCache().Get("t"))
	}
}

// waitPing waits until s answers again. go-redis probes a node that failed
// every dial about once a second, so recovery takes up to a few seconds.
func waitPing(t *testing.T, s *Store) {
	t.Helper()
	err := eventually(15*time.Second, func() error {
		ctx, cancel := context.WithTimeout(t.Context(), callBudget)
		defer cancel()
		return s.Ping(ctx)
	})
	if err != nil {
		t.Fatalf("the Store did not recover after Redis came back: %v", err)
	}
}

// TestOutageAndRecovery kills a private Redis under an open Store, checks
// that every method fails fast, restarts Redis on the same port and checks
// that the same Store works again.
func TestOutageAndRecovery(t *testing.T) {
	srv := newRedisServer(t)
	srv.start()
	s, err := Open(t.Context(), "redis://"+srv.addr(), Options{KeyPrefix: testPrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveSession(t.Context(), "u", []byte("before"), time.Minute); err != nil {
		t.Fatalf("SaveSession before the outage: %v", err)
	}
	// The allow script is now cached on the server; the restarted server
	// will not know it and go-redis must fall back to EVAL.
	if ok, err := s.Allow(t.Context(), "u-before", 1, time.Minute); err != nil || !ok {
		t.Fatalf("Allow before the outage = %v, %v", ok, err)
	}

	srv.stop()
	t.Run("down", func(t *testing.T) { assertAllFail(t, s) })

	srv.start()
	waitPing(t, s)
	t.Run("recovered", func(t *testing.T) {
		// The server persists nothing, so the old session is gone.
		if got, err := s.Session(t.Context(), "u"); err != nil || got != nil {
			t.Errorf("Session after a restart without persistence = %q, %v; want nil, nil", got, err)
		}
		assertAllWork(t, s)
	})
}

// TestOpenWhileDown opens a Store before Redis runs: the bot must start
// anyway and use Redis once it is up.
func TestOpenWhileDown(t *testing.T) {
	srv := newRedisServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	s, err := Open(ctx, "redis://"+srv.addr(), Options{KeyPrefix: testPrefix(t)})
	if err != nil {
		t.Fatalf("Open with Redis down = %v, want nil", err)
	}
	defer s.Close()
	if ctx.Err() != nil {
		t.Fatalf("Open used up its context: %v", ctx.Err())
	}
	t.Run("down", func(t *testing.T) { assertAllFail(t, s) })

	srv.start()
	waitPing(t, s)
	t.Run("up", func(t *testing.T) { assertAllWork(t, s) })
}

// hungServer accepts connections and never answers, like a Redis that is
// stuck or a network path that drops replies.
func hungServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestHungRedis checks that the read timeouts, not the caller's deadline,
// end calls to a Redis that accepts connections but never answers.
func TestHungRedis(t *testing.T) {
	addr := hungServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	s, err := Open(ctx, "redis://"+addr, Options{KeyPrefix: testPrefix(t)})
	if err != nil {
		t.Fatalf("Open with a hung Redis = %v, want nil", err)
	}
	defer s.Close()
	if ctx.Err() != nil {
		t.Fatalf("Open used up its context: %v", ctx.Err())
	}
	assertAllFail(t, s)
}
