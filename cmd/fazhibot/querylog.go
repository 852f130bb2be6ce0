package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fazhibot/bot"
	"fazhibot/storage/logwriter"
)

// queryLog is the server's query log: a buffered writer to the database
// (when logs.enabled) and the daily retention purge. Log never blocks.
type queryLog struct {
	w            *logwriter.Writer // nil when the query log is off
	onError      func()            // counts a failed write in the metrics
	lastDropWarn atomic.Int64      // unix nanos of the last "dropped" warning
}

// dropWarnEvery spaces the warnings about dropped records.
const dropWarnEvery = 10 * time.Second

// startQueryLog starts the writer and, in owner, the retention purge,
// which stops when ctx is done; close drains the writer's buffer.
func startQueryLog(ctx context.Context, owner *sync.WaitGroup, a *app, logger *slog.Logger) (*queryLog, error) {
	q := &queryLog{onError: func() {}}
	c := a.cfg.Logs
	if !c.Enabled {
		return q, nil
	}
	w, err := logwriter.New(a.db, logwriter.Options{
		UserSecret:    []byte(c.UserSecret),
		StoreOpenID:   c.StoreOpenID,
		BufferSize:    c.BufferSize,
		BatchSize:     c.BatchSize,
		FlushInterval: c.FlushInterval,
		OnDrop: func(n int) {
			// Once per dropWarnEvery at most: during an outage every
			// message drops one, and the metric counts them all.
			if now := time.Now().UnixNano(); now-q.lastDropWarn.Load() > int64(dropWarnEvery) {
				q.lastDropWarn.Store(now)
				logger.Warn("query log buffer full, oldest records dropped", "dropped", n)
			}
		},
		OnError: func(err error) {
			q.onError()
			logger.Warn("writing the query log failed; will retry", "err", err)
		},
	})
	if err != nil {
		return nil, err
	}
	q.w = w
	owner.Go(func() {
		logwriter.RunRetention(ctx, a.db, logwriter.RetentionOptions{
			Days: c.RetentionDays,
			OnPurge: func(before time.Time, deleted int64, err error) {
				if err != nil {
					logger.Warn("purging old query logs failed", "before", before, "err", err)
					return
				}
				logger.Info("purged old query logs", "before", before, "deleted", deleted)
			},
		})
	})
	return q, nil
}

// Log queues e for the database. It implements bot.QueryLogger.
func (q *queryLog) Log(ctx context.Context, e bot.LogEntry) {
	if q.w != nil {
		q.w.Log(ctx, e)
	}
}

func (q *queryLog) close(ctx context.Context) error {
	if q.w == nil {
		return nil
	}
	return q.w.Close(ctx)
}

func (q *queryLog) stat(pick func(buffered, dropped, written uint64) uint64) float64 {
	if q.w == nil {
		return 0
	}
	return float64(pick(q.w.Stats()))
}

func (q *queryLog) buffered() float64 {
	return q.stat(func(b, _, _ uint64) uint64 { return b })
}
func (q *queryLog) dropped() float64 {
	return q.stat(func(_, d, _ uint64) uint64 { return d })
}
func (q *queryLog) written() float64 {
	return q.stat(func(_, _, w uint64) uint64 { return w })
}
