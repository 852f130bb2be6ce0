package notify

import (
	"context"
	"errors"
	"time"
)

// Window is WeChat's customer-service window: an official account may send
// a citizen messages for 48 hours after the citizen's last message.
const Window = 48 * time.Hour

// Grace is how much longer than Window a Store may still hold an entry
// before it is gone for good (Redis drops entries in hourly buckets).
const Grace = time.Hour

// OpenID identifies a citizen to the official account.
type OpenID string

// QuestionKey is a question as the unanswered queue counts it: its text
// normalised by Options.Normalize (console.NormalizeQuestion), so that a
// key names the same texts as one entry of the queue.
type QuestionKey string

// Pending is a citizen waiting for an answer to one question.
type Pending struct {
	OpenID   OpenID
	Question string    // as the citizen typed it
	At       time.Time // when it was asked
}

// Store keeps the citizens waiting for answers, by question. Entries older
// than Window (plus at most Grace) are gone. Implementations must be safe
// for concurrent use and honour ctx.
type Store interface {
	// Add records p under key, replacing an earlier entry of the same
	// citizen and key.
	Add(ctx context.Context, key QuestionKey, p Pending) error
	// Questions returns the keys that have, or had within Window plus
	// Grace, entries, in no particular order.
	Questions(ctx context.Context) ([]QuestionKey, error)
	// Pending returns the entries of key still held, one per citizen,
	// oldest first; possibly some older than Window.
	Pending(ctx context.Context, key QuestionKey) ([]Pending, error)
	// Take removes the entry of id under key and reports whether there
	// was one. Of concurrent calls for the same entry, at most one
	// returns true.
	Take(ctx context.Context, key QuestionKey, id OpenID) (bool, error)
	// Forget removes every entry of id and returns how many there were.
	Forget(ctx context.Context, id OpenID) (int, error)
}

// Sender sends one text message to a citizen through the customer-service
// API. Errors wrap ErrWindowClosed, ErrUnsubscribed or ErrRateLimited when
// WeChat says so; any other error is an API or network failure. Send must
// be safe for concurrent use and return by ctx's deadline.
type Sender interface {
	Send(ctx context.Context, to OpenID, text string) error
}

// Errors a Sender wraps.
var (
	// ErrWindowClosed: the citizen's 48 hours are over (errcode 45015).
	ErrWindowClosed = errors.New("notify: customer-service window closed")
	// ErrUnsubscribed: the citizen no longer follows the account
	// (errcode 43004) or the OpenID is not the account's (40003).
	ErrUnsubscribed = errors.New("notify: citizen does not follow the account")
	// ErrRateLimited: WeChat's send quota is used up (errcode 45047,
	// 45009).
	ErrRateLimited = errors.New("notify: rate limited")
)

// RecordID identifies a send in the Ledger.
type RecordID int64

// Record is what the Ledger keeps of one send.
type Record struct {
	By       string      // the account that sent it
	Group    QuestionKey // the group's representative
	Question string      // the representative as a citizen wrote it
	Answer   string      // the answer sent
	Version  int64       // the published version the answer came from
	Citizens int         // how many citizens it was sent to
}

// Counts are the outcome of a send.
type Counts struct {
	Notified     int // delivered
	Expired      int // the 48 hours were over
	Unsubscribed int // no longer follows the account
	Failed       int // API or network errors, rate limits included
	Deferred     int // not tried: a rate limit stopped the send; still waiting
	Skipped      int // already sent or opted out meanwhile
}

// Done is how many citizens the send has dealt with so far.
func (c Counts) Done() int {
	return c.Notified + c.Expired + c.Unsubscribed + c.Failed + c.Deferred + c.Skipped
}

// Ledger records sends for the audit log and the admins' outcome list.
// Implementations must be safe for concurrent use.
type Ledger interface {
	// Begin records that r is being sent, in the audit log too, and
	// returns its ID.
	Begin(ctx context.Context, r Record) (RecordID, error)
	// Finish records the outcome of the send id.
	Finish(ctx context.Context, id RecordID, c Counts) error
}

// Role is an account's role in the console.
type Role string

// The roles that may send.
const (
	RoleStaff Role = "staff"
	RoleAdmin Role = "admin"
)

// MaySend reports whether an account of role may notify citizens: staff
// and admins, who answer the questions.
func MaySend(role Role) bool { return role == RoleStaff || role == RoleAdmin }

// Actor is the account asking to send.
type Actor struct {
	Name string
	Role Role
}
