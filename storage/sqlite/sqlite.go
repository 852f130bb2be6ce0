// Package sqlite stores the knowledge base, reports and their passages, in
// an embedded SQLite database file (modernc.org/sqlite, pure Go).
//
// Open creates the file when needed and brings its schema up to date by
// applying the numbered migrations in migrations/*.sql, each in its own
// transaction, recording them in the table schema_migrations. The
// migrations are portable SQL so that a PostgreSQL store can reuse them.
//
// Concurrency: a *DB is safe for concurrent use. Writes go through a single
// connection and take the database's write lock when they begin, so writers
// in one process queue up instead of failing with SQLITE_BUSY; reads run
// on a pool of read-only connections and, thanks to WAL mode, neither wait
// for writers nor see half a write. Writers in other processes sharing the
// file are waited for up to five seconds (busy_timeout).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// migrations holds the schema migrations; it is read-only.
//
//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned, wrapped, when a report does not exist.
var ErrNotFound = errors.New("sqlite: report not found")

// connParams are applied to every connection: wait for other writers, and
// enforce foreign keys (a per-connection setting in SQLite).
const connParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"

// DB is an open knowledge-base database. It is safe for concurrent use.
type DB struct {
	write *sql.DB // the single writer: one connection, BEGIN IMMEDIATE
	read  *sql.DB // read-only connections
}

// Open opens the database file at path, creating it and its parent
// directory when missing, and applies any pending migrations. The path must
// name a file: ":memory:" and paths containing '?' are rejected. It fails
// when the file holds a schema newer than this program knows. The caller
// must Close the DB.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("sqlite: invalid database path %q", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write, err := sql.Open("sqlite", path+"?"+connParams+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", path+"?"+connParams+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{write: write, read: read}
	// Migrating first also switches the file to WAL before any reader
	// connects.
	if err := migrate(ctx, write); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database. Operations in progress may fail; it must be
// called at most once.
func (db *DB) Close() error {
	return errors.Join(db.write.Close(), db.read.Close())
}

// migration is one file of migrations/, e.g. 0001_reports.sql.
type migration struct {
	version int64
	name    string
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
	slices.SortFunc(list, func(a, b migration) int { return int(a.version - b.version) })
	for i := 1; i < len(list); i++ {
		if list[i].version == list[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", list[i-1].name, list[i].name, list[i].version)
		}
	}
	return list, nil
}

// migrate applies the pending migrations in order, each in a transaction
// that also records it, so a failed migration leaves no trace.
func migrate(ctx context.Context, db *sql.DB) error {
	list, err := listMigrations()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT NOT NULL PRIMARY KEY,
		name       TEXT   NOT NULL,
		applied_at TEXT   NOT NULL
	)`); err != nil {
		return err
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return err
	}
	if known := list[len(list)-1].version; newest.Int64 > known {
		return fmt.Errorf("schema version %d is newer than this program's %d", newest.Int64, known)
	}
	for _, m := range list {
		if err := apply(ctx, db, m); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return nil
}

// apply runs one migration unless it is recorded as applied already. The
// check is inside the transaction, so two processes opening a new file at
// once apply it only once.
func apply(ctx context.Context, db *sql.DB, m migration) error {
	body, err := migrations.ReadFile(m.name)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var done bool
	if err := tx.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, m.version).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, path.Base(m.name), formatTime(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// timeLayout stores times as fixed-width RFC 3339 in UTC, so that text
// order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}
