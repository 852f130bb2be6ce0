package sqldb

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fazhibot/knowledge"
)

// LogID identifies a query-log record. IDs start at 1, are never reused and
// grow in the order records are inserted, which is not always time order
// when several instances write.
type LogID int64

// Feedback is a citizen's verdict on an answer. Its values are those of
// bot.Feedback.
type Feedback string

// The verdicts.
const (
	FeedbackNone        Feedback = ""
	FeedbackSatisfied   Feedback = "satisfied"   // 满意
	FeedbackUnsatisfied Feedback = "unsatisfied" // 不满意
)

func (f Feedback) valid() bool {
	return f == FeedbackNone || f == FeedbackSatisfied || f == FeedbackUnsatisfied
}

// LogHit is one ranked hit of a logged exchange.
type LogHit struct {
	Report     knowledge.ReportID `json:"report"`
	Seq        int                `json:"seq"`
	Score      float64            `json:"score"`
	Confidence float64            `json:"confidence"`
}

// LogRecord is the stored query-log record of one message and its reply.
// Strings are stored with invalid UTF-8 replaced and NUL bytes removed
// (PostgreSQL refuses both); times at microsecond precision in UTC.
//
// The query log keeps one LogRecord per message the bot handled, written
// in batches by InsertLogs (package storage/logwriter calls it off the
// reply path), and read by the staff pages and the command line through
// Logs, Log, EachLog, Dashboard, TopQuestions and TopUnanswered; PurgeLogs
// applies the retention.
//
// InsertLogs maintains rollup tables in the transaction that inserts the
// records: per day (messages, questions, answered questions, verdicts, a
// latency histogram), per day and normalised question text, and per day
// and best-hit passage or report. Dashboard reads only the rollups, so its
// cost depends on the days and distinct questions of its range, not on the
// number of records. Days are calendar days in China Standard Time
// (LogZone).
//
// Log writes do not take the knowledge base's write lock: on PostgreSQL
// they serialize on an advisory lock of their own, so that a staff edit
// never waits for a log batch; on SQLite they share the single writer.
type LogRecord struct {
	// ID is assigned by InsertLogs; it is ignored on input.
	ID LogID
	// Time is when the bot received the message; it must not be zero.
	Time time.Time
	// Exchange identifies the message and its reply; it must not be empty
	// and is unique: InsertLogs skips a record whose exchange is stored.
	Exchange string
	Channel  string // wechat, api, cli, eval
	// User is the pseudonym of the user (see package logwriter); "" when
	// unknown. OpenID is the raw user ID, "" unless configured to keep it.
	User   string
	OpenID string
	Kind   string // text, voice, click, subscribe …
	Text   string // the message text

	Intent   string // what the bot made of the message (bot.Intent)
	FollowUp string // how a question was read against the conversation
	// Question reports whether the message was a question searched in the
	// knowledge base. Only questions count in the answered rate and in the
	// top questions.
	Question   bool
	Terms      []string // terms read from the message; nil for none
	Context    []string // earlier turns' terms it was asked with; nil for none
	Year       int      // year the question was answered for, 0 for none
	Department string   // department the question was answered for
	Answered   bool
	Reason     knowledge.Reason // why not answered
	Hits       []LogHit         // top hits, best first; nil for none

	Reply   string
	Latency time.Duration // stored in microseconds

	// Gives and RefersTo are set on a feedback message (满意/不满意): the
	// verdict it gives and the exchange it rates. InsertLogs stores the
	// verdict on the rated record, now or when that record arrives.
	Gives    Feedback
	RefersTo string
	// Feedback is the latest verdict this exchange received and FeedbackAt
	// the time of the feedback message; both are ignored on input.
	Feedback   Feedback
	FeedbackAt time.Time

	StoreError string // the store failure the message was answered despite
}

// logZone is China Standard Time, in which the days of the rollups are
// counted. It is never modified.
var logZone = time.FixedZone("CST", 8*60*60)

// LogZone returns the time zone of the query log's days: China Standard
// Time, UTC+8, which has no daylight saving time.
func LogZone() *time.Location { return logZone }

// dayLayout is how days are stored.
const dayLayout = "2006-01-02"

// dayOf returns the day of t in LogZone as stored.
func dayOf(t time.Time) string { return t.In(logZone).Format(dayLayout) }

// StartOfDay returns midnight in LogZone of the day that contains t.
func StartOfDay(t time.Time) time.Time {
	y, m, d := t.In(logZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, logZone)
}

// latencyBounds are the upper bounds of the latency histogram's buckets;
// the last bucket holds everything slower than the last bound. The
// rollups store bucket indexes, so the bounds must never change.
var latencyBounds = [...]time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 500 * time.Millisecond,
	750 * time.Millisecond, time.Second, 1500 * time.Millisecond, 2 * time.Second,
	3 * time.Second, 4500 * time.Millisecond, 6 * time.Second, 10 * time.Second,
}

// latencyBuckets is the number of buckets: one per bound and the overflow.
const latencyBuckets = len(latencyBounds) + 1

// latencyBucket returns the bucket of d.
func latencyBucket(d time.Duration) int {
	for i, b := range latencyBounds {
		if d <= b {
			return i
		}
	}
	return len(latencyBounds)
}

// maxNormRunes caps the length of a normalised question text.
const maxNormRunes = 200

// NormalizeQuestion returns the form under which question texts are
// counted together: full-width ASCII folded to ASCII, letters in lower
// case, all white space removed, and punctuation trimmed from both ends
// (so "社保怎么交？" and " 社保怎么交 " count as one), at most 200
// runes. It returns "" for a text with nothing else.
func NormalizeQuestion(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for _, r := range s {
		switch {
		case r == '\u3000':
			continue
		case r >= '\uff01' && r <= '\uff5e':
			r -= 0xfee0
		}
		if unicode.IsSpace(r) || r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		if n == maxNormRunes {
			break
		}
		b.WriteRune(unicode.ToLower(r))
		n++
	}
	return strings.TrimFunc(b.String(), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
}

// textKey is the key of a normalised text in the rollups: the first eight
// bytes of its SHA-256.
func textKey(norm string) int64 {
	sum := sha256.Sum256([]byte(norm))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// clean makes s storable in both databases.
func clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

func cleanList(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = clean(s)
	}
	return out
}

// logColumns are the columns of query_logs in the order of scanLog and
// logRow.values.
const logColumns = `id, at, exchange, channel, user_hash, openid, kind, text, intent, follow_up,
	question, terms, context, year, department, answered, reason, report_id, hits, reply,
	latency_us, gives, refers_to, feedback, feedback_at, store_error`

// insertColumns are the columns InsertLogs writes: logColumns and search.
const insertColumns = logColumns + `, search`

const insertColumnCount = 27

// maxSearchRunes is how much of a message's text Logs searches.
const maxSearchRunes = 200

// foldSearch folds a text for the search column, and a searched text the
// same way: full-width ASCII to ASCII and letters to lower case.
func foldSearch(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			r = ' '
		case r >= '\uff01' && r <= '\uff5e':
			r -= 0xfee0
		}
		return unicode.ToLower(r)
	}, s)
}

// searchText returns the search column of a message text.
func searchText(text string) string {
	if utf8.RuneCountInString(text) > maxSearchRunes {
		n := 0
		for i := range text {
			if n == maxSearchRunes {
				text = text[:i]
				break
			}
			n++
		}
	}
	return foldSearch(text)
}

// logValues returns the column values of r in the order of insertColumns.
func logValues(r *LogRecord) []any {
	hits := r.Hits
	if hits == nil {
		hits = []LogHit{}
	}
	hitsJSON, _ := json.Marshal(hits) // plain values always marshal
	var report string
	if len(r.Hits) > 0 {
		report = string(r.Hits[0].Report)
	}
	var feedbackAt any
	if r.Feedback != FeedbackNone {
		feedbackAt = formatTime(r.FeedbackAt)
	}
	return []any{
		int64(r.ID), formatTime(r.Time), r.Exchange, r.Channel, r.User, r.OpenID, r.Kind, r.Text,
		r.Intent, r.FollowUp, boolInt(r.Question), encodeList(r.Terms), encodeList(r.Context),
		r.Year, r.Department, boolInt(r.Answered), string(r.Reason), report, string(hitsJSON), r.Reply,
		r.Latency.Microseconds(), string(r.Gives), r.RefersTo, string(r.Feedback), feedbackAt, r.StoreError,
		searchText(r.Text),
	}
}

// scanLog reads a row of logColumns.
func scanLog(row interface{ Scan(...any) error }) (LogRecord, error) {
	var r LogRecord
	var at, terms, context, reason, report, hits, gives, feedback string
	var question, answered int
	var latency int64
	var feedbackAt *string
	if err := row.Scan(&r.ID, &at, &r.Exchange, &r.Channel, &r.User, &r.OpenID, &r.Kind, &r.Text,
		&r.Intent, &r.FollowUp, &question, &terms, &context, &r.Year, &r.Department, &answered,
		&reason, &report, &hits, &r.Reply, &latency, &gives, &r.RefersTo, &feedback, &feedbackAt,
		&r.StoreError); err != nil {
		return LogRecord{}, err
	}
	var err error
	if r.Time, err = parseTime(at); err != nil {
		return LogRecord{}, fmt.Errorf("log %d: %w", r.ID, err)
	}
	if r.Terms, err = decodeList(terms); err != nil {
		return LogRecord{}, fmt.Errorf("log %d: terms: %w", r.ID, err)
	}
	if r.Context, err = decodeList(context); err != nil {
		return LogRecord{}, fmt.Errorf("log %d: context: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(hits), &r.Hits); err != nil {
		return LogRecord{}, fmt.Errorf("log %d: hits: %w", r.ID, err)
	}
	if len(r.Hits) == 0 {
		r.Hits = nil
	}
	if feedbackAt != nil {
		if r.FeedbackAt, err = parseTime(*feedbackAt); err != nil {
			return LogRecord{}, fmt.Errorf("log %d: feedback time: %w", r.ID, err)
		}
	}
	r.Question, r.Answered = question == 1, answered == 1
	r.Reason, r.Gives, r.Feedback = knowledge.Reason(reason), Feedback(gives), Feedback(feedback)
	r.Latency = time.Duration(latency) * time.Microsecond
	return r, nil
}

// prepareLog validates and cleans a record for InsertLogs.
func prepareLog(r LogRecord) (LogRecord, error) {
	if strings.TrimSpace(r.Exchange) == "" {
		return r, fmt.Errorf("record without exchange ID: %w", ErrInvalid)
	}
	if r.Time.IsZero() {
		return r, fmt.Errorf("record %s without time: %w", r.Exchange, ErrInvalid)
	}
	if !r.Gives.valid() {
		return r, fmt.Errorf("record %s: unknown feedback %q: %w", r.Exchange, r.Gives, ErrInvalid)
	}
	r.ID = 0
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	r.Feedback, r.FeedbackAt = FeedbackNone, time.Time{}
	for _, s := range []*string{&r.Exchange, &r.Channel, &r.User, &r.OpenID, &r.Kind, &r.Text,
		&r.Intent, &r.FollowUp, &r.Department, &r.Reply, &r.RefersTo, &r.StoreError} {
		*s = clean(*s)
	}
	r.Reason = knowledge.Reason(clean(string(r.Reason)))
	r.Terms, r.Context = cleanList(r.Terms), cleanList(r.Context)
	if len(r.Hits) > 0 {
		hits := make([]LogHit, len(r.Hits))
		for i, h := range r.Hits {
			h.Report = knowledge.ReportID(clean(string(h.Report)))
			hits[i] = h
		}
		r.Hits = hits
	} else {
		r.Hits = nil
	}
	if r.Latency < 0 {
		r.Latency = 0
	}
	return r, nil
}
