package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"fazhibot/console"
)

const userColumns = `id, name, role, password_hash, created_at, disabled`

func scanUser(row interface{ Scan(...any) error }) (console.User, error) {
	var u console.User
	var createdAt string
	var disabled int
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &createdAt, &disabled); err != nil {
		return console.User{}, err
	}
	u.Disabled = disabled != 0
	var err error
	if u.CreatedAt, err = parseTime(createdAt); err != nil {
		return console.User{}, fmt.Errorf("user %d: %w", u.ID, err)
	}
	return u, nil
}

// user reads one user, or returns ErrNotFound.
func (q q) user(ctx context.Context, where string, arg any) (console.User, error) {
	u, err := scanUser(q.row(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return console.User{}, console.ErrNotFound
	}
	return u, err
}

// CreateUser creates the account u, ignoring u.ID and u.CreatedAt, and
// returns it with its new ID and creation time. It returns ErrExists when
// the name is taken (also by a disabled account), and ErrInvalid for a
// blank name or password hash, a name with surrounding spaces, or an
// unknown role.
func (db *DB) CreateUser(ctx context.Context, u console.User, by string) (console.User, error) {
	err := db.writeTx(ctx, func(tx *wtx) error {
		switch {
		case strings.TrimSpace(u.Name) == "" || strings.TrimSpace(u.Name) != u.Name:
			return fmt.Errorf("name %q: %w", u.Name, console.ErrInvalid)
		case !u.Role.Valid():
			return fmt.Errorf("role %q: %w", u.Role, console.ErrInvalid)
		case u.PasswordHash == "":
			return fmt.Errorf("no password hash: %w", console.ErrInvalid)
		}
		var taken bool
		if err := tx.row(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)`, u.Name).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return console.ErrExists
		}
		id, err := tx.next(ctx, counterUser)
		if err != nil {
			return err
		}
		u.ID, u.CreatedAt = console.UserID(id), tx.now
		if _, err := tx.exec(ctx, `INSERT INTO users (id, name, role, password_hash, created_at, disabled)
			VALUES (?, ?, ?, ?, ?, ?)`, id, u.Name, string(u.Role), u.PasswordHash,
			formatTime(u.CreatedAt), boolInt(u.Disabled)); err != nil {
			return err
		}
		return tx.audit(ctx, by, console.ActionUserCreate, userTarget(u.ID), string(u.Role))
	})
	if err != nil {
		return console.User{}, fmt.Errorf("sqldb: create user %q: %w", u.Name, err)
	}
	return u, nil
}

// UserByName returns the account with the given name, disabled or not,
// or an error wrapping ErrNotFound.
func (db *DB) UserByName(ctx context.Context, name string) (console.User, error) {
	u, err := q{db.dialect, db.read}.user(ctx, `name = ?`, name)
	if err != nil {
		return console.User{}, fmt.Errorf("sqldb: user %q: %w", name, err)
	}
	return u, nil
}

// UserByID returns the account with the given ID, disabled or not, or an
// error wrapping ErrNotFound.
func (db *DB) UserByID(ctx context.Context, id console.UserID) (console.User, error) {
	u, err := q{db.dialect, db.read}.user(ctx, `id = ?`, int64(id))
	if err != nil {
		return console.User{}, fmt.Errorf("sqldb: user %d: %w", id, err)
	}
	return u, nil
}

// Users returns every account, disabled ones included, ordered by ID.
func (db *DB) Users(ctx context.Context) ([]console.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqldb: users: %w", err)
	}
	defer rows.Close()
	var list []console.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqldb: users: %w", err)
		}
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: users: %w", err)
	}
	return list, nil
}

// CountUsers returns the number of accounts, disabled ones included.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqldb: count users: %w", err)
	}
	return n, nil
}

// CountAdmins returns the number of enabled admin accounts: without one,
// nobody can manage the console, and the setup link may create one.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := (q{db.dialect, db.read}).row(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0`, string(console.RoleAdmin)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqldb: count admins: %w", err)
	}
	return n, nil
}

// SetPasswordHash replaces the password hash of account id and ends every
// web session of the account except the one whose ID hash is keepSession
// ("" ends them all), in one transaction: whoever knew the old password
// is logged out everywhere else. The account's API tokens stay valid. It
// returns ErrNotFound when there is no such account and ErrInvalid for an
// empty hash. The audit entry does not contain the hash; the sessions
// ended are not audited one by one.
func (db *DB) SetPasswordHash(ctx context.Context, id console.UserID, hash, keepSession, by string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		if hash == "" {
			return fmt.Errorf("empty hash: %w", console.ErrInvalid)
		}
		if err := tx.updateUser(ctx, id, by, console.ActionUserPassword, "", `password_hash = ?`, hash); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ? AND id_hash <> ?`, int64(id), keepSession)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqldb: set password of user %d: %w", id, err)
	}
	return nil
}

// SetRole changes the role of account id. It returns ErrNotFound when
// there is no such account, and ErrInvalid for an unknown role or when it
// would leave no enabled admin.
func (db *DB) SetRole(ctx context.Context, id console.UserID, role console.Role, by string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		if !role.Valid() {
			return fmt.Errorf("role %q: %w", role, console.ErrInvalid)
		}
		if role != console.RoleAdmin {
			if err := tx.keepAnAdmin(ctx, id); err != nil {
				return err
			}
		}
		return tx.updateUser(ctx, id, by, console.ActionUserRole, string(role), `role = ?`, string(role))
	})
	if err != nil {
		return fmt.Errorf("sqldb: set role of user %d: %w", id, err)
	}
	return nil
}

// DisableUser disables account id and, in the same transaction, deletes
// all its web sessions and revokes all its API tokens for good (each
// revocation audited as ActionTokenRevoke with the detail
// TokenRevokedByDisable): re-enabling the account brings none of them
// back. The caller must refuse its log-ins. It returns ErrNotFound when
// there is no such account, and ErrInvalid when it would leave no enabled
// admin. Disabling a disabled account changes nothing and records nothing.
func (db *DB) DisableUser(ctx context.Context, id console.UserID, by string) error {
	return db.setDisabled(ctx, id, true, by)
}

// EnableUser enables the disabled account id again. Its sessions and
// tokens from before it was disabled stay gone: it needs a new log-in and
// new tokens. It returns ErrNotFound when there is no such account.
// Enabling an enabled account changes nothing and records nothing.
func (db *DB) EnableUser(ctx context.Context, id console.UserID, by string) error {
	return db.setDisabled(ctx, id, false, by)
}

func (db *DB) setDisabled(ctx context.Context, id console.UserID, disabled bool, by string) error {
	action, verb := console.ActionUserEnable, "enable"
	if disabled {
		action, verb = console.ActionUserDisable, "disable"
	}
	err := db.writeTx(ctx, func(tx *wtx) error {
		u, err := tx.user(ctx, `id = ?`, int64(id))
		if err != nil {
			return err
		}
		if u.Disabled == disabled {
			return nil
		}
		if disabled {
			if err := tx.keepAnAdmin(ctx, id); err != nil {
				return err
			}
		}
		if err := tx.updateUser(ctx, id, by, action, "", `disabled = ?`, boolInt(disabled)); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		return tx.revokeCredentials(ctx, id, by)
	})
	if err != nil {
		return fmt.Errorf("sqldb: %s user %d: %w", verb, id, err)
	}
	return nil
}

// revokeCredentials deletes every web session of account id and revokes
// its valid API tokens, auditing each revocation.
func (tx *wtx) revokeCredentials(ctx context.Context, id console.UserID, by string) error {
	if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, int64(id)); err != nil {
		return err
	}
	rows, err := tx.query(ctx, `SELECT id FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id`, int64(id))
	if err != nil {
		return err
	}
	var tokens []console.TokenID
	for rows.Next() {
		var t console.TokenID
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tokens = append(tokens, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, t := range tokens {
		if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, formatTime(tx.now), int64(t)); err != nil {
			return err
		}
		if err := tx.audit(ctx, by, console.ActionTokenRevoke, tokenTarget(t), console.TokenRevokedByDisable); err != nil {
			return err
		}
	}
	return nil
}

// keepAnAdmin returns ErrInvalid when account id is the only enabled admin.
func (tx *wtx) keepAnAdmin(ctx context.Context, id console.UserID) error {
	var others int
	if err := tx.row(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0 AND id <> ?`,
		string(console.RoleAdmin), int64(id)).Scan(&others); err != nil {
		return err
	}
	if others > 0 {
		return nil
	}
	u, err := tx.user(ctx, `id = ?`, int64(id))
	if err != nil {
		return err
	}
	if u.Role == console.RoleAdmin && !u.Disabled {
		return fmt.Errorf("user %q is the last enabled admin: %w", u.Name, console.ErrInvalid)
	}
	return nil
}

// updateUser sets one column of account id and records action.
func (tx *wtx) updateUser(ctx context.Context, id console.UserID, by string, action console.Action, detail, set string, value any) error {
	res, err := tx.exec(ctx, `UPDATE users SET `+set+` WHERE id = ?`, value, int64(id))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return console.ErrNotFound
	}
	return tx.audit(ctx, by, action, userTarget(id), detail)
}
