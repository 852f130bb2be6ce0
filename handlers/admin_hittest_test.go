package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
				!strings.Contains(got.Explanation, tt.explanation) || got.Threshold != tt.threshold || (got.FAQ != nil) != tt.faq {
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
	if !strings.Contains(rec.Body.String(), "请选择问题集文件") {
		t.Errorf("page without a file:\n%s", clip(rec.Body.String()))
	}
}
