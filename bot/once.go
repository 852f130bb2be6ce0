package bot

import (
	"context"
	"time"
)

// Claim asks RespondOnce to answer a message once however often it is
// delivered (WeChat redelivers a message it got no reply to).
type Claim struct {
	// Key names the message across its deliveries, for example its sender
	// and WeChat MsgId.
	Key string
	// TTL is how long the claim and the cached reply live; it must be
	// positive.
	TTL time.Duration
	// Cached renders the final reply as the bytes cached under Key for
	// later deliveries, as the door would send it. Nil caches its
	// PlainText.
	Cached func(r Reply) []byte
}

// ClaimOutcome is what became of a RespondOnce claim.
type ClaimOutcome string

// The outcomes of RespondOnce.
const (
	// ClaimWon: this delivery holds the claim; the message was answered
	// and its reply cached under Claim.Key with the session, in one round
	// trip, unless the context ended first.
	ClaimWon ClaimOutcome = "won"
	// ClaimLost: an earlier delivery holds the claim. Nothing was
	// answered, counted in the query log or saved; the caller waits for
	// the reply cached under Claim.Key.
	ClaimLost ClaimOutcome = "lost"
	// ClaimFailed: the store failed (RespondOnce returns its error) or the
	// Dialogue cannot claim (see CanClaim; the error is nil). The message
	// was answered statelessly, not deduplicated, and its reply not cached.
	ClaimFailed ClaimOutcome = "failed"
)

// CanClaim reports whether RespondOnce can claim messages: Options.Sessions
// is a MessageStore.
func (d *Dialogue) CanClaim() bool { return d.messages != nil }

// RespondOnce answers m as Respond does, once per c.Key: in the same store
// round trip that loads the session and counts the rate limit, it claims
// c.Key for c.TTL, and after the answer it saves the session and caches
// the reply (rendered by c.Cached) under c.Key in a second one. A message
// costs the MessageStore two round trips (three for 重置 and unsubscribe,
// which delete the session; the Notifier's calls for unanswered questions
// and 不用通知 are its own).
//
// The save happens before RespondOnce returns, not after the reply is
// sent: the citizen's next message must find the session. When another
// delivery holds the claim it returns at once with ClaimLost and an empty
// Reply. A failing store is answered as Respond does, with ClaimFailed and
// the store's error (also in the LogEntry's StoreError); so is every
// message when CanClaim is false, with a nil error. The error never means
// the message went unanswered. It is safe for concurrent use.
func (d *Dialogue) RespondOnce(ctx context.Context, m Message, c Claim) (Reply, ClaimOutcome, error) {
	if d.messages == nil {
		return d.Respond(ctx, m), ClaimFailed, nil
	}
	return d.respond(ctx, m, &c)
}
