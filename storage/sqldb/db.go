package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
)

// DB is the console's store.
var _ console.Store = (*DB)(nil)

// Dialect is the SQL flavour of the database behind a DB.
type Dialect int

// The supported dialects.
const (
	SQLite Dialect = iota + 1
	PostgreSQL
)

// String returns the dialect's name, "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// Config describes the connections New works with.
type Config struct {
	Dialect Dialect
	// Write runs the writing transactions. For SQLite it must be limited
	// to one connection whose transactions begin with BEGIN IMMEDIATE.
	Write *sql.DB
	// Read runs reads; nil means Write. For SQLite it may be a pool of
	// read-only connections to the same file.
	Read *sql.DB
}

// DB is an open knowledge-base store. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
}

// New returns a DB on the connections of cfg after bringing the schema up
// to date (see the package documentation). It fails when the database
// holds a schema newer than this program knows. New takes ownership of the
// connection pools: DB.Close closes them, and New closes them itself when
// it fails.
func New(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Write == nil {
		if cfg.Read != nil {
			cfg.Read.Close()
		}
		return nil, errors.New("sqldb: no write connections")
	}
	db := &DB{dialect: cfg.Dialect, write: cfg.Write, read: cfg.Read}
	if db.read == nil {
		db.read = db.write
	}
	if cfg.Dialect != SQLite && cfg.Dialect != PostgreSQL {
		db.Close()
		return nil, fmt.Errorf("sqldb: unsupported dialect %v", cfg.Dialect)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: migrate: %w", err)
	}
	return db, nil
}

// Dialect returns the database's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqldb: ping: %w", err)
	}
	return nil
}

// Close closes the connection pools. Operations in progress may fail; it
// must be called at most once.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// execer is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q runs queries written with '?' placeholders in the dialect of d.
type q struct {
	d Dialect
	c execer
}

// exec, query and row run query with args. A text argument (of any
// string type) that neither database can hold the same way — a NUL byte or
// invalid UTF-8, which PostgreSQL refuses and SQLite stores — is refused
// before the database sees it, with an error wrapping ErrInvalid; so bad
// bytes in an ID or a filter are the caller's error on every database.
func (q q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return q.c.ExecContext(ctx, q.d.rebind(query), args...)
}

func (q q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return q.c.QueryContext(ctx, q.d.rebind(query), args...)
}

func (q q) row(ctx context.Context, query string, args ...any) row {
	if err := checkArgs(args); err != nil {
		return row{err: err}
	}
	return row{r: q.c.QueryRowContext(ctx, q.d.rebind(query), args...)}
}

// row is a *sql.Row, or the error that kept the query from running.
type row struct {
	r   *sql.Row
	err error
}

// Scan is sql.Row.Scan, or returns the error that kept the query from running.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

// checkArgs returns an error wrapping ErrInvalid for the first text
// argument holding a NUL byte or invalid UTF-8.
func checkArgs(args []any) error {
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case nil, int, int64, bool, float64, []byte, time.Time:
			continue
		default:
			rv := reflect.ValueOf(a)
			if rv.Kind() != reflect.String {
				continue
			}
			s = rv.String()
		}
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return fmt.Errorf("sqldb: argument %d holds a NUL byte or invalid UTF-8: %w", i+1, console.ErrInvalid)
		}
	}
	return nil
}

// rebind rewrites the '?' placeholders of query to $1, $2, … for
// PostgreSQL. Question marks inside single-quoted literals, quoted
// identifiers and comments are left alone.
func (d Dialect) rebind(query string) string {
	if d != PostgreSQL || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// readTx runs fn in a read-only transaction that sees one consistent
// state of the database.
func (db *DB) readTx(ctx context.Context, fn func(q q) error) error {
	var opts *sql.TxOptions
	if db.dialect == PostgreSQL {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	// SQLite: in WAL mode a transaction reads from the snapshot taken by
	// its first read.
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(q{db.dialect, tx}); err != nil {
		return err
	}
	return tx.Commit()
}

// wtx is a writing transaction.
type wtx struct {
	q
	now time.Time // the transaction's time, taken after the write lock
}

// writeTx runs fn in a writing transaction and commits it when fn returns
// nil. Writing transactions are serialized per database (see the package
// documentation).
func (db *DB) writeTx(ctx context.Context, fn func(tx *wtx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.dialect == PostgreSQL {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema()), 1)`); err != nil {
			return fmt.Errorf("write lock: %w", err)
		}
	}
	if err := fn(&wtx{q: q{db.dialect, tx}, now: now()}); err != nil {
		return err
	}
	return tx.Commit()
}

// Counter names in id_counters.
const (
	counterDraftRev = "draft_rev" // revisions of draft objects
	counterVersion  = "version"   // VersionID
	counterPublish  = "publish"   // order of publication, for LiveVersion
	counterUser     = "user"      // UserID
	counterToken    = "token"     // TokenID
	counterAudit    = "audit"     // AuditID
)

// next returns the next value of the named counter, starting at 1.
func (tx *wtx) next(ctx context.Context, counter string) (int64, error) {
	var v int64
	err := tx.row(ctx, `INSERT INTO id_counters (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = id_counters.value + 1
		RETURNING value`, counter).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next %s: %w", counter, err)
	}
	return v, nil
}

// now returns the current time in UTC at the stored precision.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// timeLayout stores times as fixed-width RFC 3339 in UTC, so that text
// order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// formatOptTime formats t, or returns NULL for nil.
func formatOptTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// parseOptTime parses a nullable time column; NULL becomes nil.
func parseOptTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// encodeList encodes a list as a JSON array; nil becomes [].
func encodeList(list []string) string {
	if list == nil {
		list = []string{}
	}
	data, _ := json.Marshal(list) // a []string always marshals
	return string(data)
}

// decodeList decodes a JSON array of strings; an empty array becomes nil.
func decodeList(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// boolInt stores a bool as 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
