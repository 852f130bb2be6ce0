package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestCountInTheSentence: a question for a count (多少人) is answered by
// the passage whose figure in that unit stands in a sentence with the
// question's own words, not by one whose figure counts something else.
func TestCountInTheSentence(t *testing.T) {
	base := oneReportBase(t, "jj-scjgj-2022.txt", "重庆市江津区市场监督管理局关于2022年度法治政府建设情况的报告\n"+
		"一、2022年推进法治政府建设的主要举措和成效\n"+
		"（一）抓好干部职工学法考法\n"+
		"新录用执法人员、转隶执法人员上岗前须参加培训。组织干部职工参加年度考试，参考312人。\n"+
		"（二）加强执法队伍建设\n"+
		"全局持证执法人员227名，举办业务培训9期，组织案卷评查120卷，对评查发现的文书不规范、证据不充分等问题逐案反馈整改，推动执法质量持续提升。\n")
	a, err := base.Answer(context.Background(), knowledge.Query{Text: "市监局执法人员有多少人"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "227名") {
		t.Errorf("answered=%v %q, want the 227名 of 持证执法人员", a.Answered, a.Text)
	}
}
