package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestSearch searches the console as staff and as an admin: each group
// (reports, passages, FAQ, audit log) holds what matches every term,
// linked to its page, with the terms marked; staff never see the audit
// log; a search nothing matches says so; a bad search is a 400.
func TestSearch(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ctx := t.Context()
	const marker = "噪声扰民投诉全部办结"
	p, err := e.db.Passage(ctx, liveReport, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpdatePassage(ctx, liveReport, 3, p.Text+marker+"。", p.Keywords, 0, staffName); err != nil {
		t.Fatal(err)
	}
	f, err := e.db.SaveFAQ(ctx, knowledge.FAQ{Questions: []string{"怎么申请行政复议", "复议去哪办"}, Answer: "向区司法局申请行政复议。"}, 0, staffName)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := e.db.TermFile(ctx, knowledge.SynonymsFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SaveTermFile(ctx, knowledge.SynonymsFile, terms.Text+"\n噪声 噪音\n", 0, adminName); err != nil {
		t.Fatal(err)
	}
	reportLink := `href="/admin/reports/` + liveReport + `"`
	passageLink := `href="/admin/reports/` + liveReport + `#p3"`
	faqLink := `href="/admin/faq/` + url.PathEscape(string(f.ID)) + `"`

	tests := []struct {
		name   string
		admin  bool
		q      string
		status int
		want   []string
		absent []string
	}{
		{"report by department and year", false, "生态环境局 2020", 200,
			[]string{`id="search-reports"`, reportLink, "2020 年度"}, []string{`id="search-audit"`, `id="search-none"`}},
		{"passage, marked, staff see no audit", false, marker, 200,
			[]string{`id="search-passages"`, passageLink, "第 3 段", "<mark>" + marker + "</mark>"},
			[]string{`id="search-audit"`, `id="search-reports"`, `id="search-faqs"`}},
		{"passage and its edit in the audit log", true, marker, 200,
			[]string{passageLink, `id="search-audit"`, "修改段落", "《重庆市江津区生态环境局关于报送2020年度法治政府建设情况的报告》第 3 段"}, nil},
		{"FAQ by a second question", false, "复议去哪办", 200,
			[]string{`id="search-faqs"`, faqLink, "怎么申请行政复议"}, []string{`id="search-passages"`}},
		{"FAQ answer and passages", false, "行政复议", 200,
			[]string{faqLink, "<mark>行政复议</mark>", `id="search-passages"`}, nil},
		{"audit by actor", true, staffName, 200,
			[]string{`id="search-audit"`, "保存 FAQ", faqLink}, nil},
		{"audit by term list", true, "同义词", 200,
			[]string{"修改词表", `href="/admin/terms/synonyms.txt"`}, nil},
		{"nothing found", true, "完全不存在的词语", 200, []string{`id="search-none"`}, []string{`id="search-passages"`}},
		{"empty shows the form", false, "", 200, []string{`name="q"`, "多个词用空格分开"}, []string{`id="search-none"`}},
		{"too long", false, strings.Repeat("长", maxSearchRunes+1), 400, []string{"搜索内容太长"}, nil},
		{"too many terms", false, "一 二 三 四 五 六 七 八 九", 400, []string{"搜索词太多"}, nil},
	}
	staff, admin := e.sessionFor(e.staff), e.sessionFor(e.admin)
	for _, tt := range tests {
		s := staff
		if tt.admin {
			s = admin
		}
		page := e.mustDo(request{method: http.MethodGet, path: adminPrefix + "search?q=" + url.QueryEscape(tt.q), as: s}, tt.status).Body.String()
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page lacks %q", tt.name, w)
			}
		}
		for _, a := range tt.absent {
			if strings.Contains(page, a) {
				t.Errorf("%s: page shows %q", tt.name, a)
			}
		}
	}

	// The JSON API: the same groups; the audit log for admins only.
	for _, tc := range []struct {
		token     string
		wantAudit bool
	}{{e.staff.token, false}, {e.admin.token, true}} {
		res := apiJSON[searchResults](t, e.mustDo(request{method: http.MethodGet,
			path: adminAPIPrefix + "search?q=" + url.QueryEscape(marker), bearer: tc.token}, http.StatusOK))
		if len(res.Passages) != 1 || res.Passages[0].Seq != 3 || res.Passages[0].ReportID != liveReport {
			t.Errorf("API passages = %+v", res.Passages)
		}
		if got := len(res.Audit) > 0; got != tc.wantAudit {
			t.Errorf("API audit entries shown = %v, want %v", got, tc.wantAudit)
		}
	}
}

// TestExcerpt cuts a passage around the first term it contains and marks
// every term.
func TestExcerpt(t *testing.T) {
	t.Parallel()
	render := func(parts []searchPart) string {
		var b strings.Builder
		for _, p := range parts {
			if p.Hit {
				b.WriteString("[" + p.Text + "]")
			} else {
				b.WriteString(p.Text)
			}
		}
		return b.String()
	}
	for _, tc := range []struct {
		text          string
		terms         []string
		before, width int
		want          string
	}{
		{"一二三四五六七八九十", []string{"五"}, 2, 5, "…三四[五]六七…"},
		{"一二三四五六七八九十", []string{"二", "九"}, 2, 20, "一[二]三四五六七八[九]十"},
		{"Law 与 LAW", []string{"law"}, 0, 20, "[Law] 与 [LAW]"},
		{"没有命中的文字", []string{"甲"}, 2, 3, "没有命…"},
		{"第一行\n第二行", []string{"二"}, 5, 20, "第一行 第[二]行"},
	} {
		if got := render(excerpt(tc.text, tc.terms, tc.before, tc.width)); got != tc.want {
			t.Errorf("excerpt(%q, %q) = %q, want %q", tc.text, tc.terms, got, tc.want)
		}
	}
}
