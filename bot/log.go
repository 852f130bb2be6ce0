package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"fazhibot/knowledge"
)

// ExchangeID identifies one message and its reply: 16 random hex digits.
type ExchangeID string

// newExchangeID returns a fresh random ExchangeID.
func newExchangeID() ExchangeID {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return ExchangeID(hex.EncodeToString(b[:]))
}

// Feedback is a citizen's verdict on an answer.
type Feedback string

// The feedback a citizen can give by replying 满意 or 不满意.
const (
	FeedbackNone        Feedback = ""
	FeedbackSatisfied   Feedback = "satisfied"
	FeedbackUnsatisfied Feedback = "unsatisfied"
)

// FollowUp says how a question was read against the conversation so far
// (see Dialogue.Respond for the rule).
type FollowUp string

// The ways a question can relate to the previous one.
const (
	FollowUpNone    FollowUp = ""        // not a question, or nothing to follow
	FollowUpNew     FollowUp = "new"     // a new topic, asked on its own
	FollowUpRefine  FollowUp = "refine"  // the previous question re-asked for another year or department
	FollowUpContext FollowUp = "context" // asked with the previous topic's terms as context
	FollowUpFilters FollowUp = "filters" // a new subject asked within the topic's department
)

// HitRef names one ranked hit in the query log.
type HitRef struct {
	ReportID   knowledge.ReportID `json:"report_id"`
	Seq        int                `json:"seq"`
	Score      float64            `json:"score"`
	Confidence float64            `json:"confidence"`
}

// LogEntry is the query-log record of one message: exactly one per call of
// Dialogue.Respond.
type LogEntry struct {
	Time     time.Time   `json:"time"` // when the Dialogue received the message
	Exchange ExchangeID  `json:"exchange"`
	Channel  Channel     `json:"channel"`
	User     UserID      `json:"user"`
	Kind     MessageKind `json:"kind"`
	Text     string      `json:"text"` // the message text (voice: the recognition; click: the key)

	Intent   Intent   `json:"intent"`
	FollowUp FollowUp `json:"follow_up,omitempty"`
	// Terms are the searchable terms the knowledge base read from the
	// message itself; Context the earlier turns' terms it was asked with.
	// Year and Department are those the question was answered for: named
	// in the message or carried over from the conversation.
	Terms      []string         `json:"terms,omitempty"`
	Context    []string         `json:"context,omitempty"`
	Year       int              `json:"year,omitempty"`
	Department string           `json:"department,omitempty"`
	Answered   bool             `json:"answered"`
	Reason     knowledge.Reason `json:"reason,omitempty"`
	Hits       []HitRef         `json:"hits,omitempty"` // top hits, best first, at most maxLoggedHits

	Reply   string        `json:"reply"`
	Latency time.Duration `json:"latency"`

	// Feedback is set on a 满意 / 不满意 message; RefersTo is the exchange it
	// rates (empty when the citizen had no earlier answer in the session).
	Feedback Feedback   `json:"feedback,omitempty"`
	RefersTo ExchangeID `json:"refers_to,omitempty"`

	// StoreError is the session-store or rate-limiter failure the message
	// was answered despite (statelessly), empty when they worked.
	StoreError string `json:"store_error,omitempty"`
}

// maxLoggedHits caps LogEntry.Hits.
const maxLoggedHits = 5

// QueryLogger receives one LogEntry per message. Log must not block the
// reply: implementations queue the entry (dropping it when full) and
// write it elsewhere. Log is called from many goroutines at once.
type QueryLogger interface {
	Log(ctx context.Context, e LogEntry)
}

func hitRefs(hits []knowledge.Hit) []HitRef {
	n := min(len(hits), maxLoggedHits)
	if n == 0 {
		return nil
	}
	refs := make([]HitRef, n)
	for i, h := range hits[:n] {
		refs[i] = HitRef{ReportID: h.ReportID, Seq: h.Seq, Score: h.Score, Confidence: h.Confidence}
	}
	return refs
}
