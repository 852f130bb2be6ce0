package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Key namespaces after the prefix; see the package documentation.
const (
	nsSession = "session:"
	nsClaim   = "claim:"
	nsReply   = "reply:"
	nsRate    = "rate:"
	nsToken   = "token:"
)

// Defaults applied by Open to zero Options fields.
const (
	DefaultKeyPrefix    = "fazhibot:"
	DefaultDialTimeout  = 300 * time.Millisecond
	DefaultReadTimeout  = 200 * time.Millisecond
	DefaultWriteTimeout = 200 * time.Millisecond
	DefaultPoolTimeout  = 100 * time.Millisecond
	DefaultMaxRetries   = 1
)

// Options tunes a Store. The zero value gives the defaults above, which
// keep the worst case of one call on a dead or hung Redis near
// (MaxRetries+1) × (PoolTimeout + DialTimeout + ReadTimeout), about 1.2 s,
// and usually far less: a refused connection fails at once. Callers should
// still pass a context with a deadline; it bounds every call as well.
type Options struct {
	// KeyPrefix starts every key. Empty means DefaultKeyPrefix. Give each
	// deployment sharing a Redis database its own prefix.
	KeyPrefix string
	// DialTimeout bounds establishing one connection. Zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// ReadTimeout and WriteTimeout bound one socket read or write. Zero
	// means DefaultReadTimeout and DefaultWriteTimeout.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// PoolTimeout bounds waiting for a free connection when all are busy.
	// Zero means DefaultPoolTimeout.
	PoolTimeout time.Duration
	// PoolSize is the number of connections per node. Zero means go-redis'
	// default, 10 per GOMAXPROCS.
	PoolSize int
	// MaxRetries is how often a failed command is retried on a network
	// error. Zero means DefaultMaxRetries; negative means no retries.
	MaxRetries int
	// Hook, when set, is added to the go-redis client, for tracing or for
	// counting round trips: each round trip of the store is one ProcessHook
	// or ProcessPipelineHook call (BeginMessage and FinishMessage are one
	// pipeline each, which concurrent calls may share).
	Hook redis.Hook
}

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.KeyPrefix == "" {
		o.KeyPrefix = DefaultKeyPrefix
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.PoolTimeout <= 0 {
		o.PoolTimeout = DefaultPoolTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	return o
}

// universal translates a parsed URL and the options into go-redis options.
func universal(t target, o Options) *redis.UniversalOptions {
	u := &redis.UniversalOptions{
		Addrs:            t.addrs,
		Username:         t.username,
		Password:         t.password,
		DB:               t.db,
		MasterName:       t.master,
		SentinelUsername: t.sentinelUsername,
		SentinelPassword: t.sentinelPassword,
		IsClusterMode:    t.cluster,
		ClientName:       "fazhibot",

		ContextTimeoutEnabled: true,
		DialTimeout:           o.DialTimeout,
		DialerRetries:         1, // one dial attempt per try; retries are MaxRetries'
		ReadTimeout:           o.ReadTimeout,
		WriteTimeout:          o.WriteTimeout,
		PoolTimeout:           o.PoolTimeout,
		PoolSize:              o.PoolSize,
		MaxRetries:            o.MaxRetries, // go-redis: -1 disables, like ours
		MinRetryBackoff:       10 * time.Millisecond,
		MaxRetryBackoff:       100 * time.Millisecond,

		// Maintenance notifications target Redis Cloud/Enterprise; probing
		// for them costs a round trip on every new connection.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		// RESP2: the Store reads only strings and integers and uses no
		// push notifications (client-side caching), which RESP3 would make
		// go-redis look for around every pipeline; every Redis speaks it.
		Protocol: 2,
	}
	if o.MaxRetries < 0 {
		u.MaxRetries = -1
	}
	if t.tls {
		// ServerName stays empty: crypto/tls takes it from each dialed address.
		u.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return u
}

// Store keeps sessions, claims, replies, rate limits and tokens in Redis.
// All methods are safe for concurrent use. Errors wrap the go-redis or
// context error with the operation that failed; they never contain user
// names, keys or stored data.
type Store struct {
	rdb    redis.UniversalClient
	prefix string

	allow *redis.Script // see newAllowScript
	batch pipeBatch     // BeginMessage's and FinishMessage's pipelines
	// legacy: the server predates Redis 7.0 (see BeginMessage).
	legacy atomic.Bool

	closeOnce sync.Once
}

// Open returns a Store for the Redis at url. The URL forms are
//
//	redis://[user:pass@]host[:port][/db]           a single node (port 6379)
//	redis://[user:pass@]h1:7000,h2:7001,h3:7002    Redis Cluster seed nodes
//	redis://host:7000?cluster=true                 a Cluster behind one address
//	redis://[user:pass@]s1,s2:26380[/db]?master=NAME
//	                                               Sentinel: the addresses are
//	                                               sentinels (port 26379); the
//	                                               user info is the master's;
//	                                               sentinel_username and
//	                                               sentinel_password query
//	                                               parameters authenticate to
//	                                               the sentinels
//
// and rediss:// for TLS. Special characters in user info must be
// percent-encoded.
//
// A malformed URL is an error naming the problem (with passwords masked).
// Redis being unreachable is not: Open tries one PING, bounded by ctx and
// the dial timeout, only to warm the connection pool, ignores its result,
// and returns a Store that reports the outage through its methods and Ping
// and recovers by itself once Redis is back. The caller must Close the
// Store.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	t, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	s := newStore(universal(t, opts), opts.KeyPrefix)
	if opts.Hook != nil {
		s.rdb.AddHook(opts.Hook)
	}
	warm, cancel := context.WithTimeout(ctx, opts.DialTimeout+opts.ReadTimeout)
	defer cancel()
	_ = s.rdb.Ping(warm).Err()
	return s, nil
}

// newStore returns a Store on a new client made from u.
func newStore(u *redis.UniversalOptions, prefix string) *Store {
	return &Store{
		rdb:    redis.NewUniversalClient(u),
		prefix: prefix,
		allow:  newAllowScript(),
	}
}

// Session returns the session data saved for user, or nil and a nil error
// when there is none or it has expired. An empty saved session is returned
// as a non-nil empty slice.
func (s *Store) Session(ctx context.Context, user string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.key(nsSession, user)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("redisstore: get session: %w", err)
	case b == nil:
		b = []byte{}
	}
	return b, nil
}

// SaveSession stores data as user's session for ttl, replacing any previous
// session and its expiry. It returns an error when ttl is not positive.
// TTLs are kept with millisecond precision, rounded up.
func (s *Store) SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error {
	if err := positive("save session", "ttl", ttl); err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.key(nsSession, user), data, ms(ttl)).Err(); err != nil {
		return fmt.Errorf("redisstore: save session: %w", err)
	}
	return nil
}

// DeleteSession removes user's session. Deleting a missing session is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, user string) error {
	if err := s.rdb.Del(ctx, s.key(nsSession, user)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete session: %w", err)
	}
	return nil
}

// Claim marks key as being handled for ttl with SET NX. It reports true
// only to the first caller for key until the claim expires, across every
// bot instance sharing the Redis; every later caller within ttl gets
// false. The bot claims a WeChat message ID so that WeChat's retries of
// the same message are not answered twice. It returns an error when ttl is
// not positive.
//
// Each call stores its own random token, so when go-redis retries a SET NX
// whose reply was lost after Redis executed it, Claim recognises its own
// claim and still reports true.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := positive("claim", "ttl", ttl); err != nil {
		return false, err
	}
	k := s.key(nsClaim, key)
	token := rand.Text()
	first, err := s.rdb.SetNX(ctx, k, token, ms(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: claim: %w", err)
	}
	if first {
		return true, nil
	}
	holder, err := s.rdb.Get(ctx, k).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil // claimed by someone else and expired meanwhile
	case err != nil:
		return false, fmt.Errorf("redisstore: claim: %w", err)
	}
	return holder == token, nil
}

// SaveReply caches reply under key for ttl so that a retried WeChat message
// can be answered with the reply computed for its first delivery. An empty
// reply is cached too (Reply then reports ok with an empty slice). It
// returns an error when ttl is not positive.
func (s *Store) SaveReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error {
	if err := positive("save reply", "ttl", ttl); err != nil {
		return err
	}
	if reply == nil {
		reply = []byte{}
	}
	if err := s.rdb.Set(ctx, s.key(nsReply, key), reply, ms(ttl)).Err(); err != nil {
		return fmt.Errorf("redisstore: save reply: %w", err)
	}
	return nil
}

// Reply returns the reply cached under key. ok is false, with a nil error,
// when there is none or it has expired.
func (s *Store) Reply(ctx context.Context, key string) (reply []byte, ok bool, err error) {
	b, err := s.rdb.Get(ctx, s.key(nsReply, key)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("redisstore: get reply: %w", err)
	case b == nil:
		b = []byte{}
	}
	return b, true, nil
}

// newAllowScript returns the script that counts one call in a fixed
// window: INCR, and PEXPIRE when the counter has no TTL yet (it was just
// created). Being one script, the two cannot be separated by a crash, so no
// counter lives forever. go-redis runs it by EVALSHA and falls back to EVAL
// when the server does not know it, for example after a restart.
func newAllowScript() *redis.Script {
	return redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`)
}

// Allow reports whether user may make one more call under a limit of limit
// calls per window, and counts the call.
//
// The window is fixed and anchored at the first counted call: that call
// starts a window of length window (rounded up to whole milliseconds); the
// first limit calls in it are allowed, later ones are refused (and still
// counted) until the window ends, and the next call starts a new window.
// Counters for different window lengths are independent, so a user may be
// limited per minute and per day at once. The count is shared by every bot
// instance on the same Redis. A call retried by go-redis after a lost
// reply may be counted twice, erring on the strict side.
//
// A limit <= 0 means unlimited: Allow returns true without contacting
// Redis. Otherwise a window that is not positive is an error.
func (s *Store) Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error) {
	if limit <= 0 {
		return true, nil
	}
	if err := positive("allow", "window", window); err != nil {
		return false, err
	}
	w := ms(window).Milliseconds()
	k := s.key(nsRate, strconv.FormatInt(w, 10)+":"+user)
	n, err := s.allow.Run(ctx, s.rdb, []string{k}, w).Int64()
	if err != nil {
		return false, fmt.Errorf("redisstore: allow: %w", err)
	}
	return n <= int64(limit), nil
}

// Ping checks that Redis answers. It is what a health check should call.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// Clear deletes every key under the Store's key prefix (SCAN, then UNLINK
// in batches; in Redis Cluster on every master) and returns how many it
// deleted. It is meant for a prefix that belongs to one run alone, as the
// load test's and the tests' do: on a deployment's prefix it deletes every
// session, claim, cached reply, rate counter and token. Keys written while
// it runs may survive. It is safe for concurrent use.
func (s *Store) Clear(ctx context.Context) (int, error) {
	pattern := globEscape(s.prefix) + "*"
	var deleted atomic.Int64
	clear := func(ctx context.Context, node redis.Cmdable) error {
		// A SCAN step visits about 10,000 keys of the whole keyspace,
		// each a millisecond or two of Redis' time; few match when the
		// database is shared.
		iter := node.Scan(ctx, 0, pattern, 10000).Iterator()
		batch := make([]string, 0, 1000)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			n, err := node.Unlink(ctx, batch...).Result()
			deleted.Add(n)
			batch = batch[:0]
			return err
		}
		for iter.Next(ctx) {
			if batch = append(batch, iter.Val()); len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		return flush()
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return clear(ctx, node) })
	} else {
		err = clear(ctx, s.rdb)
	}
	if err != nil {
		return int(deleted.Load()), fmt.Errorf("redisstore: clear: %w", err)
	}
	return int(deleted.Load()), nil
}

// globEscape returns s with the characters special in a SCAN MATCH
// pattern (* ? [ ] \) escaped, so that the pattern matches s literally.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close closes the connections. Afterwards every method returns an error.
// Calling Close more than once is safe; later calls return nil.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if cerr := s.rdb.Close(); cerr != nil {
			err = fmt.Errorf("redisstore: close: %w", cerr)
		}
	})
	return err
}

// TokenCache returns the WeChat access-token cache kept in this store's
// Redis, on the same client. It shares the store's lifetime.
func (s *Store) TokenCache() *TokenCache {
	return &TokenCache{s: s}
}

// key returns the Redis key of name in namespace ns.
func (s *Store) key(ns, name string) string {
	return s.prefix + ns + name
}

// positive returns an error when the duration called name is not positive.
func positive(op, name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("redisstore: %s: %s must be positive, got %v", op, name, d)
	}
	return nil
}

// ms rounds a positive d up to whole milliseconds, the precision of Redis
// TTLs.
func ms(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
