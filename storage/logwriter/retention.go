package logwriter

import (
	"context"
	"time"

	"fazhibot/console"
)

// Purger deletes old query-log records; *sqldb.DB implements it.
type Purger interface {
	PurgeLogs(ctx context.Context, before time.Time) (int64, error)
}

// DefaultRetentionInterval is how often RunRetention purges by default.
const DefaultRetentionInterval = 24 * time.Hour

// RetentionOptions configure RunRetention.
type RetentionOptions struct {
	// Days is how many whole days before today are kept (see
	// RetentionCutoff); 0 or less keeps everything.
	Days int
	// Interval is the time between purges; 0 means a day.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnPurge is called after each purge with the cutoff, the number of
	// records deleted and the error; nil means nothing is reported.
	OnPurge func(before time.Time, deleted int64, err error)
}

// RetentionCutoff returns the time before which records are purged when
// keeping days whole days: midnight (in console.LogZone) days days before
// the day of now. With days 180, on 2026-07-01 records from 2026-01-02 on
// are kept.
func RetentionCutoff(now time.Time, days int) time.Time {
	return console.StartOfDay(now).AddDate(0, 0, -days)
}

// RunRetention purges the records older than opts.Days days at once and
// then every opts.Interval, until ctx ends; a failed purge is reported and
// retried at the next interval. It returns at once when opts.Days is not
// positive. Several instances may run it against one database.
func RunRetention(ctx context.Context, p Purger, opts RetentionOptions) {
	if opts.Days <= 0 {
		return
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultRetentionInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ticker := time.NewTicker(opts.Interval)
	defer ticker.Stop()
	for {
		before := RetentionCutoff(opts.Now(), opts.Days)
		n, err := p.PurgeLogs(ctx, before)
		if ctx.Err() != nil {
			return
		}
		if opts.OnPurge != nil {
			opts.OnPurge(before, n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
