package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestForeignNouns: a noun no report uses costs a passage dearly (the
// question is likely about something the reports do not cover), unless
// one sentence of the passage holds everything else the question says, so
// that the noun is the citizen's own word for it (涨水 beside 汛期); the
// noun the question asks about (房价多少, 哪家店) is never such a word.
func TestForeignNouns(t *testing.T) {
	report := "重庆市江津区应急管理局关于2022年度法治政府建设情况的报告\n" +
		"一、2022年法治政府建设工作开展情况\n" +
		"（一）依法应急，防灾减灾救灾能力不断增强\n" +
		"一是科学防汛抗旱。汛前排查沿江风险点位287处，汛期紧急转移避险群众3150人，实现不死人、少伤人目标。\n" +
		"二是开展普法宣传。在滨江新城、圣泉公园等地开展安全生产法治宣传活动18场，检查农资经营门店46家。\n"
	base := oneReportBase(t, "jj-yjj-2022.txt", report)
	for _, tc := range []struct {
		q        string
		answered bool
		want     string
	}{
		{"22年涨水汛期紧急转移了多少群众", true, "3150人"},
		{"滨江新城房价多少", false, ""},
		{"江津哪家农资店被查了 店名叫啥子", false, ""},
	} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered != tc.answered || !strings.Contains(a.Text, tc.want) {
			t.Errorf("%s: answered=%v %q, want answered=%v containing %q", tc.q, a.Answered, firstLine(a.Text), tc.answered, tc.want)
		}
	}
}
