package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The questions TestQueryLogPagesInBrowser asks through the JSON API.
const (
	// xssQuestion is an unanswered question with markup in it: every page
	// must show it as text.
	xssQuestion = "<script>alert(1)</script>护照在哪里办"
	// loneWeather is a weather question worded too differently to join
	// weatherGroup: its bigram similarity to them is at most 0.25, below
	// the queue's threshold of 0.5.
	loneWeather = "明天江津天气如何"
)

// weatherGroup are the unanswered questions the queue groups together:
// their pairwise bigram similarity is 0.64 to 0.89.
var weatherGroup = []string{"江津明天天气怎么样", "江津明天的天气怎么样", "江津明天天气怎么样啊"}

// TestQueryLogPagesInBrowser walks the query-log pages in headless
// Chromium with records the served instance logged itself, from questions
// asked through POST /api/v1/ask: the dashboard's charts and totals, the
// log list's filters (with a question carrying a <script> shown as text and
// never run), a record's detail, the CSV export of the filtered list, and
// "添加为FAQ" from the unanswered queue, after which the group leaves the
// queue. A screenshot after each step goes to t.ArtifactDir(), as in
// TestConsoleInBrowser.
func TestQueryLogPagesInBrowser(t *testing.T) {
	execPath := chromiumPath(t)
	start := time.Now()
	tag := uniqueTag()
	apiToken := "logs-" + tag
	admin := "站长" + tag[:4]
	const adminPassword = "admin-password-1"

	srv := startInstance(t, "serve", mapEnv(map[string]string{
		"FAZHIBOT_DATABASE_URL":        "sqlite:" + filepath.Join(t.TempDir(), "fazhibot.db"),
		"FAZHIBOT_KNOWLEDGE_DICT_DIR":  "../../configs/jieba",
		"FAZHIBOT_SERVER_LISTEN":       "127.0.0.1:0",
		"FAZHIBOT_API_TOKENS":          apiToken,
		"FAZHIBOT_LOGS_FLUSH_INTERVAL": "100ms",
		"FAZHIBOT_REDIS_RATE_LIMIT":    "0",
	}))
	setup := srv.setupLink(t)

	// The citizens' questions, each from a user of its own so that none
	// is read as a follow-up of another.
	unanswered := append(slices.Clone(weatherGroup), loneWeather, xssQuestion)
	asked := 0
	ask := func(text string, wantAnswered bool) {
		t.Helper()
		asked++
		got := mustAsk(t, srv.base, apiToken, "logs-"+tag+"-"+strconv.Itoa(asked), text)
		if got.Answered != wantAnswered || wantAnswered && !strings.Contains(got.Reply, bundledFigure) {
			t.Fatalf("POST /api/v1/ask %q = %+v, want answered %v", text, got, wantAnswered)
		}
	}
	const answeredTimes = 3
	for range answeredTimes {
		ask(bundledQuestion, true)
	}
	for _, q := range unanswered {
		ask(q, false)
	}

	shots := t.ArtifactDir()
	t.Logf("screenshots go to %s", shots)
	b := newChromeTab(t, execPath, srv.base, shots)

	// Every record is written within a flush interval or two.
	if took, ok := pollUntil(10*time.Second, 50*time.Millisecond, func() bool {
		n, _ := strconv.Atoi(metricValue(t, srv.base, "fazhibot_log_written_total"))
		return n >= asked
	}); !ok {
		t.Fatalf("fazhibot_log_written_total = %q after %v, want %d", metricValue(t, srv.base, "fazhibot_log_written_total"), took, asked)
	}

	// noDialog fails the test when a page opened a dialog (the query-log
	// pages open none of their own) or holds a <script> with the citizen's
	// alert(1). The second check does not rely on the Content-Security-
	// Policy, which would stop an injected inline script from running.
	noDialog := func(where string) {
		t.Helper()
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.dialogs) > 0 {
			t.Errorf("%s opened dialogs %q: a citizen's message ran as script", where, b.dialogs)
		}
		if n := evalIn[int](b, `[...document.scripts].filter(s => s.textContent.includes("alert(1)")).length`); n != 0 {
			t.Errorf("%s has %d <script> elements with the citizen's alert(1)", where, n)
		}
	}
	// rowTexts returns the messages the log list shows.
	rowTexts := func() []string {
		t.Helper()
		return evalIn[[]string](b, `[...document.querySelectorAll("#log-list tbody a.msg")].map(a => a.innerText)`)
	}
	sameSet := func(what string, got, want []string) {
		t.Helper()
		g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		if !slices.Equal(g, w) {
			t.Errorf("%s = %q, want %q", what, g, w)
		}
	}
	var exportURL string // the filtered list's CSV export
	var detailURL string // the detail of the record with xssQuestion

	total := strconv.Itoa(asked)
	steps := []struct {
		name string
		do   func()
	}{
		{"admin-created", func() {
			b.open(setup)
			b.fill(`input[name="name"]`, admin)
			b.fill(`input[name="password"]`, adminPassword)
			b.fill(`input[name="password2"]`, adminPassword)
			if got := b.click(`form[action="/admin/setup"] button[type="submit"]`); got != "/admin/?ok=welcome" {
				t.Fatalf("after setup the browser is at %s", got)
			}
			b.wantText("header .who", admin, "管理员")
		}},
		{"home-numbers", func() {
			// The home page counts the week's questions as the logs hold them.
			b.open("/admin/")
			if got := b.text("#home-questions"); got != total {
				t.Errorf("home page: %s questions this week, want %s", got, total)
			}
			if got, want := b.text("#home-unanswered"), strconv.Itoa(len(unanswered)); got != want {
				t.Errorf("home page: %s unanswered this week, want %s", got, want)
			}
		}},
		{"dashboard", func() {
			b.open("/admin/logs")
			b.wantText("nav.tabs a.active", "概览")
			// Four daily charts and the top-questions bar list, as inline
			// SVG; the messages chart has a bar per day of the default 30,
			// only today's above the axis, and its tooltip counts them.
			if n := evalIn[int](b, `document.querySelectorAll("figure.chart > svg").length`); n != 5 {
				t.Errorf("the dashboard has %d SVG charts, want 5", n)
			}
			for _, id := range []string{"chart-messages", "chart-answered", "chart-satisfaction", "chart-latency", "chart-top"} {
				if n := evalIn[int](b, `document.querySelectorAll("#`+id+` svg").length`); n != 1 {
					t.Errorf("#%s has %d <svg>, want 1", id, n)
				}
			}
			bars := evalIn[[]string](b, `[...document.querySelectorAll("#chart-messages rect.pt")].filter(r => +r.getAttribute("height") > 0).map(r => r.textContent)`)
			if nDays := evalIn[int](b, `document.querySelectorAll("#chart-messages rect.pt").length`); nDays != 30 || len(bars) != 1 ||
				!strings.Contains(bars[0], total+" 条消息，"+total+" 个提问") {
				t.Errorf("the messages chart has %d bars, of them above the axis %q; want 30, and one with %s messages", nDays, bars, total)
			}
			if n := evalIn[int](b, `document.querySelectorAll("#chart-answered circle.pt:not(.empty)").length`); n != 1 {
				t.Errorf("the answered-rate chart has %d filled dots, want 1 (today)", n)
			}
			b.wantText("#stat-messages", total)
			b.wantText("#stat-questions", total)
			answeredRate := evalIn[string](b, `document.querySelector("#stat-answered").parentElement.innerText`)
			if want := strconv.Itoa(answeredTimes) + "/" + total; !strings.Contains(answeredRate, want) {
				t.Errorf("the answered rate reads %q, want %s", answeredRate, want)
			}
			top := evalIn[string](b, `document.querySelector("#top-questions tbody tr").innerText`)
			if !strings.Contains(top, bundledQuestion) || !strings.Contains(top, "\t3\t3\t0") {
				t.Errorf("the first top question reads %q, want %s asked and answered 3 times", top, bundledQuestion)
			}
			b.wantText("#top-unanswered", append(slices.Clone(unanswered), "<script>")...)
			noDialog("the dashboard")
		}},
		{"list-unanswered", func() {
			b.open("/admin/logs/list")
			if got := rowTexts(); len(got) != asked {
				t.Errorf("the unfiltered list shows %d records %q, want %d", len(got), got, asked)
			}
			if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(`#log-filters select[name="answer"]`), "unanswered")); err != nil {
				t.Fatal(err)
			}
			if got := b.click(`#log-filters button[type="submit"]`); !strings.Contains(got, "answer=unanswered") {
				t.Fatalf("after filtering the browser is at %s", got)
			}
			sameSet("the unanswered records", rowTexts(), unanswered)
			outcomes := evalIn[[]string](b, `[...document.querySelectorAll("#log-list tbody tr td:nth-child(6)")].map(td => td.innerText)`)
			for _, o := range outcomes {
				if !strings.HasPrefix(o, "未回答") {
					t.Errorf("an unanswered record's outcome reads %q", o)
				}
			}
			// The <script> is shown, as text, and never ran.
			if n := evalIn[int](b, `[...document.querySelectorAll("#log-list a.msg")].filter(a => a.textContent === `+jsString(xssQuestion)+` && a.children.length === 0).length`); n != 1 {
				t.Errorf("the list shows %q as text %d times, want once", xssQuestion, n)
			}
			noDialog("the unanswered list")
			detailURL = evalIn[string](b, `[...document.querySelectorAll("#log-list a.msg")].find(a => a.textContent === `+jsString(xssQuestion)+`)?.href || ""`)
		}},
		{"list-search", func() {
			b.fill(`#log-filters input[name="q"]`, "天气")
			got := b.click(`#log-filters button[type="submit"]`)
			if !strings.Contains(got, "answer=unanswered") || !strings.Contains(got, "q=%E5%A4%A9%E6%B0%94") {
				t.Fatalf("after searching the browser is at %s, want both filters", got)
			}
			sameSet("the unanswered records with 天气", rowTexts(), append(slices.Clone(weatherGroup), loneWeather))
			if v := evalIn[string](b, `document.querySelector('#log-filters select[name="answer"]').value`); v != "unanswered" {
				t.Errorf("the answer filter reads %q after searching, want unanswered", v)
			}
			exportURL = evalIn[string](b, `[...document.querySelectorAll("#log-filters a.button")].find(a => a.innerText.includes("导出 CSV"))?.href || ""`)
		}},
		{"log-detail", func() {
			if detailURL == "" {
				t.Fatal("the list has no link to the record with the <script>")
			}
			b.open(detailURL)
			if got := b.text("#log-text"); got != xssQuestion {
				t.Errorf("the detail shows the message %q, want %q", got, xssQuestion)
			}
			if n := evalIn[int](b, `document.querySelector("#log-text").children.length`); n != 0 {
				t.Errorf("the message was parsed into %d elements", n)
			}
			b.wantText("#log-meta", "接口", "未回答", "是否提问")
			back := evalIn[string](b, `[...document.querySelectorAll("main a")].find(a => a.innerText.includes("返回列表"))?.getAttribute("href") || ""`)
			if !strings.HasPrefix(back, "/admin/logs/list?") || !strings.Contains(back, "answer=unanswered") {
				t.Errorf("the detail links back to %q, want the filtered list", back)
			}
			noDialog("the detail")
		}},
		{"unanswered-queue", func() {
			b.open("/admin/logs/unanswered")
			b.wantText("nav.tabs a.active", "未回答问题")
			groups := queueGroups(b)
			if len(groups) != 3 {
				t.Errorf("the queue has groups %q, want 3: the weather group, %s and the <script> one", groups, loneWeather)
			}
			g, ok := groups[weatherGroupKey(groups)]
			if !ok {
				t.Fatalf("no group of the queue holds %q: %q", weatherGroup, groups)
			}
			sameSet("the weather group's variants", g.variants, weatherGroup)
			if !strings.Contains(g.count, "未回答 3 次") || !strings.Contains(g.count, "3 种问法") {
				t.Errorf("the weather group's count reads %q, want 3 unanswered, 3 variants", g.count)
			}
			if g, ok := groups[xssQuestion]; !ok || len(g.variants) != 1 || g.variants[0] != xssQuestion {
				t.Errorf("the queue shows no group headed, as text, %q: %q", xssQuestion, groups)
			}
			b.wantText("#queue-summary", "共 3 组、5 个问题")
			noDialog("the queue")
		}},
		{"faq-prefilled", func() {
			// Mark the weather group's button, then click it as a person would.
			if !evalIn[bool](b, `(() => {
				const s = [...document.querySelectorAll("section.group")].find(s =>
					[...s.querySelectorAll("tbody td:first-child")].some(td => td.innerText === `+jsString(weatherGroup[0])+`));
				const a = s && [...s.querySelectorAll("a.button")].find(a => a.innerText === "添加为FAQ");
				if (!a) return false;
				a.id = "weather-faq";
				return true;
			})()`) {
				t.Fatal("the weather group has no 添加为FAQ button")
			}
			if got := b.click("#weather-faq"); !strings.HasPrefix(got, "/admin/logs/unanswered/faq?") {
				t.Fatalf("after 添加为FAQ the browser is at %s, want the FAQ editor", got)
			}
			b.wantText("main h1", "新建 FAQ")
			b.wantText("p.notice.ok", "已按未回答问题分组预填 3 种问法")
			if n := evalIn[int](b, `document.querySelectorAll("p.notice.warn, p.notice.err").length`); n != 0 {
				t.Errorf("the FAQ editor shows %d warnings or errors", n)
			}
			questions := evalIn[string](b, `document.querySelector('form[action="/admin/faq/new"] textarea[name="questions"]').value`)
			sameSet("the pre-filled questions", strings.Split(strings.TrimSpace(questions), "\n"), weatherGroup)
			if answer := evalIn[string](b, `document.querySelector('form[action="/admin/faq/new"] textarea[name="answer"]').value`); answer != "" {
				t.Errorf("the answer is pre-filled with %q", answer)
			}
			b.fill(`form[action="/admin/faq/new"] textarea[name="answer"]`, faqAnswer)
		}},
		{"faq-saved", func() {
			if got := b.click(`form[action="/admin/faq/new"] button[type="submit"]:not([name="pick"])`); got != "/admin/faq?ok=created" {
				t.Fatalf("after saving the FAQ the browser is at %s", got)
			}
			b.wantText("p.notice.ok", "已创建。")
			b.wantText("main table tbody", "等 3 种问法", faqAnswer, admin)
		}},
		{"queue-after-faq", func() {
			b.open("/admin/logs/unanswered")
			groups := queueGroups(b)
			if head := weatherGroupKey(groups); head != "" || len(groups) != 2 {
				t.Errorf("after the FAQ the queue has groups %q, want only %s and the <script> one", groups, loneWeather)
			}
			if _, ok := groups[loneWeather]; !ok {
				t.Errorf("after the FAQ the queue lost %s: %q", loneWeather, groups)
			}
			b.wantText("#queue-summary", "共 2 组、2 个问题", "另有 3 个问题已有 FAQ 问法")
			noDialog("the queue after the FAQ")
		}},
	}
	for _, st := range steps {
		st.do()
		b.screenshot(st.name, false)
		if t.Failed() {
			t.Fatalf("step %s failed; see the screenshot", st.name)
		}
	}

	// The CSV export of the filtered list, with the browser's session.
	if !strings.HasPrefix(exportURL, srv.base+"/admin/logs/export.csv?") {
		t.Fatalf("the list's export link is %q", exportURL)
	}
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.base}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cookies.Cookies) == 0 {
		t.Fatal("the browser has no cookies for the console")
	}
	header, body := fetchCSV(t, exportURL, cookies.Cookies)
	if ct := header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("the export's Content-Type is %q, want text/csv; charset=utf-8", ct)
	}
	if cd := header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("the export's Content-Disposition is %q, want an attachment", cd)
	}
	rest, ok := bytes.CutPrefix(body, []byte("\ufeff"))
	if !ok {
		t.Fatalf("the export does not start with a UTF-8 byte-order mark: %q", body[:min(len(body), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("the export is no CSV: %v\n%s", err, rest)
	}
	if len(rows) == 0 || rows[0][0] != "编号" || !slices.Contains(rows[0], "消息内容") {
		t.Fatalf("the export's header is %q", rows[:min(len(rows), 1)])
	}
	text := slices.Index(rows[0], "消息内容")
	var texts []string
	for _, r := range rows[1:] {
		texts = append(texts, r[text])
	}
	sameSet("the exported messages", texts, append(slices.Clone(weatherGroup), loneWeather))
	if !bytes.Contains(rest, []byte("\r\n")) {
		t.Error("the export's lines do not end in CRLF")
	}
	// Without the session the export is refused.
	if h, _ := fetchCSV(t, exportURL, nil); strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Error("the export answers CSV without a session")
	}
	t.Logf("checked the query-log pages in %v", time.Since(start).Round(time.Millisecond))
}

// faqAnswer is the answer the test gives the weather questions.
const faqAnswer = "天气预报请查询中国天气网或拨打 12121，本平台只回答法治政府建设报告中的问题。"

// fetchCSV GETs target with cookies, without following redirects, and
// returns the response's header and body; it fails t unless a request
// with cookies is answered 200.
func fetchCSV(t *testing.T, target string, cookies []*network.Cookie) (http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if cookies != nil && resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", target, resp.StatusCode, body)
	}
	if cookies == nil && resp.StatusCode == http.StatusOK {
		t.Errorf("GET %s without a session = 200", target)
	}
	return resp.Header, body
}

// queueGroup is a group of the unanswered queue as the page shows it.
type queueGroup struct {
	count    string   // "未回答 n 次 · m 种问法"
	variants []string // the samples
}

// queueGroups reads the groups of the unanswered queue page, by their
// headings.
func queueGroups(b *chromeTab) map[string]queueGroup {
	b.t.Helper()
	type group struct {
		Head     string   `json:"head"`
		Count    string   `json:"count"`
		Variants []string `json:"variants"`
	}
	list := evalIn[[]group](b, `[...document.querySelectorAll("section.group")].map(s => ({
		head: s.querySelector("h2").innerText,
		count: s.querySelector(".count").innerText,
		variants: [...s.querySelectorAll("tbody tr td:first-child")].map(td => td.innerText),
	}))`)
	out := map[string]queueGroup{}
	for _, g := range list {
		out[g.Head] = queueGroup{count: g.Count, variants: g.Variants}
	}
	return out
}

// weatherGroupKey returns the heading of the group holding weatherGroup[0].
func weatherGroupKey(groups map[string]queueGroup) string {
	for head, g := range groups {
		if slices.Contains(g.variants, weatherGroup[0]) {
			return head
		}
	}
	return ""
}
