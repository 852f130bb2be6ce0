package console

import (
	"errors"
	"fmt"
)

// The sentinel errors of the stores behind the console. Stores wrap them
// with context; test with errors.Is.
var (
	// ErrNotFound: the object does not exist (or, for sessions and tokens,
	// is no longer valid).
	ErrNotFound = errors.New("console: not found")
	// ErrExists: an object with the same unique name or key exists.
	ErrExists = errors.New("console: already exists")
	// ErrConflict: the object was changed by someone else since the given
	// revision was read, or is no longer in the state the operation needs.
	ErrConflict = errors.New("console: changed by someone else")
	// ErrInvalid: the arguments are invalid, or the operation would break
	// an invariant of the stored data.
	ErrInvalid = errors.New("console: invalid")
	// ErrUnchanged: the draft holds exactly what the live version holds,
	// so publishing or submitting it would make a version that changes
	// nothing. It wraps ErrInvalid; test for it first.
	ErrUnchanged = fmt.Errorf("console: draft unchanged since the live version: %w", ErrInvalid)
)

// ErrNotAllowed is returned (unwrapped) by the console's services when the
// actor's role does not allow the action; nothing was changed.
var ErrNotAllowed = errors.New("console: not allowed for this role")
