package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"fazhibot/knowledge"
)

// AuditID identifies an audit-log entry. IDs grow with time.
type AuditID int64

// Action names a kind of change in the audit log.
type Action string

// The actions the DB records, one per mutating method.
const (
	ActionReportImport   Action = "report.import"   // SaveReports, once per report
	ActionReportDelete   Action = "report.delete"   // DeleteReport, DeleteReportBy
	ActionPassageUpdate  Action = "passage.update"  // UpdatePassage
	ActionFAQSave        Action = "faq.save"        // SaveFAQ
	ActionFAQDelete      Action = "faq.delete"      // DeleteFAQ
	ActionTermsSave      Action = "terms.save"      // SaveTermFile
	ActionTermsSeed      Action = "terms.seed"      // SeedTermFiles, once per file stored
	ActionVersionPublish Action = "version.publish" // Publish
	ActionVersionSubmit  Action = "version.submit"  // Submit
	ActionVersionApprove Action = "version.approve" // Approve
	ActionVersionReject  Action = "version.reject"  // Reject
	ActionVersionRestore Action = "version.restore" // Restore
	ActionUserCreate     Action = "user.create"     // CreateUser
	ActionUserPassword   Action = "user.password"   // SetPasswordHash
	ActionUserRole       Action = "user.role"       // SetRole
	ActionUserDisable    Action = "user.disable"    // DisableUser
	ActionUserEnable     Action = "user.enable"     // EnableUser
	ActionTokenCreate    Action = "token.create"    // CreateToken
	ActionTokenRevoke    Action = "token.revoke"    // RevokeToken
	ActionSessionCreate  Action = "session.create"  // CreateWebSession (a log-in)
	ActionSessionDelete  Action = "session.delete"  // DeleteWebSession (a log-out)
	// ActionQuestionDismiss: DismissQuestions.
	ActionQuestionDismiss Action = "question.dismiss"
)

// SeedActor is the actor recorded for changes the program makes by itself,
// such as SeedTermFiles. It is shown to staff, hence Chinese.
const SeedActor = "内置"

// AuditEntry is one change in the audit log.
type AuditEntry struct {
	ID    AuditID
	At    time.Time // when the change was committed, in UTC
	Actor string    // who made it: the by argument, or the user's name for sessions
	// Action is what was done; Target is what it was done to, as
	// "report:<id>", "passage:<report id>#<seq>", "faq:<id>",
	// "terms:<file name>", "version:<id>", "user:<id>", "token:<id>" or
	// "question:<text as a citizen wrote it>".
	Action Action
	Target string
	// Detail is action-specific: a report's title (imported or deleted),
	// an FAQ entry's first question (saved or deleted), a term-list
	// save's TermsChange (see ParseTermsChange), a version's summary, a
	// rejection's reason, the version a restore copied ("version:<id>"),
	// a role, a token's name; often "".
	Detail string
}

// Targets of audit entries.
func reportTarget(id knowledge.ReportID) string { return "report:" + string(id) }
func passageTarget(id knowledge.ReportID, seq int) string {
	return "passage:" + string(id) + "#" + strconv.Itoa(seq)
}
func faqTarget(id knowledge.FAQID) string { return "faq:" + string(id) }
func termsTarget(name string) string      { return "terms:" + name }
func versionTarget(id VersionID) string   { return "version:" + strconv.FormatInt(int64(id), 10) }
func userTarget(id UserID) string         { return "user:" + strconv.FormatInt(int64(id), 10) }
func tokenTarget(id TokenID) string       { return "token:" + strconv.FormatInt(int64(id), 10) }

// audit records a change made by tx.
func (tx *wtx) audit(ctx context.Context, actor string, action Action, target, detail string) error {
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
func (db *DB) Audit(ctx context.Context, limit, offset int) ([]AuditEntry, error) {
	if limit <= 0 || offset < 0 {
		return nil, fmt.Errorf("sqldb: audit: limit %d, offset %d: %w", limit, offset, ErrInvalid)
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
func scanAudit(rows *sql.Rows) ([]AuditEntry, error) {
	defer rows.Close()
	var list []AuditEntry
	for rows.Next() {
		var e AuditEntry
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
