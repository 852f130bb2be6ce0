package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"fazhibot/storage/storetest"
)

// fakeClock is a manually advanced clock, safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		clock := newFakeClock()
		s := New(clock.Now)
		t.Cleanup(func() { s.Close() })
		return storetest.Harness{Store: s, Tokens: s.TokenCache(), Wait: clock.Advance}
	})
}

// TestContractRealClock runs the contract on the default clock, as the
// bot does.
func TestContractRealClock(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := New(nil)
		t.Cleanup(func() { s.Close() })
		return storetest.Harness{Store: s, Tokens: s.TokenCache(), Wait: time.Sleep}
	})
}

// TestExpiryBoundary pins down that an entry saved with ttl is present
// until just before ttl has passed and gone from then on, for every kind
// of entry.
func TestExpiryBoundary(t *testing.T) {
	const ttl = 30 * time.Minute
	ctx := t.Context()
	cases := []struct {
		name    string
		save    func(s *Store) error
		present func(s *Store) (bool, error)
	}{
		{
			"session",
			func(s *Store) error { return s.SaveSession(ctx, "u", []byte("x"), ttl) },
			func(s *Store) (bool, error) { b, err := s.Session(ctx, "u"); return b != nil, err },
		},
		{
			"reply",
			func(s *Store) error { return s.SaveReply(ctx, "k", []byte("x"), ttl) },
			func(s *Store) (bool, error) { _, ok, err := s.Reply(ctx, "k"); return ok, err },
		},
		{
			"claim",
			func(s *Store) error { _, err := s.Claim(ctx, "k", ttl); return err },
			func(s *Store) (bool, error) {
				// A fresh claim with a huge ttl succeeds only once the old one is gone.
				first, err := s.Claim(ctx, "k", 100*time.Hour)
				return !first, err
			},
		},
		{
			"rate",
			func(s *Store) error { _, err := s.Allow(ctx, "u", 1, ttl); return err },
			func(s *Store) (bool, error) { ok, err := s.Allow(ctx, "u", 1, ttl); return !ok, err },
		},
		{
			"token",
			func(s *Store) error { return s.TokenCache().Set("k", "v", ttl) },
			func(s *Store) (bool, error) { return s.TokenCache().IsExist("k"), nil },
		},
	}
	for _, c := range cases {
		for _, b := range []struct {
			after time.Duration
			want  bool
		}{
			{ttl - time.Nanosecond, true},
			{ttl, false},
			{ttl + time.Hour, false},
		} {
			t.Run(fmt.Sprintf("%s/%v", c.name, b.after), func(t *testing.T) {
				clock := newFakeClock()
				s := New(clock.Now)
				if err := c.save(s); err != nil {
					t.Fatal(err)
				}
				clock.Advance(b.after)
				got, err := c.present(s)
				if err != nil || got != b.want {
					t.Fatalf("present after %v = %v, %v; want %v, nil", b.after, got, err, b.want)
				}
			})
		}
	}
}

// TestSweepBoundsMemory checks that expired entries nobody reads again are
// dropped by later writes.
func TestSweepBoundsMemory(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		name   string
		write  func(s *Store, i int) error
		rounds int
	}{
		{"sessions", func(s *Store, i int) error {
			return s.SaveSession(ctx, fmt.Sprint("u", i), []byte("x"), time.Minute)
		}, 20},
		{"claims", func(s *Store, i int) error {
			_, err := s.Claim(ctx, fmt.Sprint("m", i), time.Minute)
			return err
		}, 20},
		{"rate limits", func(s *Store, i int) error {
			_, err := s.Allow(ctx, fmt.Sprint("u", i), 5, time.Minute)
			return err
		}, 20},
	}
	const perRound = 1000
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			s := New(clock.Now)
			peak := 0
			for r := range c.rounds {
				for i := range perRound {
					if err := c.write(s, r*perRound+i); err != nil {
						t.Fatal(err)
					}
					peak = max(peak, s.Len())
				}
				clock.Advance(2 * time.Minute) // everything written so far expires
			}
			// Live entries never exceed perRound; expired ones wait for at most
			// max(minSweepWrites, len/2) writes, so the map stays within a
			// small multiple of perRound instead of growing to rounds*perRound.
			if limit := 3 * perRound; peak > limit {
				t.Fatalf("peak entries = %d after %d writes, want <= %d", peak, c.rounds*perRound, limit)
			}
		})
	}
}

func TestNilClockUsesTimeNow(t *testing.T) {
	s := New(nil)
	before := time.Now()
	if err := s.SaveSession(t.Context(), "u", []byte("x"), time.Hour); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	exp := s.items[nsSession+"u"].exp
	s.mu.Unlock()
	if exp.Before(before.Add(time.Hour)) || exp.After(time.Now().Add(time.Hour)) {
		t.Fatalf("expiry = %v, want about an hour after %v", exp, before)
	}
}

func TestClosedErrors(t *testing.T) {
	s := New(nil)
	s.Close()
	ctx := context.Background()
	cases := []struct {
		name string
		err  error
	}{
		{"Session", func() error { _, err := s.Session(ctx, "u"); return err }()},
		{"SaveSession", s.SaveSession(ctx, "u", nil, time.Second)},
		{"Claim", func() error { _, err := s.Claim(ctx, "k", time.Second); return err }()},
		{"Allow", func() error { _, err := s.Allow(ctx, "u", 1, time.Second); return err }()},
		{"Ping", s.Ping(ctx)},
		{"TokenCache.Set", s.TokenCache().Set("k", "v", time.Second)},
	}
	for _, c := range cases {
		if !errors.Is(c.err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", c.name, c.err)
		}
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	s := New(nil)
	ctx := context.Background()
	reply := []byte("<xml><Content><![CDATA[根据《江津区生态环境局2020年法治政府建设年度报告》……]]></Content></xml>")
	session := []byte(`{"topic":"行政执法","page":1}`)
	i := 0
	for b.Loop() {
		key := fmt.Sprint("msg-", i)
		user := fmt.Sprint("user-", i%1000)
		i++
		if first, err := s.Claim(ctx, key, time.Minute); err != nil || !first {
			b.Fatalf("Claim = %v, %v", first, err)
		}
		if _, err := s.Session(ctx, user); err != nil {
			b.Fatal(err)
		}
		if err := s.SaveSession(ctx, user, session, 30*time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := s.SaveReply(ctx, key, reply, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
