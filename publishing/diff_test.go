package publishing

import (
	"reflect"
	"testing"

	"fazhibot/knowledge"
)

func TestDiffText(t *testing.T) {
	tests := []struct {
		a, b string
		want []Span
	}{
		{"", "", nil},
		{"全年办理案件12件。", "全年办理案件12件。", []Span{{Same, "全年办理案件12件。"}}},
		{"全年办理案件12件。", "全年办理案件15件。", []Span{{Same, "全年办理案件1"}, {Delete, "2"}, {Insert, "5"}, {Same, "件。"}}},
		{"开展普法活动。", "开展普法宣传活动。", []Span{{Same, "开展普法"}, {Insert, "宣传"}, {Same, "活动。"}}},
		{"旧", "", []Span{{Delete, "旧"}}},
		{"", "新", []Span{{Insert, "新"}}},
	}
	for _, tt := range tests {
		if got := DiffText(tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DiffText(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// report returns a report whose passages have the given texts, each with
// the keyword 复议.
func report(id knowledge.ReportID, title string, texts ...string) *knowledge.Report {
	r := &knowledge.Report{ID: id, Title: title, Department: "江津区司法局", Year: 2021}
	for i, text := range texts {
		r.Passages = append(r.Passages, knowledge.Passage{Seq: i, Path: []string{"一、主要工作"}, Text: text, Keywords: []string{"复议"}})
	}
	return r
}

func TestDiff(t *testing.T) {
	base := &knowledge.Content{
		Reports: []*knowledge.Report{
			report("a", "甲报告", "第一段。", "第二段。", "第三段。"),
			report("gone", "旧报告", "旧段。"),
		},
		FAQs: []knowledge.FAQ{
			{ID: "f1", Questions: []string{"复议怎么申请？"}, Answer: "向区政府申请。"},
			{ID: "f2", Questions: []string{"要删的问题"}, Answer: "答"},
		},
		TermFiles: map[string]string{knowledge.SynonymsFile: "罚款 罚钱\n# 注释\n", knowledge.DictFile: "三线一单\n"},
	}
	clone := func(edit func(c *knowledge.Content)) *knowledge.Content {
		c := &knowledge.Content{TermFiles: map[string]string{}}
		for _, r := range base.Reports {
			cp := *r
			cp.Passages = append([]knowledge.Passage(nil), r.Passages...)
			c.Reports = append(c.Reports, &cp)
		}
		c.FAQs = append(c.FAQs, base.FAQs...)
		for k, v := range base.TermFiles {
			c.TermFiles[k] = v
		}
		edit(c)
		return c
	}

	tests := []struct {
		name string
		next *knowledge.Content
		want Changes
	}{
		{"no change", clone(func(*knowledge.Content) {}), Changes{}},
		{"one passage edited", clone(func(c *knowledge.Content) {
			c.Reports[0].Passages[1].Text = "第二段，改过。"
		}), Changes{
			Reports: []ReportChange{{ID: "a", Title: "甲报告", Kind: Changed, PassageDiff: []PassageChange{{
				Kind: Changed, OldSeq: 1, NewSeq: 1, Path: []string{"一、主要工作"},
				Text: []Span{{Same, "第二段"}, {Insert, "，改过"}, {Same, "。"}},
			}}}},
			Counts: Counts{ReportsChanged: 1, PassagesChanged: 1},
		}},
		{"keywords only", clone(func(c *knowledge.Content) {
			c.Reports[0].Passages[0].Keywords = []string{"行政复议"}
		}), Changes{
			Reports: []ReportChange{{ID: "a", Title: "甲报告", Kind: Changed, PassageDiff: []PassageChange{{
				Kind: Changed, OldSeq: 0, NewSeq: 0, Path: []string{"一、主要工作"},
				KeywordsAdded: []string{"行政复议"}, KeywordsRemoved: []string{"复议"},
			}}}},
			Counts: Counts{ReportsChanged: 1, PassagesChanged: 1},
		}},
		{"passage inserted at the start is one addition", clone(func(c *knowledge.Content) {
			r := report("a", "甲报告", "新的开头。", "第一段。", "第二段。", "第三段。")
			c.Reports[0] = r
		}), Changes{
			Reports: []ReportChange{{ID: "a", Title: "甲报告", Kind: Changed, PassageDiff: []PassageChange{{
				Kind: Added, OldSeq: -1, NewSeq: 0, Path: []string{"一、主要工作"}, Text: []Span{{Insert, "新的开头。"}},
			}}}},
			Counts: Counts{ReportsChanged: 1, PassagesAdded: 1},
		}},
		{"reports added, removed, retitled", clone(func(c *knowledge.Content) {
			c.Reports[0].Title = "甲报告（修订）"
			c.Reports[1] = report("new", "新报告", "一", "二")
		}), Changes{
			Reports: []ReportChange{
				{ID: "a", Title: "甲报告（修订）", Kind: Changed, Fields: []FieldChange{{FieldTitle, "甲报告", "甲报告（修订）"}}},
				{ID: "gone", Title: "旧报告", Kind: Removed, Passages: 1},
				{ID: "new", Title: "新报告", Kind: Added, Passages: 2},
			},
			Counts: Counts{ReportsAdded: 1, ReportsRemoved: 1, ReportsChanged: 1},
		}},
		{"FAQ added, removed, changed", clone(func(c *knowledge.Content) {
			c.FAQs = []knowledge.FAQ{
				{ID: "f1", Questions: []string{"复议怎么申请？", "复议去哪办？"}, Answer: "向区政府申请。", Report: "a", Seq: 2},
				{ID: "f3", Questions: []string{"新问题"}, Answer: "新答案"},
			}
		}), Changes{
			FAQs: []FAQChange{
				{ID: "f1", Question: "复议怎么申请？", Kind: Changed, QuestionsAdded: []string{"复议去哪办？"},
					NewLink: Link{"a", 2, "甲报告", []string{"一、主要工作"}}, LinkChanged: true},
				{ID: "f3", Question: "新问题", Kind: Added, QuestionsAdded: []string{"新问题"}, Answer: []Span{{Insert, "新答案"}}},
				{ID: "f2", Question: "要删的问题", Kind: Removed, QuestionsRemoved: []string{"要删的问题"}, Answer: []Span{{Delete, "答"}}},
			},
			Counts: Counts{FAQsAdded: 1, FAQsRemoved: 1, FAQsChanged: 1},
		}},
		{"term lines", clone(func(c *knowledge.Content) {
			c.TermFiles[knowledge.SynonymsFile] = "# 注释\n罚款 罚钱 罚了\n"
			c.TermFiles[knowledge.DictFile] = "三线一单\n\n"
			c.TermFiles[knowledge.StopwordsFile] = "哪个\n"
		}), Changes{
			Terms: []TermChange{
				{Name: knowledge.DictFile, Whitespace: true},
				{Name: knowledge.StopwordsFile, Added: []string{"哪个"}},
				{Name: knowledge.SynonymsFile, Added: []string{"罚款 罚钱 罚了"}, Removed: []string{"罚款 罚钱"}},
			},
			Counts: Counts{TermLinesAdded: 2, TermLinesRemoved: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(base, tt.next)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff =\n%+v\nwant\n%+v", got, tt.want)
			}
			if got.Empty() != (tt.name == "no change") {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}

	t.Run("nil base: everything added", func(t *testing.T) {
		got := Diff(nil, base)
		want := Counts{ReportsAdded: 2, FAQsAdded: 2, TermLinesAdded: 3}
		if got.Counts != want {
			t.Errorf("Counts = %+v, want %+v", got.Counts, want)
		}
	})
}
