package knowledge_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"fazhibot/knowledge"
)

// The facade in four steps: load the term lists and dictionaries, parse a
// report, build the index, ask.
func Example() {
	terms, err := knowledge.LoadTerms(os.DirFS("../configs/terms"))
	if err != nil {
		panic(err)
	}
	seg, err := knowledge.NewSegmenter("../configs/jieba", terms.SegmenterWords())
	if err != nil {
		panic(err)
	}
	defer seg.Close()
	data, err := os.ReadFile("testdata/reports/jj-sthjj-2020.txt")
	if err != nil {
		panic(err)
	}
	report, err := knowledge.Parse("jj-sthjj-2020.txt", data)
	if err != nil {
		panic(err)
	}
	knowledge.AssignKeywords(report, seg)
	base, err := knowledge.Build([]*knowledge.Report{report}, knowledge.Options{Segmenter: seg, Terms: terms})
	if err != nil {
		panic(err)
	}

	answer, err := base.Answer(context.Background(), knowledge.Query{Text: "环保局2020年罚了多少钱"})
	if err != nil {
		panic(err)
	}
	fmt.Println(answer.Answered, answer.Hits[0].ReportID)
	fmt.Println(strings.Contains(answer.Excerpt, "罚款316.79万元"))
	fmt.Println(firstLine(answer.Text))
	// Output:
	// true jj-sthjj-2020
	// true
	// 【江津区生态环境局·2020年度法治政府建设报告】
}

func ExampleBase_Search() {
	base, _ := loadFixtureBase(nilTB{})
	hits, err := base.Search(context.Background(), knowledge.Query{Text: "司法局2021年收到多少件行政复议申请", Limit: 1})
	if err != nil {
		panic(err)
	}
	h := hits[0]
	fmt.Println(h.ReportID, h.Department, h.Year)
	fmt.Println(h.Confidence >= knowledge.DefaultMinConfidence, strings.Contains(h.Text, "186件"))
	// Output:
	// jj-sfj-2021 江津区司法局 2021
	// true true
}
