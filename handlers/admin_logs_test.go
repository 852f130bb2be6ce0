package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/logexport"
)

// The query-log fixture: 17 messages over the seven days 2026-06-01 to
// 2026-06-07 (China Standard Time), with two verdicts, hostile texts and
// formula-like texts.
const (
	fixtureFrom = "2026-06-01"
	fixtureTo   = "2026-06-07"
	scriptText  = "<script>alert(1)</script>"
	imgText     = `"><img src=x onerror=alert(1)>`
	formulaText = "=cmd|' /C calc'!A0"
	sthjjDept   = "江津区生态环境局"
)

// fixtureAt returns hour:minute of day (1 is 2026-06-01) in LogZone.
func fixtureAt(day, hour, minute int) time.Time {
	return time.Date(2026, 6, day, hour, minute, 0, 0, console.LogZone())
}

// unanswered is a question the bot did not answer.
func unanswered(ex string, at time.Time, channel, user, text string) console.LogRecord {
	return console.LogRecord{Exchange: ex, Time: at, Channel: channel, User: user, Kind: "text", Text: text,
		Intent: "not_covered", FollowUp: "new", Question: true, Reason: knowledge.ReasonLowConfidence,
		Reply: "抱歉，暂时没有找到相关内容。", Latency: 40 * time.Millisecond}
}

// logFixture returns the fixture's records in time order.
func logFixture() []console.LogRecord {
	answered := func(ex string, at time.Time, text string, seq int) console.LogRecord {
		return console.LogRecord{Exchange: ex, Time: at, Channel: "wechat", User: "u-bob", Kind: "text", Text: text,
			Intent: "answer", FollowUp: "new", Question: true, Answered: true, Terms: []string{"罚款", "生态环境局"},
			Context: []string{"2020"}, Year: 2020, Department: sthjjDept,
			Hits:  []console.LogHit{{Report: liveReport, Seq: seq, Score: 12.5, Confidence: 0.9}, {Report: liveReport, Seq: seq + 2, Score: 8.125, Confidence: 0.6}},
			Reply: "2020年共办理行政处罚案件……", Latency: 120 * time.Millisecond}
	}
	x15 := answered("x15", fixtureAt(7, 9, 0), "行政复议怎么申请", 7)
	x15.User, x15.Department, x15.Year, x15.Terms, x15.Context = "u-ivy", "", 0, []string{"行政复议"}, nil
	return []console.LogRecord{
		unanswered("x01", fixtureAt(1, 9, 0), "wechat", "u-alice", "社保怎么交？"),
		unanswered("x02", fixtureAt(1, 10, 0), "wechat", "u-bob", "社保怎么缴"),
		{Exchange: "x14", Time: fixtureAt(1, 11, 0), Channel: "wechat", User: "u-hank", Kind: "text", Text: "你好",
			Intent: "greeting", Reply: "您好，我是江津发布法治小助手。", Latency: 5 * time.Millisecond},
		unanswered("x03", fixtureAt(2, 11, 0), "api", "u-carol", "社保怎么交"),
		unanswered("x04", fixtureAt(2, 12, 0), "wechat", "u-alice", "营业执照在哪里办"),
		unanswered("x05", fixtureAt(3, 8, 0), "wechat", "u-dave", "营业执照在哪办"),
		answered("x06", fixtureAt(3, 9, 30), "生态环境局2020年罚款多少", 3),
		{Exchange: "x07", Time: fixtureAt(4, 8, 0), Channel: "wechat", User: "u-bob", Kind: "text", Text: "满意",
			Intent: "feedback", Gives: console.FeedbackSatisfied, RefersTo: "x06", Reply: "感谢您的评价。", Latency: 3 * time.Millisecond},
		unanswered("x08", fixtureAt(4, 9, 0), "wechat", "u-frank", scriptText),
		unanswered("x09", fixtureAt(5, 9, 0), "api", "u-gina", imgText),
		unanswered("x10", fixtureAt(5, 10, 0), "wechat", "u-hank", formulaText),
		unanswered("x11", fixtureAt(6, 9, 0), "cli", "", "+1"),
		unanswered("x12", fixtureAt(6, 9, 1), "cli", "", "-1"),
		unanswered("x13", fixtureAt(6, 9, 2), "cli", "", "@SUM(1)"),
		x15,
		{Exchange: "x16", Time: fixtureAt(7, 9, 5), Channel: "wechat", User: "u-ivy", Kind: "text", Text: "不满意",
			Intent: "feedback", Gives: console.FeedbackUnsatisfied, RefersTo: "x15", Reply: "感谢您的评价。", Latency: 3 * time.Millisecond},
		unanswered("x17", fixtureAt(7, 18, 0), "eval", "u-jo", "你们几点下班"),
	}
}

// seedLogs stores the fixture and returns the records' IDs by exchange.
func (e *consoleEnv) seedLogs() map[string]int64 {
	e.t.Helper()
	if err := e.db.InsertLogs(e.t.Context(), logFixture()); err != nil {
		e.t.Fatal(err)
	}
	page, err := e.db.Logs(e.t.Context(), console.LogFilter{Limit: console.MaxLogLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, r := range page.Records {
		ids[r.Exchange] = int64(r.ID)
	}
	return ids
}

// fixtureRange is the query string of the fixture's days.
func fixtureRange() string { return "from=" + fixtureFrom + "&to=" + fixtureTo }

// getPage fetches a console page as s and fails unless it answers 200.
func (e *consoleEnv) getPage(s *session, path string) string {
	e.t.Helper()
	return e.mustDo(request{method: http.MethodGet, path: path, as: s}, http.StatusOK).Body.String()
}

// logListResponse is the body of GET /api/v1/admin/logs.
type logListResponse struct {
	Records []logView `json:"records"`
	Next    string    `json:"next"`
}

// exchangesOf returns the exchanges of views, in order.
func exchangesOf(views []logView) []string {
	var out []string
	for _, v := range views {
		out = append(out, v.Exchange)
	}
	return out
}

// listedIDs returns the record IDs a list page links to, in order.
func listedIDs(body string) []int64 {
	var ids []int64
	for _, m := range regexp.MustCompile(`<a href="/admin/logs/(\d+)\?back=[^"]*">\d+</a>`).FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// TestLogsAuthorization: every query-log route sends anonymous visitors to
// the log-in page (pages) or answers 401 (API), refuses staff with 403 and
// serves admins.
func TestLogsAuthorization(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ids := e.seedLogs()
	admin, staff := e.sessionFor(e.admin), e.sessionFor(e.staff)
	rng := fixtureRange()
	faqKey := url.QueryEscape("社保怎么交")
	pages := []string{
		logsPath + "?" + rng,
		logsPath,
		logListPath + "?" + rng + "&q=" + url.QueryEscape("社保"),
		fmt.Sprintf("%s/%d", logsPath, ids["x06"]),
		unansweredPath + "?" + rng,
		unansweredFAQPath + "?" + rng + "&key=" + faqKey,
		logExportPath + "?" + rng,
	}
	for _, path := range pages {
		t.Run("page "+path, func(t *testing.T) {
			rec := e.do(request{method: http.MethodGet, path: path})
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, adminLoginPath+"?next=") {
				t.Errorf("anonymous: %d Location %q", rec.Code, loc)
			}
			rec = e.do(request{method: http.MethodGet, path: path, as: staff})
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "只有管理员可以查看问答日志") {
				t.Errorf("staff: %d %s", rec.Code, clip(rec.Body.String()))
			}
			e.mustDo(request{method: http.MethodGet, path: path, as: admin}, http.StatusOK)
		})
	}
	apis := []string{
		adminAPIPrefix + "logs?" + rng,
		fmt.Sprintf("%slogs/%d", adminAPIPrefix, ids["x06"]),
		adminAPIPrefix + "logs/dashboard?" + rng,
		adminAPIPrefix + "logs/unanswered?" + rng,
		adminAPIPrefix + "logs/export.csv?" + rng,
	}
	for _, path := range apis {
		t.Run("api "+path, func(t *testing.T) {
			for _, bearer := range []string{"", "fzb_not-a-token"} {
				rec := e.do(request{method: http.MethodGet, path: path, bearer: bearer})
				if rec.Code != http.StatusUnauthorized || apiJSON[errorBody](t, rec).Error == "" {
					t.Errorf("bearer %q: %d %s", bearer, rec.Code, clip(rec.Body.String()))
				}
			}
			rec := e.do(request{method: http.MethodGet, path: path, bearer: e.staff.token})
			if rec.Code != http.StatusForbidden || apiJSON[errorBody](t, rec).Error != "只有管理员可以查看问答日志。" {
				t.Errorf("staff: %d %s", rec.Code, clip(rec.Body.String()))
			}
			e.mustDo(request{method: http.MethodGet, path: path, bearer: e.admin.token}, http.StatusOK)
			// The admin's session cookie works too (no CSRF token for GET).
			e.mustDo(request{method: http.MethodGet, path: path, as: admin}, http.StatusOK)
		})
	}
}

// TestLogListFilters: each filter, alone and combined, narrows the list
// to the expected records, in the JSON API and on the page.
func TestLogListFilters(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ids := e.seedLogs()
	admin := e.sessionFor(e.admin)
	all := []string{"x17", "x16", "x15", "x13", "x12", "x11", "x10", "x09", "x08", "x07", "x06", "x05", "x04", "x03", "x14", "x02", "x01"}
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(x string) bool { return slices.Contains(drop, x) })
	}
	for _, tc := range []struct {
		name  string
		query string // added to the fixture's range unless it sets one
		want  []string
	}{
		{"range only", "", all},
		{"one day", "from=2026-06-02&to=2026-06-02", []string{"x04", "x03"}},
		{"from only", "from=2026-06-07&to=2026-06-30", []string{"x17", "x16", "x15"}},
		{"answered", "answer=answered", []string{"x15", "x06"}},
		{"unanswered", "answer=unanswered", []string{"x17", "x13", "x12", "x11", "x10", "x09", "x08", "x05", "x04", "x03", "x02", "x01"}},
		{"satisfied", "feedback=satisfied", []string{"x06"}},
		{"unsatisfied in Chinese", "feedback=" + url.QueryEscape("不满意"), []string{"x15"}},
		{"no verdict", "feedback=none", without("x06", "x15")},
		{"text", "q=" + url.QueryEscape("社保"), []string{"x03", "x02", "x01"}},
		{"text ignores width and case", "q=" + url.QueryEscape("ｓｕｍ"), []string{"x13"}},
		{"text with markup", "q=" + url.QueryEscape("<script>"), []string{"x08"}},
		{"report", "report=" + liveReport, []string{"x15", "x06"}},
		{"department", "dept=" + url.QueryEscape(sthjjDept), []string{"x06"}},
		{"channel", "channel=api", []string{"x09", "x03"}},
		{"user", "user=u-alice", []string{"x04", "x01"}},
		{"combined", "channel=wechat&answer=unanswered&q=" + url.QueryEscape("营业执照"), []string{"x05", "x04"}},
		{"nothing", "channel=eval&answer=answered", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := tc.query
			if !strings.Contains(query, "from=") {
				query = strings.TrimSuffix(fixtureRange()+"&"+query, "&")
			}
			rec := e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs?" + query, bearer: e.admin.token}, http.StatusOK)
			got := apiJSON[logListResponse](t, rec)
			if !slices.Equal(exchangesOf(got.Records), tc.want) || got.Next != "" {
				t.Errorf("API: %v (next %q), want %v", exchangesOf(got.Records), got.Next, tc.want)
			}
			var wantIDs []int64
			for _, x := range tc.want {
				wantIDs = append(wantIDs, ids[x])
			}
			body := e.getPage(admin, logListPath+"?"+query)
			if gotIDs := listedIDs(body); !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("page lists %v, want %v", gotIDs, wantIDs)
			}
			if len(tc.want) == 0 && !strings.Contains(body, "没有符合条件的记录。") {
				t.Errorf("empty list without a notice")
			}
		})
	}

	// The form shows the filter it applied.
	body := e.getPage(admin, logListPath+"?"+fixtureRange()+"&answer=unanswered&feedback=none&channel=api&q="+url.QueryEscape("社保")+"&dept="+url.QueryEscape(sthjjDept))
	for _, want := range []string{`<option value="unanswered" selected>未回答</option>`, `<option value="none" selected>无评价</option>`,
		`<option value="api" selected>接口</option>`, `name="q" value="社保"`, `name="dept" value="` + sthjjDept + `"`,
		`name="from" value="2026-06-01"`, `name="to" value="2026-06-07"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}

	// Refused filters: 400 with the reason, on the page and in the API.
	for _, tc := range []struct{ query, msg string }{
		{"from=2026-06-08&to=2026-06-01", "起始日期晚于截止日期"},
		{"from=2026-13-01", "起始日期“2026-13-01”无效"},
		{"answer=maybe", "“是否回答”应为“已回答”或“未回答”"},
		{"feedback=good", "feedback 应为"},
		{fixtureRange() + "&after=not-a-cursor", "翻页参数无效"},
		{"q=" + strings.Repeat("长", 201), "搜索文字最多 200 个字"},
	} {
		rec := e.mustDo(request{method: http.MethodGet, path: logListPath + "?" + tc.query, as: admin}, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), tc.msg) {
			t.Errorf("page %s: no %q in\n%s", tc.query, tc.msg, clip(rec.Body.String()))
		}
		rec = e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs?" + tc.query, bearer: e.admin.token}, http.StatusBadRequest)
		if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tc.msg) {
			t.Errorf("API %s: %q, want %q", tc.query, msg, tc.msg)
		}
	}
}

// TestLogListDefaultRange: without dates the list shows the last 30 days,
// today included.
func TestLogListDefaultRange(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	now := time.Now()
	recs := []console.LogRecord{
		unanswered("today", now.Add(-time.Minute), "wechat", "u", "今天的问题"),
		unanswered("day-29", console.StartOfDay(now).AddDate(0, 0, -29).Add(time.Hour), "wechat", "u", "29 天前"),
		unanswered("day-30", console.StartOfDay(now).AddDate(0, 0, -30).Add(time.Hour), "wechat", "u", "30 天前"),
	}
	if err := e.db.InsertLogs(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	got := apiJSON[logListResponse](t, e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs", bearer: e.admin.token}, http.StatusOK))
	if want := []string{"today", "day-29"}; !slices.Equal(exchangesOf(got.Records), want) {
		t.Errorf("default range lists %v, want %v", exchangesOf(got.Records), want)
	}
}

// TestLogListPagination: pages of the list keep the filter in the query
// string and together list every selected record once, in the API (with
// limit and after, also under the "无" feedback filter the handler applies
// itself) and on the page (50 a page).
func TestLogListPagination(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	admin := e.sessionFor(e.admin)
	var recs []console.LogRecord
	var wantAll, wantNoVerdict []string
	for i := range 120 {
		r := unanswered(fmt.Sprintf("p%03d", i), fixtureAt(2, 0, 0).Add(time.Duration(i)*time.Minute), "wechat", "u-page", fmt.Sprintf("第%d个问题", i))
		if i%2 == 1 { // odd ones are API questions, not selected below
			r.Channel = "api"
		}
		recs = append(recs, r)
	}
	// Verdicts on every third wechat question.
	for i := 0; i < 120; i += 6 {
		recs = append(recs, console.LogRecord{Exchange: fmt.Sprintf("v%03d", i), Time: fixtureAt(3, 0, 0), Channel: "api",
			Kind: "text", Text: "满意", Gives: console.FeedbackSatisfied, RefersTo: fmt.Sprintf("p%03d", i)})
	}
	for i := 118; i >= 0; i -= 2 {
		wantAll = append(wantAll, fmt.Sprintf("p%03d", i))
		if i%6 != 0 {
			wantNoVerdict = append(wantNoVerdict, fmt.Sprintf("p%03d", i))
		}
	}
	if err := e.db.InsertLogs(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	filter := fixtureRange() + "&channel=wechat&answer=unanswered&q=" + url.QueryEscape("问题")

	for _, tc := range []struct {
		name, query string
		limit       int
		want        []string
	}{
		{"wechat unanswered", filter, 7, wantAll},
		{"no verdict", filter + "&feedback=none", 4, wantNoVerdict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			after, pages := "", 0
			for {
				path := fmt.Sprintf("%slogs?%s&limit=%d&after=%s", adminAPIPrefix, tc.query, tc.limit, url.QueryEscape(after))
				resp := apiJSON[logListResponse](t, e.mustDo(request{method: http.MethodGet, path: path, bearer: e.admin.token}, http.StatusOK))
				if len(resp.Records) > tc.limit {
					t.Fatalf("page of %d records, limit %d", len(resp.Records), tc.limit)
				}
				got = append(got, exchangesOf(resp.Records)...)
				pages++
				if resp.Next == "" || pages > 100 {
					break
				}
				after = resp.Next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages list %v,\nwant %v", got, tc.want)
			}
		})
	}

	// The page: 50 rows, then a next link that keeps every filter.
	body := e.getPage(admin, logListPath+"?"+filter)
	first := listedIDs(body)
	m := regexp.MustCompile(`<a href="([^"]*)" rel="next">`).FindStringSubmatch(body)
	if len(first) != logPageSize || m == nil {
		t.Fatalf("first page: %d rows, next link %v", len(first), m)
	}
	next, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	q := next.Query()
	for k, v := range map[string]string{"from": fixtureFrom, "to": fixtureTo, "channel": "wechat", "answer": "unanswered", "q": "问题", "page": "2"} {
		if q.Get(k) != v {
			t.Errorf("next link %s=%q, want %q", k, q.Get(k), v)
		}
	}
	body = e.getPage(admin, next.String())
	second := listedIDs(body)
	if len(second) != 10 || !strings.Contains(body, "第 2 页") || strings.Contains(body, `rel="next"`) || !strings.Contains(body, "← 最新") {
		t.Errorf("second page: %d rows\n%s", len(second), clip(body))
	}
	if slices.ContainsFunc(second, func(id int64) bool { return slices.Contains(first, id) }) {
		t.Errorf("a record on both pages: %v %v", first, second)
	}
	// Its detail links lead back to this page.
	dm := regexp.MustCompile(`<a href="(/admin/logs/\d+\?back=[^"]*)">`).FindStringSubmatch(body)
	detail := e.getPage(admin, html.UnescapeString(dm[1]))
	bm := regexp.MustCompile(`<a href="([^"]*)">← 返回列表</a>`).FindStringSubmatch(detail)
	back, _ := url.Parse(html.UnescapeString(bm[1]))
	if back.Path != logListPath || back.Query().Get("after") != q.Get("after") || back.Query().Get("q") != "问题" {
		t.Errorf("back link %q", bm[1])
	}
}

// TestLogDetail: the detail shows every field of the record, with its hits
// linking to the passages, in the page and the JSON API.
func TestLogDetail(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ids := e.seedLogs()
	admin := e.sessionFor(e.admin)
	p3, err := e.db.Passage(t.Context(), liveReport, 3)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := e.db.ListReports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	title := reports[0].Title

	body := e.getPage(admin, fmt.Sprintf("%s/%d", logsPath, ids["x06"]))
	for _, want := range []string{
		fmt.Sprintf("<dt>编号</dt><dd>%d</dd>", ids["x06"]),
		"<dt>时间</dt><dd>2026-06-03 09:30:00</dd>",
		"<dt>渠道</dt><dd>微信</dd>",
		"<code>u-bob</code>",
		"<dt>消息类型</dt><dd>文字</dd>",
		`<pre class="reply" id="log-text">生态环境局2020年罚款多少</pre>`,
		"<dt>意图</dt><dd>回答</dd>",
		"<dt>追问方式</dt><dd>新问题</dd>",
		"<dt>是否提问</dt><dd>是</dd>",
		`<span class="kw">罚款</span>、<span class="kw">生态环境局</span>`,
		"<dt>上下文词</dt><dd>2020</dd>",
		"<dt>年度</dt><dd>2020</dd>",
		"<dt>部门</dt><dd>" + sthjjDept + "</dd>",
		"<dt>结果</dt><dd>已回答</dd>",
		"<dt>耗时</dt><dd>120 ms</dd>",
		"<dt>收到的评价</dt><dd>满意（2026-06-04 08:00:00）</dd>",
		"<dt>交互编号</dt><dd><code>x06</code></dd>",
		`<a href="/admin/reports/` + liveReport + `#p3">` + html.EscapeString(title) + ` 第 3 段</a>`,
		`<a href="/admin/reports/` + liveReport + `#p5">`,
		"<td>" + html.EscapeString(p3.SectionPath()) + "</td>",
		`<td class="num">12.50</td>`, `<td class="num">0.90</td>`, `<td class="num">8.12</td>`,
		`<pre class="reply" id="log-reply">2020年共办理行政处罚案件……</pre>`,
		`href="/admin/logs/list?from=2026-05-05&amp;to=2026-06-03&amp;user=u-bob"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("detail lacks %s", want)
		}
	}

	// An unanswered question shows why; a feedback message what it rated.
	body = e.getPage(admin, fmt.Sprintf("%s/%d", logsPath, ids["x01"]))
	for _, want := range []string{"<dt>结果</dt><dd>未回答（匹配度低）</dd>", "<dt>未回答原因</dt><dd>匹配度低</dd>", "没有命中段落。", "<dt>收到的评价</dt><dd>-</dd>"} {
		if !strings.Contains(body, want) {
			t.Errorf("unanswered detail lacks %s", want)
		}
	}
	body = e.getPage(admin, fmt.Sprintf("%s/%d", logsPath, ids["x16"]))
	if !strings.Contains(body, "<dt>本条给出的评价</dt><dd>不满意，评价交互 <code>x15</code></dd>") {
		t.Errorf("feedback detail:\n%s", clip(body))
	}

	got := apiJSON[logView](t, e.mustDo(request{method: http.MethodGet, path: fmt.Sprintf("%slogs/%d", adminAPIPrefix, ids["x06"]), bearer: e.admin.token}, http.StatusOK))
	want := logView{ID: ids["x06"], Exchange: "x06", Channel: "wechat", User: "u-bob", Kind: "text", Text: "生态环境局2020年罚款多少",
		Intent: "answer", FollowUp: "new", Question: true, Year: 2020, Department: sthjjDept, Answered: true,
		Reply: "2020年共办理行政处罚案件……", LatencyMS: 120, Feedback: "satisfied"}
	if got.ID != want.ID || got.Exchange != want.Exchange || got.Channel != want.Channel || got.User != want.User ||
		got.Kind != want.Kind || got.Text != want.Text || got.Intent != want.Intent || got.FollowUp != want.FollowUp ||
		got.Question != want.Question || got.Year != want.Year || got.Department != want.Department ||
		got.Answered != want.Answered || got.Reply != want.Reply || got.LatencyMS != want.LatencyMS || got.Feedback != want.Feedback ||
		!got.Time.Equal(fixtureAt(3, 9, 30)) || got.FeedbackAt == nil || !got.FeedbackAt.Equal(fixtureAt(4, 8, 0)) ||
		!slices.Equal(got.Terms, []string{"罚款", "生态环境局"}) || !slices.Equal(got.Context, []string{"2020"}) {
		t.Errorf("API detail %+v", got)
	}
	wantHits := []logHitView{
		{Report: liveReport, Title: title, Section: p3.SectionPath(), Seq: 3, Score: 12.5, Confidence: 0.9, URL: "/admin/reports/" + liveReport + "#p3"},
	}
	if len(got.Hits) != 2 || got.Hits[0] != wantHits[0] || got.Hits[1].Seq != 5 || got.Hits[1].Score != 8.125 {
		t.Errorf("API hits %+v", got.Hits)
	}

	for _, path := range []string{logsPath + "/999999", logsPath + "/abc", logsPath + "/0"} {
		rec := e.mustDo(request{method: http.MethodGet, path: path, as: admin}, http.StatusNotFound)
		if !strings.Contains(rec.Body.String(), "日志") {
			t.Errorf("%s: %s", path, clip(rec.Body.String()))
		}
	}
	e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/999999", bearer: e.admin.token}, http.StatusNotFound)
}

// svgOf returns the figure with the given id in body.
func svgOf(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no chart %s", id)
	}
	end := strings.Index(body[start:], "</figure>")
	return body[start : start+end]
}

// TestLogsEscaping: hostile message texts are shown as text everywhere:
// the list, the detail, the dashboard's top lists and its SVG, the
// unanswered queue and the FAQ editor it opens.
func TestLogsEscaping(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ids := e.seedLogs()
	admin := e.sessionFor(e.admin)
	rng := fixtureRange()
	escScript := html.EscapeString(scriptText) // &lt;script&gt;alert(1)&lt;/script&gt;
	escImg := `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`
	dashboard := e.getPage(admin, logsPath+"?"+rng)
	pages := map[string]string{
		"list":          e.getPage(admin, logListPath+"?"+rng),
		"detail script": e.getPage(admin, fmt.Sprintf("%s/%d", logsPath, ids["x08"])),
		"detail img":    e.getPage(admin, fmt.Sprintf("%s/%d", logsPath, ids["x09"])),
		"dashboard":     dashboard,
		"unanswered":    e.getPage(admin, unansweredPath+"?"+rng),
	}
	for name, body := range pages {
		for _, raw := range []string{"<script>alert", "<img", "onerror=alert(1)>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: raw %q", name, raw)
			}
		}
		wantScript, wantImg := strings.Contains(body, escScript), strings.Contains(body, escImg)
		switch name {
		case "detail script":
			wantImg = true
		case "detail img":
			wantScript = true
		}
		if !wantScript || !wantImg {
			t.Errorf("%s: escaped texts missing (script %v, img %v)", name, wantScript, wantImg)
		}
	}
	for _, id := range []string{"top-questions", "top-unanswered"} {
		start := strings.Index(dashboard, `id="`+id+`"`)
		table := dashboard[start : start+strings.Index(dashboard[start:], "</table>")]
		if !strings.Contains(table, escScript) || !strings.Contains(table, escImg) {
			t.Errorf("%s lacks the escaped texts:\n%s", id, table)
		}
	}
	svg := svgOf(t, dashboard, "chart-top")
	for _, want := range []string{
		"<title>" + escScript + "：1</title>", // the tooltip: the whole text
		"&lt;script&gt;alert(1…</text>",      // the label: cut to 15 characters
		"<title>" + escImg + "：1</title>", `&#34;&gt;&lt;img src=x on…</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s:\n%s", want, svg)
		}
	}
	// The CSV keeps the text as it was (a CSV cell is not HTML).
	rec := e.mustDo(request{method: http.MethodGet, path: logExportPath + "?" + rng + "&channel=api", as: admin}, http.StatusOK)
	if !strings.Contains(rec.Body.String(), imgText[2:]) {
		t.Errorf("CSV lacks the text %q", imgText)
	}
}

// readCSV checks the BOM and parses an export.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte(logexport.BOM)) {
		t.Fatalf("no BOM: %q", body[:min(len(body), 20)])
	}
	r := csv.NewReader(bytes.NewReader(body[len(logexport.BOM):]))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestLogsCSV: the export has a BOM, Chinese headers, every selected
// record, formula-like cells neutralised and Chinese intact; the same
// from the page and from the API.
func TestLogsCSV(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ids := e.seedLogs()
	admin := e.sessionFor(e.admin)
	rng := fixtureRange()

	rec := e.mustDo(request{method: http.MethodGet, path: logExportPath + "?" + rng, as: admin}, http.StatusOK)
	if ct, cd := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
		cd != `attachment; filename="query-logs-2026-06-01_2026-06-07.csv"` {
		t.Errorf("headers %q %q", ct, cd)
	}
	if !bytes.Contains(rec.Body.Bytes(), []byte("\r\n")) {
		t.Errorf("no CRLF line ends")
	}
	rows := readCSV(t, rec.Body.Bytes())
	if !slices.Equal(rows[0], logexport.Header()) || rows[0][0] != "编号" || rows[0][6] != "消息内容" {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != 1+17 {
		t.Fatalf("%d rows, want 18", len(rows))
	}
	byID := map[string][]string{}
	for _, row := range rows[1:] {
		byID[row[0]] = row
	}
	cell := func(ex string, col int) string { return byID[strconv.FormatInt(ids[ex], 10)][col] }
	for _, tc := range []struct {
		ex   string
		col  int
		want string
	}{
		{"x10", 6, "'" + formulaText},
		{"x11", 6, "'+1"},
		{"x12", 6, "'-1"},
		{"x13", 6, "'@SUM(1)"},
		{"x01", 6, "社保怎么交？"},
		{"x01", 2, "微信"},
		{"x01", 15, "匹配度低"},
		{"x06", 1, "2026-06-03 09:30:00"},
		{"x06", 10, "罚款 生态环境局"},
		{"x06", 13, sthjjDept},
		{"x06", 14, "是"},
		{"x06", 16, liveReport + "#3:12.500;" + liveReport + "#5:8.125"},
		{"x06", 18, "120"},
		{"x06", 19, "满意"},
		{"x06", 20, "2026-06-04 08:00:00"},
		{"x16", 22, "不满意"},
		{"x16", 23, "x15"},
	} {
		if got := cell(tc.ex, tc.col); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.ex, rows[0][tc.col], got, tc.want)
		}
	}

	// A filtered export, through the API with a bearer token.
	rec = e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/export.csv?" + rng + "&feedback=none&channel=cli", bearer: e.admin.token}, http.StatusOK)
	rows = readCSV(t, rec.Body.Bytes())
	var texts []string
	for _, row := range rows[1:] {
		texts = append(texts, row[6])
	}
	if want := []string{"'@SUM(1)", "'-1", "'+1"}; !slices.Equal(texts, want) {
		t.Errorf("filtered export %v, want %v", texts, want)
	}
	// A refused filter is answered before any CSV is written.
	rec = e.mustDo(request{method: http.MethodGet, path: logExportPath + "?answer=x", as: admin}, http.StatusBadRequest)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || rec.Header().Get("Content-Disposition") != "" {
		t.Errorf("refused export: %q", ct)
	}
}

// TestNeutralizeCell: only cells a spreadsheet reads as formulas change.
func TestNeutralizeCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "社保": "社保", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(1)": "'@SUM(1)",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "a=1": "a=1", " =1": " =1", "'=1": "'=1",
	} {
		if got := logexport.Neutralize(in); got != want {
			t.Errorf("logexport.Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGroupUnanswered: similar texts cluster around the most often
// unanswered one, by bigram Jaccard similarity of at least 0.5, largest
// groups first.
func TestGroupUnanswered(t *testing.T) {
	t.Parallel()
	tc := func(text string, asked, answered int64) console.TextCount {
		return console.TextCount{Text: text, Sample: text + "？", Asked: asked, Answered: answered}
	}
	type group struct {
		key        string
		unanswered int64
		variants   []string
	}
	for _, c := range []struct {
		name  string
		texts []console.TextCount
		want  []group
	}{
		{"similar texts cluster", []console.TextCount{tc("社保怎么交", 5, 0), tc("营业执照在哪里办", 4, 1), tc("社保怎么缴", 2, 0), tc("营业执照在哪办", 2, 0), tc("社保怎么交费", 1, 0)},
			[]group{{"社保怎么交", 8, []string{"社保怎么交", "社保怎么缴", "社保怎么交费"}}, {"营业执照在哪里办", 5, []string{"营业执照在哪里办", "营业执照在哪办"}}}},
		{"dissimilar texts stay apart", []console.TextCount{tc("行政复议怎么申请", 3, 0), tc("社保怎么交", 2, 0), tc("怎么申请", 1, 0)},
			[]group{{"行政复议怎么申请", 3, []string{"行政复议怎么申请"}}, {"社保怎么交", 2, []string{"社保怎么交"}}, {"怎么申请", 1, []string{"怎么申请"}}}},
		{"exactly the threshold joins", []console.TextCount{tc("abcd", 2, 0), tc("abce", 1, 0), tc("abxd", 1, 0)},
			[]group{{"abcd", 3, []string{"abcd", "abce"}}, {"abxd", 1, []string{"abxd"}}}},
		{"largest group first", []console.TextCount{tc("甲乙丙丁", 3, 0), tc("戊己庚辛", 2, 0), tc("戊己庚辛壬", 2, 0)},
			[]group{{"戊己庚辛", 4, []string{"戊己庚辛", "戊己庚辛壬"}}, {"甲乙丙丁", 3, []string{"甲乙丙丁"}}}},
		{"one character", []console.TextCount{tc("1", 2, 0), tc("1", 1, 0), tc("12", 1, 0)},
			[]group{{"1", 3, []string{"1", "1"}}, {"12", 1, []string{"12"}}}},
		{"nothing", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []group
			for _, g := range groupUnanswered(c.texts, similarityThreshold) {
				var vs []string
				for _, v := range g.Variants {
					vs = append(vs, v.Text)
				}
				got = append(got, group{g.Key, g.Unanswered, vs})
				if g.Representative != g.Key+"？" || g.Variants[0].Similarity != 1 {
					t.Errorf("group %q: representative %q, similarity %v", g.Key, g.Representative, g.Variants[0].Similarity)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("groups %v,\nwant %v", got, c.want)
			}
		})
	}
	if sim := jaccard(bigramsOf("社保怎么交"), bigramsOf("社保怎么缴")); sim != 0.6 {
		t.Errorf("jaccard = %v, want 0.6", sim)
	}
}

// TestUnansweredQueue: the fixture's unanswered questions are grouped
// with counts that add up; "添加为FAQ" opens the FAQ editor pre-filled
// with the group's texts, and once that FAQ is saved to the draft the
// group leaves the queue.
func TestUnansweredQueue(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	e.seedLogs()
	admin := e.sessionFor(e.admin)
	rng := fixtureRange()
	queue := func() unansweredQueue {
		return apiJSON[unansweredQueue](t, e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/unanswered?" + rng, bearer: e.admin.token}, http.StatusOK))
	}
	q := queue()
	var total int64
	groups := map[string]unansweredGroup{} // by every variant's text
	for _, g := range q.Groups {
		var sum int64
		for _, v := range g.Variants {
			sum += v.Unanswered
		}
		if sum != g.Unanswered {
			t.Errorf("group %q counts %d, its variants %d", g.Key, g.Unanswered, sum)
		}
		total += g.Unanswered
		for _, v := range g.Variants {
			groups[v.Text] = g
		}
	}
	wantTotal := int64(0)
	for _, r := range logFixture() {
		if r.Question && !r.Answered {
			wantTotal++
		}
	}
	if total != wantTotal || q.Resolved != 0 {
		t.Errorf("groups count %d unanswered, want %d; resolved %d", total, wantTotal, q.Resolved)
	}
	social := groups["社保怎么交"]
	if social.Unanswered != 3 || len(social.Variants) != 2 || social.Variants[1].Text != "社保怎么缴" || social.Variants[1].Similarity != 0.6 ||
		!slices.Equal(social.FAQQuestions, []string{"社保怎么交？", "社保怎么缴"}) || q.Groups[0].Key != "社保怎么交" {
		t.Errorf("social security group %+v (first %q)", social, q.Groups[0].Key)
	}
	if licence := groups["营业执照在哪里办"]; licence.Unanswered != 2 || len(licence.Variants) != 2 || groups["营业执照在哪办"].Key != licence.Key {
		t.Errorf("licence group %+v", licence)
	}
	if one := groups["1"]; one.Unanswered != 2 || one.Representative != "+1" { // "+1" and "-1" normalise alike
		t.Errorf("group of 1: %+v", one)
	}

	// The page shows the groups with their one-click link.
	body := e.getPage(admin, unansweredPath+"?"+rng)
	link := html.EscapeString(social.FAQURL)
	if !strings.Contains(body, `<a class="button" href="`+link+`">添加为FAQ</a>`) || !strings.Contains(body, "未回答 3 次 · 2 种问法") {
		t.Errorf("queue page lacks the group:\n%s", clip(body))
	}

	// 添加为FAQ opens the FAQ editor, pre-filled, posting to the draft.
	body = e.getPage(admin, social.FAQURL)
	m := regexp.MustCompile(`<textarea name="questions"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body)
	a := regexp.MustCompile(`<textarea name="answer"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != "社保怎么交？\n社保怎么缴" || a == nil || a[1] != "" ||
		!strings.Contains(body, `action="/admin/faq/new"`) || !strings.Contains(body, "已按未回答问题分组预填 2 种问法") {
		t.Fatalf("FAQ editor:\n%s", clip(body))
	}
	// The answer box takes an answer (a zero maxlength made the form impossible to submit).
	if !strings.Contains(body, fmt.Sprintf(`maxlength="%d"`, maxFAQAnswerRunes)) {
		t.Errorf("the pre-filled FAQ editor does not allow an answer of %d characters", maxFAQAnswerRunes)
	}
	e.mustDo(request{method: http.MethodPost, path: adminPrefix + "faq/new", as: admin,
		form: url.Values{"questions": {html.UnescapeString(m[1])}, "answer": {"请通过重庆市人力社保局网站缴纳。"}, "report": {""}, "seq": {"0"}}}, http.StatusSeeOther)
	faqs, err := e.db.FAQs(t.Context())
	if err != nil || len(faqs) != 1 || !slices.Equal(faqs[0].Questions, []string{"社保怎么交？", "社保怎么缴"}) {
		t.Fatalf("draft FAQ %+v, %v", faqs, err)
	}

	// The group has left the queue; the others stay.
	after := queue()
	var keys []string
	for _, g := range after.Groups {
		keys = append(keys, g.Key)
	}
	if slices.Contains(keys, "社保怎么交") || !slices.Contains(keys, groups["营业执照在哪里办"].Key) || after.Resolved != 2 || len(after.Groups) != len(q.Groups)-1 {
		t.Errorf("after saving the FAQ: groups %v, resolved %d", keys, after.Resolved)
	}
	body = e.getPage(admin, unansweredPath+"?"+rng)
	if strings.Contains(body, "<h2>社保怎么交？</h2>") || strings.Contains(body, ">社保怎么缴</a>") || !strings.Contains(body, "另有 2 个问题已有 FAQ 问法，未列出") {
		t.Errorf("queue page after saving:\n%s", clip(body))
	}
	rec := e.mustDo(request{method: http.MethodGet, path: social.FAQURL, as: admin}, http.StatusNotFound)
	if !strings.Contains(rec.Body.String(), "这组问题已不在未回答队列中") {
		t.Errorf("resolved group's link: %s", clip(rec.Body.String()))
	}
}

// TestLogsDashboard: the charts have one point per day of the range and
// the figures are those of the fixture.
func TestLogsDashboard(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	e.seedLogs()
	admin := e.sessionFor(e.admin)

	// The fixture's counts per day.
	type counts struct{ messages, questions, answered int64 }
	perDay := map[string]*counts{}
	var total counts
	for _, r := range logFixture() {
		day := r.Time.In(console.LogZone()).Format(logDateLayout)
		if perDay[day] == nil {
			perDay[day] = &counts{}
		}
		c := perDay[day]
		c.messages++
		total.messages++
		if r.Question {
			c.questions++
			total.questions++
		}
		if r.Answered {
			c.answered++
			total.answered++
		}
	}

	for _, tc := range []struct {
		from, to string
		days     int
	}{
		{fixtureFrom, fixtureTo, 7},
		{"2026-05-15", "2026-06-13", 30},
		{"2026-06-03", "2026-06-03", 1},
	} {
		t.Run(fmt.Sprintf("%d days", tc.days), func(t *testing.T) {
			query := "from=" + tc.from + "&to=" + tc.to
			v := apiJSON[dashboardView](t, e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/dashboard?" + query, bearer: e.admin.token}, http.StatusOK))
			if len(v.Days) != tc.days || v.From != tc.from || v.To != tc.to {
				t.Fatalf("%d days from %s to %s", len(v.Days), v.From, v.To)
			}
			var want counts
			for _, d := range v.Days {
				c := perDay[d.Day]
				if c == nil {
					c = &counts{}
				}
				want.messages += c.messages
				want.questions += c.questions
				want.answered += c.answered
				if d.Messages != c.messages || d.Questions != c.questions || d.Answered != c.answered {
					t.Errorf("%s: %+v, want %+v", d.Day, d, *c)
				}
			}
			if v.Total.Messages != want.messages || v.Total.Questions != want.questions || v.Total.Answered != want.answered {
				t.Errorf("total %+v, want %+v", v.Total, want)
			}

			body := e.getPage(admin, logsPath+"?"+query)
			for _, id := range []string{"chart-messages", "chart-answered", "chart-satisfaction", "chart-latency"} {
				// Every day is a point, or a gap when it has no data.
				svg := svgOf(t, body, id)
				if n := strings.Count(svg, `class="pt"`) + strings.Count(svg, `class="gap"`); n != tc.days {
					t.Errorf("%s: %d points and gaps, want %d", id, n, tc.days)
				}
			}
			if !strings.Contains(body, fmt.Sprintf(`id="stat-messages">%d<`, want.messages)) {
				t.Errorf("page lacks %d messages", want.messages)
			}
		})
	}

	// The whole fixture: rates, verdicts, tooltips, top lists, hits.
	v := apiJSON[dashboardView](t, e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/dashboard?" + fixtureRange(), bearer: e.admin.token}, http.StatusOK))
	if v.Total.Messages != 17 || v.Total.Questions != 14 || v.Total.Answered != 2 || v.Total.Satisfied != 1 || v.Total.Unsatisfied != 1 ||
		v.Total.SatisfactionRate != 0.5 || v.Total.AnsweredRate != 2.0/14 || v.Total.P95MS <= 0 {
		t.Errorf("total %+v", v.Total)
	}
	if len(v.TopQuestions) == 0 || v.TopQuestions[0].Sample != "社保怎么交？" || v.TopQuestions[0].Asked != 2 {
		t.Errorf("top questions %+v", v.TopQuestions)
	}
	if len(v.Reports) != 1 || v.Reports[0].Report != liveReport || v.Reports[0].Hits != 2 || v.Reports[0].Quoted != 2 {
		t.Errorf("reports %+v", v.Reports)
	}
	if len(v.Passages) != 2 || v.Passages[0].Section == "" || v.Passages[0].Hits != 1 {
		t.Errorf("passages %+v", v.Passages)
	}
	body := e.getPage(admin, logsPath+"?"+fixtureRange())
	for _, want := range []string{
		`id="stat-answered">14.3%<`, `id="stat-satisfaction">50.0%<`,
		"<title>2026-06-01：3 条消息，2 个提问</title>",
		"<title>2026-06-03：1/2 个提问已回答（50.0%）</title>",
		"<title>2026-06-07：0/1 个评价为满意（0.0%）</title>",
		"<title>2026-06-02：无数据</title>", // no verdicts that day
		`<a href="/admin/reports/` + liveReport + `">`,
		`<a href="/admin/reports/` + liveReport + `#p3">`, `<a href="/admin/reports/` + liveReport + `#p7">`,
		`href="/admin/logs/list?from=2026-06-01&amp;q=` + url.QueryEscape("社保怎么交？") + `&amp;to=2026-06-07"`,
		`href="/admin/logs/list?from=2026-06-01&amp;report=` + liveReport + `&amp;to=2026-06-07"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}

	// Refused ranges.
	for query, msg := range map[string]string{
		"from=2026-06-07&to=2026-06-01": "起始日期晚于截止日期",
		"from=2025-01-01&to=2026-06-01": "日期范围最长 366 天",
		"from=yesterday":                "起始日期“yesterday”无效",
	} {
		rec := e.mustDo(request{method: http.MethodGet, path: logsPath + "?" + query, as: admin}, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), msg) {
			t.Errorf("%s: no %q", query, msg)
		}
		rec = e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/dashboard?" + query, bearer: e.admin.token}, http.StatusBadRequest)
		if got := apiJSON[errorBody](t, rec).Error; !strings.Contains(got, msg) {
			t.Errorf("API %s: %q", query, got)
		}
	}
}

// TestLayoutChart: the chart helper's geometry. Days without data are
// gaps: a shaded column, no dot, and the line broken around them.
func TestLayoutChart(t *testing.T) {
	t.Parallel()
	pts := []chartPoint{{Tick: "a", Value: 1}, {Tick: "b", Value: 0.5, Empty: true, Tip: "b：无数据"}, {Tick: "c", Value: 0}, {Tick: "d", Value: 0.25}}
	line := layoutChart(chartSpec{Kind: chartLine, Points: pts, Max: 1, Step: 0.5, XTitle: "日期", YTitle: "回答率"})
	if len(line.Dots) != 3 || len(line.Bars) != 0 || line.NoData {
		t.Errorf("line: %d dots, %d bars", len(line.Dots), len(line.Bars))
	}
	slot := float64(plotRight-plotLeft) / 4
	if len(line.Lines) != 2 || strings.Count(line.Lines[0], ",") != 1 || strings.Count(line.Lines[1], ",") != 2 {
		t.Errorf("lines %q, want one of a and one of c and d", line.Lines)
	}
	if g := line.Gaps; len(g) != 1 || g[0].X != round1(plotLeft+slot) || g[0].W != round1(slot) || g[0].Y != plotTop ||
		g[0].H != plotBottom-plotTop || g[0].Tip != "b：无数据" {
		t.Errorf("gaps %+v, want the column of b", g)
	}
	if d := line.Dots; d[0].Y != plotTop || d[1].Y != plotBottom || d[2].Y != round1(plotBottom-0.25*(plotBottom-plotTop)) {
		t.Errorf("dots %+v", d)
	}
	if line.XTitle != "日期" || line.YTitle != "回答率" || line.XTitleY <= plotBottom+chartFont || line.YTitleX+chartFont > plotLeft-30 {
		t.Errorf("axis titles %q at y %v, %q at x %v", line.XTitle, line.XTitleY, line.YTitle, line.YTitleX)
	}
	// Labels stay legible on a phone: the chart is drawn about 350 px wide
	// in a 390 px viewport.
	if px := float64(line.Font) * 350 / float64(line.Width); px < 10 {
		t.Errorf("labels are %.1f px on a phone, want at least 10", px)
	}
	var ticks []string
	for _, tk := range line.YTicks {
		ticks = append(ticks, tk.Label)
	}
	if !slices.Equal(ticks, []string{"0", "0.5", "1"}) {
		t.Errorf("y ticks %v", ticks)
	}
	bars := layoutChart(chartSpec{Kind: chartBars, Points: []chartPoint{{Value: 7}, {Value: 3}}})
	if len(bars.Bars) != 2 || bars.Bars[0].Y+bars.Bars[0].H != plotBottom || bars.YTicks[len(bars.YTicks)-1].Label != "8" {
		t.Errorf("bars %+v ticks %+v", bars.Bars, bars.YTicks)
	}
	many := make([]chartPoint, 366)
	if n := len(layoutChart(chartSpec{Kind: chartBars, Points: many}).XTicks); n > maxXTicks || n < maxXTicks-1 {
		t.Errorf("%d x labels for 366 days", n)
	}
	for in, want := range map[float64]float64{0: 1, 3: 1, 7: 2, 17: 5, 180: 50, 1234: 500} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", in, got, want)
		}
	}
}
