package handlers

// The query-log pages for admins: the filters every page and the export
// share, the log list and one record's detail. The dashboard, the
// unanswered queue and the CSV export have files of their own.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/logexport"
)

const (
	// logsPath is the query log's dashboard, the console's entry to it.
	logsPath = adminPrefix + "logs"
	// logListPath lists records; logsPath+"/{id}" shows one.
	logListPath = logsPath + "/list"
	// unansweredPath is the queue of unanswered questions grouped by
	// similarity; unansweredFAQPath opens the FAQ editor for one group.
	unansweredPath    = logsPath + "/unanswered"
	unansweredFAQPath = unansweredPath + "/faq"
	// unansweredDismissPath dismisses one group from the queue.
	unansweredDismissPath = unansweredPath + "/dismiss"
	// logExportPath is the CSV export of a filtered list.
	logExportPath = logsPath + "/export.csv"

	// logPageSize is how many records a page of the list shows.
	logPageSize = 50
	// defaultLogDays is the range the pages show when none is chosen:
	// the last 30 days, today included.
	defaultLogDays = 30
	// maxLogTextRunes bounds the text search: only the first 200
	// characters of a message are searched.
	maxLogTextRunes = 200
	// noFeedbackRounds bounds the queries one page with the "无" feedback
	// filter makes (see console.listLogs).
	noFeedbackRounds = 8
	// logDateLayout is how the filters write days.
	logDateLayout = "2006-01-02"
)

// errLogsAdminOnly refuses the query log to staff.
func errLogsAdminOnly() error {
	return errRole("只有管理员可以查看问答日志。")
}

// logQuery is a query-log filter as forms and links carry it in the query
// string: from and to (days, to included), answer, feedback, q, report,
// dept, channel and user. Every page and the export read the same fields.
type logQuery struct {
	From       string `json:"from"`               // YYYY-MM-DD, filled in with the default
	To         string `json:"to"`                 // YYYY-MM-DD, the last day included
	Answer     string `json:"answer,omitempty"`   // "", "answered", "unanswered"
	Feedback   string `json:"feedback,omitempty"` // "", "satisfied", "unsatisfied", "none"
	Text       string `json:"q,omitempty"`
	Report     string `json:"report,omitempty"`
	Department string `json:"dept,omitempty"`
	Channel    string `json:"channel,omitempty"`
	User       string `json:"user,omitempty"`
}

// The values of logQuery.Answer and logQuery.Feedback.
const (
	answerAnswered     = "answered"
	answerUnanswered   = "unanswered"
	feedbackNoneFilter = "none"
)

// logSelection is a parsed logQuery: the store's filter and the one
// condition the store has no filter for.
type logSelection struct {
	query logQuery
	// filter has no Limit or After.
	filter console.LogFilter
	// noFeedback keeps only records without a verdict (feedback "无"),
	// which console.LogFilter cannot express; listLogs and the export drop
	// the others themselves.
	noFeedback bool
	// from and to are the first and the last day, midnight in LogZone.
	from, to time.Time
}

// values returns the query string of q, without empty fields.
func (q logQuery) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", q.From}, {"to", q.To}, {"answer", q.Answer}, {"feedback", q.Feedback},
		{"q", q.Text}, {"report", q.Report}, {"dept", q.Department}, {"channel", q.Channel}, {"user", q.User}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// url returns path with q's query string.
func (q logQuery) url(path string) string {
	if enc := q.values().Encode(); enc != "" {
		return path + "?" + enc
	}
	return path
}

// rangeOnly keeps only the date range of q, for links between the pages.
func (q logQuery) rangeOnly() logQuery {
	return logQuery{From: q.From, To: q.To}
}

// parseLogDay parses a day of a filter as midnight in the query log's
// time zone.
func parseLogDay(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(logDateLayout, s, console.LogZone())
	if err != nil {
		return time.Time{}, errInvalidRequest(fmt.Sprintf("%s“%s”无效，应为日期，如 2026-01-31", field, shortenRunes(s, 20)), err)
	}
	return t, nil
}

// parseLogRange reads from and to (both included) from v. A missing or
// empty bound defaults to the last defaultLogDays days up to today, in
// LogZone; maxDays > 0 bounds the length of the range.
func parseLogRange(v url.Values, now time.Time, maxDays int) (from, to time.Time, err error) {
	today := console.StartOfDay(now)
	to = today
	if s := strings.TrimSpace(v.Get("to")); s != "" {
		if to, err = parseLogDay("截止日期", s); err != nil {
			return from, to, err
		}
	}
	from = to.AddDate(0, 0, 1-defaultLogDays)
	if s := strings.TrimSpace(v.Get("from")); s != "" {
		if from, err = parseLogDay("起始日期", s); err != nil {
			return from, to, err
		}
	}
	if to.Before(from) {
		return from, to, errInvalidRequest("起始日期晚于截止日期", nil)
	}
	if days := daysBetween(from, to) + 1; maxDays > 0 && days > maxDays {
		return from, to, errInvalidRequest(fmt.Sprintf("日期范围最长 %d 天，现在是 %d 天", maxDays, days), nil)
	}
	return from, to, nil
}

// daysBetween counts the days from midnight from to midnight to.
func daysBetween(from, to time.Time) int {
	return int(to.Sub(from).Round(time.Hour).Hours() / 24)
}

// parseLogQuery reads the filter of the query string v. Unknown values of
// answer, feedback and an overlong text are 400 *httpErrors; the range
// defaults as parseLogRange says, and has no upper bound here.
func parseLogQuery(v url.Values, now time.Time) (logSelection, error) {
	var sel logSelection
	from, to, err := parseLogRange(v, now, 0)
	if err != nil {
		return sel, err
	}
	q := logQuery{
		From: from.Format(logDateLayout), To: to.Format(logDateLayout),
		Text:       strings.TrimSpace(v.Get("q")),
		Report:     strings.TrimSpace(v.Get("report")),
		Department: strings.TrimSpace(v.Get("dept")),
		Channel:    strings.TrimSpace(v.Get("channel")),
		User:       strings.TrimSpace(v.Get("user")),
	}
	for _, in := range []struct{ what, v string }{{"搜索文字", q.Text}, {"报告编号", q.Report},
		{"部门", q.Department}, {"渠道", q.Channel}, {"用户", q.User}} {
		if err := checkInput("筛选条件中的"+in.what, in.v); err != nil {
			return sel, err
		}
	}
	f := console.LogFilter{From: from, To: to.AddDate(0, 0, 1), Text: q.Text, Report: knowledge.ReportID(q.Report),
		Department: q.Department, Channel: q.Channel, User: q.User}
	switch a := v.Get("answer"); a {
	case "":
	case answerAnswered, "已回答":
		q.Answer, f.Answer = answerAnswered, console.OnlyAnswered
	case answerUnanswered, "未回答":
		q.Answer, f.Answer = answerUnanswered, console.OnlyUnanswered
	default:
		return sel, errInvalidRequest(answerFilterError, nil)
	}
	switch fb := v.Get("feedback"); fb {
	case "":
	case string(console.FeedbackSatisfied), "满意":
		q.Feedback, f.Feedback = string(console.FeedbackSatisfied), console.FeedbackSatisfied
	case string(console.FeedbackUnsatisfied), "不满意":
		q.Feedback, f.Feedback = string(console.FeedbackUnsatisfied), console.FeedbackUnsatisfied
	case feedbackNoneFilter, "无":
		q.Feedback, sel.noFeedback = feedbackNoneFilter, true
	default:
		return sel, errInvalidRequest("feedback 应为 satisfied（满意）、unsatisfied（不满意）或 none（无评价）", nil)
	}
	if utf8.RuneCountInString(q.Text) > maxLogTextRunes {
		return sel, errInvalidRequest(fmt.Sprintf("搜索文字最多 %d 个字", maxLogTextRunes), nil)
	}
	sel.query, sel.filter, sel.from, sel.to = q, f, from, to
	return sel, nil
}

// listLogs returns up to limit records of sel after the cursor, newest
// first, and the cursor of the next page ("" at the end).
//
// With the "无" feedback filter, which the store cannot apply, it reads
// pages of exactly the records still missing and drops those with a
// verdict, so that the cursor it returns is the store's own Next after
// the last record read; after noFeedbackRounds queries it returns a
// shorter page with its cursor.
func (c *consoleServer) listLogs(ctx context.Context, sel logSelection, after string, limit int) ([]console.LogRecord, string, error) {
	f := sel.filter
	f.After, f.Limit = after, limit
	if !sel.noFeedback {
		page, err := c.db.Logs(ctx, f)
		return page.Records, page.Next, logCursorError(err)
	}
	var out []console.LogRecord
	for range noFeedbackRounds {
		f.Limit = limit - len(out)
		page, err := c.db.Logs(ctx, f)
		if err != nil {
			return nil, "", logCursorError(err)
		}
		for _, r := range page.Records {
			if r.Feedback == console.FeedbackNone {
				out = append(out, r)
			}
		}
		f.After = page.Next
		if page.Next == "" || len(out) == limit {
			break
		}
	}
	return out, f.After, nil
}

// logCursorError words the store's refusal of a page cursor.
func logCursorError(err error) error {
	if errors.Is(err, console.ErrInvalid) {
		return errInvalidRequest("翻页参数无效，请从第一页重新查看。", err)
	}
	return err
}

// logHitView is one ranked hit of a record.
type logHitView struct {
	Report     string  `json:"report"`
	Title      string  `json:"title"`   // the draft report's title, "" when it is not in the draft
	Section    string  `json:"section"` // the passage's heading path, "" when unknown
	Seq        int     `json:"seq"`
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence"`
	// URL is the passage in its report's page.
	URL string `json:"url"`
}

// passageURL is the console's page of report id, at passage seq.
func passageURL(id knowledge.ReportID, seq int) string {
	return adminPrefix + "reports/" + url.PathEscape(string(id)) + "#p" + strconv.Itoa(seq)
}

// reportURL is the console's page of report id.
func reportURL(id knowledge.ReportID) string {
	return adminPrefix + "reports/" + url.PathEscape(string(id))
}

// logView is a query-log record as the console shows it: the record's
// fields (codes as stored) for JSON, and Chinese labels for the pages.
type logView struct {
	ID         int64        `json:"id"`
	Time       time.Time    `json:"time"`
	Exchange   string       `json:"exchange"`
	Channel    string       `json:"channel"`
	User       string       `json:"user"`
	OpenID     string       `json:"openid"`
	Kind       string       `json:"kind"`
	Text       string       `json:"text"`
	Intent     string       `json:"intent"`
	FollowUp   string       `json:"follow_up"`
	Question   bool         `json:"question"`
	Terms      []string     `json:"terms"`
	Context    []string     `json:"context"`
	Year       int          `json:"year"`
	Department string       `json:"department"`
	Answered   bool         `json:"answered"`
	Reason     string       `json:"reason"`
	Hits       []logHitView `json:"hits"`
	Reply      string       `json:"reply"`
	LatencyMS  float64      `json:"latency_ms"`
	Gives      string       `json:"gives"`
	RefersTo   string       `json:"refers_to"`
	Feedback   string       `json:"feedback"`
	FeedbackAt *time.Time   `json:"feedback_at"`
	StoreError string       `json:"store_error"`

	// Labels for the pages.
	TimeText     string `json:"-"`
	FeedbackTime string `json:"-"`
	ChannelText  string `json:"-"`
	KindText     string `json:"-"`
	IntentText   string `json:"-"`
	FollowUpText string `json:"-"`
	ReasonText   string `json:"-"`
	FeedbackText string `json:"-"` // "-" without a verdict
	GivesText    string `json:"-"`
	Outcome      string `json:"-"`
	ShortText    string `json:"-"` // the first characters of Text, for the list
	ShortUser    string `json:"-"`
	BestHit      string `json:"-"` // "《title》第 N 段", "-" without hits
	LatencyText  string `json:"-"`
	URL          string `json:"-"` // the detail page
	UserURL      string `json:"-"` // the list of the user's records
}

// logViewOf returns the view of r; titles maps the draft's report IDs to
// their titles.
func logViewOf(r console.LogRecord, titles map[knowledge.ReportID]string) logView {
	v := logView{
		ID: int64(r.ID), Time: r.Time, Exchange: r.Exchange, Channel: r.Channel, User: r.User, OpenID: r.OpenID,
		Kind: r.Kind, Text: r.Text, Intent: r.Intent, FollowUp: r.FollowUp, Question: r.Question,
		Terms: nonNil(r.Terms), Context: nonNil(r.Context), Year: r.Year, Department: r.Department,
		Answered: r.Answered, Reason: string(r.Reason), Hits: []logHitView{}, Reply: r.Reply,
		LatencyMS: float64(r.Latency.Microseconds()) / 1000, Gives: string(r.Gives), RefersTo: r.RefersTo,
		Feedback: string(r.Feedback), StoreError: r.StoreError,

		TimeText:     logexport.Time(r.Time),
		ChannelText:  logexport.Channel(r.Channel),
		KindText:     logexport.Kind(r.Kind),
		IntentText:   logexport.Intent(r.Intent),
		FollowUpText: logexport.FollowUp(r.FollowUp),
		ReasonText:   logexport.Reason(string(r.Reason)),
		FeedbackText: logexport.Verdict(r.Feedback),
		GivesText:    logexport.Feedback(string(r.Gives)),
		Outcome:      logexport.Outcome(r),
		ShortText:    shortenRunes(oneLine(r.Text), 40),
		ShortUser:    shortenRunes(r.User, 8),
		BestHit:      "-",
		LatencyText:  strconv.FormatInt(r.Latency.Milliseconds(), 10) + " ms",
		URL:          logsPath + "/" + strconv.FormatInt(int64(r.ID), 10),
	}
	if !r.FeedbackAt.IsZero() {
		at := r.FeedbackAt
		v.FeedbackAt, v.FeedbackTime = &at, logexport.Time(at)
	}
	for _, h := range r.Hits {
		v.Hits = append(v.Hits, logHitView{Report: string(h.Report), Title: titles[h.Report], Seq: h.Seq,
			Score: h.Score, Confidence: h.Confidence, URL: passageURL(h.Report, h.Seq)})
	}
	if len(r.Hits) > 0 {
		v.BestHit = passageText(titles[r.Hits[0].Report], r.Hits[0].Seq)
	}
	return v
}

// reportTitles maps the draft's report IDs to their titles.
func (c *consoleServer) reportTitles(ctx context.Context) (map[knowledge.ReportID]string, []console.ReportSummary, error) {
	sums, err := c.db.ListReports(ctx)
	if err != nil {
		return nil, nil, err
	}
	titles := make(map[knowledge.ReportID]string, len(sums))
	for _, s := range sums {
		titles[s.ID] = s.Title
	}
	return titles, sums, nil
}

// logTab is one tab of the query-log pages.
type logTab struct {
	Label, Href string
	Active      bool
}

// logTabs are the tabs of the query-log pages, keeping the date range.
func logTabs(active string, q logQuery) []logTab {
	r := q.rangeOnly()
	return []logTab{
		{"概览", r.url(logsPath), active == "dashboard"},
		{"日志列表", r.url(logListPath), active == "list"},
		{"未回答问题", r.url(unansweredPath), active == "unanswered"},
	}
}

// selectOption is an option of a select box.
type selectOption struct {
	Value, Label string
	Selected     bool
}

// options returns the select options of pairs (value, label) with chosen
// selected, adding chosen when it is not among them.
func options(chosen string, pairs ...[2]string) []selectOption {
	var out []selectOption
	found := false
	for _, p := range pairs {
		sel := p[0] == chosen
		found = found || sel
		out = append(out, selectOption{Value: p[0], Label: p[1], Selected: sel})
	}
	if !found && chosen != "" {
		out = append(out, selectOption{Value: chosen, Label: chosen, Selected: true})
	}
	return out
}

// logListPage is the data of logs_list.html.
type logListPage struct {
	Tabs        []logTab
	Query       logQuery
	Answers     []selectOption
	Feedbacks   []selectOption
	Channels    []selectOption
	Reports     []selectOption
	Departments []string // suggestions for the department field
	Rows        []logView
	Page        int    // 1-based, for display
	FirstURL    string // the first page, "" on it
	NextURL     string // the next (older) page, "" at the end
	ExportURL   string
	ClearURL    string
	Failed      bool // the filter was refused; Rows is empty
}

func (s *Server) pageLogList(w http.ResponseWriter, r *http.Request, a *actor) error {
	ctx := r.Context()
	v := r.URL.Query()
	titles, sums, err := s.admin.reportTitles(ctx)
	if err != nil {
		return err
	}
	sel, selErr := parseLogQuery(v, s.now())
	if selErr != nil {
		// Keep what was typed in the form.
		sel.query = logQuery{From: v.Get("from"), To: v.Get("to"), Answer: v.Get("answer"), Feedback: v.Get("feedback"),
			Text: v.Get("q"), Report: v.Get("report"), Department: v.Get("dept"), Channel: v.Get("channel"), User: v.Get("user")}
	}
	q := sel.query
	data := logListPage{
		Tabs:  logTabs("list", q),
		Query: q,
		Answers: options(q.Answer, [2]string{"", "全部"}, [2]string{answerAnswered, "已回答"},
			[2]string{answerUnanswered, "未回答"}),
		Feedbacks: options(q.Feedback, [2]string{"", "全部"}, [2]string{string(console.FeedbackSatisfied), "满意"},
			[2]string{string(console.FeedbackUnsatisfied), "不满意"}, [2]string{feedbackNoneFilter, "无评价"}),
		Channels:  options(q.Channel, channelOptions()...),
		Page:      1,
		ExportURL: q.url(logExportPath),
		ClearURL:  logListPath,
	}
	reportPairs := [][2]string{{"", "全部"}}
	for _, sum := range sums {
		reportPairs = append(reportPairs, [2]string{string(sum.ID), string(sum.ID) + " " + sum.Title})
		if sum.Department != "" && !slices.Contains(data.Departments, sum.Department) {
			data.Departments = append(data.Departments, sum.Department)
		}
	}
	slices.Sort(data.Departments)
	data.Reports = options(q.Report, reportPairs...)

	p := s.newPage(r, a, "logs", "问答日志")
	status := http.StatusOK
	err = selErr
	if err == nil {
		var records []console.LogRecord
		var next string
		records, next, err = s.admin.listLogs(ctx, sel, v.Get("after"), logPageSize)
		if err == nil {
			if page, _ := strconv.Atoi(v.Get("page")); page > 1 && v.Get("after") != "" {
				data.Page = page
			}
			// The detail pages link back to this page of the list.
			back := q.values()
			if after := v.Get("after"); after != "" {
				back.Set("after", after)
				back.Set("page", strconv.Itoa(data.Page))
			}
			backQuery := url.Values{"back": {back.Encode()}}.Encode()
			for _, rec := range records {
				row := logViewOf(rec, titles)
				row.URL += "?" + backQuery
				data.Rows = append(data.Rows, row)
			}
			if v.Get("after") != "" {
				data.FirstURL = q.url(logListPath)
			}
			if next != "" {
				nv := q.values()
				nv.Set("after", next)
				nv.Set("page", strconv.Itoa(data.Page+1))
				data.NextURL = logListPath + "?" + nv.Encode()
			}
		}
	}
	if err != nil {
		st, ok := formErrorStatus(err)
		if !ok {
			return err
		}
		status, p.Error, data.Failed = st, userMessage(err), true
	}
	p.Data = data
	s.renderPage(w, r, status, "logs_list.html", p)
	return nil
}

// logDetailPage is the data of logs_detail.html.
type logDetailPage struct {
	Tabs    []logTab
	Log     logView
	BackURL string
}

// logDetail returns the record id with its hits' report titles and
// sections.
func (c *consoleServer) logDetail(ctx context.Context, idText string) (logView, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 1 {
		return logView{}, errPageNotFound("日志编号无效。", err)
	}
	rec, err := c.db.Log(ctx, console.LogID(id))
	if err != nil {
		return logView{}, notFound(err, "找不到这条日志记录，可能已按保留期限清除。")
	}
	titles, _, err := c.reportTitles(ctx)
	if err != nil {
		return logView{}, err
	}
	v := logViewOf(rec, titles)
	for i, h := range v.Hits {
		p, err := c.db.Passage(ctx, knowledge.ReportID(h.Report), h.Seq)
		switch {
		case err == nil:
			v.Hits[i].Section = p.SectionPath()
		case !errors.Is(err, console.ErrNotFound):
			return logView{}, err
		}
	}
	if rec.User != "" {
		day := console.StartOfDay(rec.Time)
		v.UserURL = logQuery{User: rec.User, From: day.AddDate(0, 0, 1-defaultLogDays).Format(logDateLayout),
			To: day.Format(logDateLayout)}.url(logListPath)
	}
	return v, nil
}

func (s *Server) pageLog(w http.ResponseWriter, r *http.Request, a *actor) error {
	v, err := s.admin.logDetail(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	// back is the list's query string; it is parsed and re-encoded, so
	// that the link always stays on the list.
	back := logListPath
	if bq, err := url.ParseQuery(r.URL.Query().Get("back")); err == nil && len(bq) > 0 {
		back += "?" + bq.Encode()
	}
	p := s.newPage(r, a, "logs", fmt.Sprintf("问答日志 #%d", v.ID))
	p.Data = logDetailPage{Tabs: logTabs("list", logQuery{}), Log: v, BackURL: back}
	s.renderPage(w, r, http.StatusOK, "logs_detail.html", p)
	return nil
}

// apiLogs lists records: the filters of the pages, limit (1 to 1000, 50
// by default) and after (the next of the previous page).
func (s *Server) apiLogs(w http.ResponseWriter, r *http.Request, a *actor) error {
	ctx := r.Context()
	v := r.URL.Query()
	sel, err := parseLogQuery(v, s.now())
	if err != nil {
		return err
	}
	limit := console.DefaultLogLimit
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > console.MaxLogLimit {
			return errInvalidRequest(fmt.Sprintf("limit 应为 1 到 %d 之间的整数", console.MaxLogLimit), err)
		}
		limit = n
	}
	records, next, err := s.admin.listLogs(ctx, sel, v.Get("after"), limit)
	if err != nil {
		return err
	}
	titles, _, err := s.admin.reportTitles(ctx)
	if err != nil {
		return err
	}
	views := make([]logView, len(records))
	for i, rec := range records {
		views[i] = logViewOf(rec, titles)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"filter": sel.query, "records": views, "next": next})
}

func (s *Server) apiLog(w http.ResponseWriter, r *http.Request, a *actor) error {
	v, err := s.admin.logDetail(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// channelOptions are the channel filter's choices: all, then each channel
// with its label from logexport.
func channelOptions() [][2]string {
	out := [][2]string{{"", "全部"}}
	for _, c := range logexport.ChannelCodes() {
		out = append(out, [2]string{c, logexport.Channel(c)})
	}
	return out
}

// shortenRunes cuts s to n runes, marking the cut.
func shortenRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// oneLine keeps a text on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}
