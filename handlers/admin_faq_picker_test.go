package handlers

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAdminFAQPassagePicker links an FAQ entry to a passage the way staff
// do on the page: search, read each passage's text and section, choose
// one; no passage number is typed. Searching keeps what was typed; a
// forged choice is refused with a message and nothing saved.
func TestAdminFAQPassagePicker(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)

	form := e.getPage(s, adminPrefix+"faq/new")
	for _, absent := range []string{`name="seq"`, `name="report"`} {
		if strings.Contains(form, absent) {
			t.Errorf("the form still asks for %s", absent)
		}
	}
	if !strings.Contains(form, `name="passage_q"`) || !strings.Contains(form, "搜索段落") {
		t.Fatal("the form has no passage search")
	}

	typed := url.Values{"questions": {"生态环境局罚了多少钱"}, "answer": {"见报告原文。"}, "rev": {"0"}}
	with := func(extra url.Values) url.Values {
		v := url.Values{}
		for k, x := range typed {
			v[k] = x
		}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	tests := []struct {
		name  string
		query string
		found bool
	}{
		{"keywords", "罚款", true},
		{"a question", "生态环境局2020年罚款多少", true},
		{"nothing", "火星探测器着陆", false},
	}
	var chosen string
	for _, tt := range tests {
		page := e.mustDo(request{method: "POST", path: adminPrefix + "faq/new", as: s,
			form: with(url.Values{"passage_q": {tt.query}, "pick": {"1"}})}, http.StatusOK).Body.String()
		if !strings.Contains(page, "生态环境局罚了多少钱") || !strings.Contains(page, "见报告原文。") {
			t.Errorf("%s: the search lost what was typed", tt.name)
		}
		values := regexp.MustCompile(`name="passage" value="(`+regexp.QuoteMeta(liveReport)+`/\d+)"`).FindAllStringSubmatch(page, -1)
		if found := len(values) > 0; found != tt.found {
			t.Fatalf("%s: %d passages offered, want some: %v", tt.name, len(values), tt.found)
		}
		if !tt.found {
			if !strings.Contains(page, "没有找到") {
				t.Errorf("%s: no word that nothing was found", tt.name)
			}
			continue
		}
		// Each offer shows its passage's section and opening words.
		_, seqText, _ := strings.Cut(values[0][1], "/")
		seq, _ := strconv.Atoi(seqText)
		p, err := e.db.Passage(t.Context(), liveReport, seq)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"第 " + seqText + " 段", html.EscapeString(p.SectionPath()), html.EscapeString(string([]rune(oneLine(p.Text))[:20]))} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the offer of passage %d lacks %q", tt.name, seq, want)
			}
		}
		chosen = values[0][1]
	}

	// Choosing a passage saves the link.
	e.mustDo(request{method: "POST", path: adminPrefix + "faq/new", as: s, form: with(url.Values{"passage": {chosen}})}, http.StatusSeeOther)
	faqs, err := e.db.FAQs(t.Context())
	if err != nil || len(faqs) != 1 {
		t.Fatalf("FAQs %+v, %v", faqs, err)
	}
	report, seqText, _ := strings.Cut(chosen, "/")
	if got := faqs[0]; string(got.Report) != report || strconv.Itoa(got.Seq) != seqText {
		t.Errorf("stored link %s/%d, want %s", got.Report, got.Seq, chosen)
	}
	edit := e.getPage(s, adminPrefix+"faq/"+url.PathEscape(string(faqs[0].ID)))
	if !strings.Contains(edit, "当前：") || !strings.Contains(edit, `value="`+chosen+`" checked`) {
		t.Errorf("the edit page does not show the linked passage as chosen")
	}

	// Forged choices are refused, nothing more is stored.
	for _, bad := range []string{liveReport + "/9999", liveReport + "/x", "jj-none-2020/1"} {
		rec := e.mustDo(request{method: "POST", path: adminPrefix + "faq/new", as: s, form: with(url.Values{"passage": {bad}})}, http.StatusBadRequest)
		if body := rec.Body.String(); !strings.Contains(body, "生态环境局罚了多少钱") || !strings.Contains(body, `class="notice err"`) {
			t.Errorf("%s: refused form lost the input or has no error: %s", bad, clip(body))
		}
	}
	if faqs, _ := e.db.FAQs(t.Context()); len(faqs) != 1 {
		t.Errorf("%d FAQ entries after refused saves, want 1", len(faqs))
	}
	// No link at all.
	e.mustDo(request{method: "POST", path: adminPrefix + "faq/new", as: s,
		form: url.Values{"questions": {"不关联的问题"}, "answer": {"答"}, "passage": {""}}}, http.StatusSeeOther)
	faqs, _ = e.db.FAQs(t.Context())
	for _, f := range faqs {
		if f.Questions[0] == "不关联的问题" && f.Report != "" {
			t.Errorf("unlinked entry stored with link %s/%d", f.Report, f.Seq)
		}
	}
}
