package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestMeaningOfAProgramme: what a report's own programme is comes from
// where the report introduces it, not from a later passage that names it
// again; what it is for is asked as its meaning.
func TestMeaningOfAProgramme(t *testing.T) {
	base := oneReportBase(t, "jj-jjjd-2023.txt", "江津区几江街道办事处2023年法治政府建设情况报告\n"+
		"一、2023年法治政府建设工作开展情况\n"+
		"街道整合人民调解、信访接待等力量，建成“江城和事厅”矛盾纠纷一站式调处平台，群众反映的矛盾纠纷由平台统一登记、分流。\n"+
		"二、2024年工作打算\n"+
		"五是持续擦亮“江城和事厅”品牌。\n")
	for _, q := range []string{"江城和事厅是拿来做啥子的", "江城和事厅是什么意思"} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Answered || !strings.Contains(a.Text, "一站式调处平台") {
			t.Errorf("%s: answered=%v %q, want the sentence that introduces it", q, a.Answered, a.Text)
		}
	}
}
