package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// TestLabels checks each code staff can meet has its own Chinese label.
func TestLabels(t *testing.T) {
	t.Parallel()
	actions := []console.Action{console.ActionReportImport, console.ActionReportDelete, console.ActionPassageUpdate,
		console.ActionFAQSave, console.ActionFAQDelete, console.ActionTermsSave, console.ActionTermsSeed,
		console.ActionVersionPublish, console.ActionVersionSubmit, console.ActionVersionApprove, console.ActionVersionReject,
		console.ActionVersionRestore, console.ActionUserCreate, console.ActionUserPassword, console.ActionUserRole,
		console.ActionUserDisable, console.ActionUserEnable, console.ActionTokenCreate, console.ActionTokenRevoke,
		console.ActionSessionCreate, console.ActionSessionDelete, console.ActionQuestionDismiss, console.ActionNotifySend}
	seen := map[string]console.Action{}
	for _, a := range actions {
		l := actionText(a)
		if l == "其他操作" || !hasHan(l) {
			t.Errorf("action %s has no label (%q)", a, l)
		}
		if prev, dup := seen[l]; dup {
			t.Errorf("actions %s and %s share the label %q", prev, a, l)
		}
		seen[l] = a
	}
	names := auditNames{
		reports: map[string]string{"jj-sfj-2021": "司法局2021年报告"},
		faqs:    map[string]string{"faq-8b86": "怎么申请行政复议"},
		users:   map[int64]string{3: "张三"},
		tokens:  map[int64]string{1: "报表脚本"},
		gone:    map[string]string{"report:jj-old": "旧报告", "faq:faq-old": "旧问题"},
	}
	for _, tc := range []struct{ got, want string }{
		{statusText(console.StatusPending), "待审核"},
		{statusText("odd"), "未知状态"},
		{roleText(console.RoleStaff), "工作人员"},
		{roleText("root"), "未知角色"},
		{evalKindText("fact"), "事实问题"},
		{evalKindText("multi"), "多轮追问"},
		{evalKindText("negative"), "应拒答的问题"},
		{evalKindText("chitchat"), "闲聊"},
		{evalKindText("口语"), "口语"},
		{actorText(console.SeedActor), "系统"},
		{actorText("张三"), "张三"},
		{savedText("", time.Time{}), ""},
		{savedText(console.SeedActor, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)), "系统首次启动时写入（2026-01-02 08:00），尚无人修改"},
		{savedText("张三", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)), "最近由 张三 于 2026-01-02 08:00 保存"},
		{passageText("司法局2021年报告", 14), "《司法局2021年报告》第 14 段"},
		{passageText("", 2), "《已删除的报告》第 2 段"},
		{names.targetText("user:3"), "账号“张三”"},
		{names.targetText("user:9"), "账号（已删除）"},
		{names.targetText("token:1"), "API 令牌“报表脚本”"},
		{names.targetText("faq:faq-8b86"), "FAQ“怎么申请行政复议”"},
		{names.targetText("faq:faq-0000"), "FAQ（已删除）"},
		{names.targetText("report:jj-sfj-2021"), "报告《司法局2021年报告》"},
		{names.targetText("passage:jj-sfj-2021#14"), "《司法局2021年报告》第 14 段"},
		{names.targetText("terms:synonyms.txt"), "词表“同义词”"},
		{names.targetText("version:4"), "版本 4"},
		{names.targetText("question:几点下班？"), "未回答问题“几点下班？”"},
		{auditDetailText(console.ActionQuestionDismiss, "3"), "共 3 种问法"},
		{auditDetailText(console.ActionUserRole, "admin"), "管理员"},
		{auditDetailText(console.ActionVersionRestore, "version:2"), "恢复自版本 2"},
		{auditDetailText(console.ActionReportImport, "报告标题"), "报告标题"},
		{actionText(console.ActionNotifySend), "通知市民"},
		{auditDetailText(console.ActionTermsSave, console.TermsChange{Added: []string{"罚款 罚钱", "多少 好多"}, Removed: []string{"罚款"}}.Detail()),
			"新增 2 行：“罚款 罚钱”“多少 好多”；删除 1 行：“罚款”"},
		{auditDetailText(console.ActionTermsSave, console.TermsChange{Removed: []string{"甲"}, MoreRemoved: 4}.Detail()),
			"删除 5 行：“甲”等（另有 4 行未列出）"},
		{auditDetailText(console.ActionTermsSave, ""), ""},
		{names.targetText("report:jj-old"), "报告《旧报告》（已删除）"},
		{names.targetText("passage:jj-old#2"), "《旧报告（已删除）》第 2 段"},
		{names.targetText("faq:faq-old"), "FAQ“旧问题”（已删除）"},
		{names.targetHref("report:jj-sfj-2021"), "/admin/reports/jj-sfj-2021"},
		{names.targetHref("passage:jj-sfj-2021#14"), "/admin/reports/jj-sfj-2021#p14"},
		{names.targetHref("report:jj-old"), ""},
		{names.targetHref("faq:faq-8b86"), "/admin/faq/faq-8b86"},
		{names.targetHref("terms:synonyms.txt"), "/admin/terms/synonyms.txt"},
		{names.targetHref("version:4"), "/admin/versions/4"},
		{names.targetHref("question:几点下班？"), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// internalCode matches what must never reach a person reading a page:
// intents, reasons, question-set kinds, audit targets, "report#seq"
// references and the program's actor name.
var internalCode = regexp.MustCompile(`\b(answer|not_covered|clarify|chitchat|fact|multi|negative|low_confidence|no_terms|answered|unanswered)\b|` +
	`\b(user|token|faq|report|passage|terms|version|question):\S|[a-z0-9]-[a-z0-9-]*#\d|最近由 内置|^内置$`)

// visibleText returns the text a person reads on a page: text nodes
// outside script, style and code (code shows literal input formats and
// pseudonyms), with input values and placeholders.
func visibleText(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code", "head":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "placeholder" || a.Key == "title" || (a.Key == "value" && n.Data == "input" && !isHidden(n)) {
					out = append(out, a.Val)
				}
			}
		}
		if n.Type == html.TextNode {
			if s := strings.TrimSpace(n.Data); s != "" {
				out = append(out, s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "type" && a.Val == "hidden" {
			return true
		}
	}
	return false
}

// TestNoInternalCodesInPages fills the console with every kind of record
// (logs answered and not, feedback, FAQs, tokens, role changes, a
// dismissal, a regression run, the program's own changes) and reads every page as an
// admin: no internal code shows in the text.
func TestNoInternalCodesInPages(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ids := e.seedLogs()
	s := e.sessionFor(e.admin)
	ctx := t.Context()

	passage, err := e.db.Passage(ctx, liveReport, 3)
	if err != nil {
		t.Fatal(err)
	}
	f := apiJSON[faqView](t, e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token, json: faqEdit{
		Questions: []string{"怎么申请行政复议"}, Answer: "向区司法局申请。", Report: liveReport, Seq: 3}}, http.StatusCreated))
	e.mustDo(request{method: "PUT", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/role", bearer: e.admin.token,
		json: userRole{Role: "admin"}}, http.StatusOK)
	e.mustDo(request{method: "POST", path: adminPrefix + passagePath, as: s,
		form: url.Values{"text": {"改过的正文。"}, "keywords": {"执法"}, "rev": {itoa(passage.Rev)}}}, http.StatusSeeOther)
	if err := e.db.RevokeToken(ctx, e.admin.spareToken, adminName); err != nil {
		t.Fatal(err)
	}
	syn, err := e.db.TermFile(ctx, knowledge.SynonymsFile)
	if err != nil {
		t.Fatal(err)
	}
	e.mustDo(request{method: "POST", path: adminPrefix + "terms/" + knowledge.SynonymsFile, as: s,
		form: url.Values{"text": {syn.Text + "\n噪声 噪音\n"}, "rev": {itoa(syn.Rev)}}}, http.StatusSeeOther)

	if err := e.db.DismissQuestions(ctx, []console.DismissedText{{Text: "你们几点下班", Sample: "你们几点下班"}}, adminName); err != nil {
		t.Fatal(err)
	}
	regression := e.mustDo(request{method: "POST", path: adminPrefix + "regression", as: s,
		multi: &multipartBody{files: []multipartFile{{field: "questions", name: "q.jsonl", data: fixture(t, "questions.jsonl")}}}}, http.StatusOK).Body.String()

	pages := map[string]string{"regression run": regression}
	for _, path := range []string{
		"", "reports", "reports/" + liveReport, passagePath, "faq", "faq/" + f.ID, "faq/new", "terms", "terms/synonyms.txt",
		"hittest?q=" + url.QueryEscape("生态环境局2020年罚款多少"), "hittest?q=" + url.QueryEscape("罚款"),
		"hittest?q=" + url.QueryEscape("你好"), "regression", "users", "audit", "versions", "versions/draft", "versions/1",
		"logs?" + fixtureRange(), "logs/list?" + fixtureRange(), "logs/unanswered?" + fixtureRange(),
		"logs/" + itoa(ids["x06"]), "logs/" + itoa(ids["x01"]), "logs/" + itoa(ids["x07"]),
		"logs/list?answer=maybe",
		"regression?fill=logged&" + fixtureRange(),
		"search?q=" + url.QueryEscape("行政复议"), "search?q=" + url.QueryEscape(adminName), "search?q=" + url.QueryEscape("同义词"),
	} {
		rec := e.do(request{method: "GET", path: adminPrefix + path, as: s})
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d", path, rec.Code)
		}
		pages[path] = rec.Body.String()
	}
	for name, want := range map[string][]string{
		"regression run": {"事实问题", "应拒答的问题"},
		"audit": {"账号“" + staffName + "”", "修改角色", "管理员", "FAQ“怎么申请行政复议”", "《", "第 3 段", "系统", "未回答问题“你们几点下班”",
			"修改词表", "新增 1 行：“噪声 噪音”"},
		"logs/list?" + fixtureRange(): {"第 3 段"},
		"terms":                       {"系统"},
		passagePath:                   {"最近由 " + adminName},
	} {
		for _, w := range want {
			if !strings.Contains(strings.Join(visibleText(t, pages[name]), "\n"), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	for name, page := range pages {
		for _, msg := range misalignedNumbers(t, page) {
			t.Errorf("%s: %s", name, msg)
		}
		for _, text := range visibleText(t, page) {
			if m := internalCode.FindString(text); m != "" {
				t.Errorf("%s shows the internal code %q in %q", name, m, clip(text))
			}
		}
	}
}

// numberCell matches the text of a cell that holds only a number, a
// count or a rate ("12", "0.85", "3/4 75.0%", "—").
var numberCell = regexp.MustCompile(`^[0-9][0-9.,/% ]*$|^—$`)

// misalignedNumbers lists the tables' columns whose numbers and header
// are not aligned alike: a column with a right-aligned cell (class num)
// needs a right-aligned header, and a column of numbers right-aligned
// cells.
func misalignedNumbers(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	hasClass := func(n *html.Node, c string) bool {
		for _, a := range n.Attr {
			if a.Key == "class" && slices.Contains(strings.Fields(a.Val), c) {
				return true
			}
		}
		return false
	}
	text := func(n *html.Node) string {
		var b strings.Builder
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.TextNode {
				b.WriteString(n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(n)
		return strings.TrimSpace(b.String())
	}
	find := func(n *html.Node, tag string) []*html.Node {
		var out []*html.Node
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == tag {
				out = append(out, n)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(n)
		return out
	}
	var out []string
	for _, table := range find(doc, "table") {
		var heads []*html.Node
		for _, thead := range find(table, "thead") {
			heads = append(heads, find(thead, "th")...)
		}
		// Per column: cells seen, right-aligned cells, cells holding a number.
		type column struct{ cells, num, numeric int }
		cols := make([]column, len(heads))
		for _, tbody := range find(table, "tbody") {
			for _, tr := range find(tbody, "tr") {
				for i, td := range find(tr, "td") {
					if i >= len(cols) || slices.ContainsFunc(td.Attr, func(a html.Attribute) bool { return a.Key == "colspan" }) {
						break
					}
					cols[i].cells++
					if hasClass(td, "num") {
						cols[i].num++
					}
					if numberCell.MatchString(text(td)) {
						cols[i].numeric++
					}
				}
			}
		}
		for i, c := range cols {
			head := text(heads[i])
			switch {
			case c.num > 0 && !hasClass(heads[i], "num"):
				out = append(out, fmt.Sprintf("the header %q is not right-aligned like its numbers", head))
			case c.cells > 0 && c.numeric == c.cells && c.num < c.cells:
				out = append(out, fmt.Sprintf("the numbers under %q are not right-aligned", head))
			}
		}
	}
	return out
}
