package knowledge_test

import (
	"testing"

	"fazhibot/knowledge"
)

// TestLocalityNames: a street's or a township's report is found by the
// place's name, also when the name holds an asking word (几江街道: 几).
func TestLocalityNames(t *testing.T) {
	base := oneReportBase(t, "jj-jjjd-2023.txt", "江津区几江街道办事处2023年法治政府建设情况报告\n"+
		"一、2023年法治政府建设工作开展情况\n"+
		"全年网格员上报各类事件9362件，办结率99.35%。\n")
	for _, q := range []string{"几江街道二零二三年网格员上报了几件事", "几江街道办23年网格员上报事件多少件"} {
		u := base.Understand(knowledge.Query{Text: q})
		if u.Department != "江津区几江街道办事处" || u.Year != 2023 {
			t.Errorf("%s: department %q, year %d; want 江津区几江街道办事处, 2023", q, u.Department, u.Year)
		}
	}
}
