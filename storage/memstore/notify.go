package memstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"fazhibot/notify"
)

// NotifyStore is the in-process notify.Store of the embedded default
// configuration: the citizens waiting for answers, by question, in this
// process's memory only (lost on restart). An entry is dropped once
// notify.Window has passed since it was asked, by the store's clock. The
// zero value is not usable; call NewNotifyStore. Safe for concurrent use.
type NotifyStore struct {
	now func() time.Time

	mu      sync.Mutex
	byKey   map[notify.QuestionKey]map[notify.OpenID]notify.Pending
	entries int
}

// NewNotifyStore returns an empty NotifyStore reading the time from clock,
// or time.Now when clock is nil.
func NewNotifyStore(clock func() time.Time) *NotifyStore {
	if clock == nil {
		clock = time.Now
	}
	return &NotifyStore{now: clock, byKey: map[notify.QuestionKey]map[notify.OpenID]notify.Pending{}}
}

// Add records p under key, replacing p.OpenID's earlier entry of key. An
// entry already past notify.Window is not kept. Errors only when ctx is done.
func (s *NotifyStore) Add(ctx context.Context, key notify.QuestionKey, p notify.Pending) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: notify add: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	if !s.live(p) {
		return nil
	}
	m := s.byKey[key]
	if m == nil {
		m = map[notify.OpenID]notify.Pending{}
		s.byKey[key] = m
	}
	if _, ok := m[p.OpenID]; !ok {
		s.entries++
	}
	m[p.OpenID] = p
	return nil
}

// Questions returns the keys with entries.
func (s *NotifyStore) Questions(ctx context.Context) ([]notify.QuestionKey, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: notify questions: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	out := make([]notify.QuestionKey, 0, len(s.byKey))
	for k := range s.byKey {
		out = append(out, k)
	}
	return out, nil
}

// Pending returns key's entries within notify.Window, oldest first.
func (s *NotifyStore) Pending(ctx context.Context, key notify.QuestionKey) ([]notify.Pending, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: notify pending: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	var out []notify.Pending
	for _, p := range s.byKey[key] {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b notify.Pending) int { return a.At.Compare(b.At) })
	return out, nil
}

// Take removes id's entry of key and reports whether there was one.
func (s *NotifyStore) Take(ctx context.Context, key notify.QuestionKey, id notify.OpenID) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("memstore: notify take: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.byKey[key]
	if _, ok := m[id]; !ok {
		return false, nil
	}
	s.remove(key, id)
	return true, nil
}

// Forget removes every entry of id and returns how many there were
// (expired ones included).
func (s *NotifyStore) Forget(ctx context.Context, id notify.OpenID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: notify forget: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, m := range s.byKey {
		if _, ok := m[id]; ok {
			s.remove(k, id)
			n++
		}
	}
	return n, nil
}

// Len returns how many entries the store holds, expired ones not yet
// swept included.
func (s *NotifyStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries
}

func (s *NotifyStore) live(p notify.Pending) bool { return s.now().Before(p.At.Add(notify.Window)) }

func (s *NotifyStore) remove(key notify.QuestionKey, id notify.OpenID) {
	m := s.byKey[key]
	delete(m, id)
	s.entries--
	if len(m) == 0 {
		delete(s.byKey, key)
	}
}

// sweep drops the entries past notify.Window. Entries are few (one per
// citizen and question for 48 hours), so a full pass is cheap.
func (s *NotifyStore) sweep() {
	for k, m := range s.byKey {
		for id, p := range m {
			if !s.live(p) {
				s.remove(k, id)
			}
		}
	}
}
