package knowledge

import (
	"slices"
	"strings"
	"testing"
)

// TestParseFixtures covers the heading systems and formats the corpus lacks:
// Markdown headings, 第一部分 above 一、, (1) under 1., a report using only
// （一） and 1、, an HTML page without a CMS editor container, and a docx
// table.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file    string
		want    Report // metadata fields only
		passage []Passage
	}{
		{
			file: "fx-md-2023.md",
			want: Report{Title: "重庆市江津区示例局关于2023年度法治政府建设情况的报告", Department: "江津区示例局",
				Year: 2023, PublishDate: "2024-01-31", SourceURL: "https://www.jiangjin.gov.cn/example/2024/fx-md.html", Format: FormatMarkdown},
			passage: []Passage{
				{Path: nil, Text: "2023年，示例局坚持依法行政，现将有关情况报告如下。"},
				{Path: []string{"第一部分 主要成效", "一、依法履职", "（一）规范执法", "1.全年办理行政处罚案件58件"},
					Text: "1. 全年办理行政处罚案件58件，罚款12.5万元。"},
				{Path: []string{"第一部分 主要成效", "一、依法履职", "（一）规范执法", "1.全年办理行政处罚案件58件", "（2）开展案卷评查"},
					Text: "（2）开展案卷评查，抽查案卷40卷。"},
				{Path: []string{"第二部分 存在问题", "一是培训不足"}, Text: "一是培训不足，执法人员轮训覆盖率仅为62%。"},
				{Path: []string{"第二部分 存在问题", "二是宣传形式单一"}, Text: "二是宣传形式单一，群众知晓率有待提高。"},
				{Path: []string{"第二部分 存在问题"}, Text: "项目 | 数量"},
				{Path: []string{"第二部分 存在问题"}, Text: "行政复议：2件"},
				{Path: []string{"第二部分 存在问题"}, Text: "聘请法律顾问1名。"},
			},
		},
		{
			file: "fx-markers-2019.txt",
			want: Report{Title: "重庆市江津区示例中心2019年度法治政府建设情况报告", Department: "江津区示例中心",
				Year: 2019, PublishDate: "2020-01-20", SourceURL: "https://www.jiangjin.gov.cn/sl/2020/fx.html", Format: FormatText},
			passage: []Passage{
				{Path: []string{"第一部分 工作成效", "一、制度建设", "（一）健全制度", "1．完善内部管理制度12项"},
					Text: "1．完善内部管理制度12项，其中新增5项。"},
				{Path: []string{"第一部分 工作成效", "一、制度建设", "（一）健全制度", "1．完善内部管理制度12项", "（1）修订合同管理办法"},
					Text: "（1）修订合同管理办法，审查合同18份。"},
				{Path: []string{"第一部分 工作成效", "一、制度建设", "（一）健全制度", "2、规范执法"},
					Text: "2、规范执法。全年检查企业0.5万家次，发现问题35个。"},
				// "0.5个" is a decimal, not item 0.
				{Path: []string{"第一部分 工作成效", "一、制度建设", "(二)加强普法"}, Text: "0.5个百分点的提升来自普法宣传。"},
				{Path: []string{"第二部分 存在问题"}, Text: "执法力量不足。"},
			},
		},
		{
			file: "fx-twolevel-2021.txt",
			want: Report{Title: "江津区示例所关于2021年度法治政府建设情况的报告", Department: "江津区示例所",
				Year: 2021, PublishDate: "2022-01-10", Format: FormatText},
			passage: []Passage{
				{Path: []string{"（一）加强领导", "1、成立领导小组"}, Text: "1、成立领导小组，组长由所长担任。"},
				{Path: []string{"（一）加强领导", "2、召开专题会议4次"}, Text: "2、召开专题会议4次。"},
				{Path: []string{"（二）规范执法"}, Text: "全年办理案件23件。"},
			},
		},
		{
			file: "fx-plain-2019.html",
			want: Report{Title: "江津区示例馆2019年度法治政府建设情况报告", Department: "江津区示例馆",
				Year: 2019, PublishDate: "2020-01-15", SourceURL: "https://www.jiangjin.gov.cn/sgl/2020/fx.html", Format: FormatHTML},
			passage: []Passage{
				{Path: []string{"一、主要工作"}, Text: "全年接待读者12万人次，开展普法讲座16场。"},
				{Path: []string{"一、主要工作", "（一）规范管理", "1.修订管理制度3项"}, Text: "1.修订管理制度3项。"},
				{Path: []string{"一、主要工作", "（一）规范管理", "2.建立法律顾问制度"}, Text: "2.建立法律顾问制度。"},
				{Path: []string{"一、主要工作", "（一）规范管理", "2.建立法律顾问制度"}, Text: "普法讲座：16场"},
			},
		},
		{
			file: "fx-table-2022.docx",
			want: Report{Title: "江津区示例站关于2022年度法治政府建设情况的报告", Department: "江津区示例站",
				Year: 2022, PublishDate: "2023-01-20", DocNumber: "津示〔2022〕3号", Format: FormatDocx},
			passage: []Passage{
				{Path: []string{"一、主要工作"}, Text: "全年受理投诉128件，办结率99.2%。"},
				{Path: []string{"一、主要工作"}, Text: "类别 | 数量"},
				{Path: []string{"一、主要工作"}, Text: "行政许可：36件"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseFixture(t, tt.file)
			checkParsed(t, r, tt.want, tt.passage)
			for _, p := range r.Passages {
				for _, chrome := range []string{"扫一扫", "版权所有", "首页", "发布时间", "来源网址", "江津区示例所"} {
					if strings.Contains(p.Text, chrome) && p.Seq != 0 {
						t.Errorf("passage %q %q contains %q", p.Path, p.Text, chrome)
					}
				}
			}
		})
	}
}

// TestParsePDFText checks that jj-jw-2022 (copied from a PDF) is rejoined:
// lines broken mid-sentence and across page breaks are joined, and the
// page markers and running header are gone.
func TestParsePDFText(t *testing.T) {
	r := parseFixture(t, "jj-jw-2022.txt")
	joined := []string{
		"由区委教育工委书记、区教委主任担任组长",         // broken after 由
		"重点学习《中华人民共和国未成年人保护法》",        // broken across the page 1 break
		"有效防范“退费难”“卷钱跑路”等风险",          // broken after an opening quote
		"全年认定教师资格1748人",               // broken before the figure
		"（二）依法履行教育管理职能，推进教育领域“放管服”改革", // a heading broken before 革
	}
	for _, s := range joined {
		found := passageWith(r, s) != nil
		for _, p := range r.Passages {
			found = found || slices.Contains(p.Path, s)
		}
		if !found {
			t.Errorf("%q is not joined into one passage or heading", s)
		}
	}
	for _, p := range r.Passages {
		if strings.ContainsAny(p.Text, "\n\u3000") || strings.Contains(p.Text, "— ") ||
			strings.Contains(p.Text, "江津区教育委员会2022年度法治政府建设情况报告") {
			t.Errorf("layout left in passage %q: %q", p.Path, p.Text)
		}
	}
}

// TestParseHTMLBody checks the body extraction of jj-jtj-2020.html: table
// rows become lines, &nbsp; and inline markup disappear, the page's chrome
// is left out.
func TestParseHTMLBody(t *testing.T) {
	r := parseFixture(t, "jj-jtj-2020.html")
	for _, s := range []string{
		"执法类别 | 2020年数量 | 说明",  // header row
		"行政处罚：2418件，罚款613.5万元", // data row
		"查处违法超限超载车辆：1136辆，卸载转运货物5870吨",
		"全年新改建农村公路416公里",       // &nbsp; between 路 and 416
		"查处违法超限超载车辆1136辆",      // <strong> inside the sentence
		"表1 2020年区交通局行政执法主要数据", // &nbsp;&nbsp; between 1 and 2020
	} {
		if passageWith(r, s) == nil {
			t.Errorf("no passage contains %q", s)
		}
	}
	if p := passageWith(r, "2418件"); p == nil || passageWith(r, "613.5万元") == nil {
		t.Errorf("table figures missing")
	}
	for _, p := range r.Passages {
		for _, s := range []string{"doZoom", "无障碍", "网站地图", "索 引 号", "打印本页", "渝公网安备"} {
			if strings.Contains(p.Text, s) {
				t.Errorf("passage %q contains page chrome %q", p.Path, s)
			}
		}
	}
}

// TestParseDocxRuns checks that Word runs are joined without separators.
func TestParseDocxRuns(t *testing.T) {
	r := parseFixture(t, "jj-zjw-2021.docx")
	for _, s := range []string{"罚款837.26万元", "惠及居民9460户", "津建委〔2022〕17号"} {
		if passageWith(r, s) == nil {
			t.Errorf("no passage contains %q", s)
		}
	}
}

// TestParseClauses checks that the 一是……二是……三是…… points of
// jj-scjgj-2022 become separate passages.
func TestParseClauses(t *testing.T) {
	r := parseFixture(t, "jj-scjgj-2022.txt")
	section := []string{"一、2022年推进法治政府建设的主要举措和成效", "（一）强化组织领导，压实法治建设责任"}
	var got []Passage
	for _, p := range r.Passages {
		if len(p.Path) == 3 && slices.Equal(p.Path[:2], section) {
			got = append(got, p)
		}
	}
	wantLabels := []string{"一是健全工作机制", "二是抓实领导学法", "三是落实述法考核"}
	if len(got) != len(wantLabels) {
		t.Fatalf("got %d passages under %q, want %d", len(got), section, len(wantLabels))
	}
	for i, p := range got {
		ord := wantLabels[i][:len("一是")]
		if p.Path[2] != wantLabels[i] || !strings.HasPrefix(p.Text, ord) {
			t.Errorf("clause %d = %q %q, want label %q", i, p.Path[2], p.Text, wantLabels[i])
		}
		if i+1 < len(wantLabels) && strings.Contains(p.Text, wantLabels[i+1][:len("一是")]) {
			t.Errorf("clause %d runs into the next one: %q", i, p.Text)
		}
	}
	if !strings.HasSuffix(got[2].Text, "权重设定为10%。") {
		t.Errorf("last clause = %q", got[2].Text)
	}
}

// checkParsed compares r's metadata with want's, and checks that each of
// passages is a passage of r with that text and heading path.
func checkParsed(t *testing.T, r *Report, want Report, passages []Passage) {
	t.Helper()
	got := [...]any{r.Title, r.Department, r.Year, r.PublishDate, r.DocNumber, r.SourceURL, r.Format}
	wantMeta := [...]any{want.Title, want.Department, want.Year, want.PublishDate, want.DocNumber, want.SourceURL, want.Format}
	if got != wantMeta {
		t.Errorf("metadata = %q\nwant       %q", got, wantMeta)
	}
	for _, w := range passages {
		p := passageWith(r, w.Text)
		switch {
		case p == nil:
			t.Errorf("no passage contains %q", w.Text)
		case p.Text != w.Text || !slices.Equal(p.Path, w.Path):
			t.Errorf("passage = %q %q\nwant       %q %q", p.Path, p.Text, w.Path, w.Text)
		}
	}
}
