package bot

import (
	"context"
	"encoding/json"
	"time"

	"fazhibot/knowledge"
)

// SessionStore keeps one opaque session per user with a time to live; it is
// storage/redisstore.Store or storage/memstore.Store. Implementations must
// be safe for concurrent use and should honour ctx: the Dialogue gives
// each call a short deadline and treats an error as "no session".
type SessionStore interface {
	// Session returns the data saved for user, or nil and no error when
	// there is none (or it expired).
	Session(ctx context.Context, user string) ([]byte, error)
	// SaveSession replaces the data of user; it expires after ttl.
	SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error
	// DeleteSession forgets user's session; deleting none is no error.
	DeleteSession(ctx context.Context, user string) error
}

// MessageStore is a SessionStore that also claims messages, counts rate
// limits and caches replies, so that one message costs the store two round
// trips: BeginMessage before the answer and FinishMessage after it. It is
// storage/redisstore.Store or storage/memstore.Store. When Options.Sessions
// is a MessageStore, the Dialogue calls BeginMessage instead of Session
// (and of Allow, when Options.Limiter is the same store) and FinishMessage
// instead of SaveSession; DeleteSession stays a call of its own (重置,
// unsubscribe). Implementations must be safe for concurrent use and should
// honour ctx; the Dialogue gives each call Options.StoreTimeout and treats
// an error as "no session, within the limit, not deduplicated".
type MessageStore interface {
	SessionStore
	// BeginMessage claims claimKey for claimTTL when claimKey is not ""
	// (claimed reports whether this call holds it; true without a key),
	// reads user's session (nil when none) and, when limit > 0, counts one
	// message of user against limit per window (allowed reports whether it
	// fits; true without a limit). All three happen whatever the claim's
	// outcome.
	BeginMessage(ctx context.Context, user, claimKey string, claimTTL time.Duration, limit int, window time.Duration) (claimed bool, session []byte, allowed bool, err error)
	// FinishMessage saves session as user's for sessionTTL when it is not
	// nil, and caches reply under replyKey for replyTTL when replyKey is
	// not "".
	FinishMessage(ctx context.Context, user string, session []byte, sessionTTL time.Duration, replyKey string, reply []byte, replyTTL time.Duration) error
}

// sessionVersion is the schema version of Session. A stored session of
// another version is ignored (the conversation starts afresh).
const sessionVersion = 1

// Session is what the bot remembers of one conversation between messages.
// It is stored JSON-encoded under the user's key for Options.SessionTTL
// after the last message.
type Session struct {
	Version int `json:"v"`
	// Topic is the subject of the conversation that follow-ups refer to.
	Topic *Topic `json:"topic,omitempty"`
	// Query is what was last asked of the knowledge base; 更多 and digit
	// choices use it to pick the excerpt of another hit.
	Query *SessionQuery `json:"query,omitempty"`
	// Hits are the ranked hits of the last question, best first, with
	// everything needed to render them again even after the knowledge base
	// was republished.
	Hits []SessionHit `json:"hits,omitempty"`
	// Shown is the index in Hits of the hit last shown, -1 for none.
	Shown int `json:"shown"`
	// Choices are the numbered options last offered ("您是否想问", hot
	// questions, suggestions); a reply "1", "2", … picks one.
	Choices []Choice `json:"choices,omitempty"`
	// Rest is the part of a long reply not yet sent; 更多 sends it first.
	Rest string `json:"rest,omitempty"`
	// Exchange is the last exchange that answered (or failed to answer) a
	// question; 满意 / 不满意 refer to it.
	Exchange ExchangeID `json:"exchange,omitempty"`
}

// Topic is the subject of a conversation.
type Topic struct {
	// Question is the question that opened the topic, re-asked with a new
	// year or department by follow-ups such as "那2021年呢".
	Question string `json:"question"`
	// Terms are that question's own searchable terms, the context of
	// follow-ups such as "合格率呢".
	Terms []string `json:"terms,omitempty"`
	// Year and Department are the filters currently in force: named by
	// the citizen in this topic, 0 and "" when none was.
	Year       int    `json:"year,omitempty"`
	Department string `json:"department,omitempty"`
}

// SessionQuery is a knowledge.Query as stored in a Session.
type SessionQuery struct {
	Text       string   `json:"text"`
	Year       int      `json:"year,omitempty"`
	Department string   `json:"department,omitempty"`
	Context    []string `json:"context,omitempty"`
}

// SessionHit is a knowledge.Hit as stored in a Session.
type SessionHit struct {
	ReportID   knowledge.ReportID `json:"report_id"`
	Seq        int                `json:"seq"`
	Title      string             `json:"title,omitempty"`
	Department string             `json:"department"`
	Year       int                `json:"year"`
	Path       []string           `json:"path,omitempty"`
	Text       string             `json:"text"`
	Score      float64            `json:"score"`
	Confidence float64            `json:"confidence"`
	Matched    []string           `json:"matched,omitempty"`
}

// Choice is one numbered option offered to the citizen: either a hit of
// Session.Hits to show, or a question to ask.
type Choice struct {
	Label    string `json:"label"`
	Hit      int    `json:"hit"`                // index in Session.Hits when Question is ""
	Question string `json:"question,omitempty"` // the question to ask, when set
}

func (q SessionQuery) query() knowledge.Query {
	return knowledge.Query{Text: q.Text, Year: q.Year, Department: q.Department, Context: q.Context}
}

func storedQuery(q knowledge.Query) *SessionQuery {
	return &SessionQuery{Text: q.Text, Year: q.Year, Department: q.Department, Context: q.Context}
}

func (h SessionHit) hit() knowledge.Hit {
	return knowledge.Hit{
		ReportID: h.ReportID, Seq: h.Seq, Title: h.Title, Department: h.Department, Year: h.Year,
		Path: h.Path, Text: h.Text, Score: h.Score, Confidence: h.Confidence, Matched: h.Matched,
	}
}

func storedHits(hits []knowledge.Hit) []SessionHit {
	out := make([]SessionHit, len(hits))
	for i, h := range hits {
		out[i] = SessionHit{
			ReportID: h.ReportID, Seq: h.Seq, Title: h.Title, Department: h.Department, Year: h.Year,
			Path: h.Path, Text: h.Text, Score: h.Score, Confidence: h.Confidence, Matched: h.Matched,
		}
	}
	return out
}

// decodeSession decodes stored session data. Missing, corrupt or outdated
// data yields a fresh session.
func decodeSession(data []byte) Session {
	s := Session{Version: sessionVersion, Shown: -1}
	if len(data) == 0 {
		return s
	}
	var stored Session
	if err := json.Unmarshal(data, &stored); err != nil || stored.Version != sessionVersion {
		return s
	}
	if stored.Shown >= len(stored.Hits) {
		stored.Shown = -1
	}
	return stored
}

func (s Session) encode() []byte {
	s.Version = sessionVersion
	data, _ := json.Marshal(s) // plain data: cannot fail
	return data
}
