package console

import (
	"context"
	"time"

	"fazhibot/knowledge"
)

// The stores below are what the console needs of its database, one small
// interface per concern. Every method that changes something takes by, the
// acting account's name, and records the change in the audit log in the
// same transaction; a method that fails changes nothing. Errors wrap
// ErrNotFound, ErrExists, ErrConflict or ErrInvalid when they have those
// causes. Implementations are safe for concurrent use; package
// storage/sqldb's *DB implements them all.

// Accounts keeps the console's accounts. Passwords arrive hashed (package
// accounts hashes them); setting a password ends the account's other web
// sessions except keepSession, and disabling an account ends all of them
// and revokes its API tokens.
type Accounts interface {
	Users(ctx context.Context) ([]User, error)
	UserByID(ctx context.Context, id UserID) (User, error)
	UserByName(ctx context.Context, name string) (User, error)
	CountUsers(ctx context.Context) (int, error)
	CountAdmins(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, u User, by string) (User, error)
	SetRole(ctx context.Context, id UserID, role Role, by string) error
	SetPasswordHash(ctx context.Context, id UserID, hash, keepSession, by string) error
	DisableUser(ctx context.Context, id UserID, by string) error
	EnableUser(ctx context.Context, id UserID, by string) error
}

// Tokens keeps the accounts' API tokens, found by the hash of their secret.
type Tokens interface {
	Tokens(ctx context.Context, userID UserID) ([]APIToken, error)
	CreateToken(ctx context.Context, t APIToken, by string) (APIToken, error)
	RevokeToken(ctx context.Context, id TokenID, by string) error
	TokenByHash(ctx context.Context, hash string) (APIToken, error)
	TouchToken(ctx context.Context, id TokenID, at time.Time) error
}

// WebSessions keeps the console's log-ins, found by the hash of their ID.
type WebSessions interface {
	CreateWebSession(ctx context.Context, s WebSession) error
	WebSession(ctx context.Context, idHash string) (WebSession, error)
	DeleteWebSession(ctx context.Context, idHash string) error
	DeleteExpiredWebSessions(ctx context.Context) (int64, error)
}

// Draft keeps the workspace staff edit: reports and their passages, FAQ
// entries and term lists. Saves take the revision the editor started from
// (0 skips the check) and fail with ErrConflict when the object changed
// since.
type Draft interface {
	Draft(ctx context.Context) (*knowledge.Content, error)
	ListReports(ctx context.Context) ([]ReportSummary, error)
	Reports(ctx context.Context) ([]*knowledge.Report, error)
	Report(ctx context.Context, id knowledge.ReportID) (*knowledge.Report, error)
	SaveReports(ctx context.Context, by string, reports ...*knowledge.Report) error
	DeleteReportBy(ctx context.Context, id knowledge.ReportID, by string) error
	Passages(ctx context.Context, id knowledge.ReportID) ([]PassageEntry, error)
	Passage(ctx context.Context, id knowledge.ReportID, seq int) (PassageEntry, error)
	UpdatePassage(ctx context.Context, id knowledge.ReportID, seq int, text string,
		keywords []string, rev int64, by string) (PassageEntry, error)
	SearchPassages(ctx context.Context, terms []string, limit int) ([]PassageEntry, error)
	FAQs(ctx context.Context) ([]FAQEntry, error)
	FAQ(ctx context.Context, id knowledge.FAQID) (FAQEntry, error)
	SaveFAQ(ctx context.Context, f knowledge.FAQ, rev int64, by string) (FAQEntry, error)
	DeleteFAQ(ctx context.Context, id knowledge.FAQID, rev int64, by string) error
	TermFile(ctx context.Context, name string) (TermFile, error)
	SaveTermFile(ctx context.Context, name, text string, rev int64, by string) (TermFile, error)
}

// Versions keeps the knowledge-base versions: snapshots of the draft,
// published directly or submitted for approval, and restorable. Who may do
// which is package publishing's rule, not the store's.
type Versions interface {
	Versions(ctx context.Context) ([]Version, error)
	Version(ctx context.Context, id VersionID) (Version, error)
	LiveVersion(ctx context.Context) (Version, error)
	PublishedBefore(ctx context.Context, id VersionID) (Version, error)
	LoadVersion(ctx context.Context, id VersionID) (*knowledge.Content, error)
	Submit(ctx context.Context, by, summary string) (Version, error)
	Reject(ctx context.Context, id VersionID, by, reason string) (Version, error)
	Publish(ctx context.Context, by, summary string) (Version, error)
	Approve(ctx context.Context, id VersionID, by string) (Version, error)
	Restore(ctx context.Context, id VersionID, by string) (Version, error)
}

// AuditLog reads the audit log, newest first.
type AuditLog interface {
	Audit(ctx context.Context, limit, offset int) ([]AuditEntry, error)
	SearchAudit(ctx context.Context, m AuditMatch, limit int) ([]AuditEntry, error)
}

// QueryLog reads the query log and keeps the questions dismissed from the
// unanswered queue.
type QueryLog interface {
	Logs(ctx context.Context, f LogFilter) (LogPage, error)
	Log(ctx context.Context, id LogID) (LogRecord, error)
	EachLog(ctx context.Context, f LogFilter, fn func(LogRecord) error) error
	Dashboard(ctx context.Context, from, to time.Time) (Dashboard, error)
	TopUnanswered(ctx context.Context, from, to time.Time, limit int) ([]TextCount, error)
	DismissQuestions(ctx context.Context, texts []DismissedText, by string) error
	DismissedQuestions(ctx context.Context) (map[string]bool, error)
}

// Notifications records the sends of later answers to citizens.
type Notifications interface {
	Notifications(ctx context.Context, limit int) ([]Notification, error)
	BeginNotification(ctx context.Context, n Notification) (NotificationID, error)
	FinishNotification(ctx context.Context, id NotificationID, c NotificationCounts) error
}

// Store is everything the staff console keeps.
type Store interface {
	Accounts
	Tokens
	WebSessions
	Draft
	Versions
	AuditLog
	QueryLog
	Notifications
}
