package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fazhibot/console"
)

// cursor encodes the position after r.
func cursor(r console.LogRecord) string {
	return base64.RawURLEncoding.EncodeToString([]byte(formatTime(r.Time) + "|" + strconv.FormatInt(int64(r.ID), 10)))
}

// parseCursor decodes a cursor into its stored time and ID.
func parseCursor(s string) (string, int64, error) {
	data, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		at, id, ok := strings.Cut(string(data), "|")
		if _, terr := parseTime(at); ok && terr == nil && len(at) == len(timeLayout) {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				return at, n, nil
			}
		}
	}
	return "", 0, fmt.Errorf("bad page cursor %q: %w", s, console.ErrInvalid)
}

// escapeLike escapes the wildcards of s for LIKE … ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Logs returns the first page of the records f selects after f.After,
// newest first. It reads about one page of rows from an index whatever
// the filter, except for Text, which is matched by scanning the records in
// the time range. It returns ErrInvalid for a negative or too large
// Limit, an unknown Answer or Feedback, and a malformed After. It is safe
// for concurrent use.
func (db *DB) Logs(ctx context.Context, f console.LogFilter) (console.LogPage, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = console.DefaultLogLimit
	case limit < 0 || limit > console.MaxLogLimit:
		return console.LogPage{}, fmt.Errorf("sqldb: logs: limit %d: %w", limit, console.ErrInvalid)
	}
	page, err := db.logPage(ctx, f, f.After, limit)
	if err != nil {
		return console.LogPage{}, fmt.Errorf("sqldb: logs: %w", err)
	}
	return page, nil
}

// logPage reads up to limit records of f after the cursor.
func (db *DB) logPage(ctx context.Context, f console.LogFilter, after string, limit int) (console.LogPage, error) {
	where, args, err := logWhere(f, after)
	if err != nil {
		return console.LogPage{}, err
	}
	query := `SELECT ` + logColumns + ` FROM query_logs` + where + ` ORDER BY at DESC, id DESC LIMIT ?`
	if f.Text != "" {
		// Find the IDs in the time index, which holds the search text,
		// then read only their records.
		query = `SELECT ` + logColumns + ` FROM query_logs WHERE id IN (
			SELECT id FROM query_logs` + where + ` ORDER BY at DESC, id DESC LIMIT ?)
			ORDER BY at DESC, id DESC`
	}
	rows, err := q{db.dialect, db.read}.query(ctx, query, append(args, limit+1)...)
	if err != nil {
		return console.LogPage{}, err
	}
	defer rows.Close()
	var page console.LogPage
	for rows.Next() {
		r, err := scanLog(rows)
		if err != nil {
			return console.LogPage{}, err
		}
		page.Records = append(page.Records, r)
	}
	if err := rows.Err(); err != nil {
		return console.LogPage{}, err
	}
	if len(page.Records) > limit {
		page.Records = page.Records[:limit]
		page.Next = cursor(page.Records[limit-1])
	}
	return page, nil
}

// Log returns the record with the given ID, or an error wrapping
// ErrNotFound. It is safe for concurrent use.
func (db *DB) Log(ctx context.Context, id console.LogID) (console.LogRecord, error) {
	r, err := scanLog(q{db.dialect, db.read}.row(ctx, `SELECT `+logColumns+` FROM query_logs WHERE id = ?`, int64(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return console.LogRecord{}, fmt.Errorf("sqldb: log %d: %w", id, console.ErrNotFound)
	}
	if err != nil {
		return console.LogRecord{}, fmt.Errorf("sqldb: log %d: %w", id, err)
	}
	return r, nil
}

// eachLogPage is how many records EachLog reads per query.
const eachLogPage = 1000

// EachLog calls fn with every record f selects, newest first as Logs
// lists them, starting after f.After and stopping after f.Limit records
// when it is positive. It reads pages of records, holding no transaction
// while fn runs, so a record inserted meanwhile may or may not be visited;
// none is visited twice. It stops at the first error of fn and returns it
// unwrapped. It returns ErrInvalid for a negative Limit, an unknown
// Answer or Feedback, and a malformed After. It is safe for concurrent
// use.
func (db *DB) EachLog(ctx context.Context, f console.LogFilter, fn func(console.LogRecord) error) error {
	if f.Limit < 0 {
		return fmt.Errorf("sqldb: each log: limit %d: %w", f.Limit, console.ErrInvalid)
	}
	left := f.Limit
	after := f.After
	for {
		n := eachLogPage
		if f.Limit > 0 {
			n = min(n, left)
		}
		page, err := db.logPage(ctx, f, after, n)
		if err != nil {
			return fmt.Errorf("sqldb: each log: %w", err)
		}
		for _, r := range page.Records {
			if err := fn(r); err != nil {
				return err
			}
		}
		left -= len(page.Records)
		if page.Next == "" || (f.Limit > 0 && left <= 0) {
			return nil
		}
		after = page.Next
	}
}

// where returns the conditions of f (and of the cursor after) with their
// arguments. Conditions that partial indexes are defined with are
// repeated literally, so that both planners use those indexes.
func logWhere(f console.LogFilter, after string) (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		add("at >= ?", formatTime(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", formatTime(f.To))
	}
	switch f.Answer {
	case console.AnyAnswer:
	case console.OnlyAnswered:
		add("answered = 1")
	case console.OnlyUnanswered:
		add("question = 1 AND answered = 0")
	default:
		return "", nil, fmt.Errorf("unknown answer filter %d: %w", f.Answer, console.ErrInvalid)
	}
	switch f.Feedback {
	case console.FeedbackNone:
	case console.FeedbackSatisfied, console.FeedbackUnsatisfied:
		add("feedback <> '' AND feedback = ?", string(f.Feedback))
	default:
		return "", nil, fmt.Errorf("unknown feedback %q: %w", f.Feedback, console.ErrInvalid)
	}
	if f.Text != "" {
		add(`search LIKE ? ESCAPE '\'`, "%"+escapeLike(foldSearch(clean(f.Text)))+"%")
	}
	if f.Report != "" {
		add("report_id <> '' AND report_id = ?", string(f.Report))
	}
	if f.Department != "" {
		add("department <> '' AND department = ?", f.Department)
	}
	if f.Channel != "" {
		add("channel = ?", f.Channel)
	}
	if f.User != "" {
		add("user_hash <> '' AND user_hash = ?", f.User)
	}
	if after != "" {
		at, id, err := parseCursor(after)
		if err != nil {
			return "", nil, err
		}
		// A row value, so that both planners read the index as one range.
		add("(at, id) < (?, ?)", at, id)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}
