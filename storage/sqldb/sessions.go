package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"fazhibot/console"
)

// CreateWebSession stores s, a log-in of account s.UserID, recorded in the
// audit log under the account's name. A zero s.CreatedAt means now. It
// returns ErrInvalid for an empty IDHash or CSRFToken or a zero ExpiresAt,
// ErrNotFound when there is no such account, ErrInvalid when the account
// is disabled (so a log-in racing DisableUser cannot outlive it), and
// ErrExists when a session with the same IDHash exists.
func (db *DB) CreateWebSession(ctx context.Context, s console.WebSession) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		switch {
		case s.IDHash == "" || s.CSRFToken == "":
			return fmt.Errorf("empty ID hash or CSRF token: %w", console.ErrInvalid)
		case s.ExpiresAt.IsZero():
			return fmt.Errorf("no expiry: %w", console.ErrInvalid)
		}
		if s.CreatedAt.IsZero() {
			s.CreatedAt = tx.now
		}
		u, err := tx.user(ctx, `id = ?`, int64(s.UserID))
		if err != nil {
			return fmt.Errorf("user %d: %w", s.UserID, err)
		}
		if u.Disabled {
			return fmt.Errorf("user %d is disabled: %w", s.UserID, console.ErrInvalid)
		}
		var taken bool
		if err := tx.row(ctx, `SELECT EXISTS (SELECT 1 FROM web_sessions WHERE id_hash = ?)`, s.IDHash).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return console.ErrExists
		}
		if _, err := tx.exec(ctx, `INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, s.IDHash, int64(s.UserID), s.CSRFToken,
			formatTime(s.CreatedAt), formatTime(s.ExpiresAt)); err != nil {
			return err
		}
		return tx.audit(ctx, u.Name, console.ActionSessionCreate, userTarget(u.ID), "")
	})
	if err != nil {
		return fmt.Errorf("sqldb: create web session of user %d: %w", s.UserID, err)
	}
	return nil
}

// WebSession returns the session with the given ID hash. It returns an
// error wrapping ErrNotFound when there is none, when it has expired and
// when its account is disabled.
func (db *DB) WebSession(ctx context.Context, idHash string) (console.WebSession, error) {
	var s console.WebSession
	var createdAt, expiresAt string
	err := q{db.dialect, db.read}.row(ctx, `SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at
		FROM web_sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0`, idHash, formatTime(now())).
		Scan(&s.IDHash, &s.UserID, &s.CSRFToken, &createdAt, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = console.ErrNotFound
	}
	if err == nil {
		if s.CreatedAt, err = parseTime(createdAt); err == nil {
			s.ExpiresAt, err = parseTime(expiresAt)
		}
	}
	if err != nil {
		return console.WebSession{}, fmt.Errorf("sqldb: web session: %w", err)
	}
	return s, nil
}

// DeleteWebSession deletes the session with the given ID hash, a log-out
// recorded in the audit log under the account's name. Deleting a missing
// session changes nothing, records nothing and is not an error.
func (db *DB) DeleteWebSession(ctx context.Context, idHash string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		var name string
		var userID console.UserID
		err := tx.row(ctx, `SELECT u.id, u.name FROM web_sessions s JOIN users u ON u.id = s.user_id
			WHERE s.id_hash = ?`, idHash).Scan(&userID, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE id_hash = ?`, idHash); err != nil {
			return err
		}
		return tx.audit(ctx, name, console.ActionSessionDelete, userTarget(userID), "")
	})
	if err != nil {
		return fmt.Errorf("sqldb: delete web session: %w", err)
	}
	return nil
}

// DeleteExpiredWebSessions deletes every expired session and returns how
// many it deleted. It writes no audit entry.
func (db *DB) DeleteExpiredWebSessions(ctx context.Context) (int64, error) {
	res, err := q{db.dialect, db.write}.exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, formatTime(now()))
	if err != nil {
		return 0, fmt.Errorf("sqldb: delete expired web sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqldb: delete expired web sessions: %w", err)
	}
	return n, nil
}
