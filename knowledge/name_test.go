package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestWhichOrganization: which firm (哪家律所) is answered by the passage
// that names one by its own name, not by one that counts firms.
func TestWhichOrganization(t *testing.T) {
	base := oneReportBase(t, "jj-sfj-2021.txt", "江津区司法局2021年法治政府建设情况报告\n"+
		"一、2021年法治政府建设工作开展情况\n"+
		"（一）公共法律服务\n"+
		"全区有律师事务所27家、执业律师316名，律师担任村（社区）法律顾问实现全覆盖。\n"+
		"（二）依法决策\n"+
		"局党组会议前学法12次，重大决策均经合法性审查。聘请重庆衡屿律师事务所为局常年法律顾问，全年审核合同协议23份。\n")
	// The last with a typo in the kind of organization (事务锁).
	for _, q := range []string{"司法局21年找的哪家律所当顾问", "司法局的法律顾问是哪个律师事务所", "司法局请的律所叫啥", "司法局21年请的哪家律师事务锁当法律顾问"} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Answered || !strings.Contains(a.Text, "衡屿律师事务所") {
			t.Errorf("%s: answered=%v %q, want the firm's name", q, a.Answered, a.Text)
		}
	}
}
