package handlers

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestListPagination pages the report and FAQ lists: listPageSize rows a
// page in list order, the position and neighbour links (keeping the
// filters), and out-of-range pages shown as the nearest one.
func TestListPagination(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ctx := t.Context()
	const extra = listPageSize + 4 // with the bundled report: two pages
	var reports []*knowledge.Report
	for i := range extra {
		reports = append(reports, &knowledge.Report{ID: knowledge.ReportID(fmt.Sprintf("jj-test-%02d", i)),
			Title: fmt.Sprintf("示例局第%02d号报告", i), Department: "江津区示例局", Year: 2021 + i%2, Format: knowledge.FormatText,
			Passages: []knowledge.Passage{{Seq: 0, Text: "示例段落。"}}})
	}
	if err := e.db.SaveReports(ctx, staffName, reports...); err != nil {
		t.Fatal(err)
	}
	for i := range extra {
		if _, err := e.db.SaveFAQ(ctx, knowledge.FAQ{Questions: []string{fmt.Sprintf("示例问题%02d", i)}, Answer: "示例答案。"}, 0, staffName); err != nil {
			t.Fatal(err)
		}
	}
	rowLinks := func(page, prefix string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<td><a href="`+prefix+`([^"#]+)">`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	// The list is ordered by department, newest year first, then ID: the
	// bundled report, the odd (2022) reports, the even (2021) ones.
	tests := []struct {
		name, path, prefix string
		rows               int
		first, last        string // the first and last row's link
		pager              string
		prev, next         string // the neighbour links, "" for none
	}{
		{"reports, first page", "/admin/reports", "/admin/reports/", listPageSize, "jj-sthjj-2020", "jj-test-22",
			"第 1 / 2 页（共 35 条）", "", `/admin/reports?page=2`},
		{"reports, last page", "/admin/reports?page=2", "/admin/reports/", 5, "jj-test-24", "jj-test-32",
			"第 2 / 2 页（共 35 条）", `/admin/reports`, ""},
		{"reports, past the end", "/admin/reports?page=9", "/admin/reports/", 5, "jj-test-24", "jj-test-32",
			"第 2 / 2 页", `/admin/reports`, ""},
		{"reports, filtered to one page", "/admin/reports?year=2021", "/admin/reports/", extra / 2, "jj-test-00", "jj-test-32",
			"", "", ""},
		{"reports, filters kept", "/admin/reports?dept=%E6%B1%9F%E6%B4%A5%E5%8C%BA%E7%A4%BA%E4%BE%8B%E5%B1%80&page=2", "/admin/reports/", 4, "jj-test-26", "jj-test-32",
			"第 2 / 2 页（共 34 条）", `/admin/reports?dept=%E6%B1%9F%E6%B4%A5%E5%8C%BA%E7%A4%BA%E4%BE%8B%E5%B1%80`, ""},
		{"FAQ, first page", "/admin/faq", "/admin/faq/", listPageSize, "", "", "第 1 / 2 页（共 34 条）", "", `/admin/faq?page=2`},
		{"FAQ, last page", "/admin/faq?page=2", "/admin/faq/", 4, "", "", "第 2 / 2 页（共 34 条）", `/admin/faq`, ""},
		{"FAQ, bad page", "/admin/faq?page=x", "/admin/faq/", listPageSize, "", "", "第 1 / 2 页", "", `/admin/faq?page=2`},
	}
	s := e.sessionFor(e.staff)
	for _, tt := range tests {
		page := e.getPage(s, tt.path)
		links := rowLinks(page, tt.prefix)
		if len(links) != tt.rows {
			t.Errorf("%s: %d rows, want %d", tt.name, len(links), tt.rows)
			continue
		}
		if tt.first != "" && (links[0] != tt.first || links[len(links)-1] != tt.last) {
			t.Errorf("%s: rows %s … %s, want %s … %s", tt.name, links[0], links[len(links)-1], tt.first, tt.last)
		}
		if tt.pager == "" && strings.Contains(page, `class="pager"`) {
			t.Errorf("%s: a pager on a single page", tt.name)
		}
		if !strings.Contains(page, tt.pager) {
			t.Errorf("%s: no %q", tt.name, tt.pager)
		}
		for rel, want := range map[string]string{"prev": tt.prev, "next": tt.next} {
			m := regexp.MustCompile(`<a href="([^"]*)" rel="` + rel + `">`).FindStringSubmatch(page)
			switch {
			case want == "" && m != nil:
				t.Errorf("%s: a %s link %s", tt.name, rel, m[1])
			case want != "" && (m == nil || strings.ReplaceAll(m[1], "&amp;", "&") != want):
				t.Errorf("%s: %s link %v, want %s", tt.name, rel, m, want)
			}
		}
	}
}
