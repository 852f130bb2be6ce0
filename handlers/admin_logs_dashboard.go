package handlers

// The query-log dashboard: daily counts, rates and latency as charts, the
// top questions, and the hits per report and passage, over a range of days
// (the last 30 by default). It reads only the store's rollups.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"fazhibot/console"
)

// dayView is the counts of one day, or of the whole range.
type dayView struct {
	Day              string  `json:"day"` // YYYY-MM-DD; the first day for the range
	Messages         int64   `json:"messages"`
	Questions        int64   `json:"questions"`
	Answered         int64   `json:"answered"`
	AnsweredRate     float64 `json:"answered_rate"` // 0 without questions
	Satisfied        int64   `json:"satisfied"`
	Unsatisfied      int64   `json:"unsatisfied"`
	SatisfactionRate float64 `json:"satisfaction_rate"` // 0 without verdicts
	P95MS            int64   `json:"p95_ms"`            // 0 without messages
}

func dayViewOf(d console.DayStats) dayView {
	return dayView{Day: d.Day.In(console.LogZone()).Format(logDateLayout), Messages: d.Messages, Questions: d.Questions,
		Answered: d.Answered, AnsweredRate: d.AnsweredRate(), Satisfied: d.Satisfied, Unsatisfied: d.Unsatisfied,
		SatisfactionRate: d.SatisfactionRate(), P95MS: d.P95Latency.Milliseconds()}
}

// textCountView is a normalised question and how often it was asked.
type textCountView struct {
	Text       string `json:"text"`   // normalised
	Sample     string `json:"sample"` // as a citizen first wrote it
	Asked      int64  `json:"asked"`
	Answered   int64  `json:"answered"`
	Unanswered int64  `json:"unanswered"`
	ListURL    string `json:"-"` // the records that contain it
}

// reportHitsView counts the hits of one report.
type reportHitsView struct {
	Report  string `json:"report"`
	Title   string `json:"title"` // "" when the report is not in the draft
	Hits    int64  `json:"hits"`
	Quoted  int64  `json:"quoted"`
	URL     string `json:"-"`
	ListURL string `json:"-"`
}

// passageHitsView counts the hits of one passage.
type passageHitsView struct {
	Report  string `json:"report"`
	Title   string `json:"title"`
	Seq     int    `json:"seq"`
	Section string `json:"section"` // the heading path, "" when unknown
	Hits    int64  `json:"hits"`
	Quoted  int64  `json:"quoted"`
	URL     string `json:"-"`
}

// dashboardView is the dashboard's data, as JSON and for the page.
type dashboardView struct {
	From          string            `json:"from"`
	To            string            `json:"to"`
	Days          []dayView         `json:"days"`
	Total         dayView           `json:"total"`
	TopQuestions  []textCountView   `json:"top_questions"`
	TopUnanswered []textCountView   `json:"top_unanswered"`
	Reports       []reportHitsView  `json:"reports"`
	Passages      []passageHitsView `json:"passages"`
}

// dashboard returns the dashboard of the days from through to.
func (c *consoleServer) dashboard(ctx context.Context, from, to time.Time) (dashboardView, error) {
	d, err := c.db.Dashboard(ctx, from, to)
	if err != nil {
		return dashboardView{}, err
	}
	titles, _, err := c.reportTitles(ctx)
	if err != nil {
		return dashboardView{}, err
	}
	q := logQuery{From: d.From.Format(logDateLayout), To: d.To.Format(logDateLayout)}
	v := dashboardView{From: q.From, To: q.To, Total: dayViewOf(d.Total), Days: []dayView{},
		TopQuestions: []textCountView{}, TopUnanswered: []textCountView{}, Reports: []reportHitsView{}, Passages: []passageHitsView{}}
	for _, day := range d.Days {
		v.Days = append(v.Days, dayViewOf(day))
	}
	texts := func(list []console.TextCount, answer string) []textCountView {
		out := []textCountView{}
		for _, t := range list {
			lq := q
			lq.Text, lq.Answer = shortenSearch(t.Sample), answer
			out = append(out, textCountView{Text: t.Text, Sample: t.Sample, Asked: t.Asked, Answered: t.Answered,
				Unanswered: t.Unanswered(), ListURL: lq.url(logListPath)})
		}
		return out
	}
	v.TopQuestions = texts(d.TopQuestions, "")
	v.TopUnanswered = texts(d.TopUnanswered, answerUnanswered)
	for _, r := range d.Reports {
		lq := q
		lq.Report = string(r.Report)
		v.Reports = append(v.Reports, reportHitsView{Report: string(r.Report), Title: titles[r.Report], Hits: r.Hits,
			Quoted: r.Quoted, URL: reportURL(r.Report), ListURL: lq.url(logListPath)})
	}
	for _, p := range d.Passages {
		pv := passageHitsView{Report: string(p.Report), Title: titles[p.Report], Seq: p.Seq, Hits: p.Hits, Quoted: p.Quoted,
			URL: passageURL(p.Report, p.Seq)}
		if pv.Title != "" { // only reports in the draft have passages to name
			entry, err := c.db.Passage(ctx, p.Report, p.Seq)
			switch {
			case err == nil:
				pv.Section = entry.SectionPath()
			case !errors.Is(err, console.ErrNotFound):
				return dashboardView{}, err
			}
		}
		v.Passages = append(v.Passages, pv)
	}
	return v, nil
}

// shortenSearch cuts a text to what the list's text search accepts.
func shortenSearch(s string) string {
	if r := []rune(s); len(r) > maxLogTextRunes {
		return string(r[:maxLogTextRunes])
	}
	return s
}

// dashboardPage is the data of logs.html.
type dashboardPage struct {
	Tabs     []logTab
	Query    logQuery
	View     dashboardView
	Charts   []chartView
	TopChart barListView
	// Presets are quick ranges ending today.
	Presets []logTab
}

// dashboardCharts lays out the charts of v: messages per day, answered
// rate, satisfaction rate and p95 latency, one point per day.
func dashboardCharts(v dashboardView) []chartView {
	pct := func(f float64) string { return strconv.FormatFloat(100*f, 'f', -1, 64) + "%" }
	var messages, answered, satisfied, latency []chartPoint
	for _, d := range v.Days {
		tick := d.Day[5:] // MM-DD
		messages = append(messages, chartPoint{Tick: tick, Value: float64(d.Messages),
			Tip: fmt.Sprintf("%s：%d 条消息，%d 个提问", d.Day, d.Messages, d.Questions)})
		answered = append(answered, chartPoint{Tick: tick, Value: d.AnsweredRate, Empty: d.Questions == 0,
			Tip: rateTip(d.Day, d.Answered, d.Questions, "个提问已回答")})
		verdicts := d.Satisfied + d.Unsatisfied
		satisfied = append(satisfied, chartPoint{Tick: tick, Value: d.SatisfactionRate, Empty: verdicts == 0,
			Tip: rateTip(d.Day, d.Satisfied, verdicts, "个评价为满意")})
		lat := chartPoint{Tick: tick, Value: float64(d.P95MS), Empty: d.Messages == 0,
			Tip: fmt.Sprintf("%s：p95 %d 毫秒", d.Day, d.P95MS)}
		if d.Messages == 0 {
			lat.Tip = d.Day + "：无消息"
		}
		latency = append(latency, lat)
	}
	return []chartView{
		layoutChart(chartSpec{ID: "chart-messages", Title: "每日消息数", XTitle: "日期", YTitle: "消息数（条）",
			Kind: chartBars, Points: messages}),
		layoutChart(chartSpec{ID: "chart-answered", Title: "每日回答率", XTitle: "日期", YTitle: "回答率",
			Kind: chartLine, Points: answered, Max: 1, Step: 0.25, Format: pct}),
		layoutChart(chartSpec{ID: "chart-satisfaction", Title: "每日满意率", XTitle: "日期", YTitle: "满意率",
			Kind: chartLine, Points: satisfied, Max: 1, Step: 0.25, Format: pct}),
		layoutChart(chartSpec{ID: "chart-latency", Title: "每日回复耗时 p95（毫秒）", XTitle: "日期", YTitle: "耗时（毫秒）",
			Kind: chartLine, Points: latency}),
	}
}

// rateTip is the tooltip of a rate: "day：n/of what（x%）", or that there
// was nothing to count.
func rateTip(day string, n, of int64, what string) string {
	if of == 0 {
		return day + "：无数据"
	}
	return fmt.Sprintf("%s：%d/%d %s（%.1f%%）", day, n, of, what, 100*float64(n)/float64(of))
}

func (s *Server) pageLogs(w http.ResponseWriter, r *http.Request, a *actor) error {
	p := s.newPage(r, a, "logs", "问答日志概览")
	v := r.URL.Query()
	from, to, err := parseLogRange(v, s.now(), console.MaxDashboardDays)
	q := logQuery{From: from.Format(logDateLayout), To: to.Format(logDateLayout)}
	if err != nil {
		q = logQuery{From: v.Get("from"), To: v.Get("to")}
	}
	today := console.StartOfDay(s.now())
	data := dashboardPage{Tabs: logTabs("dashboard", q), Query: q}
	for _, n := range []int{7, 30, 90} {
		pq := logQuery{From: today.AddDate(0, 0, 1-n).Format(logDateLayout), To: today.Format(logDateLayout)}
		data.Presets = append(data.Presets, logTab{Label: fmt.Sprintf("最近 %d 天", n), Href: pq.url(logsPath), Active: pq == q})
	}
	status := http.StatusOK
	if err == nil {
		data.View, err = s.admin.dashboard(r.Context(), from, to)
	}
	if err != nil {
		st, ok := formErrorStatus(err)
		if !ok {
			return err
		}
		status, p.Error = st, userMessage(err)
	} else {
		data.Charts = dashboardCharts(data.View)
		var items []barItem
		for _, t := range data.View.TopQuestions {
			items = append(items, barItem{Label: t.Sample, Value: t.Asked})
		}
		data.TopChart = layoutBars("chart-top", "热门问题（提问次数）", items)
	}
	p.Data = data
	s.renderPage(w, r, status, "logs.html", p)
	return nil
}

// apiLogsDashboard answers the dashboard of from through to (days, the
// last 30 by default, at most 366).
func (s *Server) apiLogsDashboard(w http.ResponseWriter, r *http.Request, a *actor) error {
	from, to, err := parseLogRange(r.URL.Query(), s.now(), console.MaxDashboardDays)
	if err != nil {
		return err
	}
	v, err := s.admin.dashboard(r.Context(), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
