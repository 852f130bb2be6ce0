package logwriter_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/storage/logwriter"
)

func TestRetentionCutoff(t *testing.T) {
	cst := console.LogZone()
	tests := []struct {
		now  time.Time
		days int
		want time.Time
	}{
		{time.Date(2026, 7, 1, 15, 0, 0, 0, cst), 180, time.Date(2026, 1, 2, 0, 0, 0, 0, cst)},
		{time.Date(2026, 7, 1, 0, 30, 0, 0, cst), 1, time.Date(2026, 6, 30, 0, 0, 0, 0, cst)},
		// 16:30 UTC on June 30 is already July 1 in China.
		{time.Date(2026, 6, 30, 16, 30, 0, 0, time.UTC), 1, time.Date(2026, 6, 30, 0, 0, 0, 0, cst)},
		{time.Date(2026, 3, 1, 8, 0, 0, 0, cst), 0, time.Date(2026, 3, 1, 0, 0, 0, 0, cst)},
	}
	for _, tt := range tests {
		if got := logwriter.RetentionCutoff(tt.now, tt.days); !got.Equal(tt.want) {
			t.Errorf("RetentionCutoff(%v, %d) = %v, want %v", tt.now, tt.days, got, tt.want)
		}
	}
}

// fakePurger records the cutoffs it is called with.
type fakePurger struct {
	mu    sync.Mutex
	calls []time.Time
	err   error
}

func (p *fakePurger) PurgeLogs(ctx context.Context, before time.Time) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, before)
	return int64(len(p.calls)), p.err
}

func TestRunRetentionSchedule(t *testing.T) {
	now := time.Date(2026, 7, 1, 15, 0, 0, 0, console.LogZone())
	tests := []struct {
		name      string
		days      int
		err       error
		wantCalls bool
	}{
		{"purges repeatedly", 180, nil, true},
		{"keeps going after failures", 30, errors.New("database down"), true},
		{"keeps forever", 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePurger{err: tt.err}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			reports := make(chan error, 10)
			done := make(chan struct{})
			go func() {
				defer close(done)
				logwriter.RunRetention(ctx, p, logwriter.RetentionOptions{
					Days: tt.days, Interval: time.Millisecond, Now: func() time.Time { return now },
					OnPurge: func(before time.Time, n int64, err error) {
						if want := logwriter.RetentionCutoff(now, tt.days); !before.Equal(want) || n < 1 || err != tt.err {
							t.Errorf("OnPurge(%v, %d, %v), want cutoff %v and error %v", before, n, err, want, tt.err)
						}
						select {
						case reports <- err:
						default:
						}
					},
				})
			}()
			if !tt.wantCalls {
				<-done // returns at once
				if len(p.calls) != 0 {
					t.Errorf("%d purges, want none", len(p.calls))
				}
				return
			}
			for range 3 {
				<-reports
			}
			cancel()
			<-done
			p.mu.Lock()
			defer p.mu.Unlock()
			want := logwriter.RetentionCutoff(now, tt.days)
			if len(p.calls) < 3 || slices.ContainsFunc(p.calls, func(c time.Time) bool { return !c.Equal(want) }) {
				t.Errorf("purged before %v, want at least 3 times before %v", p.calls, want)
			}
		})
	}
}

// TestRunRetentionPurges runs the retention against real databases.
func TestRunRetentionPurges(t *testing.T) {
	now := time.Date(2026, 7, 1, 15, 0, 0, 0, console.LogZone())
	for _, tg := range targets() {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			db := tg.open(t)
			var records []console.LogRecord
			ages := []time.Duration{400 * 24 * time.Hour, 31 * 24 * time.Hour, 30*24*time.Hour + 16*time.Hour,
				30*24*time.Hour + 14*time.Hour, 24 * time.Hour, 0}
			for i, age := range ages {
				records = append(records, console.LogRecord{Time: now.Add(-age), Exchange: fmt.Sprintf("age-%d", i), Text: "问题", Question: true})
			}
			if err := db.InsertLogs(t.Context(), records); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			purged := make(chan int64, 1)
			done := make(chan struct{})
			go func() {
				defer close(done)
				logwriter.RunRetention(ctx, db, logwriter.RetentionOptions{
					Days: 30, Interval: time.Hour, Now: func() time.Time { return now },
					OnPurge: func(_ time.Time, n int64, err error) {
						if err != nil {
							t.Errorf("purge: %v", err)
						}
						purged <- n
					},
				})
			}()
			// The cutoff is 2026-06-01 00:00 in China: 30 days and 15 hours
			// before now. Older records go.
			if n := <-purged; n != 3 {
				t.Errorf("first purge deleted %d records, want 3", n)
			}
			cancel()
			<-done
			var kept []string
			if err := db.EachLog(t.Context(), console.LogFilter{}, func(r console.LogRecord) error {
				kept = append(kept, r.Exchange)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if want := []string{"age-5", "age-4", "age-3"}; !slices.Equal(kept, want) {
				t.Errorf("kept %v, want %v", kept, want)
			}
		})
	}
}
