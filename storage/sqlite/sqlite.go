// Package sqlite opens fazhibot's knowledge-base store (package sqldb) on
// an embedded SQLite database file, using modernc.org/sqlite (pure Go).
//
// The file runs in WAL mode. Writes go through a single connection and
// take the database's write lock when they begin (BEGIN IMMEDIATE), so
// writers in one process queue up instead of failing with SQLITE_BUSY;
// reads run on a pool of read-only connections and, thanks to WAL, neither
// wait for writers nor see half a write. Writers in other processes
// sharing the file are waited for up to five seconds (busy_timeout).
// Foreign keys are enforced.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fazhibot/console"
	"fazhibot/storage/sqldb"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DB is the store Open returns; see package sqldb.
type DB = sqldb.DB

// ReportSummary describes a stored report; see console.ReportSummary.
type ReportSummary = console.ReportSummary

// ErrNotFound is console.ErrNotFound, returned wrapped when an object does
// not exist.
var ErrNotFound = console.ErrNotFound

// connParams are applied to every connection: wait for other writers, and
// enforce foreign keys (a per-connection setting in SQLite).
const connParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"

// Open opens the database file at path, creating it and its parent
// directory when missing, and brings its schema up to date (see
// sqldb.New). The path must name a file: ":memory:" and paths containing
// '?' are rejected. It fails when the file holds a schema newer than this
// program knows. The caller must Close the DB.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
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
	// Migrating first, through the writer, also switches the file to WAL
	// before any reader connects.
	db, err := sqldb.New(ctx, sqldb.Config{Dialect: sqldb.SQLite, Write: write, Read: read})
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return db, nil
}
