package knowledge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"fazhibot/knowledge"
)

func TestAnswer(t *testing.T) {
	base, _ := loadFixtureBase(t)
	tests := []struct {
		question   string
		answered   bool
		reason     knowledge.Reason
		report     knowledge.ReportID // of the top hit, when answered
		contains   []string           // in the reply text
		notContain []string
	}{
		{question: "生态环境局2020年罚了多少钱", answered: true, report: "jj-sthjj-2020",
			contains: []string{"【江津区生态环境局·2020年度", "316.79万元", "出处:一、主要工作"}},
		{question: "环保局20年下了几份处罚决定", answered: true, report: "jj-sthjj-2020", contains: []string{"30件"}},
		{question: "生态环境局二〇二一年罚款多少", answered: true, report: "jj-sthjj-2021", contains: []string{"412.36万元"}},
		{question: "环保局去年罚款多少", answered: true, report: "jj-sthjj-2021", contains: []string{"412.36万元"}},
		// A typo the segmenter cannot know: the bigrams still find 行政复议.
		{question: "2021年幸政复议申请收到多少件", answered: true, report: "jj-sfj-2021", contains: []string{"186件"}},
		// Synonyms: 黑车 is 非法营运, 律所 is 律师事务所.
		{question: "2020年查了多少辆黑车", answered: true, report: "jj-jtj-2020", contains: []string{"327辆"}},
		{question: "交通局的法律顾问是哪个律所", answered: true, report: "jj-jtj-2020", contains: []string{"砚川律师事务所"}},
		// Two departments named: the first is the one asked about.
		{question: "司法局2021年帮区政府审合同,涉及金额多少", answered: true, report: "jj-sfj-2021", contains: []string{"86.4亿元"}},
		// The HTML table row and the docx document number are searchable.
		{question: "交通局2020年查处非法营运车辆多少辆", answered: true, report: "jj-jtj-2020", contains: []string{"327辆"}},
		{question: "住建委那个法治报告的文号是多少", answered: true, report: "jj-zjw-2021", contains: []string{"津建委〔2022〕17号"}},

		{question: "环保局现在是哪个在当局长", reason: knowledge.ReasonOfficial, contains: []string{"没有公布领导干部的个人信息"}},
		{question: "生态环境局2019年罚了多少钱", reason: knowledge.ReasonYearNotCovered,
			contains: []string{"2019年度", "江津区生态环境局已收录:2020、2021年度"}},
		{question: "2018年罚款多少", reason: knowledge.ReasonYearNotCovered, contains: []string{"2018年度", "目前收录了8个部门的9份报告,回复\"报告列表\"查看"}},
		{question: "公安局2021年罚了多少钱", reason: knowledge.ReasonDeptNotCovered, contains: []string{"江津区公安局"}},
		{question: "明天江津天气怎么样", reason: knowledge.ReasonLowConfidence, contains: []string{"没有找到", "回复\"报告列表\""}},
		{question: "交通局2020年天气怎么样", reason: knowledge.ReasonLowConfidence, contains: []string{"没有找到", "江津区交通局已收录:2020年度。"}},
		{question: "教委2022年高考本科上线率多少", reason: knowledge.ReasonLowConfidence},
		{question: "帮我预约一下结婚登记", reason: knowledge.ReasonActionRequest, contains: []string{"无法代为办理"}},
		{question: "市场监管局局长是谁", reason: knowledge.ReasonOfficial, contains: []string{"个人信息"}},
		{question: "谁是司法局的负责人", reason: knowledge.ReasonOfficial},
		// A question about who advises the bureau is not about an official.
		{question: "交通局的法律顾问是谁", answered: true, report: "jj-jtj-2020", contains: []string{"砚川律师事务所"}},
		{question: "怎么用", reason: knowledge.ReasonNoTerms},
		{question: "", reason: knowledge.ReasonNoTerms},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a, err := base.Answer(context.Background(), knowledge.Query{Text: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			if a.Answered != tt.answered || a.Reason != tt.reason {
				t.Fatalf("answered=%v reason=%q, want %v %q; reply:\n%s", a.Answered, a.Reason, tt.answered, tt.reason, a.Text)
			}
			if tt.answered && a.Hits[0].ReportID != tt.report {
				t.Errorf("top hit from %s, want %s", a.Hits[0].ReportID, tt.report)
			}
			for _, s := range tt.contains {
				if !strings.Contains(a.Text, s) {
					t.Errorf("reply lacks %q:\n%s", s, a.Text)
				}
			}
			if len(a.Text) > knowledge.MaxReplyBytes || !utf8.ValidString(a.Text) {
				t.Errorf("reply is %d bytes or invalid UTF-8", len(a.Text))
			}
		})
	}
}

func TestAnswerWithContext(t *testing.T) {
	base, _ := loadFixtureBase(t)
	// "合格率呢" alone is vague; with the topic of the previous turn it
	// finds the food-sampling passage.
	first := base.Understand(knowledge.Query{Text: "市场监管局2022年食品抽检了多少批次"})
	a, err := base.Answer(context.Background(), knowledge.Query{
		Text: "合格率呢", Year: first.Year, Department: first.Department, Context: first.Terms,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "98.17%") {
		t.Fatalf("answered=%v, want the 98.17%% figure:\n%s", a.Answered, a.Text)
	}
}

func TestUnderstand(t *testing.T) {
	base, _ := loadFixtureBase(t)
	tests := []struct {
		question string
		year     int
		dept     string
		action   bool
		terms    []string // must all be among the terms
	}{
		{"生态环境局2020年罚了多少钱", 2020, "江津区生态环境局", false, []string{"罚款"}},
		{"环保局20年下了几份处罚决定", 2020, "江津区生态环境局", false, []string{"处罚", "决定"}},
		{"二〇二一年市监局罚没款", 2021, "江津区市场监督管理局", false, []string{"罚款"}},
		{"环保局二零年罚款多少", 2020, "江津区生态环境局", false, []string{"罚款"}},
		{"二一年环保局罚款多少", 2021, "江津区生态环境局", false, []string{"罚款"}},
		{"环保局一二年罚款多少", 0, "江津区生态环境局", false, []string{"罚款"}}, // 2012: a duration as likely

		{"人社局去年劳动仲裁收了多少案子", 2021, "江津区人力资源和社会保障局", false, []string{"劳动仲裁", "受理", "案件"}},
		{"前年的复议", 2020, "", false, []string{"行政复议"}},
		{"近10年的变化", 0, "", false, nil},
		{"帮我打个12345投诉", 0, "", true, nil},
		{"司法局帮区政府审合同", 0, "江津区司法局", false, []string{"合同"}},
		{"环保局20年是不是搞了双随机抽查", 2020, "江津区生态环境局", false, []string{"抽查"}},
		// Spoken nouns the reports do not use are read by their character,
		// which the reports write inside their own words (车辆).
		{"交通局20年查超载的车子查了多少辆", 2020, "江津区交通局", false, []string{"车"}},
		{"住建委2021年老旧小区改造了好大面积", 2021, "江津区住房和城乡建设委员会", false, []string{"面积"}},
		// Numbers as spoken; a yes-or-no clause the question goes on after.
		{"教委二零二二年幺二三四五的工单有多少件", 2022, "江津区教育委员会", false, []string{"12345", "工单"}},
		{"环保局两千零二十一年罚款多少", 2021, "江津区生态环境局", false, []string{"罚款"}},
		{"住建委二一年官司输了没得 为啥子输的", 2021, "江津区住房和城乡建设委员会", false, []string{"败诉"}},
		// A word split around what is asked (立了几个案) is read whole.
		{"环保局20年立了几个案", 2020, "江津区生态环境局", false, []string{"立案"}},
		// 遭 as Chongqing speech says 被.
		{"司法局21年遭告了几回", 2021, "江津区司法局", false, []string{"行政诉讼"}},
		// The people who do something, as the reports name them.
		{"环保局2020年执法的人都有证没得", 2020, "江津区生态环境局", false, []string{"执法人员", "持证"}},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			u := base.Understand(knowledge.Query{Text: tt.question, Now: fixtureNow})
			if u.Year != tt.year || u.Department != tt.dept || u.Action != tt.action {
				t.Errorf("got year=%d dept=%q action=%v, want %d %q %v", u.Year, u.Department, u.Action, tt.year, tt.dept, tt.action)
			}
			for _, w := range tt.terms {
				found := false
				for _, got := range u.Terms {
					found = found || got == w
				}
				if !found {
					t.Errorf("terms %v lack %q", u.Terms, w)
				}
			}
			for _, got := range u.Terms {
				if got == "多少" || got == "几份" || got == "吗" || got == "是不是" || got == "不是" || got == "大面积" || got == "多大" || got == "没有" || got == "输" {
					t.Errorf("question word %q kept in terms %v", got, u.Terms)
				}
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "罚款316.79万元。", 100, "罚款316.79万元。"},
		{"at a sentence end", "第一句。第二句很长很长很长。", 20, "第一句。…"},
		{"never inside a number", "共计罚款316.79万元", 17, "共计罚款…"},
		{"never inside a character", "行政复议", 7, "行…"},
		{"too small", "行政复议", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := knowledge.Truncate(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if len(got) > tt.max || !utf8.ValidString(got) {
				t.Errorf("result %q is %d bytes (max %d) or invalid UTF-8", got, len(got), tt.max)
			}
		})
	}
}

func TestRenderHitLongPassage(t *testing.T) {
	h := knowledge.Hit{Department: "江津区司法局", Year: 2021, Path: []string{"一、总体情况", "1.复议"}}
	excerpt := strings.Repeat("全年共收到行政复议申请186件,罚款316.79万元。", 100)
	got := knowledge.RenderHit(h, excerpt)
	if len(got) > knowledge.MaxReplyBytes {
		t.Fatalf("rendered %d bytes, more than %d", len(got), knowledge.MaxReplyBytes)
	}
	if !strings.HasPrefix(got, "【江津区司法局·2021年度") || !strings.HasSuffix(got, "(出处:一、总体情况 > 1.复议)") {
		t.Errorf("source must come first and the section last:\n%s", got)
	}
	if strings.Contains(got, "316.7…") || strings.Contains(got, "18…") {
		t.Errorf("a number was cut:\n%s", got)
	}
}

// TestAnswerAsksForAKindOfFact covers questions that a passage on the
// topic does not answer unless it states that kind of fact (a ranking,
// contact details, a sum of money, a meaning, a name), questions for a kind of passage
// (shortcomings, causes), and questions about the report itself.
func TestAnswerAsksForAKindOfFact(t *testing.T) {
	base, _ := loadFixtureBase(t)
	for _, tc := range []struct {
		q        string
		answered bool
		want     string
	}{
		{"生态环境局2020年的报告是哪天发布的", true, "发布日期是2021-02-18"},
		{"环保局20年那份报告是什么时候发出来的", true, "2021-02-18"},
		{"环保局20年的报告啥时候发的", true, "2021-02-18"},
		{"教委2022年那份报告文号是多少", true, "津教委〔2023〕9号"},
		{"教委2022年管校外培训的那个文件 文号是好多", false, ""}, // another document: not the report's number
		{"22年12345热线哪个镇街投诉最多", false, ""},
		{"教委2022年哪个培训机构收费最贵", false, ""},
		// How to, where to, what to do: the quote must say by what means.
		{"我的排污许可证丢了咋个补办", false, ""},
		{"农民工工资被拖欠了找哪个", false, ""},
		// Which department: every report of the year is asked (see
		// TestAnswerComparison); a single passage never ranks them.
		{"2022年哪个部门的消费投诉最多", true, "1. 江津区市场监督管理局:8046件"},
		{"司法局请的律师事务所电话是多少", false, ""},
		{"12345热线电话是多少", true, "12345"},
		// A sum of money: the passage on the topic must state one.
		{"司法局2021年行政复议涉及金额多少", false, ""},
		{"2020年交通局罚款多少", true, "613.5万元"},
		// Shortcomings come from the part of the report that lists them,
		// whichever word its heading uses (存在的问题).
		{"住建委2021年有哪些问题", true, "出处:二、存在的问题"},
		{"教委2022年存在哪些不足", true, "出处:二、存在的问题"},
		// …and quote one: the sentence that names a shortcoming, and the
		// items a short introduction leads into (一是…, passages of their own).
		{"生态环境局2020年普法有什么不足", true, "形式还不够多样化"},
		{"环保局2020年普法有啥子毛病", true, "形式还不够多样化"}, // 毛病 only asks for them
		{"区政府2022年存在哪些不足", true, "“重业务、轻法治”"},
		// A count of problems found is not a question about shortcomings.
		{"司法局2021年专项督察发现了多少个问题", true, "发现问题47个"},
		// What a term means: a passage that spells it out, not one that
		// merely uses it; what a thing is called: a passage that names it.
		{"三线一单是什么意思", true, "生态保护红线"},
		{"行政复议是什么意思", false, ""},
		// A report's own programme is told by the passage its heading
		// names, in whatever words.
		{"市监局搞的那个一业一证是啥意思", true, "一证准营"},
		{"环保局落实三重一大的规则叫什么", true, "重要事项议事规则"},
		{"环保局2020年三重一大的规则名字是什么", true, "重要事项议事规则"},
		{"环保局三重一大的规则叫什么名称", true, "重要事项议事规则"},
		// A figure in a unit: the sentence that states one in it.
		{"劳动仲裁的小额案件平均要多久才能审完", true, "28天"},
		// Another department's passage answers for a department that has a
		// report of the year only when it names that department.
		{"环保局2020年收到多少件环境信访投诉", false, ""},
		// The words of a phrase the term lists read as another (公司 of
		// 注册公司, read as 企业开办) need not be in the passage.
		{"市场监管局2022年注册公司全流程要多久", true, "0.5个工作日"},
		// What kind of figure is asked for (金额) need not be named.
		{"生态环境局2020年的罚款金额是多少", true, "316.79万元"},
		// A passage whose heading names the topic is about it.
		{"市场监管局2022年学校食堂食品安全做了什么", true, "明厨亮灶"},
		// A day: 什么时候 asks, it is no term; the sentence with the date;
		// another report when the department's passage has none.
		{"交通局综合执法支队什么时候挂牌", true, "2020年9月28日"},
		{"行政复议什么时候开始由区政府统一办理", true, "2021年7月1日"},
		// How to do something: the passage and sentence that say by what
		// means.
		{"行政复议去哪申请 能寄过去吗", true, "邮寄申请"},
		// The plans as a whole: the first sentence of each item of the part
		// on plans, the part as the source.
		{"教委2023年有什么打算", true, "二是持续巩固“双减”成果"},
		{"教委2023年有什么打算", true, "五是创新青少年法治教育形式"},
		{"教委2023年有什么打算", true, "出处:三、2023年工作打算)"},
		// A cause: the sentence that gives it.
		{"生态环境局2021年工作有差距的原因是什么", true, "主要原因是生态环境法律法规更新较快"},
	} {
		a, err := base.Answer(context.Background(), knowledge.Query{Text: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered != tc.answered || !strings.Contains(a.Text, tc.want) {
			t.Errorf("%s: answered=%v %q, want answered=%v containing %q", tc.q, a.Answered, firstLine(a.Text), tc.answered, tc.want)
		}
	}
}

func TestAnswerPlansOfTheNextYear(t *testing.T) {
	base, _ := loadFixtureBase(t)
	a, err := base.Answer(context.Background(), knowledge.Query{Text: "人社局2024年打算怎么治理欠薪"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.HasPrefix(a.Text, "2024年的工作打算写在2023年度的报告中") || a.Hits[0].ReportID != "jj-rsj-2023" {
		t.Errorf("answered=%v %q", a.Answered, a.Text)
	}
	// What is still to come (要达到) is asked of the plans too.
	a, err = base.Answer(context.Background(), knowledge.Query{Text: "人社局2024年欠薪要治理到啥程度"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || a.Hits[0].ReportID != "jj-rsj-2023" {
		t.Errorf("answered=%v %q", a.Answered, a.Text)
	}
	// Without asking about plans, a year with no report stays not covered.
	a, err = base.Answer(context.Background(), knowledge.Query{Text: "人社局2024年罚款多少"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Answered || a.Reason != knowledge.ReasonYearNotCovered {
		t.Errorf("answered=%v reason=%s %q", a.Answered, a.Reason, a.Text)
	}
}

// TestAnswerComparison checks that a comparison quotes each report's
// figure with its passage, and that Query.Years makes a follow-up one.
func TestAnswerComparison(t *testing.T) {
	base, _ := loadFixtureBase(t)
	for _, tc := range []struct {
		q       knowledge.Query
		figures []string // Figure.Text, in order
		reports []knowledge.ReportID
		want    string
	}{
		{knowledge.Query{Text: "生态环境局2021年比2020年罚款多了多少"}, []string{"316.79万元", "412.36万元"},
			[]knowledge.ReportID{"jj-sthjj-2020", "jj-sthjj-2021"}, "增长30.2%"},
		{knowledge.Query{Text: "生态环境局2021年罚款多少", Years: []int{2021, 2020}}, []string{"316.79万元", "412.36万元"},
			[]knowledge.ReportID{"jj-sthjj-2020", "jj-sthjj-2021"}, "95.57万元"},
		{knowledge.Query{Text: "哪个部门2021年行政诉讼案件最多"}, []string{"74件", "8件", "1件"},
			[]knowledge.ReportID{"jj-sfj-2021", "jj-zjw-2021", "jj-sthjj-2021"}, "1. 江津区司法局:74件"},
		{knowledge.Query{Text: "哪个部门2020年食品抽检合格率最高"}, nil, nil, "都没有提到这一数字,无法排名"},
		// 分别 within one year asks for two figures of it, not a series.
		{knowledge.Query{Text: "生态环境局2020年罚款和查封分别是多少"}, nil, nil, "316.79万元"},
	} {
		a, err := base.Answer(context.Background(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var figs []string
		var reports []knowledge.ReportID
		for i, f := range a.Figures {
			figs = append(figs, f.Text)
			reports = append(reports, a.Hits[i].ReportID)
		}
		if fmt.Sprint(figs) != fmt.Sprint(tc.figures) || fmt.Sprint(reports) != fmt.Sprint(tc.reports) || !strings.Contains(a.Text, tc.want) {
			t.Errorf("%s: figures %v from %v, reply:\n%s\nwant %v from %v containing %q", tc.q.Text, figs, reports, a.Text, tc.figures, tc.reports, tc.want)
		}
	}
}
