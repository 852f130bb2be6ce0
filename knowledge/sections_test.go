package knowledge

import (
	"slices"
	"testing"
)

func TestMarkerOf(t *testing.T) {
	tests := []struct {
		in         string
		kind       markerKind
		wantMarker string
	}{
		{"一、主要工作", kindCN, "一、"},
		{"十二、其他", kindCN, "十二、"},
		{"(一)照《实施方案》", kindParenCN, "(一)"},
		{"（十一）加强自身建设", kindParenCN, "（十一）"},
		{"3.加强生态环境领域执法力度", kindNum, "3."},
		{"1、加强统筹谋划", kindNum, "1、"},
		{"1．完善内部管理制度", kindNum, "1．"},
		{"12. 第十二项", kindNum, "12."},
		{"(1)修订办法", kindParenNum, "(1)"},
		{"（2）建立制度", kindParenNum, "（2）"},
		{"第一部分 工作成效", kindPart, "第一部分"},
		{"第十二部分", kindPart, "第十二部分"},
		// not markers
		{"0.5个工作日", "", ""},
		{"92.3%。三是", "", ""},
		{"3.12万人", "", ""},
		{"1.", "", ""},
		{"2020.成效", "", ""},
		{"123、事项", "", ""},
		{"(20162020年)", "", ""},
		{"(123)", "", ""},
		{"（一", "", ""},
		{"一是健全工作机制", "", ""},
		{"十四五期间", "", ""},
		{"第一阶段", "", ""},
		{"2021年，我局", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		kind, marker := markerOf(tt.in)
		if kind != tt.kind || marker != tt.wantMarker {
			t.Errorf("markerOf(%q) = %q, %q; want %q, %q", tt.in, kind, marker, tt.kind, tt.wantMarker)
		}
	}
}

func TestLabel(t *testing.T) {
	tests := []struct{ marker, rest, want string }{
		{"3.", "加强生态环境领域执法力度,对环境违法行为“零容忍”。", "3.加强生态环境领域执法力度"},
		{"一是", "健全工作机制。局党组把法治建设纳入全年工作总体布局", "一是健全工作机制"},
		{"1、", "行政复议。全年我局被申请行政复议9件", "1、行政复议"},
		{"(1)", "修订合同管理办法；审查合同18份。", "(1)修订合同管理办法"},
		// a first clause longer than 24 runes leaves only the marker
		{"1.", "认真贯彻落实习近平总书记全面依法治国新理念新思想新战略和中央全面依法治国委员会、市委全面依法治市委员会", "1."},
		{"二是", "", "二是"},
		{"二是", "。", "二是"},
	}
	for _, tt := range tests {
		if got := itemLabel(tt.marker, tt.rest); got != tt.want {
			t.Errorf("itemLabel(%q, %q) = %q, want %q", tt.marker, tt.rest, got, tt.want)
		}
	}
}

func TestIsBareHeading(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"一、主要工作", true},
		{"（一）强化组织领导，压实法治建设责任", true},
		{"(一)照《实施方案》《2020年全区法治政府建设工作要点》积极推进法治政府建设项各项工作", true},
		{"(三)加强规范性文件合法性审、清理工作。", false},
		{"3.加强生态环境领域执法力度,对环境违法行为“零容忍”。聚焦重点工作", false},
		{"1.认真贯彻落实习近平总书记全面依法治国新理念新思想新战略和中央全面依法治国委员会、市委全面依法治市委员会、区委全面依法治区委员会相关会议精神", false},
	}
	for _, tt := range tests {
		if got := isBareHeading(tt.in); got != tt.want {
			t.Errorf("isBareHeading(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestClausePassages(t *testing.T) {
	path := []string{"二、存在的问题"}
	tests := []struct {
		name, text, marker string
		want               []Passage
	}{
		{
			name: "lead and clauses",
			text: "对照要求仍有差距。一是培训不足。二是宣传单一，形式较少。",
			want: []Passage{
				{Path: path, Text: "对照要求仍有差距。"},
				{Path: []string{"二、存在的问题", "一是培训不足"}, Text: "一是培训不足。"},
				{Path: []string{"二、存在的问题", "二是宣传单一"}, Text: "二是宣传单一，形式较少。"},
			},
		},
		{
			name: "item marker alone is no lead",
			text: "(1)一是学法；二是用法。",
			want: []Passage{
				{Path: []string{"二、存在的问题", "一是学法"}, Text: "一是学法；"},
				{Path: []string{"二、存在的问题", "二是用法"}, Text: "二是用法。"},
			},
			marker: "(1)",
		},
		{
			name: "一是 inside a word is no clause",
			text: "统一是关键，二是其次。",
			want: []Passage{{Path: path, Text: "统一是关键，二是其次。"}},
		},
		{
			name: "a single clause is not split",
			text: "一是培训不足。另外还有问题。",
			want: []Passage{{Path: path, Text: "一是培训不足。另外还有问题。"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clausePassages(path, tt.text, tt.marker)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d passages %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i].Text != tt.want[i].Text || !slices.Equal(got[i].Path, tt.want[i].Path) {
					t.Errorf("passage %d = %q %q, want %q %q", i, got[i].Path, got[i].Text, tt.want[i].Path, tt.want[i].Text)
				}
			}
		})
	}
}

func TestBuildPassagesLevels(t *testing.T) {
	tests := []struct {
		name   string
		blocks []textBlock
		want   []Passage
	}{
		{
			name: "第一部分 above 一、 even when 一、 comes first",
			blocks: []textBlock{
				{text: "一、导言"}, {text: "导言正文。"},
				{text: "第一部分 成效"}, {text: "一、工作"}, {text: "正文。"},
			},
			want: []Passage{
				{Path: []string{"一、导言"}, Text: "导言正文。"},
				{Path: []string{"第一部分 成效", "一、工作"}, Text: "正文。"},
			},
		},
		{
			name: "explicit headings above numbered ones, by depth",
			blocks: []textBlock{
				{text: "细则", heading: 3}, {text: "（一）条目"}, {text: "正文一。"},
				{text: "总则", heading: 2}, {text: "正文二。"},
			},
			want: []Passage{
				{Path: []string{"细则", "（一）条目"}, Text: "正文一。"},
				{Path: []string{"总则"}, Text: "正文二。"},
			},
		},
		{
			name: "a new heading pops deeper ones",
			blocks: []textBlock{
				{text: "（一）甲"}, {text: "1、子项一。"}, {text: "（二）乙"}, {text: "正文。"},
			},
			want: []Passage{
				{Path: []string{"（一）甲", "1、子项一"}, Text: "1、子项一。"},
				{Path: []string{"（二）乙"}, Text: "正文。"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildPassages(tt.blocks)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d passages %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i].Text != tt.want[i].Text || !slices.Equal(got[i].Path, tt.want[i].Path) {
					t.Errorf("passage %d = %q %q, want %q %q", i, got[i].Path, got[i].Text, tt.want[i].Path, tt.want[i].Text)
				}
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\u3000\u3000一、主要工作\u3000", "一、主要工作"},
		{"\u00a0\u00a0\u00a0\u00a02020年", "2020年"},
		{"农村公路\u00a0416公里", "农村公路416公里"},
		{"表1\u00a0\u00a02020年", "表1 2020年"},
		{"“学宪法 讲宪法”", "“学宪法 讲宪法”"},
		{"a \t\n b", "a b"},
		{"零\u200b宽", "零宽"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsPageMarker(t *testing.T) {
	for in, want := range map[string]bool{
		"— 3 —": true, "—3—": true, "- 12 -": true, "\u3000— 7 —": true,
		"（2022—2035年）": false, "—": false, "— a —": false, "2023": false, "— 12345 —": false,
	} {
		if got := isPageMarker(in); got != want {
			t.Errorf("isPageMarker(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestDepartmentOf(t *testing.T) {
	tests := []struct{ title, want string }{
		{"重庆市江津区生态环境局关于报送2020年度法治政府建设情况的报告", "江津区生态环境局"},
		{"重庆市江津区司法局2021年度法治政府建设情况报告", "江津区司法局"},
		{"江津区人力资源和社会保障局2023年度法治政府建设情况报告", "江津区人力资源和社会保障局"},
		{"区交通局关于2020年度法治政府建设情况的报告", "江津区交通局"},
		{"江津示例局2020年度法治政府建设情况报告", "江津区示例局"},
		{"关于2022年度法治政府建设情况的报告", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := departmentOf(tt.title); got != tt.want {
			t.Errorf("departmentOf(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}
