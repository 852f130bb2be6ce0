package knowledge_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestGrammarWords: what grammar adds to a verb (审批下来, 调解完) is no
// search term, nor is a pointer with a measure word (那份).
func TestGrammarWords(t *testing.T) {
	base := oneReportBase(t, "jj-wtz-2021.txt", "江津区吴滩镇人民政府2021年法治政府建设工作情况报告\n"+
		"一、2021年法治政府建设主要工作\n"+
		"（一）规范农村建房\n"+
		"农村建房申请由镇政府审批，全年审批农村建房87户，平均审批时间5个工作日。\n"+
		"（二）化解矛盾纠纷\n"+
		"镇村调解组织全年调解矛盾纠纷316件。\n")
	for _, tc := range []struct {
		q         string
		want, not []string
	}{
		{"吴滩镇修房子审批下来要好多天", []string{"审批"}, []string{"审批下来", "下来"}},
		{"吴滩镇那份报告头纠纷调解完了好多件", []string{"纠纷"}, []string{"那份", "完"}},
	} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !slices.Contains(a.Terms, w) {
				t.Errorf("%s: terms %v lack %s", tc.q, a.Terms, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(a.Terms, w) {
				t.Errorf("%s: terms %v hold %s", tc.q, a.Terms, w)
			}
		}
	}
}

// TestWhatThing: a noun too common to name a topic, after the word that
// asks (啥子事情), only says "what": the question is not refused because
// the report never says 事情.
func TestWhatThing(t *testing.T) {
	base := fileReportBase(t, "fresh-reports7/jj-wtz-2021.txt")
	a, err := base.Answer(context.Background(), knowledge.Query{Text: "檀木桥村有个反映了好多年的信纺老问题 是啥子事情嘛 后来解决没得"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "水库移民后期扶持资金") {
		t.Errorf("answered=%v %q, want the 水库移民后期扶持资金 case", a.Answered, a.Text)
	}
}
