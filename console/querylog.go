package console

import (
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

// Valid reports whether f is one of the Feedback constants.
func (f Feedback) Valid() bool {
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
// in batches by storage/sqldb's InsertLogs (package storage/logwriter
// calls it off the reply path), and read by the staff pages and the
// command line through QueryLog (Logs, Log, EachLog, Dashboard,
// TopUnanswered); PurgeLogs applies the retention.
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

// StartOfDay returns midnight in LogZone of the day that contains t.
func StartOfDay(t time.Time) time.Time {
	y, m, d := t.In(logZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, logZone)
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

// AnswerFilter selects records by outcome.
type AnswerFilter int

// The outcomes LogFilter.Answer can select.
const (
	AnyAnswer      AnswerFilter = iota // every record
	OnlyAnswered                       // replies that quote the knowledge base
	OnlyUnanswered                     // questions that were not answered
)

// LogFilter selects query-log records for Logs and EachLog. Zero fields
// select everything; set fields must all match.
type LogFilter struct {
	// From and To bound the time the message was received: From <= time
	// < To. A zero bound is open.
	From, To time.Time
	Answer   AnswerFilter
	// Feedback selects records that received this verdict.
	Feedback Feedback
	// Text selects messages whose first 200 characters contain it,
	// ignoring case and the width of ASCII characters (Ａ is A). The
	// search scans the time index over the range, so the staff pages
	// should bound it with From (see the package benchmark for costs).
	Text string
	// Report selects records whose best hit is from this report.
	Report     knowledge.ReportID
	Department string // the department the question was answered for
	Channel    string
	User       string // the user's pseudonym
	// Limit is the most records Logs returns, 0 meaning DefaultLogLimit,
	// at most MaxLogLimit. For EachLog it is the most records visited,
	// 0 meaning all.
	Limit int
	// After continues a listing: the Next of the previous page; "" starts
	// with the newest record.
	After string
}

// Page sizes of Logs.
const (
	DefaultLogLimit = 50
	MaxLogLimit     = 1000
)

// LogPage is one page of a listing.
type LogPage struct {
	// Records are newest first: by time, then by ID, both descending.
	Records []LogRecord
	// Next is the LogFilter.After of the following (older) page, "" when
	// there are no more records.
	Next string
}

// DayStats are the counts of one day, or of a range of days.
type DayStats struct {
	Day       time.Time // midnight in LogZone; the first day for a range
	Messages  int64     // every message, questions or not
	Questions int64     // messages searched in the knowledge base
	Answered  int64     // questions answered
	// Satisfied and Unsatisfied count the verdicts on the day's exchanges.
	Satisfied   int64
	Unsatisfied int64
	// P95Latency is the 95th percentile of the reply latency of all
	// messages, estimated from a histogram with bounds 5ms, 10ms, 25ms,
	// 50ms, 100ms, 200ms, 300ms, 500ms, 750ms, 1s, 1.5s, 2s, 3s, 4.5s, 6s
	// and 10s by linear interpolation in its bucket; 10s stands for
	// anything slower. It is 0 without messages.
	P95Latency time.Duration
}

// AnsweredRate returns Answered/Questions, or 0 without questions.
func (d DayStats) AnsweredRate() float64 {
	if d.Questions == 0 {
		return 0
	}
	return float64(d.Answered) / float64(d.Questions)
}

// SatisfactionRate returns the share of satisfied verdicts, or 0 without
// verdicts.
func (d DayStats) SatisfactionRate() float64 {
	if n := d.Satisfied + d.Unsatisfied; n > 0 {
		return float64(d.Satisfied) / float64(n)
	}
	return 0
}

// TextCount is how often one normalised question was asked.
type TextCount struct {
	Text     string // the question as NormalizeQuestion returns it
	Sample   string // the first text counted under it, as the citizen wrote it
	Asked    int64
	Answered int64
}

// Unanswered returns how often the question was not answered.
func (t TextCount) Unanswered() int64 { return t.Asked - t.Answered }

// ReportHits counts the hits of one report.
type ReportHits struct {
	Report knowledge.ReportID
	// Hits counts the messages whose best hit is from the report (those
	// LogFilter.Report selects), Quoted the answered ones among them.
	Hits, Quoted int64
}

// PassageHits counts the hits of one passage.
type PassageHits struct {
	Report knowledge.ReportID
	Seq    int
	// Hits counts the messages whose best hit is the passage, Quoted the
	// answered ones among them.
	Hits, Quoted int64
}

// Dashboard summarizes the query log over a range of days.
type Dashboard struct {
	From, To time.Time  // the first and the last day, midnight in LogZone
	Days     []DayStats // every day of the range, oldest first, idle days included
	Total    DayStats   // the whole range
	// TopQuestions are the DashboardTop most asked questions, most asked
	// first; TopUnanswered the DashboardTop questions most often not
	// answered, most often first (only those not answered at least once).
	TopQuestions  []TextCount
	TopUnanswered []TextCount
	// Reports are all reports hit in the range, most quoted first, then
	// most hit; Passages the DashboardTop passages in the same order.
	Reports  []ReportHits
	Passages []PassageHits
}

// DashboardTop is the length of the top lists of a Dashboard.
const DashboardTop = 20

// MaxDashboardDays is the longest range Dashboard and the top lists cover.
const MaxDashboardDays = 366

// MaxDismissTexts bounds the texts one DismissQuestions call takes.
const MaxDismissTexts = 300

// DismissedText is a question text dismissed from the unanswered queue.
type DismissedText struct {
	Text   string // normalised, as NormalizeQuestion returns it
	Sample string // as a citizen wrote it
}
