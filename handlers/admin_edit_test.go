package handlers

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

const passagePath = "reports/" + liveReport + "/passages/3"

// TestAdminPassageConflict edits one passage from two editors: the second
// save, from the old revision, is a 409 with a Chinese explanation, in the
// API and on the page (which shows the newer text and keeps the typed one).
func TestAdminPassageConflict(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	start := apiJSON[passageView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + passagePath, bearer: e.staff.token}, http.StatusOK))
	if start.Rev == 0 || start.Text == "" || len(start.Keywords) == 0 {
		t.Fatalf("passage %+v", start)
	}
	saved := apiJSON[passageView](t, e.mustDo(request{method: "PUT", path: adminAPIPrefix + passagePath, bearer: e.admin.token,
		json: map[string]any{"text": "管理员改过的正文。", "keywords": []string{" 执法 ", "执法", "罚款"}, "rev": start.Rev}}, http.StatusOK))
	if saved.Rev <= start.Rev || saved.Text != "管理员改过的正文。" || strings.Join(saved.Keywords, ",") != "执法,罚款" || saved.UpdatedBy != adminName {
		t.Errorf("saved %+v", saved)
	}

	rec := e.mustDo(request{method: "PUT", path: adminAPIPrefix + passagePath, bearer: e.staff.token,
		json: map[string]any{"text": "工作人员的旧稿。", "rev": start.Rev}}, http.StatusConflict)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "已被他人修改") || !strings.Contains(msg, "未保存") {
		t.Errorf("conflict message %q", msg)
	}

	s := e.sessionFor(e.staff)
	rec = e.mustDo(request{method: "POST", path: adminPrefix + passagePath, as: s,
		form: url.Values{"text": {"工作人员的旧稿。"}, "keywords": {"旧 稿"}, "rev": {strconv.FormatInt(start.Rev, 10)}}}, http.StatusConflict)
	page := rec.Body.String()
	for _, want := range []string{"已被他人修改", "管理员改过的正文。", "工作人员的旧稿。", `name="rev" value="` + strconv.FormatInt(saved.Rev, 10) + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	// Saving again from the page is deliberate and wins.
	e.mustDo(request{method: "POST", path: adminPrefix + passagePath, as: s,
		form: url.Values{"text": {"工作人员的旧稿。"}, "keywords": {"旧，稿"}, "rev": {strconv.FormatInt(saved.Rev, 10)}}}, http.StatusSeeOther)
	got, err := e.db.Passage(t.Context(), liveReport, 3)
	if err != nil || got.Text != "工作人员的旧稿。" || strings.Join(got.Keywords, ",") != "旧,稿" || got.UpdatedBy != staffName {
		t.Errorf("stored %+v, %v", got, err)
	}

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		msg    string
	}{
		{"no rev", map[string]any{"text": "x"}, 400, "缺少 rev 字段"},
		{"blank text", map[string]any{"text": "  ", "rev": 0}, 400, "段落正文不能为空"},
		{"unknown field", map[string]any{"text": "x", "rev": 0, "path": []string{"x"}}, 400, `未知字段 "path"`},
	} {
		rec := e.mustDo(request{method: "PUT", path: adminAPIPrefix + passagePath, bearer: e.staff.token, json: tc.body}, tc.status)
		if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %q", tc.name, msg)
		}
	}
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "reports/" + liveReport + "/passages/999", bearer: e.staff.token}, http.StatusNotFound)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "reports/no-such-report", bearer: e.staff.token}, http.StatusNotFound)
	e.mustDo(request{method: "GET", path: adminPrefix + "reports/" + liveReport + "/passages/x", as: s}, http.StatusNotFound)
}

// TestAdminFAQ creates, edits with a conflict, lists and deletes an FAQ
// entry through the API and the pages.
func TestAdminFAQ(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token, json: faqEdit{
		Questions: []string{" 怎么申请行政复议 ", "", "复议去哪里申请"}, Answer: "向区司法局申请。", Report: liveReport, Seq: 3}}, http.StatusCreated)
	f := apiJSON[faqView](t, rec)
	if f.ID == "" || strings.Join(f.Questions, "|") != "怎么申请行政复议|复议去哪里申请" || f.Report != liveReport || f.Seq != 3 || f.Rev == 0 || f.UpdatedBy != staffName {
		t.Fatalf("created %+v", f)
	}
	if loc := rec.Header().Get("Location"); loc != adminAPIPrefix+"faq/"+f.ID {
		t.Errorf("Location %q", loc)
	}
	edited := apiJSON[faqView](t, e.mustDo(request{method: "PUT", path: adminAPIPrefix + "faq/" + f.ID, bearer: e.admin.token,
		json: map[string]any{"questions": []string{"怎么申请行政复议"}, "answer": "向区司法局提交申请书。", "rev": f.Rev}}, http.StatusOK))
	if edited.Rev <= f.Rev || edited.Report != "" {
		t.Errorf("edited %+v", edited)
	}
	rec = e.mustDo(request{method: "PUT", path: adminAPIPrefix + "faq/" + f.ID, bearer: e.staff.token,
		json: map[string]any{"questions": []string{"旧"}, "answer": "旧答案", "rev": f.Rev}}, http.StatusConflict)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "已被他人修改") {
		t.Errorf("conflict %q", msg)
	}
	s := e.sessionFor(e.staff)
	rec = e.mustDo(request{method: "POST", path: adminPrefix + "faq/" + f.ID, as: s,
		form: url.Values{"questions": {"旧问法"}, "answer": {"旧答案"}, "rev": {strconv.FormatInt(f.Rev, 10)}}}, http.StatusConflict)
	for _, want := range []string{"已被他人修改", "向区司法局提交申请书。", "旧答案"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}

	for _, tc := range []struct {
		name string
		body faqEdit
		msg  string
	}{
		{"no question", faqEdit{Questions: []string{" "}, Answer: "a"}, "请至少填写一种问法"},
		{"no answer", faqEdit{Questions: []string{"q"}}, "请填写答案"},
		{"answer too long", faqEdit{Questions: []string{"q"}, Answer: strings.Repeat("法", 700)}, "答案过长"},
		{"negative seq", faqEdit{Questions: []string{"q"}, Answer: "a", Report: liveReport, Seq: -1}, "不能为负数"},
	} {
		rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token, json: tc.body}, http.StatusBadRequest)
		if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %q", tc.name, msg)
		}
	}
	rec = e.mustDo(request{method: "POST", path: adminPrefix + "faq/new", as: s, form: url.Values{"questions": {"只有问法"}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "请填写答案") || !strings.Contains(rec.Body.String(), "只有问法") {
		t.Errorf("invalid new FAQ page:\n%s", clip(rec.Body.String()))
	}

	list := e.mustDo(request{method: "GET", path: adminPrefix + "faq", as: s}, http.StatusOK).Body.String()
	if !strings.Contains(list, "怎么申请行政复议") {
		t.Error("FAQ list lacks the entry")
	}
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "faq/" + f.ID + "?rev=" + strconv.FormatInt(f.Rev, 10), bearer: e.staff.token}, http.StatusConflict)
	e.mustDo(request{method: "POST", path: adminPrefix + "faq/" + f.ID + "/delete", as: s, form: url.Values{"rev": {strconv.FormatInt(edited.Rev, 10)}}}, http.StatusSeeOther)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "faq/" + f.ID, bearer: e.staff.token}, http.StatusNotFound)
	if all := apiJSON[map[string][]faqView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "faq", bearer: e.staff.token}, http.StatusOK)); len(all["faq"]) != 0 {
		t.Errorf("after delete: %+v", all)
	}
}

// TestAdminTerms edits the term lists: invalid text shows LoadTerms's
// message and is not saved; a new department alias takes effect in the
// draft's hit test at once.
func TestAdminTerms(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	list := apiJSON[map[string][]termView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "terms", bearer: e.staff.token}, http.StatusOK))["terms"]
	if len(list) != len(knowledge.TermFileNames()) || list[0].Name != knowledge.SynonymsFile || list[0].Rev == 0 || list[0].Lines == 0 || list[0].Label != "同义词" {
		t.Fatalf("terms %+v", list)
	}
	syn, depts := list[0], list[2] // synonyms, colloquial wording, departments …
	if depts.Name != knowledge.DepartmentsFile {
		t.Fatalf("second term file %q", depts.Name)
	}

	s := e.sessionFor(e.staff)
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "terms/" + knowledge.SynonymsFile, as: s,
		form: url.Values{"text": {syn.Text + "\n孤单\n"}, "rev": {strconv.FormatInt(syn.Rev, 10)}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "同义词组至少需要两个词") || !strings.Contains(rec.Body.String(), "孤单") {
		t.Errorf("invalid terms page:\n%s", clip(rec.Body.String()))
	}
	if cur, _ := e.db.TermFile(t.Context(), knowledge.SynonymsFile); cur.Rev != syn.Rev {
		t.Error("invalid terms were saved")
	}
	e.mustDo(request{method: "GET", path: adminPrefix + "terms/nope.txt", as: s}, http.StatusNotFound)
	e.mustDo(request{method: "PUT", path: adminAPIPrefix + "terms/nope.txt", bearer: e.staff.token, json: map[string]any{"text": "", "rev": 0}}, http.StatusNotFound)

	hit := func() hitTestResult {
		return apiJSON[hitTestResult](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "hittest?q=" + url.QueryEscape("绿水局2020年罚款多少"),
			bearer: e.staff.token}, http.StatusOK))
	}
	if before := hit(); before.Department != "" {
		t.Fatalf("before: department %q", before.Department)
	}
	text := strings.Replace(depts.Text, "江津区生态环境局 生态环境局", "江津区生态环境局 绿水局 生态环境局", 1)
	e.mustDo(request{method: "POST", path: adminPrefix + "terms/" + knowledge.DepartmentsFile, as: s,
		form: url.Values{"text": {text}, "rev": {strconv.FormatInt(depts.Rev, 10)}}}, http.StatusSeeOther)
	if after := hit(); after.Department != "江津区生态环境局" || !after.Answered || !strings.Contains(after.Reply, "316.79万元") {
		t.Errorf("after adding the alias: department %q, answered %v: the change did not take effect in the draft", after.Department, after.Answered)
	}
	rec = e.mustDo(request{method: "PUT", path: adminAPIPrefix + "terms/" + knowledge.DepartmentsFile, bearer: e.admin.token,
		json: map[string]any{"text": depts.Text, "rev": depts.Rev}}, http.StatusConflict)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "已被他人修改") {
		t.Errorf("conflict %q", msg)
	}
}

// TestAdminEscapesUserText stores text with markup everywhere staff can
// type and checks that every page shows it escaped.
func TestAdminEscapesUserText(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	ctx := t.Context()
	if _, err := e.db.SaveFAQ(ctx, knowledge.FAQ{Questions: []string{evil}, Answer: evil}, 0, adminName); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpdatePassage(ctx, liveReport, 3, evil, []string{evil}, 0, adminName); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Submit(ctx, adminName, evil); err != nil {
		t.Fatal(err)
	}
	e.createAccount(`x"><b>`, "password-123", "staff")
	s := e.sessionFor(e.admin)
	for _, path := range []string{"faq", "reports/" + liveReport, passagePath, "versions", "users", "audit",
		"hittest?q=" + url.QueryEscape(evil)} {
		body := e.mustDo(request{method: "GET", path: adminPrefix + path, as: s}, http.StatusOK).Body.String()
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, `x"><b>`) {
			t.Errorf("%s renders user text unescaped", path)
		}
	}
	body := e.mustDo(request{method: "GET", path: adminPrefix + "faq", as: s}, http.StatusOK)
	if !strings.Contains(body.Body.String(), "&lt;script&gt;") {
		t.Error("the FAQ page does not show the escaped text")
	}
	if csp := body.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || body.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", body.Header())
	}
}

// TestWithOK puts the notice in the query, before any fragment.
func TestWithOK(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ target, want string }{
		{"/admin/faq", "/admin/faq?ok=saved"},
		{"/admin/reports?dept=x", "/admin/reports?dept=x&ok=saved"},
		{"/admin/reports/jj-sfj-2021#p5", "/admin/reports/jj-sfj-2021?ok=saved#p5"},
		{"/admin/reports?dept=x#p5", "/admin/reports?dept=x&ok=saved#p5"},
	} {
		if got := withOK(tc.target, "saved"); got != tc.want {
			t.Errorf("withOK(%q) = %q, want %q", tc.target, got, tc.want)
		}
	}
}

// TestAdminPassageSaveRedirect saves a passage from the page: the browser
// is sent to the report with the notice before the passage's fragment, and
// the report page then shows "已保存".
func TestAdminPassageSaveRedirect(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	start := apiJSON[passageView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + passagePath, bearer: e.staff.token}, http.StatusOK))
	s := e.sessionFor(e.staff)
	rec := e.mustDo(request{method: "POST", path: adminPrefix + passagePath, as: s,
		form: url.Values{"text": {"改过的正文。"}, "keywords": {"执法"}, "rev": {strconv.FormatInt(start.Rev, 10)}}}, http.StatusSeeOther)
	want := adminPrefix + "reports/" + liveReport + "?ok=saved#p3"
	loc := rec.Header().Get("Location")
	if loc != want {
		t.Fatalf("Location %q, want %q", loc, want)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Fragment != "p3" || u.Query().Get("ok") != "saved" {
		t.Fatalf("parsed %+v, %v", u, err)
	}
	page := e.mustDo(request{method: "GET", path: u.RequestURI(), as: s}, http.StatusOK).Body.String()
	if !strings.Contains(page, "已保存") || !strings.Contains(page, `id="p3"`) {
		t.Errorf("report page lacks the notice or the passage anchor: %s", clip(page))
	}
}

// TestAdminFAQLimitsAndLink checks the answer's limit in characters and
// that the linked passage must exist in the draft; the form names the
// linked passage by its report's title and section.
func TestAdminFAQLimitsAndLink(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	max := maxFAQAnswerRunes
	for _, tc := range []struct {
		name   string
		body   faqEdit
		status int
		msg    string
	}{
		{"answer at the limit", faqEdit{Questions: []string{"q1"}, Answer: strings.Repeat("法", max)}, 201, ""},
		{"answer one over", faqEdit{Questions: []string{"q2"}, Answer: strings.Repeat("法", max+1)}, 400,
			"答案过长：最多 " + strconv.Itoa(max) + " 字，现在 " + strconv.Itoa(max+1) + " 字"},
		{"ascii answer at the limit", faqEdit{Questions: []string{"q3"}, Answer: strings.Repeat("a", max)}, 201, ""},
		{"emoji within the character limit", faqEdit{Questions: []string{"q4"}, Answer: strings.Repeat("😀", max)}, 400, "表情"},
		{"existing passage", faqEdit{Questions: []string{"q5"}, Answer: "a", Report: liveReport, Seq: 3}, 201, ""},
		{"no such passage", faqEdit{Questions: []string{"q6"}, Answer: "a", Report: liveReport, Seq: 9999}, 400, "没有第 9999 段"},
		{"no such report", faqEdit{Questions: []string{"q7"}, Answer: "a", Report: "jj-none-2020", Seq: 1}, 400, "不在草稿中"},
		{"report with NUL", faqEdit{Questions: []string{"q8"}, Answer: "a", Report: "x\x00", Seq: 1}, 400, "无效字符"},
	} {
		rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token, json: tc.body}, tc.status)
		if tc.status != 201 {
			if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tc.msg) || strings.Contains(msg, strconv.Itoa(knowledge.MaxReplyBytes)) {
				t.Errorf("%s: %q, want %q", tc.name, msg, tc.msg)
			}
		}
	}

	s := e.sessionFor(e.staff)
	form := e.getPage(s, adminPrefix+"faq/new")
	if want := "最多 " + strconv.Itoa(max) + " 字"; !strings.Contains(form, want) || strings.Contains(form, "字节") {
		t.Errorf("form lacks %q or speaks of bytes", want)
	}
	f := apiJSON[faqView](t, e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token,
		json: faqEdit{Questions: []string{"怎么申请行政复议"}, Answer: "向区司法局申请。", Report: liveReport, Seq: 3}}, http.StatusCreated))
	p, err := e.db.Passage(t.Context(), liveReport, 3)
	if err != nil {
		t.Fatal(err)
	}
	page := e.getPage(s, adminPrefix+"faq/"+f.ID)
	if !strings.Contains(page, "第 3 段") || p.SectionPath() == "" || !strings.Contains(page, html.EscapeString(p.SectionPath())) {
		t.Errorf("form does not name passage 3 and its section %q: %s", p.SectionPath(), clip(page))
	}
	// The page form refuses a wrong number and keeps what was typed.
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "faq/" + f.ID, as: s, form: url.Values{
		"questions": {"怎么申请行政复议"}, "answer": {"新答案"}, "report": {liveReport}, "seq": {"9999"}, "rev": {strconv.FormatInt(f.Rev, 10)}}},
		http.StatusBadRequest)
	if body := rec.Body.String(); !strings.Contains(body, "没有第 9999 段") || !strings.Contains(body, "新答案") {
		t.Errorf("refused form: %s", clip(body))
	}
	if got, err := e.db.FAQ(t.Context(), knowledge.FAQID(f.ID)); err != nil || got.Seq != 3 {
		t.Errorf("stored %+v, %v", got, err)
	}
}
