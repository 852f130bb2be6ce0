package console

import (
	"time"
)

// AuditID identifies an audit-log entry. IDs grow with time.
type AuditID int64

// Action names a kind of change in the audit log.
type Action string

// The actions the store records in the audit log, one per mutating method.
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

// ActionNotifySend: BeginNotification, citizens were sent a later answer.
const ActionNotifySend Action = "notify.send"

// NotificationID identifies a send of a later answer.
type NotificationID int64

// NotificationCounts are a send's outcome, as package notify counts it.
type NotificationCounts struct {
	Notified, Expired, Unsubscribed, Failed, Deferred, Skipped int64
}

// Notification is one send of a later answer to the citizens who asked a
// question group.
type Notification struct {
	ID       NotificationID
	GroupKey string // the representative, normalised
	Question string // as a citizen wrote it
	Answer   string
	Version  int64
	Citizens int64
	Counts   NotificationCounts
	SentBy   string
	Started  time.Time // UTC
	Finished time.Time // UTC; zero while running (or when the instance stopped)
}
