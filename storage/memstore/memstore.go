package memstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ErrClosed is returned, wrapped, by every method of a Store (and of its
// TokenCache) after Close.
var ErrClosed = errors.New("memstore: store is closed")

// Key namespaces inside the single entry map. They mirror the Redis key
// layout of package redisstore, without its prefix.
const (
	nsSession = "session:"
	nsClaim   = "claim:"
	nsReply   = "reply:"
	nsRate    = "rate:"
	nsToken   = "token:"
)

// minSweepWrites is the least number of writes between two sweeps of
// expired entries. A sweep also waits for at least half as many writes as
// there are entries, which keeps its cost amortised O(1) per write.
const minSweepWrites = 64

// Store is the in-process store. The zero value is not usable; call New.
// All methods are safe for concurrent use.
type Store struct {
	now func() time.Time

	mu     sync.Mutex
	items  map[string]item
	writes int // writes since the last sweep
	closed bool
}

// item is one entry. Sessions, replies and tokens use val; rate-limit
// counters use n; claims use neither.
type item struct {
	val []byte
	n   int64
	exp time.Time
}

// New returns an empty Store that reads the time from clock, or from
// time.Now when clock is nil. Tests inject a fake clock to drive expiry.
func New(clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{now: clock, items: make(map[string]item)}
}

// Session returns the session data saved for user, or nil and a nil error
// when there is none or it has expired. The returned slice is the caller's
// to keep; an empty saved session is returned as a non-nil empty slice.
func (s *Store) Session(ctx context.Context, user string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: get session: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("memstore: get session: %w", ErrClosed)
	}
	it, ok := s.get(nsSession + user)
	if !ok {
		return nil, nil
	}
	return clone(it.val), nil
}

// SaveSession stores data as user's session for ttl, replacing any previous
// session and its expiry. The store keeps its own copy of data. It returns
// an error when ttl is not positive.
func (s *Store) SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error {
	if err := s.writable(ctx, "save session", "ttl", ttl); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.set(nsSession+user, item{val: clone(data), exp: s.now().Add(ttl)})
	return nil
}

// DeleteSession removes user's session. Deleting a missing session is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, user string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete session: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("memstore: delete session: %w", ErrClosed)
	}
	delete(s.items, nsSession+user)
	return nil
}

// Claim marks key as being handled for ttl. It reports true only to the
// first caller for key until the claim expires; every later caller within
// ttl gets false. The bot claims a WeChat message ID so that WeChat's
// retries of the same message are not answered twice. It returns an error
// when ttl is not positive.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := s.writable(ctx, "claim", "ttl", ttl); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	if _, ok := s.get(nsClaim + key); ok {
		return false, nil
	}
	s.set(nsClaim+key, item{exp: s.now().Add(ttl)})
	return true, nil
}

// SaveReply caches reply under key for ttl so that a retried WeChat message
// can be answered with the reply computed for its first delivery. An empty
// reply is cached too (Reply then reports ok with an empty slice). It
// returns an error when ttl is not positive.
func (s *Store) SaveReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error {
	if err := s.writable(ctx, "save reply", "ttl", ttl); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.set(nsReply+key, item{val: clone(reply), exp: s.now().Add(ttl)})
	return nil
}

// Reply returns the reply cached under key. ok is false, with a nil error,
// when there is none or it has expired.
func (s *Store) Reply(ctx context.Context, key string) (reply []byte, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("memstore: get reply: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false, fmt.Errorf("memstore: get reply: %w", ErrClosed)
	}
	it, found := s.get(nsReply + key)
	if !found {
		return nil, false, nil
	}
	return clone(it.val), true, nil
}

// Allow reports whether user may make one more call under a limit of limit
// calls per window, and counts the call.
//
// The window is fixed and anchored at the first counted call: that call
// starts a window of length window; the first limit calls in it are
// allowed, later ones are refused (and still counted) until the window
// ends, and the next call starts a new window. Counters for different
// window lengths are independent, so a user may be limited per minute and
// per day at once.
//
// A limit <= 0 means unlimited: Allow returns true without counting or
// checking anything else. Otherwise a window that is not positive is an
// error.
func (s *Store) Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error) {
	if limit <= 0 {
		return true, nil
	}
	if err := s.writable(ctx, "allow", "window", window); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	return s.countLocked(user, limit, window), nil
}

// countLocked counts one message of user in the current window and reports
// whether it stays within limit. s.mu is held.
func (s *Store) countLocked(user string, limit int, window time.Duration) bool {
	key := nsRate + strconv.FormatInt(int64(window), 10) + ":" + user
	it, ok := s.get(key)
	if !ok {
		it = item{exp: s.now().Add(window)}
	}
	it.n++
	s.set(key, it)
	return it.n <= int64(limit)
}

// Ping reports whether the store is usable: it returns nil until Close.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: ping: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("memstore: ping: %w", ErrClosed)
	}
	return nil
}

// Close drops every entry. Afterwards every method returns an error
// wrapping ErrClosed. Calling Close more than once is safe; it always
// returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.items = nil
	return nil
}

// TokenCache returns the WeChat access-token cache kept in this store. It
// shares the store's lifetime: after Close it reports misses and refuses
// writes.
func (s *Store) TokenCache() *TokenCache {
	return &TokenCache{s: s}
}

// Len returns the number of entries held, expired ones not yet swept
// included. It is meant for metrics and tests.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// writable checks the arguments and the state shared by every write. On
// success it returns with s.mu held; the caller must unlock it.
func (s *Store) writable(ctx context.Context, op, name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("memstore: %s: %s must be positive, got %v", op, name, d)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("memstore: %s: %w", op, ErrClosed)
	}
	return nil
}

// get returns the live entry under key, deleting it if it has expired.
// s.mu must be held.
func (s *Store) get(key string) (item, bool) {
	it, ok := s.items[key]
	if !ok {
		return item{}, false
	}
	if !s.now().Before(it.exp) {
		delete(s.items, key)
		return item{}, false
	}
	return it, true
}

// set stores it under key and sweeps expired entries once enough writes
// have accumulated. s.mu must be held.
func (s *Store) set(key string, it item) {
	s.items[key] = it
	s.writes++
	if s.writes >= max(minSweepWrites, len(s.items)/2) {
		s.sweep()
	}
}

// sweep deletes every expired entry. s.mu must be held.
func (s *Store) sweep() {
	now := s.now()
	for k, it := range s.items {
		if !now.Before(it.exp) {
			delete(s.items, k)
		}
	}
	s.writes = 0
}

// clone copies b, returning a non-nil slice even for empty input so that an
// empty saved value stays distinguishable from a missing one.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}

// BeginMessage does under one lock what a message needs before it is
// answered, as redisstore.Store.BeginMessage does in one round trip: when
// claimKey is not empty, it claims claimKey for claimTTL as Claim does and
// reports in claimed whether this call got it (true with an empty
// claimKey); it reads user's session as Session does; when limit > 0, it
// counts one call of user against limit calls per window as Allow does and
// reports in allowed whether it fits (true with limit <= 0). All three
// happen whatever the claim's outcome.
//
// It returns an error when claimTTL (with a claimKey) or window (with a
// limit) is not positive, when ctx is done, or after Close; the other
// results are then zero.
func (s *Store) BeginMessage(ctx context.Context, user, claimKey string, claimTTL time.Duration, limit int, window time.Duration) (claimed bool, session []byte, allowed bool, err error) {
	if claimKey != "" && claimTTL <= 0 {
		return false, nil, false, fmt.Errorf("memstore: begin message: claim ttl must be positive, got %v", claimTTL)
	}
	if limit > 0 && window <= 0 {
		return false, nil, false, fmt.Errorf("memstore: begin message: window must be positive, got %v", window)
	}
	if err := ctx.Err(); err != nil {
		return false, nil, false, fmt.Errorf("memstore: begin message: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, nil, false, fmt.Errorf("memstore: begin message: %w", ErrClosed)
	}
	claimed = true
	if claimKey != "" {
		if _, taken := s.get(nsClaim + claimKey); taken {
			claimed = false
		} else {
			s.set(nsClaim+claimKey, item{exp: s.now().Add(claimTTL)})
		}
	}
	if it, ok := s.get(nsSession + user); ok {
		session = clone(it.val)
	}
	allowed = limit <= 0 || s.countLocked(user, limit, window)
	return claimed, session, allowed, nil
}

// FinishMessage does under one lock what a message needs after it was
// answered, as redisstore.Store.FinishMessage does in one round trip: when
// session is not nil, it saves it as user's session for sessionTTL as
// SaveSession does; when replyKey is not empty, it caches reply under
// replyKey for replyTTL as SaveReply does. The store keeps its own copies.
//
// It returns an error, and writes nothing, when a TTL it needs is not
// positive, when ctx is done, or after Close.
func (s *Store) FinishMessage(ctx context.Context, user string, session []byte, sessionTTL time.Duration, replyKey string, reply []byte, replyTTL time.Duration) error {
	if session != nil && sessionTTL <= 0 {
		return fmt.Errorf("memstore: finish message: session ttl must be positive, got %v", sessionTTL)
	}
	if replyKey != "" && replyTTL <= 0 {
		return fmt.Errorf("memstore: finish message: reply ttl must be positive, got %v", replyTTL)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: finish message: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("memstore: finish message: %w", ErrClosed)
	}
	if session != nil {
		s.set(nsSession+user, item{val: clone(session), exp: s.now().Add(sessionTTL)})
	}
	if replyKey != "" {
		s.set(nsReply+replyKey, item{val: clone(reply), exp: s.now().Add(replyTTL)})
	}
	return nil
}
