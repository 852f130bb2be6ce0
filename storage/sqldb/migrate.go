package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrations holds the schema migrations; it is read-only.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one file of migrations/, e.g. 0001_reports.sql.
type migration struct {
	version int64
	name    string // path inside migrations
}

// listMigrations returns the embedded migrations ordered by version.
func listMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, name := range names {
		base := path.Base(name)
		digits, _, _ := strings.Cut(base, "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		list = append(list, migration{version: v, name: name})
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no migrations")
	}
	slices.SortFunc(list, func(a, b migration) int { return int(a.version - b.version) })
	for i := 1; i < len(list); i++ {
		if list[i].version == list[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", list[i-1].name, list[i].name, list[i].version)
		}
	}
	return list, nil
}

// LatestSchemaVersion returns the version of the newest migration this
// program knows; SchemaVersion reports it once New has succeeded.
func LatestSchemaVersion() int64 {
	list, err := listMigrations()
	if err != nil {
		return 0
	}
	return list[len(list)-1].version
}

// SchemaVersion returns the version of the newest migration applied to
// the database.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqldb: schema version: %w", err)
	}
	return v.Int64, nil
}

// migrate applies the pending migrations in order, each in a transaction
// that also records it, so a failed migration leaves no trace.
func (db *DB) migrate(ctx context.Context) error {
	list, err := listMigrations()
	if err != nil {
		return err
	}
	for i, m := range list {
		if err := db.apply(ctx, m, i == 0, list[len(list)-1].version); err != nil {
			return fmt.Errorf("%s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

// apply runs one migration unless it is recorded as applied already. The
// check is inside the transaction, which holds the migration lock (SQLite:
// the write lock of BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so
// that several processes opening a new database at once apply it once.
// The first call also creates schema_migrations and checks that the
// database is not newer than known.
func (db *DB) apply(ctx context.Context, m migration, first bool, known int64) error {
	body, err := migrations.ReadFile(m.name)
	if err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t := q{db.dialect, tx}
	if db.dialect == PostgreSQL {
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema()), 2)`); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
	}
	if first {
		if _, err := t.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    BIGINT NOT NULL PRIMARY KEY,
			name       TEXT   NOT NULL,
			applied_at TEXT   NOT NULL
		)`); err != nil {
			return err
		}
		var newest sql.NullInt64
		if err := t.row(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
			return err
		}
		if newest.Int64 > known {
			return fmt.Errorf("schema version %d is newer than this program's %d", newest.Int64, known)
		}
	}
	var done bool
	if err := t.row(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, m.version).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil { // migrations take no parameters
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, path.Base(m.name), formatTime(now())); err != nil {
		return err
	}
	return tx.Commit()
}
