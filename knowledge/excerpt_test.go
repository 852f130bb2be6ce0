package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestExcerptQuotesWhatIsAsked: the sentence that holds the question's
// words may not hold what it asks for; the quote then takes in the
// neighbour that states it (a name in 《》, a figure).
func TestExcerptQuotesWhatIsAsked(t *testing.T) {
	report := "重庆市江津区卫生健康委员会关于2022年度法治政府建设情况的报告\n" +
		"一、2022年推进法治政府建设的主要举措和成效\n" +
		"（一）规范依法决策和规范性文件管理\n" +
		"一是加强规范性文件管理。全年开展行政规范性文件专项清理，共清理14件，废止3件，修改2件，清理结果在委门户网站公布，接受社会监督。" +
		"制发《江津区计划生育特殊家庭扶助关怀实施细则》1件，经合法性审核后报区政府备案。\n" +
		"二是严格重大行政决策程序。重大行政决策均经合法性审查和集体讨论。\n"
	base := oneReportBase(t, "jj-wjw-2022.txt", report)
	for _, tc := range []struct{ q, want string }{
		{"卫健委2022年的规范性文件叫什么名字", "《江津区计划生育特殊家庭扶助关怀实施细则》"},
		{"卫健委2022年的规范性文件叫啥子名字", "《江津区计划生育特殊家庭扶助关怀实施细则》"},
	} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Answered || !strings.Contains(a.Text, tc.want) {
			t.Errorf("%s: answered=%v %q, want one quoting %s", tc.q, a.Answered, a.Text, tc.want)
		}
	}
}
