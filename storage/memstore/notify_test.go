package memstore

import (
	"context"
	"testing"
	"time"

	"fazhibot/notify"
	"fazhibot/storage/storetest"
)

func TestNotifyContract(t *testing.T) {
	storetest.RunNotify(t, func(t *testing.T) notify.Store { return NewNotifyStore(nil) })
}

// TestNotifyWindow checks that an entry is pending until just before
// notify.Window has passed since it was asked and gone from then on.
func TestNotifyWindow(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		elapsed time.Duration
		want    int
	}{
		{"just asked", 0, 1},
		{"a millisecond before the window ends", notify.Window - time.Millisecond, 1},
		{"when the window ends", notify.Window, 0},
		{"a day later", notify.Window + 24*time.Hour, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			s := NewNotifyStore(clock.Now)
			if err := s.Add(ctx, "q", notify.Pending{OpenID: "o1", Question: "问题", At: clock.Now()}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(c.elapsed)
			got, err := s.Pending(ctx, "q")
			if err != nil || len(got) != c.want {
				t.Fatalf("Pending = %+v, %v; want %d entries", got, err, c.want)
			}
			if s.Len() != c.want {
				t.Fatalf("Len = %d, want %d (expired entries are dropped, not only hidden)", s.Len(), c.want)
			}
		})
	}
}
