package knowledge

import (
	"slices"
	"strings"
	"testing"
)

// TestStripMarkup checks that title and department candidates lose every
// kind of stray markup and keep their words.
func TestStripMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# 重庆市江津区示例局2023年度法治政府建设情况报告", "重庆市江津区示例局2023年度法治政府建设情况报告"},
		{"###江津区示例局2023年度报告 ###", "江津区示例局2023年度报告"},
		{"**江津区示例局**2023年度报告", "江津区示例局2023年度报告"},
		{"__江津区示例局__", "江津区示例局"},
		{"> - 区示例局", "区示例局"},
		{"＞区示例局", "区示例局"},
		{"* 区示例局", "区示例局"},
		{"<p><strong>江津区示例局</strong><br/></p>", "江津区示例局"},
		{`<span style="font-size:16px">区示例局</span>`, "区示例局"},
		{"江津区示例局&nbsp;2023年度报告", "江津区示例局2023年度报告"},
		{"区示例局&amp;区示例队", "区示例局&区示例队"},
		{"[江津区示例局](https://www.jiangjin.gov.cn/x.html)", "江津区示例局"},
		{"`江津区示例局`", "江津区示例局"},
		{"~~旧名~~江津区示例局", "旧名江津区示例局"},
		{"# **2021年度法治政府建设情况报告** #", "2021年度法治政府建设情况报告"},
		// plain text is unchanged
		{"重庆市江津区示例局关于2023年度法治政府建设情况的报告", "重庆市江津区示例局关于2023年度法治政府建设情况的报告"},
		{"江津区示例局（江津区示例中心）", "江津区示例局（江津区示例中心）"},
		{"a < b 与 c > d", "a < b 与 c > d"},
	}
	for _, tt := range tests {
		if got := stripMarkup(tt.in); got != tt.want {
			t.Errorf("stripMarkup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAtxHeading checks which lines are Markdown headings.
func TestAtxHeading(t *testing.T) {
	tests := []struct {
		in    string
		depth int
		text  string
		ok    bool
	}{
		{"# 标题", 1, "标题", true},
		{"## 一、主要工作", 2, "一、主要工作", true},
		{"##一、主要工作", 2, "一、主要工作", true},
		{"### （一）规范执法 ###", 3, "（一）规范执法", true},
		{"###### 六级", 6, "六级", true},
		{"####### 七级", 0, "", false},
		{"#1", 0, "", false},
		{"#江津发布#", 0, "", false},
		{"普通段落", 0, "", false},
		{"C# 语言", 0, "", false},
	}
	for _, tt := range tests {
		depth, text, ok := atxHeading(tt.in)
		if depth != tt.depth || text != tt.text || ok != tt.ok {
			t.Errorf("atxHeading(%q) = %d %q %v, want %d %q %v", tt.in, depth, text, ok, tt.depth, tt.text, tt.ok)
		}
	}
}

// TestNormaliseDepartmentMarkup checks that a department read from a
// source or signature line loses its markup.
func TestNormaliseDepartmentMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**区示例队**", "江津区示例队"},
		{"# 重庆市江津区示例局", "江津区示例局"},
		{"<b>江津示例站</b>", "江津区示例站"},
		{"区示例队", "江津区示例队"},
	}
	for _, tt := range tests {
		if got := normaliseDepartment(tt.in); got != tt.want {
			t.Errorf("normaliseDepartment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseMarkupText covers .txt reports written with Markdown and HTML
// markup: the title and department come out clean, "## 一、…" headings
// (with or without the space) are headings, and no passage keeps markup.
func TestParseMarkupText(t *testing.T) {
	tests := []struct {
		file    string
		want    Report // metadata fields only
		passage []Passage
	}{
		{
			// "# 标题", **bold** labels, > quotes, - items, <br>, <b>, &nbsp;,
			// a link, a rule, a table and a bold signature
			file: "fx-mdstyle-2022.txt",
			want: Report{Title: "重庆市江津区示例办关于2022年度法治政府建设情况的报告", Department: "江津区示例办",
				Year: 2022, PublishDate: "2023-02-10", SourceURL: "https://www.jiangjin.gov.cn/example/2023/fx-mdstyle.html", Format: FormatText},
			passage: []Passage{
				{Path: nil, Text: "2022年，示例办认真贯彻依法治区工作部署。"},
				{Path: nil, Text: "现将有关情况报告如下。"},
				{Path: []string{"一、主要工作", "（一）规范执法"}, Text: "全年办理行政许可46件，按时办结率100%。"},
				{Path: []string{"一、主要工作", "（一）规范执法"}, Text: "开展执法检查12次，整改问题8个。"},
				{Path: []string{"一、主要工作", "（一）规范执法"}, Text: "聘请法律顾问2名，审查合同15份。"},
				{Path: []string{"二、存在问题"}, Text: "执法人员培训不足，详见培训台账。"},
				{Path: []string{"二、存在问题"}, Text: "行政复议：1件"},
			},
		},
		{
			// the title inside <p>## **…**</p> names no department: it
			// comes from the bold source line
			file: "fx-mdtitle-2021.txt",
			want: Report{Title: "2021年度法治政府建设情况报告", Department: "江津区示例队",
				Year: 2021, PublishDate: "2022-01-25", Format: FormatText},
			passage: []Passage{
				{Path: []string{"一、执法检查"}, Text: "全年开展巡查85次，查处违法行为21起。"},
				{Path: []string{"二、普法宣传"}, Text: "开展送法进社区活动6场。"},
			},
		},
		{
			// copied from a PDF (indented, broken lines, page markers) with
			// Markdown headings
			file: "fx-mdpdf-2020.txt",
			want: Report{Title: "重庆市江津区示例站2020年度法治政府建设情况报告", Department: "江津区示例站",
				Year: 2020, PublishDate: "2021-01-18", Format: FormatText},
			passage: []Passage{
				{Path: []string{"一、主要工作"}, Text: "2020年，示例站全年受理群众咨询320件，办结率100%。"},
				{Path: []string{"一、主要工作"}, Text: "开展法治讲座4场，参加人员150人次。"},
				{Path: []string{"二、下一步打算"}, Text: "加强执法队伍建设，完善执法制度3项。"},
			},
		},
	}
	markup := []string{"#", "*", "__", "~~", "`", "<", ">", "&nbsp;", "](", "---", "| --"}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseFixture(t, tt.file)
			checkParsed(t, r, tt.want, tt.passage)
			for _, p := range r.Passages {
				for _, s := range append(slices.Clone(p.Path), p.Text) {
					for _, m := range markup {
						if strings.Contains(s, m) {
							t.Errorf("passage %d %q %q keeps markup %q", p.Seq, p.Path, p.Text, m)
						}
					}
				}
				// header, title and signature lines are metadata, not passages
				if p.Seq > 0 && (strings.Contains(p.Text, "发布") || strings.Contains(p.Text, "来源") ||
					strings.HasSuffix(p.Text, "报告") || p.Text == "示例办" || p.Text == "2023年2月8日") {
					t.Errorf("passage %d is a header line: %q", p.Seq, p.Text)
				}
			}
		})
	}
}
