package knowledge_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestShortcomingsAsAWhole: a question for the shortcomings and nothing
// else lists the items of the part on them; one about a topic quotes the
// item on it.
func TestShortcomingsAsAWhole(t *testing.T) {
	base := oneReportBase(t, "jj-mzj-2022.txt", "重庆市江津区民政局2022年度法治政府建设工作报告\n"+
		"一、主要工作及成效\n"+
		"全年办理婚姻登记4120对，社会组织年检合格率96%。\n"+
		"二、存在的不足和原因\n"+
		"我局法治政府建设取得了一定成效，但对照上级要求和群众期盼，仍存在一些不足，需要在今后的工作中认真加以解决，具体表现在以下几个方面，同时也分析了产生问题的主要原因。\n"+
		"一是基层民政经办力量薄弱。镇街民政经办人员平均不足2人。\n"+
		"二是养老服务监管手段单一。对养老机构的检查仍以现场检查为主。\n"+
		"三、2023年工作打算\n"+
		"一是加强养老服务监管。\n")
	for q, want := range map[string][]string{
		"民政局二二年工作有啥子不足":     {"一是基层民政经办力量薄弱。", "二是养老服务监管手段单一。"},
		"民政局22年养老服务监管有啥子不足": {"对养老机构的检查仍以现场检查为主"},
	} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !a.Answered || !strings.Contains(a.Text, w) {
				t.Errorf("%s: answered=%v %q, want %q in it", q, a.Answered, a.Text, w)
			}
		}
	}
}

// TestPlansAsAWhole: the plans as a whole come from the part on plans,
// though a passage of the year's account that mentions a 工作计划 ranks
// first.
func TestPlansAsAWhole(t *testing.T) {
	report, err := os.ReadFile("../configs/reports/jj-sthjj-2020.txt")
	if err != nil {
		t.Fatal(err)
	}
	base := oneReportBase(t, "jj-sthjj-2020.txt", string(report))
	a, err := base.Answer(context.Background(), knowledge.Query{Text: "环保局2021年打算咋个搞"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "(一)严格规范行政执法") || !strings.Contains(a.Text, "(四)加大普法工作力度") {
		t.Errorf("answered=%v %q, want the items of the part on plans", a.Answered, a.Text)
	}
}
