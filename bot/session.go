package bot

import (
	"context"
	"encoding/binary"
	"math"
	"math/bits"
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
// another version (or an older JSON-encoded one) is ignored: the
// conversation starts afresh.
const sessionVersion = 3

// sessionMagic is the first byte of an encoded Session; no JSON text
// starts with it.
const sessionMagic = 0xB5

// Session is what the bot remembers of one conversation between messages.
// It is stored under the user's key for Options.SessionTTL after the last
// message, in a compact binary encoding (encode, decodeSession): a few
// hundred bytes, since hits are stored as references, not as passages.
type Session struct {
	Version int
	// Topic is the subject of the conversation that follow-ups refer to.
	Topic *Topic
	// Query is what was last asked of the knowledge base; 更多 and digit
	// choices use it to pick the excerpt of another hit.
	Query *SessionQuery
	// Hits are the ranked hits of the last question, best first, as
	// references to passages of the knowledge base (see SessionHit).
	Hits []SessionHit
	// Shown is the index in Hits of the hit last shown, -1 for none.
	Shown int
	// Choices are the numbered options last offered ("您是否想问", hot
	// questions, suggestions); a reply "1", "2", … picks one.
	Choices []Choice
	// Rest is the part of a long reply not yet sent; 更多 sends it first.
	Rest string
	// Exchange is the last exchange that answered (or failed to answer) a
	// question; 满意 / 不满意 refer to it.
	Exchange ExchangeID
}

// Topic is the subject of a conversation.
type Topic struct {
	// Question is the question that opened the topic, re-asked with a new
	// year or department by follow-ups such as "那2021年呢".
	Question string
	// Terms are that question's own searchable terms, the context of
	// follow-ups such as "合格率呢".
	Terms []string
	// Year and Department are the filters currently in force: named by
	// the citizen in this topic, 0 and "" when none was.
	Year       int
	Department string
}

// SessionQuery is a knowledge.Query as stored in a Session.
type SessionQuery struct {
	Text       string
	Year       int
	Department string
	Context    []string
}

// SessionHit is a knowledge.Hit as stored in a Session: a reference to
// passage Seq of report ReportID with the hit's own ranking, and a
// checksum of the passage's content (Sum) when it was found. The passage
// itself is looked up again in the knowledge base the next message is
// answered from (when that Knowledge has a Report method, as
// *knowledge.Base does); it is current there when the report still has
// that passage with the same checksum, whatever version was published
// meanwhile. A hit that is not current is never quoted: 详情, 更多 and
// digit choices that would show it say that the reports changed instead
// (see turn.outdated).
type SessionHit struct {
	ReportID   knowledge.ReportID
	Seq        int
	Score      float64
	Confidence float64
	Matched    []string
	// Sum is passageSum of the hit as found.
	Sum uint64
	// Pathless: the hit was quoted without the passage's heading path
	// (a report's own metadata, such as its date).
	Pathless bool

	// ref holds the full hit: as found, or as looked up on first use.
	ref *hitRef
}

// hitRef is the full hit behind a SessionHit, resolved at most once per
// message.
type hitRef struct {
	k        Knowledge // where to look the passage up; nil once resolved
	hit      knowledge.Hit
	resolved bool
	current  bool
}

// reportSource is the optional part of a Knowledge that looks reports up
// by ID; *knowledge.Base has it.
type reportSource interface {
	Report(id knowledge.ReportID) (*knowledge.Report, bool)
}

// passageSum is the checksum of what a reply shows of a hit's passage:
// its report's title, department and year, and its text. It mixes eight
// bytes at a time (a multiply-rotate round, as in xxHash), since it runs
// over every hit of every answer. Sessions use it to recognise a passage
// changed by a republish, not against forgery.
func passageSum(h knowledge.Hit) uint64 {
	sum := uint64(len(h.Text))*prime64a ^ uint64(uint32(h.Year))
	sum = sumString(sum, h.Title)
	sum = sumString(sum, h.Department)
	return sumString(sum, h.Text)
}

const (
	prime64a = 0x9E3779B185EBCA87
	prime64b = 0xC2B2AE3D27D4EB4F
)

// sumString mixes s, and its length (so that fields stay apart), into sum.
func sumString(sum uint64, s string) uint64 {
	round := func(sum, v uint64) uint64 {
		return bits.RotateLeft64(sum^v*prime64b, 31) * prime64a
	}
	sum = round(sum, uint64(len(s)))
	for ; len(s) >= 8; s = s[8:] {
		sum = round(sum, uint64(s[0])|uint64(s[1])<<8|uint64(s[2])<<16|uint64(s[3])<<24|
			uint64(s[4])<<32|uint64(s[5])<<40|uint64(s[6])<<48|uint64(s[7])<<56)
	}
	var tail uint64
	for i := len(s) - 1; i >= 0; i-- {
		tail = tail<<8 | uint64(s[i])
	}
	return round(sum, tail)
}

// Choice is one numbered option offered to the citizen: either a hit of
// Session.Hits to show, or a question to ask.
type Choice struct {
	Label    string
	Hit      int    // index in Session.Hits when Question is ""
	Question string // the question to ask, when set
}

func (q SessionQuery) query() knowledge.Query {
	return knowledge.Query{Text: q.Text, Year: q.Year, Department: q.Department, Context: q.Context}
}

func storedQuery(q knowledge.Query) *SessionQuery {
	return &SessionQuery{Text: q.Text, Year: q.Year, Department: q.Department, Context: q.Context}
}

// hit returns the full hit: as found in this message, or looked up in
// the knowledge base of this message when it is current there. A hit that
// is not current comes back with its reference and ranking only (no text,
// title, department or path); callers check current first.
func (h SessionHit) hit() knowledge.Hit {
	if h.current() {
		return h.ref.hit
	}
	return knowledge.Hit{ReportID: h.ReportID, Seq: h.Seq, Score: h.Score, Confidence: h.Confidence, Matched: h.Matched}
}

// current reports whether the hit's passage is in this message's
// knowledge base with the content it had when the hit was found.
func (h SessionHit) current() bool {
	r := h.ref
	if r == nil {
		return false
	}
	if !r.resolved {
		r.resolved = true
		src, ok := r.k.(reportSource)
		r.k = nil
		if !ok {
			return false
		}
		rep, ok := src.Report(h.ReportID)
		if !ok || h.Seq < 0 || h.Seq >= len(rep.Passages) {
			return false
		}
		p := rep.Passages[h.Seq]
		r.hit = knowledge.Hit{
			ReportID: h.ReportID, Seq: h.Seq, Title: rep.Title, Department: rep.Department, Year: rep.Year,
			Path: p.Path, Text: p.Text, Score: h.Score, Confidence: h.Confidence, Matched: h.Matched,
		}
		if h.Pathless {
			r.hit.Path = nil
		}
		r.current = passageSum(r.hit) == h.Sum
	}
	return r.current
}

func storedHits(hits []knowledge.Hit) []SessionHit {
	out := make([]SessionHit, len(hits))
	refs := make([]hitRef, len(hits))
	for i, h := range hits {
		refs[i] = hitRef{hit: h, resolved: true, current: true}
		out[i] = SessionHit{
			ReportID: h.ReportID, Seq: h.Seq, Score: h.Score, Confidence: h.Confidence, Matched: h.Matched,
			Sum: passageSum(h), Pathless: len(h.Path) == 0, ref: &refs[i],
		}
	}
	return out
}

// decodeSession decodes stored session data, whose hits are looked up in
// k when used (see SessionHit). Missing, corrupt or outdated data yields a
// fresh session.
func decodeSession(data []byte, k Knowledge) Session {
	fresh := Session{Version: sessionVersion, Shown: -1}
	if len(data) == 0 {
		return fresh
	}
	d := sessionDecoder{b: string(data)}
	if d.byte() != sessionMagic || d.byte() != sessionVersion {
		return fresh
	}
	s := Session{Version: sessionVersion}
	if d.byte() == 1 {
		s.Topic = &Topic{Question: d.string(), Terms: d.strings(), Year: d.int(), Department: d.string()}
	}
	if d.byte() == 1 {
		s.Query = &SessionQuery{Text: d.string(), Year: d.int(), Department: d.string(), Context: d.strings()}
	}
	if n := d.count(); n > 0 {
		s.Hits = make([]SessionHit, n)
		refs := make([]hitRef, n)
		for i := range s.Hits {
			refs[i].k = k
			s.Hits[i] = SessionHit{
				ReportID: knowledge.ReportID(d.string()), Seq: d.int(), Score: d.float(), Confidence: d.float(),
				Matched: d.strings(), Sum: d.uint64(), Pathless: d.byte() == 1, ref: &refs[i],
			}
		}
	}
	s.Shown = d.int()
	if n := d.count(); n > 0 {
		s.Choices = make([]Choice, n)
		for i := range s.Choices {
			c := Choice{Label: d.string()}
			switch d.byte() {
			case choiceHit:
				c.Hit = d.int()
			case choiceLabel:
				c.Question = c.Label
			default:
				c.Question = d.string()
			}
			s.Choices[i] = c
		}
	}
	s.Rest = d.string()
	s.Exchange = ExchangeID(d.string())
	if d.bad || len(d.b) != 0 {
		return fresh
	}
	if s.Shown < -1 || s.Shown >= len(s.Hits) {
		s.Shown = -1
	}
	return s
}

// How a Choice is encoded: a hit, a question that is its label, or a
// question of its own.
const (
	choiceHit      = 0
	choiceLabel    = 1
	choiceQuestion = 2
)

// encode returns the session in the binary form decodeSession reads:
// sessionMagic, sessionVersion, then the fields in order, strings and
// lists length-prefixed (uvarint), integers as varints, floats as their 8
// bytes, optional parts behind a 0/1 byte.
func (s Session) encode() []byte {
	size := 64 + len(s.Rest) + len(s.Exchange)
	if s.Topic != nil {
		size += len(s.Topic.Question) + len(s.Topic.Department) + 8*len(s.Topic.Terms)
	}
	if s.Query != nil {
		size += len(s.Query.Text) + len(s.Query.Department) + 8*len(s.Query.Context)
	}
	size += 64 * len(s.Hits)
	for _, c := range s.Choices {
		size += 8 + len(c.Label)
		if c.Question != c.Label {
			size += len(c.Question)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, sessionMagic, sessionVersion)
	if t := s.Topic; t != nil {
		b = append(b, 1)
		b = appendString(b, t.Question)
		b = appendStrings(b, t.Terms)
		b = binary.AppendVarint(b, int64(t.Year))
		b = appendString(b, t.Department)
	} else {
		b = append(b, 0)
	}
	if q := s.Query; q != nil {
		b = append(b, 1)
		b = appendString(b, q.Text)
		b = binary.AppendVarint(b, int64(q.Year))
		b = appendString(b, q.Department)
		b = appendStrings(b, q.Context)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Hits)))
	for _, h := range s.Hits {
		b = appendString(b, string(h.ReportID))
		b = binary.AppendVarint(b, int64(h.Seq))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(h.Score))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(h.Confidence))
		b = appendStrings(b, h.Matched)
		b = binary.LittleEndian.AppendUint64(b, h.Sum)
		if h.Pathless {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = binary.AppendVarint(b, int64(s.Shown))
	b = binary.AppendUvarint(b, uint64(len(s.Choices)))
	for _, c := range s.Choices {
		b = appendString(b, c.Label)
		switch c.Question {
		case "":
			b = append(b, choiceHit)
			b = binary.AppendVarint(b, int64(c.Hit))
		case c.Label:
			b = append(b, choiceLabel)
		default:
			b = append(b, choiceQuestion)
			b = appendString(b, c.Question)
		}
	}
	b = appendString(b, s.Rest)
	return appendString(b, string(s.Exchange))
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// sessionDecoder reads what encode wrote, from one string: the strings it
// returns share its memory (one allocation for a whole session). A read
// past the end or a malformed number sets bad and yields zero values from
// then on.
type sessionDecoder struct {
	b   string
	bad bool
}

func (d *sessionDecoder) fail() {
	d.bad, d.b = true, ""
}

func (d *sessionDecoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// uvarint reads an unsigned varint as binary.AppendUvarint writes it.
func (d *sessionDecoder) uvarint() uint64 {
	var v uint64
	for i, shift := 0, uint(0); i < len(d.b) && i < binary.MaxVarintLen64; i, shift = i+1, shift+7 {
		c := d.b[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflow
			}
			d.b = d.b[i+1:]
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
	}
	d.fail()
	return 0
}

// int reads a signed varint as binary.AppendVarint writes it.
func (d *sessionDecoder) int() int {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	if v != int64(int(v)) {
		d.fail()
		return 0
	}
	return int(v)
}

// count reads the length of a list, which cannot exceed the bytes left
// (each element takes one at least).
func (d *sessionDecoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *sessionDecoder) string() string {
	n := d.count()
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *sessionDecoder) strings() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.string()
	}
	return out
}

func (d *sessionDecoder) uint64() uint64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := uint64(d.b[0]) | uint64(d.b[1])<<8 | uint64(d.b[2])<<16 | uint64(d.b[3])<<24 |
		uint64(d.b[4])<<32 | uint64(d.b[5])<<40 | uint64(d.b[6])<<48 | uint64(d.b[7])<<56
	d.b = d.b[8:]
	return v
}

func (d *sessionDecoder) float() float64 {
	return math.Float64frombits(d.uint64())
}

// outdatedText answers 详情, 更多 or a digit that would show a hit whose
// passage changed or went away since it was found (a republish).
const outdatedText = "报告已经更新,您要查看的这段内容已有改动或已删除。请重新提问,我会按最新的报告回答。"

// outdated answers cmd (cmdDetail, cmdMore, or cmdNone for the digit
// choice n) when the hit it would show is not current in this message's
// knowledge base: it says so, and the session forgets its hits, choices
// and unsent rest (the topic stays, so follow-ups still work). It returns
// false when cmd shows no hit or a current one; the command then runs as
// usual. The hit it checks is the one detail, more and choose would show,
// or for 更多 with the rest of a long reply unsent, the hit that reply
// quoted: its rest is not sent either when the passage changed.
func (t *turn) outdated(cmd command, n int) (Reply, bool) {
	s := t.session()
	i, intent := -1, IntentChoice
	switch cmd {
	case cmdDetail:
		i, intent = s.Shown, IntentDetail
	case cmdMore:
		intent = IntentMore
		switch {
		case s.Rest != "":
			i = s.Shown // the rest of the passage being paged through, if any
		case len(s.Choices) == 0 && s.Shown >= 0:
			i = s.Shown + 1
			if i >= len(s.Hits) || s.Hits[i].Confidence < relatedConfidence {
				i = -1
			}
		}
	default:
		if n >= 1 && n <= len(s.Choices) && s.Choices[n-1].Question == "" {
			i = s.Choices[n-1].Hit
		}
	}
	if i < 0 || i >= len(s.Hits) || s.Hits[i].current() {
		return Reply{}, false
	}
	s.Hits, s.Shown, s.Choices, s.Rest = nil, -1, nil, ""
	s.Exchange = t.entry.Exchange
	t.dirty = true
	return Reply{Text: outdatedText, Intent: intent}, true
}

// forgetOutdatedFocus stops a new question from preferring the passage
// last shown when that passage changed since (see Query.Focus).
func (t *turn) forgetOutdatedFocus() {
	if s := t.session(); s.Shown >= 0 && !s.Hits[s.Shown].current() {
		s.Shown = -1
	}
}
