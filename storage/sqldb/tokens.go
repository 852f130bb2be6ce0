package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"fazhibot/console"
)

const tokenColumns = `t.id, t.user_id, t.name, t.hash, t.created_at, t.revoked_at, t.last_used_at`

func scanToken(row interface{ Scan(...any) error }) (console.APIToken, error) {
	var t console.APIToken
	var createdAt string
	var revokedAt, lastUsedAt sql.NullString
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &createdAt, &revokedAt, &lastUsedAt); err != nil {
		return console.APIToken{}, err
	}
	var err error
	if t.CreatedAt, err = parseTime(createdAt); err != nil {
		return console.APIToken{}, fmt.Errorf("token %d: %w", t.ID, err)
	}
	if t.RevokedAt, err = parseOptTime(revokedAt); err != nil {
		return console.APIToken{}, fmt.Errorf("token %d: %w", t.ID, err)
	}
	if t.LastUsedAt, err = parseOptTime(lastUsedAt); err != nil {
		return console.APIToken{}, fmt.Errorf("token %d: %w", t.ID, err)
	}
	return t, nil
}

// validHash reports whether s is a SHA-256 in lowercase hex.
func validHash(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s) == 64 && strings.ToLower(s) == s
}

// CreateToken stores the token t for account t.UserID, ignoring t.ID,
// t.CreatedAt, t.RevokedAt and t.LastUsedAt, and returns it with its new
// ID and creation time. It returns ErrInvalid when t.Hash is not a SHA-256
// in lowercase hex or t.Name is blank, ErrNotFound when there is no such
// account, and ErrExists when the hash is stored already.
func (db *DB) CreateToken(ctx context.Context, t console.APIToken, by string) (console.APIToken, error) {
	err := db.writeTx(ctx, func(tx *wtx) error {
		switch {
		case !validHash(t.Hash):
			return fmt.Errorf("hash is not lowercase hex SHA-256: %w", console.ErrInvalid)
		case strings.TrimSpace(t.Name) == "":
			return fmt.Errorf("blank name: %w", console.ErrInvalid)
		}
		if _, err := tx.user(ctx, `id = ?`, int64(t.UserID)); err != nil {
			return fmt.Errorf("user %d: %w", t.UserID, err)
		}
		var taken bool
		if err := tx.row(ctx, `SELECT EXISTS (SELECT 1 FROM api_tokens WHERE hash = ?)`, t.Hash).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return console.ErrExists
		}
		id, err := tx.next(ctx, counterToken)
		if err != nil {
			return err
		}
		t.ID, t.CreatedAt, t.RevokedAt, t.LastUsedAt = console.TokenID(id), tx.now, nil, nil
		if _, err := tx.exec(ctx, `INSERT INTO api_tokens (id, user_id, name, hash, created_at)
			VALUES (?, ?, ?, ?, ?)`, id, int64(t.UserID), t.Name, t.Hash, formatTime(t.CreatedAt)); err != nil {
			return err
		}
		return tx.audit(ctx, by, console.ActionTokenCreate, tokenTarget(t.ID), t.Name)
	})
	if err != nil {
		return console.APIToken{}, fmt.Errorf("sqldb: create token %q: %w", t.Name, err)
	}
	return t, nil
}

// TokenByHash returns the valid token with the given hash. It returns an
// error wrapping ErrNotFound when no token has that hash, when the token
// is revoked, and when its account is disabled.
func (db *DB) TokenByHash(ctx context.Context, hash string) (console.APIToken, error) {
	t, err := scanToken(q{db.dialect, db.read}.row(ctx, `SELECT `+tokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND u.disabled = 0`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = console.ErrNotFound
	}
	if err != nil {
		return console.APIToken{}, fmt.Errorf("sqldb: token by hash: %w", err)
	}
	return t, nil
}

// Tokens returns every token of account userID, revoked ones included,
// ordered by ID; none when there is no such account.
func (db *DB) Tokens(ctx context.Context, userID console.UserID) ([]console.APIToken, error) {
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT `+tokenColumns+`
		FROM api_tokens t WHERE t.user_id = ? ORDER BY t.id`, int64(userID))
	if err != nil {
		return nil, fmt.Errorf("sqldb: tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	var list []console.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqldb: tokens of user %d: %w", userID, err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: tokens of user %d: %w", userID, err)
	}
	return list, nil
}

// RevokeToken revokes token id for good. It returns ErrNotFound when there
// is no such token. Revoking a revoked token changes nothing and records
// nothing.
func (db *DB) RevokeToken(ctx context.Context, id console.TokenID, by string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		var revoked sql.NullString
		err := tx.row(ctx, `SELECT revoked_at FROM api_tokens WHERE id = ?`, int64(id)).Scan(&revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return console.ErrNotFound
		case err != nil:
			return err
		case revoked.Valid:
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`,
			formatTime(tx.now), int64(id)); err != nil {
			return err
		}
		return tx.audit(ctx, by, console.ActionTokenRevoke, tokenTarget(id), "")
	})
	if err != nil {
		return fmt.Errorf("sqldb: revoke token %d: %w", id, err)
	}
	return nil
}

// TouchToken records that token id was used at the given time; an earlier
// time than the one recorded is ignored. It returns ErrNotFound when there
// is no such token. It writes no audit entry.
func (db *DB) TouchToken(ctx context.Context, id console.TokenID, at time.Time) error {
	w := q{db.dialect, db.write}
	stamp := formatTime(at)
	res, err := w.exec(ctx, `UPDATE api_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, stamp, int64(id), stamp)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			var exists bool
			err = w.row(ctx, `SELECT EXISTS (SELECT 1 FROM api_tokens WHERE id = ?)`, int64(id)).Scan(&exists)
			if err == nil && !exists {
				err = console.ErrNotFound
			}
		}
	}
	if err != nil {
		return fmt.Errorf("sqldb: touch token %d: %w", id, err)
	}
	return nil
}
