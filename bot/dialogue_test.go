package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fazhibot/knowledge"
)

// harness drives a Dialogue for one test and checks every reply's size.
type harness struct {
	t     *testing.T
	d     *Dialogue
	store *fakeStore
	log   *recorder
}

func newHarness(t *testing.T, k Knowledge, tweak func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, store: newFakeStore(), log: &recorder{}}
	opts := Options{Knowledge: k, Sessions: h.store, Limiter: h.store, Logger: h.log}
	if tweak != nil {
		tweak(&opts)
	}
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	return h
}

func (h *harness) send(m Message) Reply {
	h.t.Helper()
	if m.Channel == "" {
		m.Channel = ChannelAPI
	}
	if m.User == "" {
		m.User = "u1"
	}
	if m.Kind == "" {
		m.Kind = KindText
	}
	if m.PageBytes == 0 {
		m.PageBytes = testPageBytes
	}
	r := h.d.Respond(context.Background(), m)
	if len(r.Text) > m.PageBytes || !utf8.ValidString(r.Text) {
		h.t.Fatalf("%q: reply of %d bytes (valid UTF-8: %v)", m.Text, len(r.Text), utf8.ValidString(r.Text))
	}
	return r
}

// testPageBytes is the page size the harness's door asks for: about what
// WeChat's door leaves for the text of a 2048-byte message.
const testPageBytes = 2000

func (h *harness) say(text string) Reply {
	h.t.Helper()
	return h.send(Message{Text: text})
}

// last returns the newest log entry.
func (h *harness) last() LogEntry {
	h.t.Helper()
	all := h.log.all()
	if len(all) == 0 {
		h.t.Fatal("nothing logged")
	}
	return all[len(all)-1]
}

// session decodes the stored session of user u1 on the API channel.
func (h *harness) session() Session {
	h.t.Helper()
	h.store.mu.Lock()
	data := h.store.sessions["api:u1"]
	h.store.mu.Unlock()
	s := decodeSession(data, h.d.current())
	if len(data) == 0 || data[0] != sessionMagic {
		h.t.Fatalf("stored session %q", data)
	}
	return s
}

// step is one turn of a scripted conversation and what its reply must be.
type step struct {
	say      string
	contains string // "" to skip
	answered bool
	intent   Intent
	followUp FollowUp // checked when intent is a question's
}

func (h *harness) run(steps []step) {
	h.t.Helper()
	for i, st := range steps {
		r := h.say(st.say)
		e := h.last()
		if r.Answered != st.answered || r.Intent != st.intent || !strings.Contains(r.PlainText(), st.contains) {
			h.t.Fatalf("turn %d %q: got answered=%v intent=%s (follow-up %s)\n%s\nwant answered=%v intent=%s containing %q",
				i+1, st.say, r.Answered, r.Intent, e.FollowUp, r.Text, st.answered, st.intent, st.contains)
		}
		if st.followUp != FollowUpNone && e.FollowUp != st.followUp {
			h.t.Fatalf("turn %d %q: read as %q, want %q", i+1, st.say, e.FollowUp, st.followUp)
		}
	}
}

func TestFollowUps(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"year", []step{
			{"生态环境局2020年罚款多少", "316.79万元", true, IntentAnswer, FollowUpNew},
			{"那2021年呢", "412.36万元", true, IntentAnswer, FollowUpRefine},
		}},
		{"department", []step{
			{"交通局2020年罚款罚了多少", "613.5万元", true, IntentAnswer, FollowUpNew},
			{"生态环境局呢", "316.79万元", true, IntentAnswer, FollowUpRefine},
		}},
		{"department without that year", []step{
			{"生态环境局2020年罚款多少", "316.79万元", true, IntentAnswer, FollowUpNew},
			{"司法局呢", "江津区司法局", false, IntentNotCovered, FollowUpRefine},
		}},
		{"another department and the topic's words", []step{
			{"区政府二二年公平竞争审查审了好多个文件", "152件", true, IntentAnswer, FollowUpNew},
			{"换成市监局呢 审了好多", "137件", true, IntentAnswer, FollowUpRefine},
		}},
		{"department with another year", []step{
			{"人社局23年12345转过来的工单有好多件", "5836件", true, IntentAnswer, FollowUpNew},
			{"教委呢", "6918件", true, IntentAnswer, FollowUpRefine},
		}},
		{"department with another year says so", []step{
			{"人社局23年12345转过来的工单有好多件", "5836件", true, IntentAnswer, FollowUpNew},
			{"教委呢", "江津区教育委员会没有2023年度的报告(已收录2022年度),以下是2022年度的内容", true, IntentAnswer, FollowUpRefine},
		}},
		{"a yes-or-no follow-up in plain words stays with the topic's report", []step{
			{"交通局2020年行政复议有几件", "3件", true, IntentAnswer, FollowUpNew},
			{"那被告上法院输了没有", "我局胜诉", true, IntentAnswer, FollowUpContext},
		}},
		{"a follow-up after a miss keeps its topic", []step{
			{"生态环境局2019年罚款多少", "2019年度", false, IntentNotCovered, FollowUpNew},
			{"那2021年呢", "412.36万元", true, IntentAnswer, FollowUpRefine},
		}},
		{"typos and dialect, then a follow-up", []step{
			{"司法局21年行政复义依法受理了好多件", "163件", true, IntentAnswer, FollowUpNew},
			{"审结了好多", "151件", true, IntentAnswer, FollowUpContext},
		}},
		{"another department's report names the one asked about", []step{
			{"区政府21年清理了好多件红头文件", "目前没有收录江津区人民政府2021年度的报告,江津区司法局2021年度报告中提到", true, IntentAnswer, FollowUpNew},
			{"那2022年呢", "江津区人民政府·2022年度", true, IntentAnswer, FollowUpRefine},
		}},
		{"context", []step{
			{"市场监管局2022年食品抽检了多少批次", "5126批次", true, IntentAnswer, FollowUpNew},
			{"合格率呢", "98.17%", true, IntentAnswer, FollowUpContext},
		}},
		{"context of the topic's department", []step{
			{"区政府2022年行政复议收了多少件申请", "312件", true, IntentAnswer, FollowUpNew},
			{"纠错了多少件", "31件", true, IntentAnswer, FollowUpContext},
		}},
		{"context without filters", []step{
			{"学校有法治副校长吗", "263名", true, IntentAnswer, FollowUpNew},
			{"一共多少名", "263名", true, IntentAnswer, FollowUpContext},
		}},
		{"unanswered follow-up keeps the topic", []step{
			{"区政府2022年行政复议收了多少件申请", "312件", true, IntentAnswer, FollowUpNew},
			{"涉及多少人", "江津区人民政府2022年度", false, IntentNotCovered, FollowUpContext},
			{"纠错了多少件", "31件", true, IntentAnswer, FollowUpContext},
		}},
		{"suing in dialect", []step{
			{"区政府2022年行政复议收了多少件申请", "312件", true, IntentAnswer, FollowUpNew},
			{"那遭别个告上法庭的官司最后输了几件", "败诉6件", true, IntentAnswer, FollowUpContext},
		}},
		{"a miss keeps the department", []step{
			{"区政府2022年行政复议收了多少件申请", "312件", true, IntentAnswer, FollowUpNew},
			{"江津新楼盘的房价和物价涨了好多", "没有找到", false, IntentNotCovered, FollowUpNew},
			{"行政复议案件受理了好多件", "312件", true, IntentAnswer, FollowUpFilters},
		}},
		{"a year without a report does not stay", []step{
			{"交通局2020年罚款罚了多少", "613.5万元", true, IntentAnswer, FollowUpNew},
			{"那2021年呢", "2021年度", false, IntentNotCovered, FollowUpRefine},
			{"查了好多辆黑车", "327辆", true, IntentAnswer, FollowUpContext},
		}},
		{"two words of its own stand in the topic's department", []step{
			{"生态环境局2020年审批时间缩短了好多", "缩短85%", true, IntentAnswer, FollowUpNew},
			{"普法有啥子不够的", "形式还不够多样化", true, IntentAnswer, FollowUpFilters},
		}},
		{"a year alone stays in the department", []step{
			{"生态环境局2020年聘请了几名法律顾问", "法律顾问1名", true, IntentAnswer, FollowUpNew},
			{"2021年罚款多少", "412.36万元", true, IntentAnswer, FollowUpFilters},
		}},
		{"fresh question", []step{
			{"生态环境局2020年罚款多少", "316.79万元", true, IntentAnswer, FollowUpNew},
			{"2022年江津新登记了多少市场主体", "21806户", true, IntentAnswer, FollowUpNew},
			{"交通局2020年罚款罚了多少", "613.5万元", true, IntentAnswer, FollowUpNew},
		}},
		{"request to act keeps the topic", []step{
			{"生态环境局2020年罚款多少", "316.79万元", true, IntentAnswer, FollowUpNew},
			{"帮我在网上预约一下结婚登记", "无法代为办理", false, IntentNotCovered, FollowUpNew},
			{"那2021年呢", "412.36万元", true, IntentAnswer, FollowUpRefine},
		}},
		{"reset forgets the topic", []step{
			{"生态环境局2020年罚款多少", "316.79万元", true, IntentAnswer, FollowUpNew},
			{"重置", resetText, false, IntentReset, FollowUpNone},
			{"那2021年呢", "没有找到", false, IntentNotCovered, FollowUpNew},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newHarness(t, mustBase(t), nil).run(tt.steps)
		})
	}
}

func TestRelativeYearFollowUp(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	sent := time.Date(2022, 3, 1, 9, 0, 0, 0, time.Local) // 去年 is 2021
	h.send(Message{Text: "生态环境局2020年罚款多少", Time: sent})
	r := h.send(Message{Text: "去年的呢", Time: sent})
	if !r.Answered || !strings.Contains(r.PlainText(), "412.36万元") {
		t.Fatalf("去年的呢 in 2022: %v %q", r.Answered, r.Text)
	}
	if e := h.last(); e.FollowUp != FollowUpRefine || e.Year != 2021 || e.Department != "江津区生态环境局" {
		t.Fatalf("logged %s %d %q, want refine 2021 江津区生态环境局", e.FollowUp, e.Year, e.Department)
	}
}

func TestSessionSchema(t *testing.T) {
	h := newHarness(t, mustBase(t), func(o *Options) { o.SessionTTL = 10 * time.Minute })
	first := h.say("生态环境局2020年罚款多少")
	s := h.session()
	if s.Version != sessionVersion || s.Topic == nil || s.Query == nil {
		t.Fatalf("session %+v", s)
	}
	want := Topic{Question: "生态环境局2020年罚款多少", Terms: []string{"罚款"}, Year: 2020, Department: "江津区生态环境局"}
	if fmt.Sprint(*s.Topic) != fmt.Sprint(want) {
		t.Errorf("topic %+v, want %+v", *s.Topic, want)
	}
	if s.Shown != 0 || len(s.Hits) == 0 || s.Hits[0].ReportID != "jj-sthjj-2020" || !strings.Contains(s.Hits[0].hit().Text, "316.79万元") {
		t.Errorf("shown %d of hits %+v", s.Shown, s.Hits)
	}
	if s.Exchange != first.Exchange || len(s.Exchange) != 16 {
		t.Errorf("exchange %q, want %q (16 hex digits)", s.Exchange, first.Exchange)
	}
	if ttl := h.store.ttls["api:u1"]; ttl != 10*time.Minute {
		t.Errorf("ttl %v", ttl)
	}
	// Corrupt or foreign data is a fresh session, not an error.
	for _, data := range []string{"not json", `{"v":1,"topic":{"question":"x"},"shown":0}`, "\xb5\x63"} {
		if s := decodeSession([]byte(data), nil); s.Topic != nil || s.Shown != -1 {
			t.Errorf("decodeSession(%q) = %+v", data, s)
		}
	}
}

func TestPagingAndDetail(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	first := h.say("区政府2022年行政复议收了多少件申请")
	if !first.Answered || len(first.Hits) < 3 {
		t.Fatalf("first answer %v with %d hits", first.Answered, len(first.Hits))
	}
	detail := h.say("详情")
	if detail.Intent != IntentDetail || !detail.Answered || !strings.Contains(detail.PlainText(), first.Hits[0].Text) {
		t.Fatalf("详情: %s %q", detail.Intent, detail.Text)
	}
	// 更多 walks down the ranked hits that are related enough.
	for i := 1; i < len(first.Hits); i++ {
		r := h.say("更多")
		if first.Hits[i].Confidence < relatedConfidence {
			if r.Text != noMoreText {
				t.Fatalf("更多 #%d past the related hits: %q", i, r.Text)
			}
			break
		}
		want := first.Hits[i]
		if r.Intent != IntentMore || !r.Answered || len(r.Hits) != 1 || r.Hits[0].ReportID != want.ReportID || r.Hits[0].Seq != want.Seq ||
			!strings.HasPrefix(r.Text, fmt.Sprintf("第%d条相关内容:\n", i+1)) {
			t.Fatalf("更多 #%d: %s %v %q", i, r.Intent, r.Hits, r.Text)
		}
		// 详情 now shows the passage just paged to.
		if d := h.say("全文"); !strings.Contains(d.PlainText(), want.Text) {
			t.Fatalf("全文 after 更多 #%d: %q", i, d.Text)
		}
	}
	r := h.say("下一条")
	for i := 0; i < maxHits && r.Text != noMoreText; i++ {
		r = h.say("下一条")
	}
	if r.Text != noMoreText || r.Answered {
		t.Fatalf("下一条 never ran out: %q", r.Text)
	}

	fresh := newHarness(t, mustBase(t), nil)
	for _, cmd := range []string{"详情", "更多"} {
		if r := fresh.say(cmd); r.Answered || !strings.Contains(r.PlainText(), "请先提出您的问题") {
			t.Errorf("%s with no question: %v %q", cmd, r.Answered, r.Text)
		}
	}
}

// handMade builds a small knowledge base of made-up reports: two reports
// with the same passage (a close call) and one with a very long passage.
var handMade = sync.OnceValues(func() (*knowledge.Base, error) {
	k, err := testKit()
	if err != nil {
		return nil, err
	}
	same := "全年开展法治讲座12场,参与群众3000人次。"
	var long strings.Builder
	long.WriteString("校舍安全改造工程情况如下")
	for i := 1; long.Len() < 5000; i++ {
		fmt.Fprintf(&long, "第%d批校舍安全改造完成投资316.79万元惠及学生1234名", i)
	}
	reports := []*knowledge.Report{
		{ID: "t-sfj-2021", Title: "司法局2021年度报告", Department: "江津区司法局", Year: 2021, Passages: []knowledge.Passage{
			{Seq: 0, Path: []string{"一、主要工作", "(一)开展法治宣传"}, Text: same},
		}},
		{ID: "t-jtj-2021", Title: "交通局2021年度报告", Department: "江津区交通局", Year: 2021, Passages: []knowledge.Passage{
			{Seq: 0, Path: []string{"一、主要工作", "(一)开展法治宣传"}, Text: same},
		}},
		{ID: "t-jw-2022", Title: "教委2022年度报告", Department: "江津区教育委员会", Year: 2022, Passages: []knowledge.Passage{
			{Seq: 0, Path: []string{"一、主要工作", "(二)校舍安全改造"}, Text: long.String()},
		}},
	}
	return knowledge.Build(reports, knowledge.Options{Segmenter: k.seg, Terms: k.terms})
})

func mustHandMade(t *testing.T) *knowledge.Base {
	t.Helper()
	b, err := handMade()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCloseHitsAndDigitChoice(t *testing.T) {
	h := newHarness(t, mustHandMade(t), nil)
	r := h.say("2021年开展了多少场法治讲座")
	want := Reply{Text: "您是否想问:", Choices: []string{"区司法局2021年度:(一)开展法治宣传", "区交通局2021年度:(一)开展法治宣传"}, Note: "请回复数字查看。"}
	if r.Intent != IntentClarify || r.Answered || r.Text != want.Text || !slices.Equal(r.Choices, want.Choices) || r.Note != want.Note {
		t.Fatalf("close hits: %s %v\n%+v\nwant\n%+v", r.Intent, r.Answered, r, want)
	}
	if got, want := r.PlainText(), "您是否想问:\n1. 区司法局2021年度:(一)开展法治宣传\n2. 区交通局2021年度:(一)开展法治宣传\n请回复数字查看。"; got != want {
		t.Fatalf("PlainText:\n%s\nwant\n%s", got, want)
	}
	for _, tt := range []struct {
		say, contains string
		answered      bool
		intent        Intent
	}{
		{"5", "请回复1到2之间的数字", false, IntentChoice},
		{"２", "【江津区交通局·2021年度法治政府建设报告】\n全年开展法治讲座12场", true, IntentChoice},
		{"1", "请直接输入您的问题", false, IntentChoice}, // the choices are used up
	} {
		r := h.say(tt.say)
		if r.Intent != tt.intent || r.Answered != tt.answered || !strings.Contains(r.PlainText(), tt.contains) {
			t.Fatalf("%q: %s %v %q", tt.say, r.Intent, r.Answered, r.Text)
		}
	}
	// Naming the department makes the question clear.
	if r := h.say("司法局2021年开展了多少场法治讲座"); r.Intent != IntentAnswer || !strings.Contains(r.PlainText(), "江津区司法局") {
		t.Fatalf("named department: %s %q", r.Intent, r.Text)
	}
}

func TestLongPassageSplit(t *testing.T) {
	h := newHarness(t, mustHandMade(t), nil)
	first := h.say("2022年校舍安全改造投资多少")
	if !first.Answered || first.Hits[0].ReportID != "t-jw-2022" {
		t.Fatalf("first: %v %q", first.Answered, first.Text)
	}
	full := fullText(first.Hits[0])
	const page = testPageBytes
	say := h.say
	var bodies []string
	for r := say("详情"); ; r = say("更多") {
		if !r.Answered || len(r.Text) > page {
			t.Fatalf("page %d: answered=%v, %d bytes", len(bodies)+1, r.Answered, len(r.Text))
		}
		bodies = append(bodies, r.Text)
		if r.Next != NextPage {
			break
		}
		if len(r.Text) < page-60 {
			t.Errorf("page %d is only %d bytes", len(bodies), len(r.Text))
		}
		if len(bodies) > 10 {
			t.Fatal("never ends")
		}
	}
	if len(bodies) < 3 || strings.Join(bodies, "") != full {
		t.Fatalf("%d chunks do not add up to the passage of %d bytes", len(bodies), len(full))
	}
	for i := 1; i < len(bodies); i++ { // no number was cut in two
		last, _ := utf8.DecodeLastRuneInString(bodies[i-1])
		next, _ := utf8.DecodeRuneInString(bodies[i])
		if isNumberRune(last) && isNumberRune(next) {
			t.Errorf("chunks %d and %d split a number: …%s | %s…", i, i+1, bodies[i-1][len(bodies[i-1])-6:], bodies[i][:6])
		}
	}
	if r := say("更多"); r.Intent != IntentMore || r.Text == "" {
		t.Errorf("更多 after the last page: %s %q", r.Intent, r.Text)
	}
	// A door without a page size gets the passage whole.
	whole := h.d.Respond(context.Background(), Message{Channel: ChannelAPI, User: "u1", Kind: KindText, Text: "详情"})
	if r := whole; r.Text != full || r.Next == NextPage {
		t.Errorf("详情 without paging: %d bytes, next %q; want the whole %d", len(r.Text), r.Next, len(full))
	}
}

func TestSplit(t *testing.T) {
	sentences := strings.Repeat("全年完成投资316.79万元，惠及学生1234名。", 80)
	digits := strings.Repeat("投资316.79万元惠及学生1234名", 120)
	lines := strings.Repeat("· 江津区生态环境局:2020、2021年度\n", 60)
	for _, tt := range []struct {
		name, text string
		endsWith   string // what the chunk's body ends with
	}{
		{"sentences", sentences, "。"},
		{"no punctuation", digits, ""},
		{"lines", lines, "年度"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, rest := split(tt.text, knowledge.MaxReplyBytes)
			if len(body) > knowledge.MaxReplyBytes || len(body) < knowledge.MaxReplyBytes/2 || rest == "" {
				t.Fatalf("page of %d bytes, %d bytes left", len(body), len(rest))
			}
			if !utf8.ValidString(body) || !strings.HasSuffix(body, tt.endsWith) {
				t.Errorf("chunk ends %q", body[max(0, len(body)-12):])
			}
			last, _ := utf8.DecodeLastRuneInString(body)
			next, _ := utf8.DecodeRuneInString(rest)
			if isNumberRune(last) && isNumberRune(next) {
				t.Errorf("cut inside a number: …%q | %q…", body[len(body)-8:], rest[:8])
			}
			if strings.TrimSpace(body+"\n"+rest) == "" || len(body)+len(rest) < len(strings.TrimSpace(tt.text))-2 {
				t.Errorf("text lost: %d + %d of %d", len(body), len(rest), len(tt.text))
			}
		})
	}
	if c, r := split("短", 100); c != "短" || r != "" {
		t.Errorf("short text split: %q %q", c, r)
	}
}

func TestCommandsAndSmallTalk(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	hot0 := DefaultHotQuestions()[0]
	for _, tt := range []struct {
		say      string
		intent   Intent
		contains string
	}{
		{"帮助", IntentHelp, "使用方法"},
		{"?", IntentHelp, "使用方法"},
		{"？", IntentHelp, "使用方法"},
		{"这个怎么用", IntentHelp, "使用方法"},
		{"你好", IntentGreeting, hot0},
		{"在吗?", IntentGreeting, "您好"},
		{"Hi", IntentGreeting, "您好"},
		{"谢谢啊", IntentThanks, "不客气"},
		{"辛苦了,拜拜", IntentGoodbye, "再见"},
		{"再见", IntentGoodbye, "再见"},
		{"你是谁", IntentIdentity, "问答助手"},
		{"你是机器人噻", IntentIdentity, "问答助手"}, // Chongqing speech's particles
		{"重置", IntentReset, resetText},
		{"报告列表", IntentReports, "· 江津区生态环境局:2020、2021年度"},
		{"都有哪些报告?", IntentReports, "· 江津区司法局:2021年度"},
		{"   ", IntentEmpty, "请直接输入文字提问"},
		{"你好,生态环境局2020年罚款多少", IntentAnswer, "316.79万元"},
	} {
		r := h.say(tt.say)
		if r.Intent != tt.intent || !strings.Contains(r.PlainText(), tt.contains) {
			t.Errorf("%q: %s %q, want %s containing %q", tt.say, r.Intent, r.Text, tt.intent, tt.contains)
		}
		if r.Answered != (tt.intent == IntentAnswer) {
			t.Errorf("%q: answered=%v", tt.say, r.Answered)
		}
	}
}

func TestMessageKinds(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	hot := DefaultHotQuestions()

	r := h.send(Message{Kind: KindSubscribe})
	if r.Intent != IntentSubscribe || !strings.Contains(r.PlainText(), "感谢关注") || !strings.Contains(r.PlainText(), "1. "+hot[0]) ||
		!strings.Contains(r.PlainText(), "5. "+hot[4]) || !strings.Contains(r.PlainText(), "帮助") {
		t.Fatalf("welcome: %q", r.Text)
	}
	// The welcome's examples are numbered choices.
	if r := h.say("1"); !r.Answered || !strings.Contains(r.PlainText(), "316.79万元") {
		t.Fatalf("1 after the welcome: %q", r.Text)
	}
	r = h.send(Message{Kind: KindMenuClick, Text: MenuHot})
	if r.Intent != IntentHot || !strings.HasPrefix(r.PlainText(), "大家常问的问题:\n1. "+hot[0]+"\n") {
		t.Fatalf("HOT: %q", r.Text)
	}
	if r := h.say("3"); !r.Answered || !strings.Contains(r.PlainText(), "80%") {
		t.Fatalf("3 after HOT: %q", r.Text)
	}
	for _, tt := range []struct {
		m        Message
		intent   Intent
		contains string
	}{
		{Message{Kind: KindMenuClick, Text: MenuHelp}, IntentHelp, "使用方法"},
		{Message{Kind: KindMenuClick, Text: "NO_SUCH_KEY"}, IntentHelp, "使用方法"},
		{Message{Kind: KindMenuClick, Text: MenuReports}, IntentReports, "· 江津区生态环境局:2020、2021年度"},
		{Message{Kind: KindVoice, Text: "生态环境局2020年罚款多少"}, IntentAnswer, "316.79万元"},
		{Message{Kind: KindVoice, Text: ""}, IntentEmpty, "请直接输入文字提问"},
		{Message{Kind: KindUnsupported}, IntentUnsupported, "请直接输入文字提问"},
	} {
		r := h.send(tt.m)
		if r.Intent != tt.intent || !strings.Contains(r.PlainText(), tt.contains) {
			t.Errorf("%s %q: %s %q", tt.m.Kind, tt.m.Text, r.Intent, r.Text)
		}
	}
	h.say("生态环境局2020年罚款多少")
	r = h.send(Message{Kind: KindUnsubscribe})
	if r.Text != "" || r.Intent != IntentUnsubscribe {
		t.Fatalf("unsubscribe: %q", r.Text)
	}
	if _, ok := h.store.sessions["api:u1"]; ok {
		t.Error("session kept after unsubscribe")
	}
}

func TestNotCovered(t *testing.T) {
	h := newHarness(t, mustBase(t), func(o *Options) { o.Hotline = "023-12345" })
	for _, q := range []string{"明天江津天气怎么样", "江津区公安局2021年的法治政府建设报告里罚了多少钱", "生态环境局2019年罚了多少钱", "帮我打个12345投诉楼下烧烤摊太吵"} {
		r := h.say(q)
		if r.Answered || r.Intent != IntentNotCovered || r.Reason == knowledge.Answered {
			t.Errorf("%q: answered=%v %s %q", q, r.Answered, r.Intent, r.Reason)
		}
		if !strings.HasSuffix(r.PlainText(), "\n如需进一步帮助,请拨打023-12345政务服务便民热线。") {
			t.Errorf("%q: no hotline: %q", q, r.PlainText())
		}
		if r.Reason != knowledge.ReasonActionRequest && !strings.Contains(r.PlainText(), "\n1. ") {
			t.Errorf("%q: no suggestions: %q", q, r.Text)
		}
	}
	// Suggestions are choices: a digit asks the hot question.
	h.say("明天江津天气怎么样")
	if r := h.say("1"); !r.Answered || !strings.Contains(r.PlainText(), "316.79万元") {
		t.Errorf("1 after a suggestion: %q", r.Text)
	}
}

func TestFeedback(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	if r := h.say("满意"); r.Intent != IntentFeedback || h.last().Feedback != FeedbackSatisfied || h.last().RefersTo != "" {
		t.Fatalf("feedback before any question: %q %+v", r.Text, h.last())
	}
	answer := h.say("生态环境局2020年罚款多少")
	for _, tt := range []struct {
		say      string
		feedback Feedback
		contains string
	}{
		{"满意", FeedbackSatisfied, "感谢您的评价"},
		{"不满意!", FeedbackUnsatisfied, "12345"},
	} {
		r := h.say(tt.say)
		e := h.last()
		if r.Intent != IntentFeedback || r.Answered || !strings.Contains(r.PlainText(), tt.contains) {
			t.Errorf("%q: %s %q", tt.say, r.Intent, r.Text)
		}
		if e.Feedback != tt.feedback || e.RefersTo != answer.Exchange || e.Exchange != r.Exchange || e.Exchange == answer.Exchange {
			t.Errorf("%q logged feedback %q on %q (exchange %q), want %q on %q", tt.say, e.Feedback, e.RefersTo, e.Exchange, tt.feedback, answer.Exchange)
		}
	}
}

func TestSensitiveWords(t *testing.T) {
	h := newHarness(t, mustBase(t), func(o *Options) { o.SensitiveWords = []string{"赌博", " ", "ＸＸ"} })
	for _, q := range []string{"哪里可以赌博", "哪里可以赌 博", "xx是什么"} {
		r := h.say(q)
		e := h.last()
		if r.Answered || r.Intent != IntentSensitive || r.Text != sensitiveText || e.Intent != IntentSensitive || e.Text != q {
			t.Errorf("%q: %s %q, logged %s %q", q, r.Intent, r.Text, e.Intent, e.Text)
		}
	}
	if r := h.say("生态环境局2020年罚款多少"); !r.Answered {
		t.Errorf("an ordinary question was refused: %q", r.Text)
	}
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, mustBase(t), func(o *Options) { o.RateLimit = 2 })
	var got []Intent
	for _, q := range []string{"你好", "生态环境局2020年罚款多少", "那2021年呢"} {
		got = append(got, h.say(q).Intent)
	}
	if fmt.Sprint(got) != fmt.Sprint([]Intent{IntentGreeting, IntentAnswer, IntentRateLimited}) {
		t.Fatalf("intents %v", got)
	}
	if r := h.send(Message{User: "u2", Text: "你好"}); r.Intent != IntentGreeting {
		t.Errorf("another user was limited: %q", r.Text)
	}
	if h.last().Intent != IntentGreeting || len(h.log.all()) != 4 {
		t.Errorf("%d entries", len(h.log.all()))
	}
	if r := h.say("你好"); r.Text != rateLimitedText {
		t.Errorf("limited reply %q", r.Text)
	}
	// Off by default.
	off := newHarness(t, mustBase(t), nil)
	for i := 0; i < 30; i++ {
		if r := off.say("你好"); r.Intent != IntentGreeting {
			t.Fatalf("message %d limited with RateLimit 0", i+1)
		}
	}
}

func TestStoreOutage(t *testing.T) {
	h := newHarness(t, mustBase(t), func(o *Options) { o.RateLimit = 100 })
	h.say("生态环境局2020年罚款多少")
	h.store.setDown(true)
	r := h.say("那2021年呢") // the session is out of reach: a question on its own
	if r.Answered || h.last().StoreError == "" || !strings.Contains(h.last().StoreError, "connection refused") {
		t.Fatalf("follow-up during the outage: %v %q, store error %q", r.Answered, r.Text, h.last().StoreError)
	}
	r = h.say("生态环境局2021年罚款多少")
	if !r.Answered || !strings.Contains(r.PlainText(), "412.36万元") {
		t.Fatalf("question during the outage: %q", r.Text)
	}
	h.store.setDown(false)
	h.say("生态环境局2020年罚款多少")
	if r := h.say("那2021年呢"); !r.Answered || !strings.Contains(r.PlainText(), "412.36万元") || h.last().StoreError != "" {
		t.Fatalf("after the outage: %q (%q)", r.Text, h.last().StoreError)
	}

	// A store that hangs costs StoreTimeout, not the whole deadline.
	hang := newHarness(t, mustBase(t), func(o *Options) {
		o.Sessions, o.Limiter, o.RateLimit, o.StoreTimeout = hangingStore{}, hangingStore{}, 5, 20*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r = hang.d.Respond(ctx, Message{Channel: ChannelWeChat, User: "u", Kind: KindText, Text: "生态环境局2020年罚款多少"})
	if !r.Answered || !strings.Contains(r.PlainText(), "316.79万元") || !strings.Contains(hang.last().StoreError, "deadline") {
		t.Fatalf("hanging store: %q (%q)", r.Text, hang.last().StoreError)
	}
}

func TestContextDone(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := h.d.Respond(ctx, Message{Channel: ChannelAPI, User: "u1", Kind: KindText, Text: "生态环境局2020年罚款多少"})
	if r.Intent != IntentBusy || r.Text != busyText || r.Answered {
		t.Fatalf("done ctx: %s %q", r.Intent, r.Text)
	}
	if all := h.log.all(); len(all) != 1 || all[0].Intent != IntentBusy || h.store.calls != 0 {
		t.Fatalf("%d entries, %d store calls", len(all), h.store.calls)
	}
}

func TestLogsExactlyOnce(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	h := newHarness(t, mustBase(t), func(o *Options) {
		o.Now = func() time.Time { return now }
		o.RateLimit = 100
		o.SensitiveWords = []string{"赌博"}
	})
	msgs := []Message{
		{Kind: KindSubscribe}, {Text: "你好"}, {Text: "生态环境局2020年罚款多少"}, {Text: "那2021年呢"},
		{Text: "详情"}, {Text: "更多"}, {Text: "满意"}, {Text: "赌博"}, {Kind: KindVoice}, {Kind: KindUnsupported},
		{Kind: KindMenuClick, Text: MenuReports}, {Text: "明天江津天气怎么样"}, {Text: "重置"}, {Kind: KindUnsubscribe},
	}
	var replies []Reply
	for _, m := range msgs {
		replies = append(replies, h.send(m))
	}
	entries := h.log.all()
	if len(entries) != len(msgs) {
		t.Fatalf("%d entries for %d messages", len(entries), len(msgs))
	}
	seen := map[ExchangeID]bool{}
	for i, e := range entries {
		r := replies[i]
		if e.Exchange != r.Exchange || seen[e.Exchange] || e.Intent != r.Intent || e.Reply != r.Text || e.Answered != r.Answered ||
			e.Kind != msgs[i].Kind && msgs[i].Kind != "" || e.User != "u1" || e.Channel != ChannelAPI || !e.Time.Equal(now) {
			t.Errorf("entry %d %+v does not match reply %+v", i, e, r)
		}
		seen[e.Exchange] = true
	}
	if e := entries[2]; e.FollowUp != FollowUpNew || fmt.Sprint(e.Terms) != "[罚款]" || e.Year != 2020 ||
		e.Department != "江津区生态环境局" || len(e.Hits) == 0 || e.Hits[0].ReportID != "jj-sthjj-2020" {
		t.Errorf("question entry %+v", e)
	}
	if e := entries[11]; e.Answered || e.Reason == knowledge.Answered || e.Intent != IntentNotCovered {
		t.Errorf("not-covered entry %+v", e)
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			user := UserID(fmt.Sprint("c", i))
			for _, q := range []string{"生态环境局2020年罚款多少", "那2021年呢", "更多", "详情"} {
				h.d.Respond(context.Background(), Message{Channel: ChannelAPI, User: user, Kind: KindText, Text: q})
			}
		})
	}
	wg.Wait()
	if n := len(h.log.all()); n != 32 {
		t.Fatalf("%d entries", n)
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		ok   bool
	}{
		{"minimal", Options{Knowledge: mustBase(t)}, true},
		{"no knowledge", Options{}, false},
		{"negative ttl", Options{Knowledge: mustBase(t), SessionTTL: -time.Second}, false},
		{"negative rate", Options{Knowledge: mustBase(t), RateLimit: -1}, false},
	} {
		d, err := New(tt.opts)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.ok && (d.ttl != DefaultSessionTTL || d.hotline != DefaultHotline || len(d.hot) != 5 || d.storeTimeout != DefaultStoreTimeout) {
			t.Errorf("%s: defaults %+v", tt.name, d)
		}
	}
	// Stateless without a store: answers, but no follow-ups.
	d, _ := New(Options{Knowledge: mustBase(t)})
	if r := d.Respond(context.Background(), Message{User: "x", Kind: KindText, Text: "生态环境局2020年罚款多少"}); !r.Answered {
		t.Errorf("stateless: %q", r.Text)
	}
}

func TestDefaultHotQuestionsAnswered(t *testing.T) {
	base, err := bundledBase()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"316.79万元", "1941家", "80%", "法律顾问1名", "200人"}
	d, _ := New(Options{Knowledge: base})
	for i, q := range DefaultHotQuestions() {
		r := d.Respond(context.Background(), Message{Kind: KindText, Text: q})
		if r.Intent != IntentAnswer || !strings.Contains(r.PlainText(), want[i]) {
			t.Errorf("%q on the bundled report: %s %q, want %q", q, r.Intent, r.Text, want[i])
		}
	}
}

// sensitiveBase is a knowledge base whose term lists name a sensitive word.
type sensitiveBase struct{ *knowledge.Base }

func (sensitiveBase) SensitiveWords() []string { return []string{"违禁 词"} }

func TestSensitiveWordsComeWithTheKnowledgeBase(t *testing.T) {
	d, err := New(Options{Knowledge: sensitiveBase{mustBase(t)}})
	if err != nil {
		t.Fatal(err)
	}
	r := d.Respond(context.Background(), Message{Channel: ChannelAPI, User: "u", Kind: KindText, Text: "请问违禁词是什么"})
	if r.Intent != IntentSensitive || r.Answered {
		t.Fatalf("got intent %q answered %v, want a refusal: %s", r.Intent, r.Answered, r.Text)
	}
	r = d.Respond(context.Background(), Message{Channel: ChannelAPI, User: "u", Kind: KindText, Text: "生态环境局2020年罚款多少"})
	if r.Intent == IntentSensitive {
		t.Fatalf("an ordinary question was refused: %s", r.Text)
	}
}
