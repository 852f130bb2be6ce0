package sqldb

import (
	"context"
	"fmt"
	"time"
)

// purgeChunk is how many records PurgeLogs deletes per transaction, so
// that log batches and staff edits never wait long for it.
const purgeChunk = 5000

// PurgeLogs deletes the records received before the given time and returns
// how many it deleted. With them go the verdicts given before that time
// and, for the days that ended before it (in LogZone), the per-question
// rollups and the question texts last asked then, since question texts may
// hold personal data. The anonymous counts (per day, latency, hits per
// report and passage) are kept, so that the dashboard still shows purged
// days.
//
// It deletes in transactions of a few thousand records: when it fails
// (or ctx ends) part of the records may be gone, and calling it again
// finishes the job. Then it maintains the tables (VACUUM ANALYZE on
// PostgreSQL, PRAGMA optimize on SQLite), so it is meant to run daily (see
// logwriter.RunRetention) even when little is purged. It is safe for
// concurrent use; two purges at once delete each record once.
func (db *DB) PurgeLogs(ctx context.Context, before time.Time) (int64, error) {
	cutoff := formatTime(before)
	var total int64
	for {
		var n int64
		err := db.logTx(ctx, func(tx *wtx) error {
			res, err := tx.exec(ctx, `DELETE FROM query_logs WHERE id IN (
				SELECT id FROM query_logs WHERE at < ? ORDER BY at LIMIT ?)`, cutoff, purgeChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("sqldb: purge logs: %w", err)
		}
		total += n
		if n < purgeChunk {
			break
		}
	}
	// The days that ended by the cutoff are those before its day.
	day := dayOf(before)
	err := db.logTx(ctx, func(tx *wtx) error {
		if _, err := tx.exec(ctx, `DELETE FROM query_feedback WHERE at < ?`, cutoff); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM query_text_daily WHERE day < ?`, day); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM query_texts WHERE last_day < ?`, day)
		return err
	})
	if err != nil {
		return total, fmt.Errorf("sqldb: purge logs: %w", err)
	}
	if err := db.maintainLogs(ctx); err != nil {
		return total, fmt.Errorf("sqldb: purge logs: maintenance: %w", err)
	}
	return total, nil
}

// maintainLogs keeps the query log's tables fast to read after a purge.
// PostgreSQL: VACUUM reclaims the purged rows and marks the pages written
// since the last vacuum all-visible, so that the text search and the
// dashboard scan indexes only (autovacuum alone may leave weeks of a large
// insert-only table unmarked); ANALYZE refreshes the planner's statistics.
// SQLite: PRAGMA optimize refreshes the statistics when useful.
func (db *DB) maintainLogs(ctx context.Context) error {
	stmt := `PRAGMA optimize`
	if db.dialect == PostgreSQL {
		stmt = `VACUUM (ANALYZE) query_logs, query_texts, query_text_daily, query_hits_daily`
	}
	_, err := db.write.ExecContext(ctx, stmt)
	return err
}
