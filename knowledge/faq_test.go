package knowledge_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"fazhibot/knowledge"
)

func TestFAQWinsOnStrongMatch(t *testing.T) {
	_, seg := loadFixtureBase(t)
	data, err := os.ReadFile("testdata/reports/jj-sfj-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	r, err := knowledge.Parse("jj-sfj-2021.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	knowledge.AssignKeywords(r, seg)
	faq := knowledge.FAQ{
		ID:        "faq-1",
		Questions: []string{"行政复议怎么申请", "怎样申请行政复议"},
		Answer:    "申请行政复议可以到区政府行政复议窗口当面递交申请书,也可以邮寄。",
		Report:    r.ID,
		Seq:       1,
	}
	base, err := knowledge.Build([]*knowledge.Report{r}, knowledge.Options{Segmenter: seg, Terms: fixture.terms, FAQs: []knowledge.FAQ{faq}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		question string
		faq      bool
	}{
		{"行政复议怎么申请", true},
		{"请问怎么申请复议", true},
		{"2021年收到多少件行政复议申请", false}, // shares words, asks something else
		{"律师事务所有几家", false},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a, err := base.Answer(context.Background(), knowledge.Query{Text: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			if got := a.FAQ != nil; got != tt.faq {
				t.Fatalf("FAQ answered = %v, want %v; reply:\n%s", got, tt.faq, a.Text)
			}
			if tt.faq && (!a.Answered || !strings.Contains(a.Text, "行政复议窗口") || !strings.HasPrefix(a.Text, "【江津区司法局·2021年度")) {
				t.Errorf("FAQ reply should quote the answer under its linked source:\n%s", a.Text)
			}
		})
	}
}
