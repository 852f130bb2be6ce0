package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testCut splits text at the given dictionary words, else by character.
func testCut(dict ...string) func(string) []string {
	return func(text string) []string {
		var out []string
		for text != "" {
			piece := text[:len(string([]rune(text)[0]))]
			for _, w := range dict {
				if strings.HasPrefix(text, w) && len(w) > len(piece) {
					piece = w
				}
			}
			out = append(out, piece)
			text = text[len(piece):]
		}
		return out
	}
}

func TestDerivedAliases(t *testing.T) {
	cut := testCut("发展", "改革", "经济", "信息化", "人力资源", "社会保障", "住房", "城乡", "建设", "卫生", "健康",
		"市场", "监督", "管理", "规划", "自然", "资源", "应急", "街道", "几江", "科学", "技术", "城市")
	for _, tc := range []struct {
		name string
		want []string // among the aliases
	}{
		{"江津区发展和改革委员会", []string{"发展和改革委员会", "发展和改革委", "发改委"}},
		{"江津区经济和信息化委员会", []string{"经信委"}},
		{"江津区人力资源和社会保障局", []string{"人力资源和社会保障局", "人社局"}},
		{"江津区住房和城乡建设委员会", []string{"住建委"}},
		{"江津区规划和自然资源局", []string{"规资局"}},
		{"江津区卫生健康委员会", []string{"卫健委"}},
		{"江津区市场监督管理局", []string{"市监局", "市场监督管理局"}},
		{"江津区应急管理局", []string{"应急局"}},
		{"江津区科学技术局", []string{"科技局"}},
		{"江津区城市管理局", []string{"城管局"}},
		{"江津区教育委员会", []string{"教育局", "教育委"}}, // a commission called a bureau
		{"江津区几江街道办事处", []string{"几江街道", "几江街道办", "几江"}},
		{"江津区白沙镇人民政府", []string{"白沙镇政府", "白沙镇", "白沙"}}, // a township by its place
		{"江津区几江街道人民政府", []string{"几江街道政府", "几江街道"}},
	} {
		got := derivedAliases(tc.name, cut)
		for _, w := range tc.want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("derivedAliases(%s) = %v, lacks %s", tc.name, got, w)
			}
		}
	}
}

// TestDepartmentsOf: a report's department that the term list lacks is
// recognised with derived aliases; a derived alias that is another
// department's alias, or derived from two names, or a common word, is
// dropped.
func TestDepartmentsOf(t *testing.T) {
	listed := []Department{{Name: "江津区人力资源和社会保障局", Aliases: []string{"人社局"}}, {Name: "江津区城市管理局", Aliases: []string{"城管局"}}}
	reports := []*Report{{Department: "江津区发展和改革委员会"}, {Department: "江津区人力资源和社会保障局"}}
	common := func(w string) bool { return w == "发展和改革委" }
	got := departmentsOf(listed, reports, testCut("发展", "改革", "人力资源", "社会保障", "城市", "管理"), common)
	want := "[{江津区人力资源和社会保障局 [人社局 人力资源和社会保障局]} {江津区城市管理局 [城管局 城市管理局 城市局]} {江津区发展和改革委员会 [发展和改革委员会 发展和改革局 发改委]}]"
	if fmt.Sprint(got) != want {
		t.Errorf("departmentsOf = %v\nwant %s", got, want)
	}
}

// TestUnlistedDepartment: a report from a department the term list does
// not name is found by the names citizens use for it, typos included.
func TestUnlistedDepartment(t *testing.T) {
	terms, err := LoadTerms(os.DirFS("../configs/terms"))
	if err != nil {
		t.Fatal(err)
	}
	seg, err := NewSegmenter("../configs/jieba", terms.SegmenterWords())
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	var reports []*Report
	for _, name := range []string{"fx-fgw-2022.txt", "jj-jw-2022.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", "reports", name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	b, err := Build(reports, Options{Segmenter: seg, Terms: terms})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"发改委2022年价格举报投诉收了多少件", "发展和改革委22年价格举报好多件", "发该委2022年受理价格举报多少件"} {
		a, err := b.Answer(context.Background(), Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Department != "江津区发展和改革委员会" || !a.Answered || !strings.Contains(a.Text, "126件") {
			t.Errorf("%s: department %q, answered %v:\n%s", q, a.Department, a.Answered, a.Text)
		}
	}
	// A department with neither a report nor a listing stays unknown.
	if a, _ := b.Answer(context.Background(), Query{Text: "经信委2022年价格举报多少件"}); a.Department != "" {
		t.Errorf("经信委 read as %q", a.Department)
	}
}
