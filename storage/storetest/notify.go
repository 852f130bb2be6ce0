package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"fazhibot/notify"
)

// RunNotify runs the notify.Store contract cases as subtests of t, each on
// a fresh, empty store from newStore. Entries are stored as asked a minute
// ago, well within notify.Window on any clock close to the real one.
func RunNotify(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	p := func(id, q string, age time.Duration) notify.Pending {
		return notify.Pending{OpenID: notify.OpenID(id), Question: q, At: at.Add(-age)}
	}
	cases := []struct {
		name string
		run  func(t *testing.T, s notify.Store)
	}{
		{"added entries are pending, one per citizen, oldest first", func(t *testing.T, s notify.Store) {
			mustAdd(t, s, "q1", p("o1", "社保怎么交", 0))
			mustAdd(t, s, "q1", p("o2", "社保怎么交？", 2*time.Minute))
			mustAdd(t, s, "q1", p("o1", "社保 怎么交", -time.Second)) // o1 again, later
			mustAdd(t, s, "q2", p("o3", "别的问题", 0))
			got, err := s.Pending(ctx, "q1")
			if err != nil {
				t.Fatal(err)
			}
			want := []notify.Pending{p("o2", "社保怎么交？", 2*time.Minute), p("o1", "社保 怎么交", -time.Second)}
			if !samePending(got, want) {
				t.Fatalf("Pending(q1) = %+v, want %+v", got, want)
			}
			keys, err := s.Questions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []notify.QuestionKey{"q1", "q2"}) {
				t.Fatalf("Questions = %v, want [q1 q2]", keys)
			}
		}},
		{"take succeeds once", func(t *testing.T, s notify.Store) {
			mustAdd(t, s, "q1", p("o1", "问题", 0))
			mustAdd(t, s, "q1", p("o2", "问题", 0))
			for i, want := range []bool{true, false} {
				ok, err := s.Take(ctx, "q1", "o1")
				if err != nil || ok != want {
					t.Fatalf("Take #%d = %v, %v; want %v", i+1, ok, err, want)
				}
			}
			got, _ := s.Pending(ctx, "q1")
			if len(got) != 1 || got[0].OpenID != "o2" {
				t.Fatalf("Pending after take = %+v, want only o2", got)
			}
			if ok, err := s.Take(ctx, "nobody-asked", "o1"); ok || err != nil {
				t.Fatalf("Take of an unknown key = %v, %v; want false, nil", ok, err)
			}
		}},
		{"forget removes every question of one citizen only", func(t *testing.T, s notify.Store) {
			mustAdd(t, s, "q1", p("o1", "一", 0))
			mustAdd(t, s, "q2", p("o1", "二", 0))
			mustAdd(t, s, "q2", p("o2", "二", 0))
			n, err := s.Forget(ctx, "o1")
			if err != nil || n != 2 {
				t.Fatalf("Forget = %d, %v; want 2, nil", n, err)
			}
			if got, _ := s.Pending(ctx, "q1"); len(got) != 0 {
				t.Fatalf("Pending(q1) after forget = %+v, want none", got)
			}
			if got, _ := s.Pending(ctx, "q2"); len(got) != 1 || got[0].OpenID != "o2" {
				t.Fatalf("Pending(q2) after forget = %+v, want only o2", got)
			}
			if n, err := s.Forget(ctx, "o1"); n != 0 || err != nil {
				t.Fatalf("second Forget = %d, %v; want 0, nil", n, err)
			}
		}},
		{"an entry asked before the window is not kept", func(t *testing.T, s notify.Store) {
			mustAdd(t, s, "q1", p("old", "问题", notify.Window+notify.Grace+2*time.Hour))
			if got, _ := s.Pending(ctx, "q1"); len(got) != 0 {
				t.Fatalf("Pending = %+v, want none", got)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

func mustAdd(t *testing.T, s notify.Store, key notify.QuestionKey, p notify.Pending) {
	t.Helper()
	if err := s.Add(context.Background(), key, p); err != nil {
		t.Fatalf("Add(%s, %+v): %v", key, p, err)
	}
}

func samePending(a, b []notify.Pending) bool {
	return slices.EqualFunc(a, b, func(x, y notify.Pending) bool {
		return x.OpenID == y.OpenID && x.Question == y.Question && x.At.Equal(y.At)
	})
}
