package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// Targets of audit entries.
func reportTarget(id knowledge.ReportID) string { return "report:" + string(id) }
func passageTarget(id knowledge.ReportID, seq int) string {
	return "passage:" + string(id) + "#" + strconv.Itoa(seq)
}
func faqTarget(id knowledge.FAQID) string       { return "faq:" + string(id) }
func termsTarget(name string) string            { return "terms:" + name }
func versionTarget(id console.VersionID) string { return "version:" + strconv.FormatInt(int64(id), 10) }
func userTarget(id console.UserID) string       { return "user:" + strconv.FormatInt(int64(id), 10) }
func tokenTarget(id console.TokenID) string     { return "token:" + strconv.FormatInt(int64(id), 10) }

// audit records a change made by tx.
func (tx *wtx) audit(ctx context.Context, actor string, action console.Action, target, detail string) error {
	id, err := tx.next(ctx, counterAudit)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, actor, action, target, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, id, formatTime(tx.now), actor, string(action), target, detail); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Audit returns up to limit audit-log entries, newest first, skipping the
// offset newest ones. It returns ErrInvalid when limit is not positive or
// offset is negative.
func (db *DB) Audit(ctx context.Context, limit, offset int) ([]console.AuditEntry, error) {
	if limit <= 0 || offset < 0 {
		return nil, fmt.Errorf("sqldb: audit: limit %d, offset %d: %w", limit, offset, console.ErrInvalid)
	}
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT id, at, actor, action, target, detail
		FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("sqldb: audit: %w", err)
	}
	list, err := scanAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("sqldb: audit: %w", err)
	}
	return list, nil
}

// scanAudit reads and closes rows of id, at, actor, action, target and
// detail.
func scanAudit(rows *sql.Rows) ([]console.AuditEntry, error) {
	defer rows.Close()
	var list []console.AuditEntry
	for rows.Next() {
		var e console.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, err
		}
		var err error
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("entry %d: %w", e.ID, err)
		}
		list = append(list, e)
	}
	return list, rows.Err()
}
