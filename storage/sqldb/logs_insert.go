package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"fazhibot/console"
)

// verdict is the latest feedback on one exchange.
type verdict struct {
	feedback console.Feedback
	at       time.Time
}

// InsertLogs stores records in one transaction, with their rollups and
// their feedback, and assigns their IDs. A record whose exchange is stored
// already (a retried batch) or appears earlier in records is skipped, so
// inserting a batch again is harmless. A feedback record (Gives set, with
// RefersTo) is stored as a message of its own, and its verdict becomes the
// Feedback of the rated record: at once when that record is stored, or
// when it is inserted later; of several verdicts on one exchange the one
// with the latest Time wins. It returns ErrInvalid, storing nothing, for a
// record without Exchange or Time or with an unknown verdict. It is safe
// for concurrent use, also from several processes.
func (db *DB) InsertLogs(ctx context.Context, records []console.LogRecord) error {
	if len(records) == 0 {
		return nil
	}
	batch := make([]console.LogRecord, 0, len(records))
	seen := make(map[string]bool, len(records))
	for _, r := range records {
		r, err := prepareLog(r)
		if err != nil {
			return fmt.Errorf("sqldb: insert logs: %w", err)
		}
		if !seen[r.Exchange] {
			seen[r.Exchange] = true
			batch = append(batch, r)
		}
	}
	err := db.logTx(ctx, func(tx *wtx) error { return tx.insertLogs(ctx, batch) })
	if err != nil {
		return fmt.Errorf("sqldb: insert logs: %w", err)
	}
	return nil
}

// logTx runs fn in a writing transaction for the query log. On PostgreSQL
// it takes the query log's advisory lock instead of the knowledge base's.
func (db *DB) logTx(ctx context.Context, fn func(tx *wtx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.dialect == PostgreSQL {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema()), 3)`); err != nil {
			return fmt.Errorf("log lock: %w", err)
		}
	}
	if err := fn(&wtx{q: q{db.dialect, tx}, now: now()}); err != nil {
		return err
	}
	return tx.Commit()
}

// counterLog numbers query-log records.
const counterLog = "query_log"

// maxParams caps the placeholders of one statement, below SQLite's limit
// of 32766 and PostgreSQL's of 65535.
const maxParams = 30000

// chunks calls fn with consecutive ranges [lo, hi) of n rows of cols
// columns each, small enough for one statement.
func chunks(n, cols int, fn func(lo, hi int) error) error {
	per := max(1, min(500, maxParams/cols))
	for lo := 0; lo < n; lo += per {
		if err := fn(lo, min(n, lo+per)); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "(?, …), (?, …)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	one := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

func (tx *wtx) insertLogs(ctx context.Context, batch []console.LogRecord) error {
	// Verdicts given in this batch, the latest per rated exchange, go to
	// query_feedback first, so that a rated record in the same batch
	// picks its verdict up when inserted.
	given := map[string]verdict{}
	for _, r := range batch {
		if r.Gives != console.FeedbackNone && r.RefersTo != "" {
			if v, ok := given[r.RefersTo]; !ok || !r.Time.Before(v.at) {
				given[r.RefersTo] = verdict{r.Gives, r.Time}
			}
		}
	}
	rated := slices.Sorted(maps.Keys(given))
	err := chunks(len(rated), 3, func(lo, hi int) error {
		args := make([]any, 0, 3*(hi-lo))
		for _, ex := range rated[lo:hi] {
			args = append(args, ex, string(given[ex].feedback), formatTime(given[ex].at))
		}
		_, err := tx.exec(ctx, `INSERT INTO query_feedback (exchange, feedback, at) VALUES `+placeholders(hi-lo, 3)+`
			ON CONFLICT (exchange) DO UPDATE SET feedback = excluded.feedback, at = excluded.at
			WHERE excluded.at >= query_feedback.at`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store feedback: %w", err)
	}

	// Verdicts waiting for the records of this batch.
	pending, err := tx.verdicts(ctx, batch)
	if err != nil {
		return err
	}
	var last int64
	if err := tx.row(ctx, `INSERT INTO id_counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = id_counters.value + excluded.value
		RETURNING value`, counterLog, len(batch)).Scan(&last); err != nil {
		return fmt.Errorf("next %s: %w", counterLog, err)
	}
	first := last - int64(len(batch)) + 1
	for i := range batch {
		r := &batch[i]
		r.ID = console.LogID(first + int64(i))
		if v, ok := pending[r.Exchange]; ok {
			r.Feedback, r.FeedbackAt = v.feedback, v.at
		}
	}

	// The records, skipping stored exchanges; RETURNING tells which were
	// inserted (in no particular order).
	insertedIDs := make(map[console.LogID]bool, len(batch))
	err = chunks(len(batch), insertColumnCount, func(lo, hi int) error {
		args := make([]any, 0, insertColumnCount*(hi-lo))
		for i := lo; i < hi; i++ {
			args = append(args, logValues(&batch[i])...)
		}
		rows, err := tx.query(ctx, `INSERT INTO query_logs (`+insertColumns+`) VALUES `+placeholders(hi-lo, insertColumnCount)+`
			ON CONFLICT (exchange) DO NOTHING RETURNING id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id console.LogID
			if err := rows.Scan(&id); err != nil {
				return err
			}
			insertedIDs[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	inserted := make([]*console.LogRecord, 0, len(insertedIDs))
	for i := range batch {
		if insertedIDs[batch[i].ID] {
			inserted = append(inserted, &batch[i])
		}
	}
	if err := tx.addRollups(ctx, inserted); err != nil {
		return err
	}
	return tx.applyVerdicts(ctx, rated)
}

// verdicts returns the stored verdicts on the exchanges of batch.
func (tx *wtx) verdicts(ctx context.Context, batch []console.LogRecord) (map[string]verdict, error) {
	found := map[string]verdict{}
	err := chunks(len(batch), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, r := range batch[lo:hi] {
			args = append(args, r.Exchange)
		}
		rows, err := tx.query(ctx, `SELECT exchange, feedback, at FROM query_feedback
			WHERE exchange IN (`+strings.TrimSuffix(strings.Repeat("?, ", hi-lo), ", ")+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ex, f, at string
			if err := rows.Scan(&ex, &f, &at); err != nil {
				return err
			}
			t, err := parseTime(at)
			if err != nil {
				return err
			}
			found[ex] = verdict{console.Feedback(f), t}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	return found, nil
}

// applyVerdicts stores the verdicts of query_feedback on the stored records
// of the rated exchanges whose verdict differs, moving their day's counts.
func (tx *wtx) applyVerdicts(ctx context.Context, rated []string) error {
	type change struct {
		id       console.LogID
		day      string
		old, new console.Feedback
		at       string
	}
	var changes []change
	err := chunks(len(rated), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, ex := range rated[lo:hi] {
			args = append(args, ex)
		}
		rows, err := tx.query(ctx, `SELECT l.id, l.at, l.feedback, f.feedback, f.at
			FROM query_logs l JOIN query_feedback f ON f.exchange = l.exchange
			WHERE l.exchange IN (`+strings.TrimSuffix(strings.Repeat("?, ", hi-lo), ", ")+`)
			AND l.feedback <> f.feedback`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c change
			var at, old, nu string
			if err := rows.Scan(&c.id, &at, &old, &nu, &c.at); err != nil {
				return err
			}
			t, err := parseTime(at)
			if err != nil {
				return err
			}
			c.day, c.old, c.new = dayOf(t), console.Feedback(old), console.Feedback(nu)
			changes = append(changes, c)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("apply feedback: %w", err)
	}
	days := map[string]*dayCounts{}
	for _, c := range changes {
		if _, err := tx.exec(ctx, `UPDATE query_logs SET feedback = ?, feedback_at = ? WHERE id = ?`,
			string(c.new), c.at, int64(c.id)); err != nil {
			return fmt.Errorf("apply feedback: %w", err)
		}
		d := days[c.day]
		if d == nil {
			d = &dayCounts{}
			days[c.day] = d
		}
		d.addVerdict(c.old, -1)
		d.addVerdict(c.new, +1)
	}
	return tx.upsertDaily(ctx, days)
}
