package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

// TestConfidentPassageAfterTheBest: when the best-ranked passage owes its
// rank to words it repeats (农民工工资支付) but covers too little of the
// question, a passage close after it that covers enough answers, rather
// than a refusal.
func TestConfidentPassageAfterTheBest(t *testing.T) {
	base := fileReportBase(t, "fresh-reports7/jj-wtz-2021.txt")
	q := knowledge.Query{Text: "吴滩镇二一年律师帮在外头打工的讨工钱 讨回来好多"}
	hits, err := base.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) < 2 || hits[0].Confidence >= 0.5 || hits[1].Confidence < 0.5 {
		for _, h := range hits {
			t.Logf("%.2f %.3f %s", h.Score, h.Confidence, h.Section())
		}
		t.Fatalf("the test needs a best passage that is not confident before one that is")
	}
	a, err := base.Answer(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "29.6万元") {
		t.Errorf("answered=%v %q, want the 29.6万元 recovered", a.Answered, a.Text)
	}
}

// TestAccountBeforeShortcomings: what a township did is told where its
// report gives account of the year, not in its shortcomings, even when
// the shortcoming's heading names the topic (一是综合行政执法能力不足).
func TestAccountBeforeShortcomings(t *testing.T) {
	base := fileReportBase(t, "fresh-reports7/jj-wtz-2021.txt")
	a, err := base.Answer(context.Background(), knowledge.Query{Text: "吴滩镇综合执法办有好多人"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "有工作人员9名") {
		t.Errorf("answered=%v %q, want the account's 有工作人员9名", a.Answered, a.Text)
	}
}
