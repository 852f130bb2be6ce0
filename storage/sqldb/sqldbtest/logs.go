package sqldbtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

// logCases are the contract cases of the query log.
func logCases() []struct {
	name string
	run  func(t *testing.T, h harness)
} {
	return []struct {
		name string
		run  func(t *testing.T, h harness)
	}{
		{"LogsRoundTrip", testLogsRoundTrip},
		{"LogsInvalid", testLogsInvalid},
		{"LogsIdempotent", testLogsIdempotent},
		{"LogsFeedback", testLogsFeedback},
		{"LogsFilters", testLogsFilters},
		{"LogsPagination", testLogsPagination},
		{"LogsDashboard", testLogsDashboard},
		{"LogsTopTexts", testLogsTopTexts},
		{"LogsPurge", testLogsPurge},
		{"LogsConcurrentInserts", testLogsConcurrentInserts},
		{"DismissQuestions", testDismissQuestions},
	}
}

// day0 is the first day of the log fixtures, 09:00 in China time.
var day0 = time.Date(2026, 3, 10, 9, 0, 0, 0, console.LogZone())

// question returns an answered question record asked at at.
func question(exchange string, at time.Time, text string, mods ...func(*console.LogRecord)) console.LogRecord {
	r := console.LogRecord{
		Time: at.UTC(), Exchange: exchange, Channel: "wechat", User: "u-" + exchange, Kind: "text",
		Text: text, Intent: "answer", FollowUp: "new", Question: true, Answered: true,
		Reply: "答复：" + text, Latency: 40 * time.Millisecond,
	}
	for _, m := range mods {
		m(&r)
	}
	return r
}

func unanswered(r *console.LogRecord) {
	r.Answered, r.Intent, r.Reason = false, "not_covered", knowledge.ReasonLowConfidence
}

func notQuestion(intent string) func(*console.LogRecord) {
	return func(r *console.LogRecord) { r.Question, r.Answered, r.Intent, r.FollowUp = false, false, intent, "" }
}

func hits(refs ...string) func(*console.LogRecord) {
	return func(r *console.LogRecord) {
		r.Hits = nil
		for i, ref := range refs {
			var report string
			var seq int
			fmt.Sscanf(ref, "%s %d", &report, &seq)
			r.Hits = append(r.Hits, console.LogHit{Report: knowledge.ReportID(report), Seq: seq, Score: 10 - float64(i), Confidence: 0.9 - 0.1*float64(i)})
		}
	}
}

func latency(d time.Duration) func(*console.LogRecord) {
	return func(r *console.LogRecord) { r.Latency = d }
}

// feedbackMsg returns the record of a 满意/不满意 message rating refersTo.
func feedbackMsg(exchange string, at time.Time, f console.Feedback, refersTo string) console.LogRecord {
	text := "满意"
	if f == console.FeedbackUnsatisfied {
		text = "不满意"
	}
	return question(exchange, at, text, notQuestion("feedback"), func(r *console.LogRecord) {
		r.Gives, r.RefersTo = f, refersTo
	})
}

func insertLogs(t *testing.T, db *sqldb.DB, records ...console.LogRecord) {
	t.Helper()
	if err := db.InsertLogs(t.Context(), records); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
}

// allLogs returns every record, newest first.
func allLogs(t *testing.T, db *sqldb.DB, f console.LogFilter) []console.LogRecord {
	t.Helper()
	var list []console.LogRecord
	if err := db.EachLog(t.Context(), f, func(r console.LogRecord) error {
		list = append(list, r)
		return nil
	}); err != nil {
		t.Fatalf("EachLog: %v", err)
	}
	return list
}

func exchanges(records []console.LogRecord) []string {
	var list []string
	for _, r := range records {
		list = append(list, r.Exchange)
	}
	return list
}

// byExchange returns the stored record of an exchange.
func byExchange(t *testing.T, db *sqldb.DB, exchange string) console.LogRecord {
	t.Helper()
	for _, r := range allLogs(t, db, console.LogFilter{}) {
		if r.Exchange == exchange {
			return r
		}
	}
	t.Fatalf("no record of exchange %s", exchange)
	return console.LogRecord{}
}

func dashboard(t *testing.T, db *sqldb.DB, from, to time.Time) console.Dashboard {
	t.Helper()
	d, err := db.Dashboard(t.Context(), from, to)
	if err != nil {
		t.Fatalf("Dashboard: %v", err)
	}
	return d
}

func testLogsRoundTrip(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	full := console.LogRecord{
		ID:         99, // ignored
		Time:       time.Date(2026, 3, 10, 1, 2, 3, 456789999, time.UTC),
		Exchange:   "0123456789abcdef",
		Channel:    "api",
		User:       "5f1d7a",
		OpenID:     "oAbC-openid",
		Kind:       "voice",
		Text:       "司法局2021年行政复议多少件\x00",
		Intent:     "answer",
		FollowUp:   "refine",
		Question:   true,
		Terms:      []string{"行政复议", "件"},
		Context:    []string{"司法局"},
		Year:       2021,
		Department: "江津区司法局",
		Answered:   true,
		Hits: []console.LogHit{
			{Report: "jj-sfj-2021", Seq: 12, Score: 7.25, Confidence: 0.875},
			{Report: "jj-sfj-2020", Seq: 3, Score: 5.5, Confidence: 0.5},
		},
		Reply:      "全年收到行政复议申请186件。\xff",
		Latency:    1234567 * time.Nanosecond,
		Feedback:   console.FeedbackSatisfied, // ignored
		StoreError: "save session: timeout",
	}
	minimal := console.LogRecord{Time: full.Time.Add(time.Second), Exchange: "minimal"}
	insertLogs(t, db, full, minimal)

	want := full
	want.ID = 1
	want.Time = time.Date(2026, 3, 10, 1, 2, 3, 456789000, time.UTC)
	want.Text = "司法局2021年行政复议多少件"
	want.Reply = "全年收到行政复议申请186件。\uFFFD"
	want.Latency = 1234 * time.Microsecond
	want.Feedback = console.FeedbackNone
	got, err := db.Log(ctx, 1)
	wantErr(t, "Log(1)", err, nil)
	wantEqual(t, "Log(1)", got, want)

	wantMinimal := minimal
	wantMinimal.ID = 2
	wantMinimal.Time = want.Time.Add(time.Second)
	got, err = db.Log(ctx, 2)
	wantErr(t, "Log(2)", err, nil)
	wantEqual(t, "Log(2)", got, wantMinimal)

	_, err = db.Log(ctx, 3)
	wantErr(t, "Log(3)", err, console.ErrNotFound)

	page, err := db.Logs(ctx, console.LogFilter{})
	wantErr(t, "Logs", err, nil)
	wantEqual(t, "Logs", page, console.LogPage{Records: []console.LogRecord{wantMinimal, want}})

	// IDs keep growing over batches.
	insertLogs(t, db, console.LogRecord{Time: full.Time, Exchange: "third"})
	if r := byExchange(t, db, "third"); r.ID != 3 {
		t.Errorf("third record has ID %d, want 3", r.ID)
	}
}

func testLogsInvalid(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	good := question("good", day0, "问题")
	tests := []struct {
		name string
		bad  console.LogRecord
	}{
		{"no exchange", question(" ", day0, "问题")},
		{"no time", question("no-time", time.Time{}, "问题")},
		{"unknown verdict", feedbackMsg("verdict", day0, "so-so", "good")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.InsertLogs(ctx, []console.LogRecord{good, tt.bad})
			wantErr(t, "InsertLogs", err, console.ErrInvalid)
		})
	}
	wantEqual(t, "records after invalid inserts", exchanges(allLogs(t, db, console.LogFilter{})), []string(nil))
	wantErr(t, "InsertLogs(nil)", db.InsertLogs(ctx, nil), nil)

	for _, f := range []console.LogFilter{
		{Limit: -1}, {Limit: console.MaxLogLimit + 1}, {After: "not a cursor"}, {Answer: 7}, {Feedback: "meh"},
	} {
		_, err := db.Logs(ctx, f)
		wantErr(t, fmt.Sprintf("Logs(%+v)", f), err, console.ErrInvalid)
	}
	wantErr(t, "EachLog with negative limit", db.EachLog(ctx, console.LogFilter{Limit: -1}, func(console.LogRecord) error { return nil }), console.ErrInvalid)
	_, err := db.Dashboard(ctx, day0, day0.AddDate(0, 0, -1))
	wantErr(t, "Dashboard backwards", err, console.ErrInvalid)
	_, err = db.Dashboard(ctx, day0, day0.AddDate(0, 0, console.MaxDashboardDays))
	wantErr(t, "Dashboard too long", err, console.ErrInvalid)
	_, err = db.TopQuestions(ctx, day0, day0, 0)
	wantErr(t, "TopQuestions limit 0", err, console.ErrInvalid)
	_, err = db.TopUnanswered(ctx, day0, day0, console.MaxLogLimit+1)
	wantErr(t, "TopUnanswered limit too large", err, console.ErrInvalid)
}

func testLogsIdempotent(t *testing.T, h harness) {
	db := h.fresh(t)
	batch := []console.LogRecord{
		question("a", day0, "社保怎么交", hits("r-a 1")),
		question("b", day0.Add(time.Minute), "社保怎么交", unanswered),
		question("a", day0.Add(time.Hour), "重复的交互编号"), // the first one wins
	}
	insertLogs(t, db, batch...)
	insertLogs(t, db, batch...) // a retried batch
	insertLogs(t, db, batch[1], question("c", day0.Add(2*time.Minute), "新问题"))

	wantEqual(t, "exchanges", exchanges(allLogs(t, db, console.LogFilter{})), []string{"c", "b", "a"})
	if r := byExchange(t, db, "a"); r.Text != "社保怎么交" {
		t.Errorf("record a has text %q, want the first one's", r.Text)
	}
	d := dashboard(t, db, day0, day0)
	wantEqual(t, "counts", []int64{d.Total.Messages, d.Total.Questions, d.Total.Answered}, []int64{3, 3, 2})
	wantEqual(t, "top questions", d.TopQuestions, []console.TextCount{
		{Text: "社保怎么交", Sample: "社保怎么交", Asked: 2, Answered: 1},
		{Text: "新问题", Sample: "新问题", Asked: 1, Answered: 1},
	})
	wantEqual(t, "reports", d.Reports, []console.ReportHits{{Report: "r-a", Hits: 1, Quoted: 1}})
}

func testLogsFeedback(t *testing.T, h harness) {
	db := h.fresh(t)
	at := func(minutes int) time.Time { return day0.Add(time.Duration(minutes) * time.Minute) }
	sat, unsat := console.FeedbackSatisfied, console.FeedbackUnsatisfied
	tests := []struct {
		name    string
		batches [][]console.LogRecord // the rated record is "orig" with a prefix
		want    console.Feedback
		wantAt  int // minutes after day0 of the winning verdict
	}{
		{"after the original", [][]console.LogRecord{
			{question("orig", at(0), "问")},
			{feedbackMsg("fb1", at(1), sat, "orig")},
		}, sat, 1},
		{"before the original", [][]console.LogRecord{
			{feedbackMsg("fb1", at(1), unsat, "orig")},
			{question("orig", at(0), "问")},
		}, unsat, 1},
		{"same batch, feedback first", [][]console.LogRecord{
			{feedbackMsg("fb1", at(1), sat, "orig"), question("orig", at(0), "问")},
		}, sat, 1},
		{"same batch, original first", [][]console.LogRecord{
			{question("orig", at(0), "问"), feedbackMsg("fb1", at(1), unsat, "orig")},
		}, unsat, 1},
		{"changed", [][]console.LogRecord{
			{question("orig", at(0), "问")},
			{feedbackMsg("fb1", at(1), sat, "orig")},
			{feedbackMsg("fb2", at(2), unsat, "orig")},
		}, unsat, 2},
		{"older verdict arrives late", [][]console.LogRecord{
			{question("orig", at(0), "问")},
			{feedbackMsg("fb2", at(2), unsat, "orig")},
			{feedbackMsg("fb1", at(1), sat, "orig")},
		}, unsat, 2},
		{"older verdict arrives late, before the original", [][]console.LogRecord{
			{feedbackMsg("fb2", at(2), sat, "orig")},
			{feedbackMsg("fb1", at(1), unsat, "orig")},
			{question("orig", at(0), "问")},
		}, sat, 2},
		{"two verdicts in one batch", [][]console.LogRecord{
			{question("orig", at(0), "问"), feedbackMsg("fb2", at(2), sat, "orig"), feedbackMsg("fb1", at(1), unsat, "orig")},
		}, sat, 2},
		{"original retried after feedback", [][]console.LogRecord{
			{question("orig", at(0), "问")},
			{feedbackMsg("fb1", at(1), unsat, "orig")},
			{question("orig", at(0), "问")},
		}, unsat, 1},
	}
	var wantSat, wantUnsat int64
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := fmt.Sprintf("c%d-", i)
			for _, batch := range tt.batches {
				var records []console.LogRecord
				for _, r := range batch {
					r.Exchange = prefix + r.Exchange
					if r.RefersTo != "" {
						r.RefersTo = prefix + r.RefersTo
					}
					records = append(records, r)
				}
				insertLogs(t, db, records...)
			}
			orig := byExchange(t, db, prefix+"orig")
			if orig.Feedback != tt.want || !orig.FeedbackAt.Equal(at(tt.wantAt)) {
				t.Errorf("original: feedback %q at %v, want %q at %v", orig.Feedback, orig.FeedbackAt, tt.want, at(tt.wantAt))
			}
			fb := byExchange(t, db, prefix+"fb1")
			if fb.Gives == console.FeedbackNone || fb.RefersTo != prefix+"orig" || fb.Feedback != console.FeedbackNone || fb.Intent != "feedback" {
				t.Errorf("feedback message stored as %+v", fb)
			}
		})
		if tt.want == sat {
			wantSat++
		} else {
			wantUnsat++
		}
	}
	// Feedback without an earlier answer is just a message.
	insertLogs(t, db, feedbackMsg("lonely", at(5), sat, ""))

	d := dashboard(t, db, day0, day0)
	if d.Total.Satisfied != wantSat || d.Total.Unsatisfied != wantUnsat {
		t.Errorf("day counts %d satisfied, %d unsatisfied; want %d, %d", d.Total.Satisfied, d.Total.Unsatisfied, wantSat, wantUnsat)
	}
	for _, tt := range []struct {
		f    console.Feedback
		want int64
	}{{sat, wantSat}, {unsat, wantUnsat}} {
		if n := int64(len(allLogs(t, db, console.LogFilter{Feedback: tt.f}))); n != tt.want {
			t.Errorf("%d records with feedback %q, want %d", n, tt.f, tt.want)
		}
	}
}

// filterFixture stores the records the filter tests select from, and
// returns the pseudonym of the user with two records.
func filterFixture(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	d1, d2 := day0.AddDate(0, 0, 1), day0.AddDate(0, 0, 2)
	const sfj, sthjj = "江津区司法局", "江津区生态环境局"
	dept := func(d string) func(*console.LogRecord) { return func(r *console.LogRecord) { r.Department = d } }
	user := func(u string) func(*console.LogRecord) { return func(r *console.LogRecord) { r.User = u } }
	insertLogs(t, db,
		question("a", day0, "行政复议怎么申请", dept(sfj), hits("r-sfj 3"), user("u1")),
		question("b", day0.Add(time.Hour), "ABC 罚款多少", unanswered, hits("r-sthjj 1"), func(r *console.LogRecord) { r.Channel = "api" }),
		question("c", d1, "你好", notQuestion("greeting"), user("u1")),
		question("d", d1.Add(3*time.Hour), "2021年行政复议案件", dept(sfj), hits("r-sfj 5", "r-sthjj 2")),
		question("e", d2, "环境 100%_达标?", unanswered, dept(sthjj)),
		feedbackMsg("f", d2.Add(time.Hour), console.FeedbackUnsatisfied, "e"),
		feedbackMsg("g", d2.Add(2*time.Hour), console.FeedbackSatisfied, "d"),
	)
	return "u1"
}

func testLogsFilters(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	u1 := filterFixture(t, db)
	d1 := day0.AddDate(0, 0, 1)
	tests := []struct {
		name string
		f    console.LogFilter
		want []string
	}{
		{"everything", console.LogFilter{}, []string{"g", "f", "e", "d", "c", "b", "a"}},
		{"from", console.LogFilter{From: d1}, []string{"g", "f", "e", "d", "c"}},
		{"to", console.LogFilter{To: d1}, []string{"b", "a"}},
		{"from and to", console.LogFilter{From: day0.Add(time.Hour), To: d1.Add(time.Second)}, []string{"c", "b"}},
		{"answered", console.LogFilter{Answer: console.OnlyAnswered}, []string{"d", "a"}},
		{"unanswered", console.LogFilter{Answer: console.OnlyUnanswered}, []string{"e", "b"}},
		{"satisfied", console.LogFilter{Feedback: console.FeedbackSatisfied}, []string{"d"}},
		{"unsatisfied", console.LogFilter{Feedback: console.FeedbackUnsatisfied}, []string{"e"}},
		{"text", console.LogFilter{Text: "行政复议"}, []string{"d", "a"}},
		{"text ignores ASCII case", console.LogFilter{Text: "abc"}, []string{"b"}},
		{"text ignores width", console.LogFilter{Text: "ａＢｃ"}, []string{"b"}},
		{"percent is literal", console.LogFilter{Text: "%"}, []string{"e"}},
		{"underscore is literal", console.LogFilter{Text: "0_"}, []string{}},
		{"wildcards together", console.LogFilter{Text: "100%_达"}, []string{"e"}},
		{"no such text", console.LogFilter{Text: "不存在的内容"}, []string{}},
		{"report of the best hit", console.LogFilter{Report: "r-sfj"}, []string{"d", "a"}},
		{"report not best", console.LogFilter{Report: "r-sthjj"}, []string{"b"}},
		{"department", console.LogFilter{Department: "江津区司法局"}, []string{"d", "a"}},
		{"channel", console.LogFilter{Channel: "api"}, []string{"b"}},
		{"user", console.LogFilter{User: u1}, []string{"c", "a"}},
		{"combined", console.LogFilter{Department: "江津区司法局", From: d1, Answer: console.OnlyAnswered, Text: "2021"}, []string{"d"}},
		{"combined, nothing", console.LogFilter{Department: "江津区司法局", Answer: console.OnlyUnanswered}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := db.Logs(ctx, tt.f)
			wantErr(t, "Logs", err, nil)
			got := exchanges(page.Records)
			if got == nil {
				got = []string{}
			}
			wantEqual(t, "Logs", got, tt.want)
			if page.Next != "" {
				t.Errorf("Next = %q on the only page", page.Next)
			}
			each := exchanges(allLogs(t, db, tt.f))
			if each == nil {
				each = []string{}
			}
			wantEqual(t, "EachLog", each, tt.want)
		})
	}

	// Text is searched in the first 200 characters of a message.
	long := strings.Repeat("长", 190)
	insertLogs(t, db,
		question("long-1", day0.Add(-time.Hour), long+"目标"),
		question("long-2", day0.Add(-time.Hour), long+strings.Repeat("长", 9)+"目标"),
	)
	page, err := db.Logs(ctx, console.LogFilter{Text: "目标"})
	wantErr(t, "Logs", err, nil)
	wantEqual(t, "text beyond 200 characters", exchanges(page.Records), []string{"long-1"})

	// EachLog stops after Limit records and at fn's first error.
	wantEqual(t, "EachLog with limit", exchanges(allLogs(t, db, console.LogFilter{Limit: 3})), []string{"g", "f", "e"})
	stop := errors.New("stop")
	var visited int
	err = db.EachLog(ctx, console.LogFilter{}, func(console.LogRecord) error {
		visited++
		if visited == 2 {
			return stop
		}
		return nil
	})
	if err != stop || visited != 2 {
		t.Errorf("EachLog returned %v after %d records, want stop after 2", err, visited)
	}
}

func testLogsPagination(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	var records []console.LogRecord
	for i := range 23 {
		at := day0.Add(time.Duration(i/4) * time.Minute) // four records share each time
		records = append(records, question(fmt.Sprintf("p%02d", i), at, "问题", func(r *console.LogRecord) {
			r.Answered = i%2 == 0
		}))
	}
	insertLogs(t, db, records[:10]...)
	insertLogs(t, db, records[10:]...)
	all := allLogs(t, db, console.LogFilter{})
	if len(all) != 23 {
		t.Fatalf("%d records, want 23", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Time.Before(b.Time) || (a.Time.Equal(b.Time) && a.ID <= b.ID) {
			t.Errorf("records %d and %d out of order: %v/%d before %v/%d", i-1, i, a.Time, a.ID, b.Time, b.ID)
		}
	}
	tests := []struct {
		f     console.LogFilter
		pages []int
	}{
		{console.LogFilter{Limit: 5}, []int{5, 5, 5, 5, 3}},
		{console.LogFilter{Limit: 23}, []int{23}},
		{console.LogFilter{Limit: 1000}, []int{23}},
		{console.LogFilter{Limit: 4, Answer: console.OnlyUnanswered}, []int{4, 4, 3}},
	}
	for _, tt := range tests {
		var got []console.LogRecord
		var sizes []int
		f := tt.f
		for {
			page, err := db.Logs(ctx, f)
			if err != nil {
				t.Fatalf("Logs(%+v): %v", f, err)
			}
			got = append(got, page.Records...)
			sizes = append(sizes, len(page.Records))
			if page.Next == "" {
				break
			}
			f.After = page.Next
		}
		wantEqual(t, fmt.Sprintf("page sizes of %+v", tt.f), sizes, tt.pages)
		tt.f.Limit = 0
		wantEqual(t, fmt.Sprintf("pages of %+v", tt.f), exchanges(got), exchanges(allLogs(t, db, tt.f)))
	}
	page, err := db.Logs(ctx, console.LogFilter{})
	wantErr(t, "Logs", err, nil)
	if len(page.Records) != 23 || page.Next != "" {
		t.Errorf("default page: %d records, next %q", len(page.Records), page.Next)
	}
}

func testLogsDashboard(t *testing.T, h harness) {
	db := h.fresh(t)
	d1 := day0
	d3 := day0.AddDate(0, 0, 2)
	var records []console.LogRecord
	add := func(r console.LogRecord) { records = append(records, r) }
	add(question("1", d1, "社保怎么交？", hits("r-a 1", "r-a 2", "r-b 1")))
	add(question("2", d1, " 社保怎么交", hits("r-a 1")))
	add(question("3", d1, "ＡＢＣ罚款", unanswered, hits("r-b 1")))
	add(question("4", d1, "你好", notQuestion("greeting")))
	add(question("5", d1, "abc罚款！", unanswered, hits("r-b 2", "r-b 1")))
	add(question("6", d1, "社保怎么交", hits("r-a 2")))
	add(question("7", d1, "营业执照怎么办", unanswered))
	add(feedbackMsg("8", d1.Add(time.Minute), console.FeedbackSatisfied, "1"))
	add(feedbackMsg("9", d1.Add(time.Minute), console.FeedbackUnsatisfied, "3"))
	add(question("10", d1, "详情", notQuestion("detail"), hits("r-a 1"), func(r *console.LogRecord) { r.Answered = true }))
	for i := range 10 {
		add(question(fmt.Sprintf("d3-%d", i), d3, "营业执照怎么办", unanswered))
		add(question(fmt.Sprintf("d3-hi-%d", i), d3.Add(time.Hour), "你好", notQuestion("greeting"), latency(150*time.Millisecond)))
	}
	// Outside the range: the day before and the day after.
	add(question("before", d1.Add(-10*time.Hour), "社保怎么交", hits("r-b 1"), latency(20*time.Second)))
	add(question("after", d3.Add(15*time.Hour), "社保怎么交", hits("r-b 1"), latency(20*time.Second)))
	insertLogs(t, db, records[:7]...)
	insertLogs(t, db, records[7:]...)

	got := dashboard(t, db, d1.Add(5*time.Hour), d3) // any time of the first and last day
	day := func(t time.Time) time.Time { return console.StartOfDay(t) }
	want := console.Dashboard{
		From: day(d1), To: day(d3),
		Days: []console.DayStats{
			{Day: day(d1), Messages: 10, Questions: 6, Answered: 3, Satisfied: 1, Unsatisfied: 1, P95Latency: 50 * time.Millisecond},
			{Day: day(d1.AddDate(0, 0, 1))},
			{Day: day(d3), Messages: 20, Questions: 10, P95Latency: 190 * time.Millisecond},
		},
		Total: console.DayStats{Day: day(d1), Messages: 30, Questions: 16, Answered: 3, Satisfied: 1, Unsatisfied: 1,
			P95Latency: 190 * time.Millisecond},
		TopQuestions: []console.TextCount{
			{Text: "营业执照怎么办", Sample: "营业执照怎么办", Asked: 11},
			{Text: "社保怎么交", Sample: "社保怎么交？", Asked: 3, Answered: 3},
			{Text: "abc罚款", Sample: "ＡＢＣ罚款", Asked: 2},
		},
		TopUnanswered: []console.TextCount{
			{Text: "营业执照怎么办", Sample: "营业执照怎么办", Asked: 11},
			{Text: "abc罚款", Sample: "ＡＢＣ罚款", Asked: 2},
		},
		// Counted on the best hit only.
		Reports: []console.ReportHits{{Report: "r-a", Hits: 4, Quoted: 4}, {Report: "r-b", Hits: 2}},
		Passages: []console.PassageHits{
			{Report: "r-a", Seq: 1, Hits: 3, Quoted: 3},
			{Report: "r-a", Seq: 2, Hits: 1, Quoted: 1},
			{Report: "r-b", Seq: 1, Hits: 1},
			{Report: "r-b", Seq: 2, Hits: 1},
		},
	}
	wantEqual(t, "Dashboard", got, want)
	if r := got.Days[0].AnsweredRate(); r != 0.5 {
		t.Errorf("AnsweredRate = %v, want 0.5", r)
	}
	if r := got.Days[0].SatisfactionRate(); r != 0.5 {
		t.Errorf("SatisfactionRate = %v, want 0.5", r)
	}
	if r := got.Days[1].AnsweredRate() + got.Days[1].SatisfactionRate(); r != 0 {
		t.Errorf("rates of an idle day = %v, want 0", r)
	}

	top, err := db.TopUnanswered(t.Context(), d1, d1, 1)
	wantErr(t, "TopUnanswered", err, nil)
	wantEqual(t, "TopUnanswered of the first day", top, []console.TextCount{{Text: "abc罚款", Sample: "ＡＢＣ罚款", Asked: 2}})
	top, err = db.TopQuestions(t.Context(), d1, d1, 10)
	wantErr(t, "TopQuestions", err, nil)
	wantEqual(t, "TopQuestions of the first day", top, []console.TextCount{
		{Text: "社保怎么交", Sample: "社保怎么交？", Asked: 3, Answered: 3},
		{Text: "abc罚款", Sample: "ＡＢＣ罚款", Asked: 2},
		{Text: "营业执照怎么办", Sample: "营业执照怎么办", Asked: 1},
	})

	// A changed verdict moves the day's counts.
	insertLogs(t, db, feedbackMsg("11", d1.Add(2*time.Minute), console.FeedbackUnsatisfied, "1"))
	got = dashboard(t, db, d1, d1)
	if s := got.Days[0]; s.Satisfied != 0 || s.Unsatisfied != 2 || s.Messages != 11 {
		t.Errorf("after a changed verdict: %+v, want 0 satisfied, 2 unsatisfied, 11 messages", s)
	}
	empty := dashboard(t, db, d1.AddDate(1, 0, 0), d1.AddDate(1, 0, 0))
	wantEqual(t, "empty dashboard", empty, console.Dashboard{From: day(d1.AddDate(1, 0, 0)), To: day(d1.AddDate(1, 0, 0)),
		Days: []console.DayStats{{Day: day(d1.AddDate(1, 0, 0))}}, Total: console.DayStats{Day: day(d1.AddDate(1, 0, 0))}})
}

func testLogsPurge(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	d1, d2 := console.StartOfDay(day0), console.StartOfDay(day0).AddDate(0, 0, 1)
	var old []console.LogRecord
	for i := range 5100 { // more than one purge transaction
		old = append(old, question(fmt.Sprintf("old-%d", i), d1.Add(time.Duration(i)*time.Second), fmt.Sprintf("旧问题%d", i%7)))
	}
	insertLogs(t, db, old...)
	insertLogs(t, db,
		feedbackMsg("fb-old", d2.Add(-time.Second), console.FeedbackSatisfied, "never-stored"),
		question("at-cutoff", d2, "新问题"),
		question("later", d2.Add(time.Hour), "新问题"),
	)
	n, err := db.PurgeLogs(ctx, d2)
	wantErr(t, "PurgeLogs", err, nil)
	if n != 5101 {
		t.Errorf("PurgeLogs deleted %d records, want 5101", n)
	}
	wantEqual(t, "kept", exchanges(allLogs(t, db, console.LogFilter{})), []string{"later", "at-cutoff"})

	d := dashboard(t, db, d1, d2)
	wantEqual(t, "messages per day after the purge", []int64{d.Days[0].Messages, d.Days[1].Messages}, []int64{5101, 2})
	wantEqual(t, "top questions after the purge", d.TopQuestions, []console.TextCount{{Text: "新问题", Sample: "新问题", Asked: 2, Answered: 2}})

	// The purged verdict no longer waits for its record.
	insertLogs(t, db, question("never-stored", d2.Add(2*time.Hour), "新问题"))
	if r := byExchange(t, db, "never-stored"); r.Feedback != console.FeedbackNone {
		t.Errorf("purged verdict applied: %q", r.Feedback)
	}
	n, err = db.PurgeLogs(ctx, d2)
	if n != 0 || err != nil {
		t.Errorf("second PurgeLogs = %d, %v; want 0, nil", n, err)
	}
}

func testLogsConcurrentInserts(t *testing.T, h harness) {
	db := h.fresh(t)
	const writers, batches, size = 6, 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				var batch []console.LogRecord
				for i := range size {
					ex := fmt.Sprintf("w%d-b%d-%d", w, b, i)
					r := question(ex, day0.Add(time.Duration(i)*time.Second), "并发问题")
					if i == 0 && b > 0 { // rate the previous batch's first record
						r = feedbackMsg(ex, day0.Add(time.Minute), console.FeedbackSatisfied, fmt.Sprintf("w%d-b%d-0", w, b-1))
					}
					batch = append(batch, r)
				}
				errs <- db.InsertLogs(t.Context(), batch)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("InsertLogs: %v", err)
		}
	}
	all := allLogs(t, db, console.LogFilter{})
	ids := map[console.LogID]bool{}
	for _, r := range all {
		ids[r.ID] = true
	}
	if len(all) != writers*batches*size || len(ids) != len(all) {
		t.Errorf("%d records with %d distinct IDs, want %d", len(all), len(ids), writers*batches*size)
	}
	d := dashboard(t, db, day0, day0)
	wantQuestions := int64(writers * (batches*size - (batches - 1)))
	wantEqual(t, "totals", []int64{d.Total.Messages, d.Total.Questions, d.Total.Satisfied},
		[]int64{writers * batches * size, wantQuestions, writers * (batches - 1)})
	wantEqual(t, "top questions", d.TopQuestions, []console.TextCount{{Text: "并发问题", Sample: "并发问题", Asked: wantQuestions, Answered: wantQuestions}})
}

// testLogsTopTexts covers texts asked once ever, which the rollup keeps
// apart until they are asked again.
func testLogsTopTexts(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	d5, d6 := day0.AddDate(0, 0, 4), day0.AddDate(0, 0, 5)
	insertLogs(t, db,
		question("once-a", d5, "只问一次甲"),
		question("twice-1", d5.Add(time.Hour), "问了两次", unanswered),
		question("twice-2", d5.Add(2*time.Hour), "问了两次"),
	)
	insertLogs(t, db, question("once-b", d5.Add(3*time.Hour), "只问一次乙", unanswered))
	top := func(unanswered bool, from, to time.Time) []console.TextCount {
		t.Helper()
		get := db.TopQuestions
		if unanswered {
			get = db.TopUnanswered
		}
		list, err := get(ctx, from, to, 10)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	twice := console.TextCount{Text: "问了两次", Sample: "问了两次", Asked: 2, Answered: 1}
	onceA := console.TextCount{Text: "只问一次甲", Sample: "只问一次甲", Asked: 1, Answered: 1}
	onceB := console.TextCount{Text: "只问一次乙", Sample: "只问一次乙", Asked: 1}
	got := top(false, d5, d5)
	if len(got) != 3 || got[0] != twice || !slices.Contains(got, onceA) || !slices.Contains(got, onceB) {
		t.Errorf("TopQuestions = %+v, want %+v first, then %+v and %+v", got, twice, onceA, onceB)
	}
	wantEqual(t, "TopUnanswered", top(true, d5, d5), []console.TextCount{{Text: "问了两次", Sample: "问了两次", Asked: 2, Answered: 1}, onceB})
	wantEqual(t, "TopQuestions of another day", top(false, d6, d6), []console.TextCount(nil))

	// Asked again: the first asking counts on its own day.
	insertLogs(t, db, question("once-a-again", d6, "只问一次甲！", unanswered))
	wantEqual(t, "TopQuestions of the first day", top(false, d5, d5)[:2], []console.TextCount{
		twice, onceA,
	})
	wantEqual(t, "TopQuestions of the second day", top(false, d6, d6), []console.TextCount{
		{Text: "只问一次甲", Sample: "只问一次甲", Asked: 1},
	})
	// Ties are in an arbitrary order: compare the first two as a set.
	againA := console.TextCount{Text: "只问一次甲", Sample: "只问一次甲", Asked: 2, Answered: 1}
	for _, unanswered := range []bool{false, true} {
		got = top(unanswered, d5, d6)
		if len(got) != 3 || !slices.Contains(got[:2], againA) || !slices.Contains(got[:2], twice) || got[2] != onceB {
			t.Errorf("top (unanswered %v) of both days = %+v, want %+v and %+v, then %+v", unanswered, got, againA, twice, onceB)
		}
	}
}
