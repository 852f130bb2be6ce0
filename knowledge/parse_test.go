package knowledge

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusFiles are the sample reports copied from the shared corpus.
var corpusFiles = []string{
	"jj-sthjj-2020.txt", "jj-sthjj-2021.txt", "jj-sfj-2021.txt", "jj-scjgj-2022.txt",
	"jj-jtj-2020.html", "jj-rsj-2023.txt", "jj-zjw-2021.docx", "jj-qzf-2022.txt", "jj-jw-2022.txt",
}

// parseFixture parses testdata/reports/name and fails the test on error.
func parseFixture(t *testing.T, name string) *Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "reports", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(name, data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

// passageWith returns the first passage whose text contains s, or nil.
func passageWith(r *Report, s string) *Passage {
	for i := range r.Passages {
		if strings.Contains(r.Passages[i].Text, s) {
			return &r.Passages[i]
		}
	}
	return nil
}

// wantPath says that the passage containing text has path.
type wantPath struct {
	text string
	path []string
}

func TestParseCorpusMetadataAndPaths(t *testing.T) {
	const (
		sthjjA = "(一)照《实施方案》《2020年全区法治政府建设工作要点》积极推进法治政府建设项各项工作"
		sthjjB = "(二)认真落实主要负责人履行推进法治建设第一责任人职责,加强法治政府建设"
	)
	tests := []struct {
		file   string
		want   Report // metadata fields only
		paths  []wantPath
		format Format
	}{
		{
			file:   "jj-sthjj-2020.txt",
			format: FormatText,
			want: Report{Title: "重庆市江津区生态环境局关于报送2020年度法治政府建设情况的报告",
				Department: "江津区生态环境局", Year: 2020, PublishDate: "2021-02-18"},
			paths: []wantPath{
				{"罚款316.79万元", []string{"一、主要工作", sthjjA, "3.加强生态环境领域执法力度"}},
				{"1.认真贯彻落实习近平总书记", []string{"一、主要工作", sthjjA, "1."}},
				{"二是抓全局干部职工自觉学法用法工作", []string{"一、主要工作", sthjjB, "7.严格落实", "二是抓全局干部职工自觉学法用法工作"}},
				{"7.严格落实,积极推进学法用法制度", []string{"一、主要工作", sthjjB, "7.严格落实"}},
				{"我局党政主要负责人高度重视推进法治建设", []string{"一、主要工作", sthjjB}},
				{"根据《关于做好2020年度法治政府建设情况报告工作的通知》", nil},
				{"(三)加强规范性文件合法性审、清理工作。", []string{"三、2021年及“十四五”期间推进法治政府建设的工作思路目标举措", "(三)加强规范性文件合法性审、清理工作"}},
			},
		},
		{
			file:   "jj-sthjj-2021.txt",
			format: FormatText,
			want: Report{Title: "重庆市江津区生态环境局关于报送2021年度法治政府建设情况的报告",
				Department: "江津区生态环境局", Year: 2021, PublishDate: "2022-02-21"},
			paths: []wantPath{
				{"罚款412.36万元", []string{"一、主要工作", "(一)对照《实施方案》和年度工作要点扎实推进生态环境领域法治政府建设", "3.保持环境执法高压态势"}},
			},
		},
		{
			file:   "jj-sfj-2021.txt",
			format: FormatText,
			want: Report{Title: "重庆市江津区司法局2021年度法治政府建设情况报告",
				Department: "江津区司法局", Year: 2021, PublishDate: "2022-02-15"},
			paths: []wantPath{
				{"纠错率为11.3%", []string{"一、2021年推进法治政府建设的主要举措和成效", "(四)深化行政复议体制改革,发挥化解行政争议主渠道作用", "2.办案质效提升"}},
				{"全区在册社区矫正对象612人", []string{"一、2021年推进法治政府建设的主要举措和成效", "(八)规范社区矫正,维护社会和谐稳定"}},
			},
		},
		{
			file:   "jj-scjgj-2022.txt",
			format: FormatText,
			want: Report{Title: "重庆市江津区市场监督管理局关于2022年度法治政府建设情况的报告",
				Department: "江津区市场监督管理局", Year: 2022, PublishDate: "2023-02-20"},
			paths: []wantPath{
				{"罚没款1386.42万元", []string{"一、2022年推进法治政府建设的主要举措和成效", "（三）严格规范执法，提升监管执法效能", "一是依法查办案件"}},
				{"一是基层执法力量与监管任务不匹配", []string{"二、存在的问题和不足", "一是基层执法力量与监管任务不匹配"}},
			},
		},
		{
			file:   "jj-jtj-2020.html",
			format: FormatHTML,
			want: Report{Title: "重庆市江津区交通局关于2020年度法治政府建设情况的报告",
				Department: "江津区交通局", Year: 2020, PublishDate: "2021-03-02"},
			paths: []wantPath{
				{"全年共办理交通运输行政处罚案件2418件", []string{"一、主要工作开展情况", "（五）严格规范公正文明执法，维护交通运输秩序", "四是依法办理行政处罚案件"}},
				{"行政处罚：2418件，罚款613.5万元", []string{"一、主要工作开展情况", "（五）严格规范公正文明执法，维护交通运输秩序"}},
				{"于2020年9月28日挂牌成立", []string{"一、主要工作开展情况", "（四）推进交通运输综合行政执法改革，理顺执法体制"}},
			},
		},
		{
			file:   "jj-rsj-2023.txt",
			format: FormatText,
			want: Report{Title: "江津区人力资源和社会保障局2023年度法治政府建设情况报告",
				Department: "江津区人力资源和社会保障局", Year: 2023, PublishDate: "2024-02-06"},
			paths: []wantPath{
				{"受理争议案件1689件", []string{"一、2023年推进法治政府建设的主要举措和成效", "（五）加强劳动人事争议处理，促进劳动关系和谐", "1、提高仲裁办案质效"}},
			},
		},
		{
			file:   "jj-zjw-2021.docx",
			format: FormatDocx,
			want: Report{Title: "重庆市江津区住房和城乡建设委员会关于2021年度法治政府建设情况的报告",
				Department: "江津区住房和城乡建设委员会", Year: 2021, PublishDate: "2022-02-11", DocNumber: "津建委〔2022〕17号"},
			paths: []wantPath{
				{"罚款837.26万元", []string{"一、2021年法治政府建设主要举措和成效", "（五）严格规范执法，维护建设领域市场秩序", "一是强化建筑市场监管"}},
				{"全年我委被申请行政复议5件", []string{"一、2021年法治政府建设主要举措和成效", "（八）依法化解矛盾纠纷，自觉接受司法监督"}},
			},
		},
		{
			file:   "jj-qzf-2022.txt",
			format: FormatText,
			want: Report{Title: "重庆市江津区人民政府关于2022年度法治政府建设情况的报告",
				Department: "江津区人民政府", Year: 2022, PublishDate: "2023-03-06"},
			paths: []wantPath{
				{"全区区级部门共保留权责事项7826项", []string{"一、2022年推进法治政府建设的主要举措和成效", "（二）依法全面履行政府职能，持续优化法治化营商环境", "1.动态管理权责清单"}},
			},
		},
		{
			file:   "jj-jw-2022.txt",
			format: FormatText,
			want: Report{Title: "重庆市江津区教育委员会关于2022年度法治政府建设情况的报告",
				Department: "江津区教育委员会", Year: 2022, PublishDate: "2023-02-24", DocNumber: "津教委〔2023〕9号"},
			paths: []wantPath{
				{"压减率96.4%", []string{"一、2022年推进法治政府建设的主要举措和成效", "（三）深化“双减”工作，依法规范校外培训", "一是依法压减学科类培训机构"}},
				{"一是规范行政审批服务", []string{"一、2022年推进法治政府建设的主要举措和成效", "（二）依法履行教育管理职能，推进教育领域“放管服”改革", "一是规范行政审批服务"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseFixture(t, tt.file)
			wantID := ReportID(strings.TrimSuffix(tt.file, filepath.Ext(tt.file)))
			if r.ID != wantID || r.Format != tt.format {
				t.Errorf("ID, Format = %q, %q; want %q, %q", r.ID, r.Format, wantID, tt.format)
			}
			got := [...]any{r.Title, r.Department, r.Year, r.PublishDate, r.DocNumber, r.SourceURL}
			want := [...]any{tt.want.Title, tt.want.Department, tt.want.Year, tt.want.PublishDate, tt.want.DocNumber, tt.want.SourceURL}
			if got != want {
				t.Errorf("metadata = %q\nwant       %q", got, want)
			}
			for _, wp := range tt.paths {
				p := passageWith(r, wp.text)
				if p == nil {
					t.Errorf("no passage contains %q", wp.text)
					continue
				}
				if !slices.Equal(p.Path, wp.path) {
					t.Errorf("passage %q: Path = %q, want %q", wp.text, p.Path, wp.path)
				}
			}
		})
	}
}

func TestParseCorpusInvariants(t *testing.T) {
	// Page chrome and PDF layout that must not survive into any passage.
	noise := []string{"扫一扫", "版权所有", "国务院部门网站", "地方政府网站", "当前位置", "主办：", "主办:",
		"关注公众号", "【字体", "【打印", "浏览次数", "上一篇", "下一篇", "附件下载", "渝ICP",
		"— 3 —", "— 1 —", "江津区教育委员会2022年度法治政府建设情况报告", "\u3000", "\u00a0", "\n"}
	for _, file := range corpusFiles {
		t.Run(file, func(t *testing.T) {
			r := parseFixture(t, file)
			if len(r.Passages) < 10 {
				t.Fatalf("only %d passages", len(r.Passages))
			}
			info := r.Passages[0]
			if !slices.Equal(info.Path, []string{"报告信息"}) || !strings.Contains(info.Text, "报告标题："+r.Title) ||
				!strings.Contains(info.Text, "发布单位："+r.Department) {
				t.Errorf("first passage = %q %q, want the report header", info.Path, info.Text)
			}
			if r.DocNumber != "" && !strings.Contains(info.Text, "文号："+r.DocNumber) {
				t.Errorf("info passage %q lacks 文号 %q", info.Text, r.DocNumber)
			}
			for i, p := range r.Passages {
				if p.Seq != i || p.Keywords != nil {
					t.Errorf("passage %d: Seq = %d, Keywords = %v", i, p.Seq, p.Keywords)
				}
				if p.Text == "" || p.Text != strings.TrimSpace(p.Text) {
					t.Errorf("passage %d %q: text %q is empty or untrimmed", i, p.Path, p.Text)
				}
				if p.Text == "江津发布" || strings.HasPrefix(p.Text, "重庆市江津区") && len([]rune(p.Text)) < 20 {
					t.Errorf("passage %d is page chrome or a signature: %q", i, p.Text)
				}
				for _, n := range noise {
					if strings.Contains(p.Text, n) {
						t.Errorf("passage %d %q contains %q: %q", i, p.Path, n, p.Text)
					}
				}
				for _, label := range p.Path {
					if label == "" {
						t.Errorf("passage %d has an empty path element: %q", i, p.Path)
					}
				}
			}
		})
	}
}

// question is one line of testdata/questions.jsonl.
type question struct {
	ID     string          `json:"id"`
	Report json.RawMessage `json:"report"`
	Expect [][]string      `json:"expect"`
}

// reports returns the report ids a question is answered from.
func (q question) reports(t *testing.T) []string {
	var one string
	if json.Unmarshal(q.Report, &one) == nil {
		if one == "" {
			return nil
		}
		return []string{one}
	}
	var many []string
	if err := json.Unmarshal(q.Report, &many); err != nil {
		t.Fatalf("%s: report %s: %v", q.ID, q.Report, err)
	}
	return many
}

func TestParseAnswersOccurVerbatimInPassages(t *testing.T) {
	reports := map[string]*Report{}
	for _, file := range corpusFiles {
		r := parseFixture(t, file)
		reports[string(r.ID)] = r
	}
	f, err := os.Open(filepath.Join("testdata", "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checked := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q question
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("questions.jsonl: %v", err)
		}
		ids := q.reports(t)
		for _, alts := range q.Expect {
			for _, s := range alts {
				found := false
				for _, id := range ids {
					r, ok := reports[id]
					if !ok {
						t.Fatalf("%s: unknown report %q", q.ID, id)
					}
					found = found || passageWith(r, s) != nil
				}
				if !found {
					t.Errorf("%s: %q is in no passage of %v", q.ID, s, ids)
				}
				checked++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("checked only %d expected strings", checked)
	}
}
