package console

import (
	"time"
)

// UserID identifies a staff account. IDs start at 1 and are never reused.
type UserID int64

// Role is what a staff account may do; the HTTP layer enforces it.
type Role string

// The roles.
const (
	RoleStaff Role = "staff" // edits the draft and submits versions
	RoleAdmin Role = "admin" // also approves, publishes, restores and manages accounts
)

// Valid reports whether r is RoleStaff or RoleAdmin.
func (r Role) Valid() bool { return r == RoleStaff || r == RoleAdmin }

// User is a staff account.
type User struct {
	ID   UserID
	Name string // unique log-in name
	Role Role
	// PasswordHash is stored as given; hashing and checking passwords is
	// the caller's job.
	PasswordHash string
	CreatedAt    time.Time // UTC
	Disabled     bool      // a disabled user's tokens and sessions are not returned
}

// TokenRevokedByDisable is the audit detail of a token revoked because
// DisableUser disabled its account. It is shown to staff, hence Chinese.
const TokenRevokedByDisable = "账号停用"

// TokenID identifies an API token. IDs start at 1 and are never reused.
type TokenID int64

// APIToken is an API token of a staff account. The secret itself is never
// stored, only its hash.
type APIToken struct {
	ID     TokenID
	UserID UserID
	Name   string // what the token is for, chosen by its owner
	// Hash is the SHA-256 of the secret in lowercase hex.
	Hash       string
	CreatedAt  time.Time  // UTC
	RevokedAt  *time.Time // nil while the token is valid
	LastUsedAt *time.Time // nil until TouchToken is called
}

// WebSession is a cookie session of the staff pages. The cookie's secret
// is never stored, only its hash.
type WebSession struct {
	IDHash    string // hash of the cookie's session ID, chosen by the caller
	UserID    UserID
	CSRFToken string
	CreatedAt time.Time // UTC
	ExpiresAt time.Time // UTC; the session is gone from then on
}

// Actor is who acts on the console: the account, and the name the audit
// log records. The command line acts as an admin with no account ID.
type Actor struct {
	ID   UserID
	Name string
	Role Role
}

// Admin reports whether a acts as an admin.
func (a Actor) Admin() bool { return a.Role == RoleAdmin }
