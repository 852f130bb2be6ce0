package bot

import (
	"context"
	"errors"
	"sync"
	"time"
)

var errDown = errors.New("redis: connection refused")

// fakeStore is an in-memory SessionStore and RateLimiter that can be made
// to fail, like Redis going down.
type fakeStore struct {
	mu       sync.Mutex
	sessions map[string][]byte
	ttls     map[string]time.Duration
	counts   map[string]int
	down     bool
	calls    int
}

func newFakeStore() *fakeStore {
	return &fakeStore{sessions: map[string][]byte{}, ttls: map[string]time.Duration{}, counts: map[string]int{}}
}

func (f *fakeStore) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *fakeStore) Session(ctx context.Context, user string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return nil, errDown
	}
	return f.sessions[user], nil
}

func (f *fakeStore) SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return errDown
	}
	f.sessions[user] = data
	f.ttls[user] = ttl
	return nil
}

func (f *fakeStore) DeleteSession(ctx context.Context, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return errDown
	}
	delete(f.sessions, user)
	return nil
}

// Allow counts messages per user without expiry: tests send far fewer
// than a minute's worth of real traffic.
func (f *fakeStore) Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return false, errDown
	}
	f.counts[user]++
	return f.counts[user] <= limit, nil
}

// hangingStore blocks every call until its context is done, like a Redis
// that accepts connections but never answers.
type hangingStore struct{}

func (hangingStore) Session(ctx context.Context, user string) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (hangingStore) SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}
func (hangingStore) DeleteSession(ctx context.Context, user string) error {
	<-ctx.Done()
	return ctx.Err()
}
func (hangingStore) Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// recorder is a QueryLogger that keeps the entries.
type recorder struct {
	mu      sync.Mutex
	entries []LogEntry
}

func (r *recorder) Log(ctx context.Context, e LogEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
}

func (r *recorder) all() []LogEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]LogEntry(nil), r.entries...)
}
