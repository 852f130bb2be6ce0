package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"fazhibot/console"
)

// counterNotification numbers NotificationIDs.
const counterNotification = "notification"

// BeginNotification records that n.SentBy is sending n.Answer to
// n.Citizens citizens, with an audit entry (ActionNotifySend, target
// "question:<n.Question>", detail "<citizens>位市民：<answer's start>"),
// and returns its ID. Safe for concurrent use.
func (db *DB) BeginNotification(ctx context.Context, n console.Notification) (console.NotificationID, error) {
	var id int64
	err := db.writeTx(ctx, func(tx *wtx) error {
		var err error
		if id, err = tx.next(ctx, counterNotification); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO notifications (id, group_key, question, answer, version, citizens, sent_by, started_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, n.GroupKey, n.Question, n.Answer, n.Version, n.Citizens, n.SentBy, formatTime(tx.now)); err != nil {
			return err
		}
		q := n.Question
		if q == "" {
			q = n.GroupKey
		}
		return tx.audit(ctx, n.SentBy, console.ActionNotifySend, questionTarget(q), fmt.Sprintf("%d位市民：%s", n.Citizens, shorten(n.Answer, 60)))
	})
	if err != nil {
		return 0, fmt.Errorf("sqldb: begin notification: %w", err)
	}
	return console.NotificationID(id), nil
}

// FinishNotification records the outcome of send id. It returns an error
// wrapping ErrNotFound for an unknown id. Safe for concurrent use.
func (db *DB) FinishNotification(ctx context.Context, id console.NotificationID, c console.NotificationCounts) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, `UPDATE notifications SET notified = ?, expired = ?, unsubscribed = ?, failed = ?,
			deferred = ?, skipped = ?, finished_at = ? WHERE id = ?`,
			c.Notified, c.Expired, c.Unsubscribed, c.Failed, c.Deferred, c.Skipped, formatTime(tx.now), int64(id))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return console.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqldb: finish notification %d: %w", id, err)
	}
	return nil
}

// Notifications returns the latest limit sends, newest first. Safe for
// concurrent use.
func (db *DB) Notifications(ctx context.Context, limit int) ([]console.Notification, error) {
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT id, group_key, question, answer, version, citizens, notified, expired,
		unsubscribed, failed, deferred, skipped, sent_by, started_at, finished_at FROM notifications ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqldb: notifications: %w", err)
	}
	defer rows.Close()
	var out []console.Notification
	for rows.Next() {
		var n console.Notification
		var started, finished string
		c := &n.Counts
		if err := rows.Scan(&n.ID, &n.GroupKey, &n.Question, &n.Answer, &n.Version, &n.Citizens, &c.Notified, &c.Expired,
			&c.Unsubscribed, &c.Failed, &c.Deferred, &c.Skipped, &n.SentBy, &started, &finished); err != nil {
			return nil, fmt.Errorf("sqldb: notifications: %w", err)
		}
		if n.Started, err = parseTime(started); err != nil {
			return nil, fmt.Errorf("sqldb: notification %d: %w", n.ID, err)
		}
		if finished != "" {
			if n.Finished, err = parseTime(finished); err != nil {
				return nil, fmt.Errorf("sqldb: notification %d: %w", n.ID, err)
			}
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqldb: notifications: %w", err)
	}
	return out, nil
}

// shorten returns s cut to at most n runes, with "…" when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
