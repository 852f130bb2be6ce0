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

	"fazhibot/console"
	"fazhibot/knowledge"
)

// dayLayout is how days are stored.
const dayLayout = "2006-01-02"

// dayOf returns the day of t in LogZone as stored.
func dayOf(t time.Time) string { return t.In(console.LogZone()).Format(dayLayout) }

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
func logValues(r *console.LogRecord) []any {
	hits := r.Hits
	if hits == nil {
		hits = []console.LogHit{}
	}
	hitsJSON, _ := json.Marshal(hits) // plain values always marshal
	var report string
	if len(r.Hits) > 0 {
		report = string(r.Hits[0].Report)
	}
	var feedbackAt any
	if r.Feedback != console.FeedbackNone {
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
func scanLog(row interface{ Scan(...any) error }) (console.LogRecord, error) {
	var r console.LogRecord
	var at, terms, context, reason, report, hits, gives, feedback string
	var question, answered int
	var latency int64
	var feedbackAt *string
	if err := row.Scan(&r.ID, &at, &r.Exchange, &r.Channel, &r.User, &r.OpenID, &r.Kind, &r.Text,
		&r.Intent, &r.FollowUp, &question, &terms, &context, &r.Year, &r.Department, &answered,
		&reason, &report, &hits, &r.Reply, &latency, &gives, &r.RefersTo, &feedback, &feedbackAt,
		&r.StoreError); err != nil {
		return console.LogRecord{}, err
	}
	var err error
	if r.Time, err = parseTime(at); err != nil {
		return console.LogRecord{}, fmt.Errorf("log %d: %w", r.ID, err)
	}
	if r.Terms, err = decodeList(terms); err != nil {
		return console.LogRecord{}, fmt.Errorf("log %d: terms: %w", r.ID, err)
	}
	if r.Context, err = decodeList(context); err != nil {
		return console.LogRecord{}, fmt.Errorf("log %d: context: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(hits), &r.Hits); err != nil {
		return console.LogRecord{}, fmt.Errorf("log %d: hits: %w", r.ID, err)
	}
	if len(r.Hits) == 0 {
		r.Hits = nil
	}
	if feedbackAt != nil {
		if r.FeedbackAt, err = parseTime(*feedbackAt); err != nil {
			return console.LogRecord{}, fmt.Errorf("log %d: feedback time: %w", r.ID, err)
		}
	}
	r.Question, r.Answered = question == 1, answered == 1
	r.Reason, r.Gives, r.Feedback = knowledge.Reason(reason), console.Feedback(gives), console.Feedback(feedback)
	r.Latency = time.Duration(latency) * time.Microsecond
	return r, nil
}

// prepareLog validates and cleans a record for InsertLogs.
func prepareLog(r console.LogRecord) (console.LogRecord, error) {
	if strings.TrimSpace(r.Exchange) == "" {
		return r, fmt.Errorf("record without exchange ID: %w", console.ErrInvalid)
	}
	if r.Time.IsZero() {
		return r, fmt.Errorf("record %s without time: %w", r.Exchange, console.ErrInvalid)
	}
	if !r.Gives.Valid() {
		return r, fmt.Errorf("record %s: unknown feedback %q: %w", r.Exchange, r.Gives, console.ErrInvalid)
	}
	r.ID = 0
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	r.Feedback, r.FeedbackAt = console.FeedbackNone, time.Time{}
	for _, s := range []*string{&r.Exchange, &r.Channel, &r.User, &r.OpenID, &r.Kind, &r.Text,
		&r.Intent, &r.FollowUp, &r.Department, &r.Reply, &r.RefersTo, &r.StoreError} {
		*s = clean(*s)
	}
	r.Reason = knowledge.Reason(clean(string(r.Reason)))
	r.Terms, r.Context = cleanList(r.Terms), cleanList(r.Context)
	if len(r.Hits) > 0 {
		hits := make([]console.LogHit, len(r.Hits))
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
