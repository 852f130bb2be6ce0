package redisstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fazhibot/storage/storetest"
)

func TestContract(t *testing.T) {
	url := sharedURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := openAt(t, url, []string{sharedAddr})
		return storetest.Harness{Store: s, Tokens: s.TokenCache(), Wait: time.Sleep}
	})
}

// TestKeyLayout checks the documented keys, values and TTLs in Redis.
func TestKeyLayout(t *testing.T) {
	s := openShared(t)
	raw := rawClient(t, sharedAddr)
	ctx := t.Context()
	p := s.prefix
	cases := []struct {
		name    string
		do      func() error
		key     string
		value   string // "" means any
		ttl     time.Duration
		wantTTL bool
	}{
		{"session", func() error { return s.SaveSession(ctx, "oUser1", []byte(`{"a":1}`), 30*time.Minute) },
			p + "session:oUser1", `{"a":1}`, 30 * time.Minute, true},
		{"claim", func() error { _, err := s.Claim(ctx, "msg:42", time.Minute); return err },
			p + "claim:msg:42", "", time.Minute, true},
		{"reply", func() error { return s.SaveReply(ctx, "msg:42", []byte("答复"), time.Minute) },
			p + "reply:msg:42", "答复", time.Minute, true},
		{"rate", func() error { _, err := s.Allow(ctx, "oUser1", 5, time.Minute); return err },
			p + "rate:60000:oUser1", "1", time.Minute, true},
		{"rate sub-millisecond window", func() error { _, err := s.Allow(ctx, "oUser1", 5, 1500*time.Microsecond); return err },
			p + "rate:2:oUser1", "1", 2 * time.Millisecond, false}, // may expire before we look
		{"token", func() error { return s.TokenCache().Set("_access_token_wx1", "tok", 7000*time.Second) },
			p + "token:_access_token_wx1", "tok", 7000 * time.Second, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.do(); err != nil {
				t.Fatal(err)
			}
			if !c.wantTTL {
				return
			}
			v, err := raw.Get(ctx, c.key).Result()
			if err != nil {
				t.Fatalf("GET %s: %v", c.key, err)
			}
			if c.value != "" && v != c.value {
				t.Errorf("GET %s = %q, want %q", c.key, v, c.value)
			}
			ttl, err := raw.PTTL(ctx, c.key).Result()
			if err != nil || ttl <= 0 || ttl > c.ttl {
				t.Errorf("PTTL %s = %v, %v; want in (0, %v]", c.key, ttl, err, c.ttl)
			}
		})
	}
	t.Run("default prefix", func(t *testing.T) {
		if got := (Options{}).withDefaults().KeyPrefix; got != "fazhibot:" {
			t.Fatalf("default KeyPrefix = %q, want fazhibot:", got)
		}
	})
}

// TestAllowRepairsCounterWithoutTTL checks that a counter that somehow lost
// its TTL gets one again instead of refusing the user forever.
func TestAllowRepairsCounterWithoutTTL(t *testing.T) {
	s := openShared(t)
	raw := rawClient(t, sharedAddr)
	ctx := t.Context()
	key := s.prefix + "rate:60000:stuck"
	if err := raw.Set(ctx, key, 99, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Allow(ctx, "stuck", 5, time.Minute); err != nil || ok {
		t.Fatalf("Allow over the limit = %v, %v; want false, nil", ok, err)
	}
	if ttl, err := raw.PTTL(ctx, key).Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("PTTL after Allow = %v, %v; want in (0, 1m]", ttl, err)
	}
}

// lossyConn loses the reply to the first command written that contains
// marker: the command reaches Redis, and its reply is read and dropped
// before the next Read reports io.EOF, as when a connection breaks.
type lossyConn struct {
	net.Conn
	marker []byte
	armed  *atomic.Bool // shared by every connection of one dialer
	lost   bool
	writes *atomic.Int32 // commands containing marker, after the loss
}

func (c *lossyConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil || !bytes.Contains(b, c.marker) {
		return n, err
	}
	if c.armed.CompareAndSwap(true, false) {
		// Wait for Redis to execute it: read (and drop) its reply.
		_ = c.Conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 512)
		if _, rerr := c.Conn.Read(buf); rerr != nil {
			return n, rerr
		}
		c.lost = true
		c.Conn.Close()
	} else {
		c.writes.Add(1)
	}
	return n, err
}

func (c *lossyConn) Read(b []byte) (int, error) {
	if c.lost {
		return 0, io.EOF
	}
	return c.Conn.Read(b)
}

// TestClaimSurvivesLostReply checks that when Redis executed Claim's SET NX
// but the reply was lost and go-redis retried, the retried call still
// reports the first claim as first.
func TestClaimSurvivesLostReply(t *testing.T) {
	url := sharedURL(t)
	tg, err := parseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{KeyPrefix: testPrefix(t)}.withDefaults()
	u := universal(tg, opts)
	var armed atomic.Bool
	var after atomic.Int32
	armed.Store(true)
	u.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{Timeout: opts.DialTimeout}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &lossyConn{Conn: c, marker: []byte(opts.KeyPrefix + "claim:"), armed: &armed, writes: &after}, nil
	}
	s := newStore(u, opts.KeyPrefix)
	t.Cleanup(func() {
		deleteKeys(t, []string{sharedAddr}, opts.KeyPrefix)
		s.Close()
	})

	first, err := s.Claim(t.Context(), "msg-lost", time.Minute)
	if err != nil || !first {
		t.Fatalf("Claim with a lost reply = %v, %v; want true, nil", first, err)
	}
	if armed.Load() {
		t.Fatal("the reply was never lost; the test did not exercise the retry")
	}
	// The retry sent SET NX again, and then GET to compare the token.
	if n := after.Load(); n != 2 {
		t.Errorf("claim commands after the loss = %d, want 2 (SET NX, GET)", n)
	}
	again, err := s.Claim(t.Context(), "msg-lost", time.Minute)
	if err != nil || again {
		t.Fatalf("second Claim = %v, %v; want false, nil", again, err)
	}
}

// TestOpenClientKind checks that the URL picks the client kind, and that
// Open succeeds although nothing listens at the addresses.
func TestOpenClientKind(t *testing.T) {
	p1, p2 := freePort(t), freePort(t)
	cases := []struct {
		url  string
		want string
	}{
		{"redis://127.0.0.1:" + p1 + "/2", "*redis.Client"},
		{"redis://127.0.0.1:" + p1 + ",127.0.0.1:" + p2, "*redis.ClusterClient"},
		{"redis://127.0.0.1:" + p1 + "?cluster=true", "*redis.ClusterClient"},
		{"redis://127.0.0.1:" + p1 + ",127.0.0.1:" + p2 + "?master=mymaster", "*redis.Client"}, // failover client
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			s, err := Open(ctx, c.url, Options{})
			if err != nil {
				t.Fatalf("Open = %v, want nil although Redis is down", err)
			}
			defer s.Close()
			if got := fmt.Sprintf("%T", s.rdb); got != c.want {
				t.Errorf("client = %s, want %s", got, c.want)
			}
			if err := s.Ping(ctx); err == nil {
				t.Error("Ping = nil with nothing listening, want an error")
			}
			if ctx.Err() != nil {
				t.Errorf("Open and Ping used up the context: %v", ctx.Err())
			}
		})
	}
}

func TestOpenMalformedURL(t *testing.T) {
	cases := []struct{ url, want string }{
		{"", "empty URL"},
		{"127.0.0.1:6379", "missing scheme"},
		{"http://127.0.0.1:6379", `unsupported scheme "http"`},
		{"redis://127.0.0.1:notaport", `port "notaport"`},
		{"redis://:s3cret@127.0.0.1:6379/abc", `database "abc"`},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			s, err := Open(t.Context(), c.url, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open = nil error, want an error")
			}
			if s != nil {
				t.Errorf("Open returned a Store with the error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	cases := []struct {
		name string
		in   Options
		want Options
	}{
		{"zero", Options{}, Options{
			KeyPrefix: "fazhibot:", DialTimeout: 300 * time.Millisecond, ReadTimeout: 200 * time.Millisecond,
			WriteTimeout: 200 * time.Millisecond, PoolTimeout: 100 * time.Millisecond, MaxRetries: 1,
		}},
		{"set", Options{
			KeyPrefix: "jj:", DialTimeout: time.Second, ReadTimeout: 2 * time.Second,
			WriteTimeout: 3 * time.Second, PoolTimeout: 4 * time.Second, PoolSize: 7, MaxRetries: -1,
		}, Options{
			KeyPrefix: "jj:", DialTimeout: time.Second, ReadTimeout: 2 * time.Second,
			WriteTimeout: 3 * time.Second, PoolTimeout: 4 * time.Second, PoolSize: 7, MaxRetries: -1,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.in.withDefaults(); got != c.want {
				t.Errorf("withDefaults = %+v, want %+v", got, c.want)
			}
		})
	}
	u := universal(target{addrs: []string{sharedAddr}}, Options{}.withDefaults())
	if !u.ContextTimeoutEnabled || u.DialerRetries != 1 || u.MaxRetries != 1 {
		t.Errorf("go-redis options: ContextTimeoutEnabled=%v DialerRetries=%d MaxRetries=%d; want true, 1, 1",
			u.ContextTimeoutEnabled, u.DialerRetries, u.MaxRetries)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	s := openShared(b)
	ctx := context.Background()
	reply := []byte("<xml><Content><![CDATA[根据《江津区生态环境局2020年法治政府建设年度报告》……]]></Content></xml>")
	session := []byte(`{"topic":"行政执法","page":1}`)
	// step is one WeChat message: dedupe, load the session, save it, cache
	// the reply.
	step := func(i int64) error {
		key := fmt.Sprint("msg-", i)
		user := fmt.Sprint("user-", i%1000)
		if first, err := s.Claim(ctx, key, time.Minute); err != nil || !first {
			return fmt.Errorf("Claim = %v, %v", first, err)
		}
		if _, err := s.Session(ctx, user); err != nil {
			return err
		}
		if err := s.SaveSession(ctx, user, session, 30*time.Minute); err != nil {
			return err
		}
		return s.SaveReply(ctx, key, reply, time.Minute)
	}
	var next atomic.Int64
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if err := step(next.Add(1)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := step(next.Add(1)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// TestClear: Clear deletes every key under the Store's prefix, whatever
// the namespace and however many, and no other key, even when the prefix
// holds characters special in a SCAN pattern.
func TestClear(t *testing.T) {
	ctx := t.Context()
	raw := rawClient(t, sharedAddr)
	base := testPrefix(t)
	prefix := base + `a*[b]?\:`
	s, err := Open(ctx, sharedURL(t), Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	// Keys a pattern without escapes would match too, which must stay.
	others := []string{base + `aX[b]?\:x`, base + `a*b?\:x`, base + `a*[b]Z\:x`, base + "unrelated"}
	t.Cleanup(func() {
		deleteKeys(t, []string{sharedAddr}, base)
		s.Close()
	})
	for _, k := range others {
		if err := raw.Set(ctx, k, "keep", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	}
	const users = 300 // 1,200 keys: more than one UNLINK batch
	for i := range users {
		user := "oUser" + strconv.Itoa(i)
		if _, _, _, err := s.BeginMessage(ctx, user, "msg:"+user, time.Minute, 5, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishMessage(ctx, user, []byte("s"), time.Minute, "msg:"+user, []byte("r"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Clear(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Per user: the session, the claim, the reply and the rate counter.
	if want := 4 * users; n != want {
		t.Errorf("Clear deleted %d keys, want %d", n, want)
	}
	for _, i := range []int{0, users / 2, users - 1} {
		user := "oUser" + strconv.Itoa(i)
		keys := []string{s.key(nsSession, user), s.key(nsClaim, "msg:"+user), s.key(nsReply, "msg:"+user), s.key(nsRate, "60000:"+user)}
		if n, err := raw.Exists(ctx, keys...).Result(); err != nil || n != 0 {
			t.Errorf("%d of the keys of %s left (%v)", n, user, err)
		}
	}
	for _, k := range others {
		if v, err := raw.Get(ctx, k).Result(); err != nil || v != "keep" {
			t.Errorf("key %q outside the prefix = %q, %v; want it kept", k, v, err)
		}
	}
	if n, err := s.Clear(ctx); err != nil || n != 0 {
		t.Errorf("Clear of nothing = %d, %v; want 0, nil", n, err)
	}
}
