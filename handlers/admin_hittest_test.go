package handlers

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"fazhibot/bot"
	"fazhibot/knowledge"
)

func TestAdminHitTest(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	if _, err := e.db.SaveFAQ(t.Context(), knowledge.FAQ{Questions: []string{"政务服务热线电话是多少"}, Answer: "请拨打 12345 政务服务热线。"}, 0, adminName); err != nil {
		t.Fatal(err)
	}
	strict := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) { o.MinConfidence = 0.99 }))
	tests := []struct {
		name        string
		env         *consoleEnv
		q           string
		answered    bool
		reply       string // in the reply
		explanation string // in the explanation
		threshold   float64
		faq         bool
		firstPassed bool
	}{
		{"answered from a report", e, "生态环境局2020年罚款多少", true, "316.79万元", "已作答", 0.5, false, true},
		{"not covered", e, "明天江津天气怎么样", false, "", "未作答", 0.5, false, false},
		{"department without a report", e, "公安局2021年罚款多少", false, "", "没有收录报告", 0.5, false, false},
		{"answered by the FAQ", e, "政务服务热线电话是多少", true, "12345", "由 FAQ 作答", 0.5, true, false},
		{"configured threshold", strict, "2020年环保局罚款和查封情况", true, "316.79万元", "阈值 0.99", 0.99, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := tt.env.mustDo(request{method: "GET", path: adminAPIPrefix + "hittest?q=" + url.QueryEscape(tt.q), bearer: tt.env.staff.token}, http.StatusOK)
			got := apiJSON[hitTestResult](t, rec)
			if got.Answered != tt.answered || !strings.Contains(got.Reply, tt.reply) || got.Reply == "" ||
				!strings.Contains(got.Explanation, tt.explanation) || got.Threshold != tt.threshold || (got.FAQ != nil) != tt.faq ||
				got.Corrections == nil {
				t.Fatalf("result %+v", got)
			}
			if tt.firstPassed {
				h := got.Hits[0]
				if !h.Passed || h.ReportID != liveReport || h.Confidence < tt.threshold || len(h.Matched) == 0 ||
					!strings.Contains(h.Why, "≥ 阈值 0.50") || !strings.Contains(h.Why, "被选为答复") || h.Section == "" {
					t.Errorf("first hit %+v", h)
				}
			}
			for _, h := range got.Hits {
				if h.Passed != (h.Confidence >= tt.threshold) || (!h.Passed && !strings.Contains(h.Why, "< 阈值")) {
					t.Errorf("hit %d: passed %v, confidence %v, why %q", h.Rank, h.Passed, h.Confidence, h.Why)
				}
			}
			// The page shows the same.
			page := tt.env.mustDo(request{method: "GET", path: adminPrefix + "hittest?q=" + url.QueryEscape(tt.q), as: tt.env.sessionFor(tt.env.staff)}, http.StatusOK).Body.String()
			if !strings.Contains(page, "市民会收到的回复") || !strings.Contains(page, tt.explanation) {
				t.Errorf("page:\n%s", clip(page))
			}
		})
	}
}

func TestAdminHitTestRejects(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	for q, msg := range map[string]string{"": "请输入要测试的问题", strings.Repeat("法", 1001): "问题过长"} {
		rec := e.mustDo(request{method: "GET", path: adminAPIPrefix + "hittest?q=" + url.QueryEscape(q), bearer: e.staff.token}, http.StatusBadRequest)
		if got := apiJSON[errorBody](t, rec).Error; !strings.Contains(got, msg) {
			t.Errorf("q of %d runes: %q", len([]rune(q)), got)
		}
	}
	// The page without a question is just the form.
	page := e.mustDo(request{method: "GET", path: adminPrefix + "hittest", as: e.sessionFor(e.staff)}, http.StatusOK).Body.String()
	if strings.Contains(page, "市民会收到的回复") || strings.Contains(page, "notice err") {
		t.Errorf("empty hit test page:\n%s", clip(page))
	}
}

// TestAdminRegression uploads a report to the draft and runs a question
// set: the draft answers the questions on it, the live version does not,
// and exactly those are listed as differences.
func TestAdminRegression(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: uploadFiles(t, "jj-sfj-2021.txt")}, http.StatusOK)
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + apiJSON[uploadPreview](t, rec).ID + "/save", bearer: e.staff.token, json: previewSave{}}, http.StatusOK)

	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "regression", bearer: e.staff.token,
		body: string(fixture(t, "questions.jsonl")), contentType: "application/x-ndjson"}, http.StatusOK)
	got := apiJSON[regressionResult](t, rec)
	if got.Questions != 6 || got.Draft.Total != 6 || got.Draft.OK != 6 || got.Live == nil || got.Live.OK != 4 || got.LiveVersion != 1 {
		t.Fatalf("result %+v, live %+v", got, got.Live)
	}
	var kinds []string
	for _, k := range got.Draft.Kinds {
		kinds = append(kinds, k.Kind)
	}
	if strings.Join(kinds, ",") != "fact,negative" {
		t.Errorf("kinds %v", kinds)
	}
	if len(got.Differences) != 2 || got.Differences[0].ID != "d019" || got.Differences[1].ID != "d020" {
		t.Fatalf("differences %+v", got.Differences)
	}
	for _, d := range got.Differences {
		if !d.DraftOK || d.LiveOK || d.LiveReply == "" || d.DraftReply != "" || len(d.Turns) != 1 {
			t.Errorf("difference %+v", d)
		}
	}
	if len(got.DraftMisses) != 0 {
		t.Errorf("draft misses %+v", got.DraftMisses)
	}

	// The page, with a multipart upload.
	s := e.sessionFor(e.staff)
	page := e.mustDo(request{method: "POST", path: adminPrefix + "regression", as: s,
		multi: &multipartBody{files: []multipartFile{{"questions", "questions.jsonl", fixture(t, "questions.jsonl")}}}}, http.StatusOK).Body.String()
	for _, want := range []string{"准确率", "6/6 100.0%", "4/6 66.7%", "结果不同的问题（2）", "d019", "d020", "草稿全部答对"} {
		if !strings.Contains(page, want) {
			t.Errorf("regression page lacks %q", want)
		}
	}

	// Without a live base only the draft runs.
	e.mu.Lock()
	e.live = nil
	e.mu.Unlock()
	got = apiJSON[regressionResult](t, e.mustDo(request{method: "POST", path: adminAPIPrefix + "regression", bearer: e.staff.token,
		body: string(fixture(t, "questions.jsonl"))}, http.StatusOK))
	if got.Live != nil || len(got.Differences) != 0 || got.Draft.OK != 6 {
		t.Errorf("draft only: %+v", got)
	}
}

func TestAdminRegressionRejects(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	tests := []struct {
		name, body, msg string
	}{
		{"empty", " \n", "问题集是空的"},
		{"not JSON", "{\"id\": \"a\", \"turns\": [\"x\"], \"expect\": [[]]}\nnot json\n", "问题集格式有误"},
		{"duplicate IDs", "{\"id\": \"a\", \"turns\": [\"x\"], \"expect\": [[]]}\n{\"id\": \"a\", \"turns\": [\"y\"], \"expect\": [[]]}\n", "与第1行重复"},
	}
	for _, tt := range tests {
		rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "regression", bearer: e.staff.token, body: tt.body}, http.StatusBadRequest)
		if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tt.msg) {
			t.Errorf("%s: %q", tt.name, msg)
		}
	}
	s := e.sessionFor(e.staff)
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "regression", as: s, multi: &multipartBody{fields: map[string]string{"x": "y"}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "选择问题集文件") {
		t.Errorf("page without a file:\n%s", clip(rec.Body.String()))
	}
}

// TestCorrectionViews checks how the hit test shows the corrections the
// engine applied: one view per correction in order, [] for none, and the
// line "纠正与扩展：…" on the page only when there are some.
func TestCorrectionViews(t *testing.T) {
	t.Parallel()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []knowledge.Correction
		want []correctionView
		line string // CorrectionLine, and on the page after "纠正与扩展："
	}{
		{"none", nil, []correctionView{}, ""},
		{"homophone", []knowledge.Correction{{From: "公正处", To: "公证处", Kind: knowledge.CorrectHomophone}},
			[]correctionView{{From: "公正处", To: "公证处", Kind: "homophone", Label: "同音", Text: "公正处 → 公证处(同音)"}},
			"公正处 → 公证处(同音)"},
		{"several kinds in order", []knowledge.Correction{
			{From: "公正处", To: "公证处", Kind: knowledge.CorrectHomophone},
			{From: "业委会", To: "业主委员会", Kind: knowledge.CorrectAbbreviation},
			{From: "龙民工", To: "农民工", Kind: knowledge.CorrectFuzzySound},
			{From: "好多", To: "多少", Kind: knowledge.CorrectColloquial},
		}, []correctionView{
			{From: "公正处", To: "公证处", Kind: "homophone", Label: "同音", Text: "公正处 → 公证处(同音)"},
			{From: "业委会", To: "业主委员会", Kind: "abbreviation", Label: "缩写", Text: "业委会 → 业主委员会(缩写)"},
			{From: "龙民工", To: "农民工", Kind: "fuzzy_sound", Label: "近音", Text: "龙民工 → 农民工(近音)"},
			{From: "好多", To: "多少", Kind: "colloquial", Label: "口语", Text: "好多 → 多少(口语)"},
		}, "公正处 → 公证处(同音)、业委会 → 业主委员会(缩写)、龙民工 → 农民工(近音)、好多 → 多少(口语)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := correctionViews(tt.in)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Fatalf("correctionViews = %#v\nwant %#v", got, tt.want)
			}
			res := &hitTestResult{Question: "问题", Reply: "回复", Intent: "answer", Corrections: got, Hits: []hitView{}}
			if line := res.CorrectionLine(); line != tt.line {
				t.Errorf("CorrectionLine = %q, want %q", line, tt.line)
			}
			js, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if want := `"corrections":[`; !strings.Contains(string(js), want) {
				t.Errorf("JSON lacks %s: %s", want, js)
			}
			var buf bytes.Buffer
			p := &pageData{Title: "命中测试", Nav: "hittest", Data: hitTestPage{Question: "问题", Result: res}}
			if err := pages["hittest.html"].ExecuteTemplate(&buf, "layout", p); err != nil {
				t.Fatal(err)
			}
			page := html.UnescapeString(buf.String())
			if has := strings.Contains(page, "纠正与扩展："+tt.line+"<"); has != (tt.line != "") {
				t.Errorf("page shows the corrections = %v, want %v:\n%s", has, tt.line != "", clip(page))
			}
			if tt.line == "" && strings.Contains(page, "纠正与扩展") {
				t.Errorf("page shows corrections though there are none")
			}
		})
	}
}

// TestHitTestExplanation checks that the explanation and the hit rows agree
// with the reply's intent: a clarify is not "已作答", a small-talk reply is
// not explained by the search, only an answer's first hit is "被选为答复",
// and the passage an FAQ cites is not judged by its score.
func TestHitTestExplanation(t *testing.T) {
	t.Parallel()
	hit := func(conf float64, matched ...string) knowledge.Hit {
		return knowledge.Hit{ReportID: "r", Title: "报告", Score: conf * 10, Confidence: conf, Matched: matched}
	}
	faq := &knowledge.FAQ{ID: "f1", Questions: []string{"热线电话是多少"}, Answer: "12345"}
	tests := []struct {
		name    string
		a       knowledge.Answer
		intent  bot.Intent
		want    []string // in the explanation
		notWant []string // not in the explanation
		why     []string // in each hit's Why, by rank
		notWhy  []string // in no hit's Why
	}{
		{
			name:   "answered",
			a:      knowledge.Answer{Answered: true, Terms: []string{"罚款", "查封"}, Hits: []knowledge.Hit{hit(0.9, "罚款", "查封"), hit(0.6, "罚款")}},
			intent: bot.IntentAnswer, want: []string{"已作答", "阈值 0.50"},
			why: []string{"≥ 阈值 0.50，达到作答要求；被选为答复", "≥ 阈值 0.50，达到作答要求；未覆盖的提问词：查封"},
		},
		{
			name:   "clarify between close hits",
			a:      knowledge.Answer{Answered: true, Terms: []string{"罚款"}, Hits: []knowledge.Hit{hit(0.8, "罚款"), hit(0.8, "罚款")}},
			intent: bot.IntentClarify, want: []string{"未直接作答", "您是否想问"}, notWant: []string{"已作答", "排名第一的段落置信度达到阈值"},
			why: []string{"达到作答要求", "达到作答要求"}, notWhy: []string{"被选为答复"},
		},
		{
			name:   "clarify below the threshold",
			a:      knowledge.Answer{Reason: knowledge.ReasonLowConfidence, Terms: []string{"罚款"}, Hits: []knowledge.Hit{hit(0.4, "罚款")}},
			intent: bot.IntentClarify, want: []string{"未直接作答", "您是否想问", "阈值 0.50"}, notWant: []string{"已作答"},
			why: []string{"< 阈值 0.50，未达到作答要求"}, notWhy: []string{"被选为答复"},
		},
		{
			name:   "FAQ with its source passage",
			a:      knowledge.Answer{Answered: true, FAQ: faq, Terms: []string{"热线", "电话"}, Hits: []knowledge.Hit{{ReportID: "r", Title: "报告", Confidence: 1}}},
			intent: bot.IntentAnswer, want: []string{"由 FAQ 作答", "热线电话是多少"}, notWant: []string{"排名第一"},
			why: []string{"FAQ 答案注明的出处段落"}, notWhy: []string{"得分", "置信度", "达到作答要求", "未覆盖的提问词", "被选为答复"},
		},
		{
			name:   "not covered",
			a:      knowledge.Answer{Reason: knowledge.ReasonLowConfidence, Terms: []string{"天气"}, Hits: []knowledge.Hit{hit(0.1)}},
			intent: bot.IntentNotCovered, want: []string{"未作答", "没有段落的置信度达到阈值 0.50"}, notWant: []string{"已作答"},
			why: []string{"< 阈值 0.50，未达到作答要求；未覆盖的提问词：天气"}, notWhy: []string{"被选为答复"},
		},
		{
			name:   "answer overruled by the dialogue",
			a:      knowledge.Answer{Answered: true, Terms: []string{"罚款"}, Hits: []knowledge.Hit{hit(0.9, "罚款")}},
			intent: bot.IntentNotCovered, want: []string{"未作答", "对话判断"}, notWant: []string{"已作答"},
			why: []string{"达到作答要求"}, notWhy: []string{"被选为答复"},
		},
		{
			name:   "department without a report",
			a:      knowledge.Answer{Reason: knowledge.ReasonDeptNotCovered, Department: "江津区公安局"},
			intent: bot.IntentNotCovered, want: []string{"江津区公安局", "没有收录报告"},
		},
		{
			name:   "small talk",
			a:      knowledge.Answer{Reason: knowledge.ReasonLowConfidence, Terms: []string{"你好"}, Hits: []knowledge.Hit{hit(0.2)}},
			intent: bot.IntentGreeting, want: []string{"未检索报告", "问候"}, notWant: []string{"已作答", "阈值"},
			notWhy: []string{"被选为答复"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explain(tt.a, tt.intent, 0.5)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("explanation %q lacks %q", got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("explanation %q says %q", got, w)
				}
			}
			views := hitViews(tt.a, tt.intent, 0.5)
			if len(views) != len(tt.a.Hits) {
				t.Fatalf("%d hit views for %d hits", len(views), len(tt.a.Hits))
			}
			for i, v := range views {
				if i < len(tt.why) && !strings.Contains(v.Why, tt.why[i]) {
					t.Errorf("hit %d: why %q lacks %q", v.Rank, v.Why, tt.why[i])
				}
				for _, w := range tt.notWhy {
					if strings.Contains(v.Why, w) {
						t.Errorf("hit %d: why %q says %q", v.Rank, v.Why, w)
					}
				}
				if v.FAQSource != (tt.a.FAQ != nil) || v.Matched == nil || v.Missing == nil {
					t.Errorf("hit %d: %+v", v.Rank, v)
				}
			}
		})
	}
}

// TestHitViewsShowFigures: a comparison's hits show the figure quoted
// from each passage and the clause that states it.
func TestHitViewsShowFigures(t *testing.T) {
	hits := []knowledge.Hit{
		{ReportID: "jj-sthjj-2020", Year: 2020, Text: "罚款316.79万元", Confidence: 1},
		{ReportID: "jj-sthjj-2021", Year: 2021, Text: "罚款412.36万元", Confidence: 1},
	}
	a := knowledge.Answer{Answered: true, Hits: hits, Figures: []knowledge.Figure{
		{Hit: hits[0], Clause: "罚款316.79万元", Text: "316.79万元"},
		{Hit: hits[1], Clause: "罚款412.36万元", Text: "412.36万元"},
	}}
	views := hitViews(a, bot.IntentAnswer, 0.5)
	if len(views) != 2 {
		t.Fatalf("%d views", len(views))
	}
	for i, want := range []string{"316.79万元", "412.36万元"} {
		v := views[i]
		if v.Figure != want || v.FigureClause != "罚款"+want || !strings.Contains(v.Why, "对比引用的数字："+want) {
			t.Errorf("view %d: %+v", i, v)
		}
	}
}
