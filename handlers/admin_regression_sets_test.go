package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"fazhibot/bot"
)

// TestTypedQuestions reads questions typed one a line with the facts
// expected.
func TestTypedQuestions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []bot.Question
		err        string
	}{
		{"facts, alternatives, negative, answered only, comments",
			"# 说明\n罚了多少钱 | 316.79万元 / 316.79 万元\n\n几点下班 ｜ 不应回答\n怎么申请复议\n复议去哪 |  \n",
			[]bot.Question{
				{ID: "第2行", Kind: "fact", Turns: []string{"罚了多少钱"}, Expect: [][]string{{"316.79万元", "316.79 万元"}}},
				{ID: "第4行", Kind: "negative", Turns: []string{"几点下班"}, Expect: [][]string{{}}},
				{ID: "第5行", Kind: "fact", Turns: []string{"怎么申请复议"}, Expect: [][]string{{""}}},
				{ID: "第6行", Kind: "fact", Turns: []string{"复议去哪"}, Expect: [][]string{{""}}},
			}, ""},
		{"no question before the bar", "罚款 | 1万元\n | 2万元", nil, "第 2 行没有问题"},
		{"nothing", "# 只有注释\n\n", nil, "没有填写问题"},
		{"too many", strings.Repeat("问题 | 答案\n", maxQuestions+1), nil, "最多 500 个问题"},
		{"too long", strings.Repeat("长", maxTypedLineRunes+1), nil, "第 1 行太长"},
	}
	for _, tt := range tests {
		got, err := parseTypedQuestions(tt.text)
		if tt.err != "" {
			if err == nil || !strings.Contains(userMessage(err), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", tt.name, got, err, tt.want)
		}
		for i, q := range got { // typed lines read back the same
			back, err := parseTypedQuestions(typedLine(q))
			if err != nil || !reflect.DeepEqual(back[0].Expect, q.Expect) {
				t.Errorf("%s: line %d %q reads back as %+v, %v", tt.name, i, typedLine(q), back, err)
			}
		}
	}
}

// TestRegressionForStaff runs typed questions from the page, fills the
// form with the query log's unanswered and 不满意 questions, and downloads
// them as a question set that runs as it is; both are the admins', as
// the query log is.
func TestRegressionForStaff(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	e.seedLogs()
	staff, admin := e.sessionFor(e.staff), e.sessionFor(e.admin)

	typed := "生态环境局2020年罚款多少 | 316.79万元\n你们几点下班 | 不应回答\n生态环境局2020年罚款多少 | 一个不存在的数字\n"
	page := e.mustDo(request{method: http.MethodPost, path: adminPrefix + "regression", as: staff,
		multi: &multipartBody{fields: map[string]string{"typed": typed}}}, http.StatusOK).Body.String()
	for _, want := range []string{"共 3 个问题", "2/3", "第3行", "一个不存在的数字", ">" + strings.ReplaceAll(typed, "\n", "\n")} {
		if !strings.Contains(page, want) {
			t.Errorf("typed run lacks %q:\n%s", want, clip(page))
		}
	}
	bad := e.mustDo(request{method: http.MethodPost, path: adminPrefix + "regression", as: staff,
		multi: &multipartBody{fields: map[string]string{"typed": " | 只有答案"}}}, http.StatusBadRequest).Body.String()
	if !strings.Contains(bad, "第 1 行没有问题") || !strings.Contains(bad, "只有答案") {
		t.Errorf("a bad line: no message or the text is lost:\n%s", clip(bad))
	}

	rangeQuery := "from=" + fixtureFrom + "&to=" + fixtureTo
	filled := e.getPage(admin, adminPrefix+"regression?fill=logged&"+rangeQuery)
	for _, want := range []string{`id="logged-filled"`, "社保怎么交？ |", "营业执照在哪里办 |", "行政复议怎么申请 |", "你们几点下班 |"} {
		if !strings.Contains(filled, want) {
			t.Errorf("the filled form lacks %q", want)
		}
	}
	if strings.Contains(filled, "你好 |") || strings.Contains(filled, "生态环境局2020年罚款多少 |") {
		t.Errorf("the filled form holds a greeting or a satisfied answer")
	}

	rec := e.mustDo(request{method: http.MethodGet, path: adminPrefix + "regression/questions.jsonl?" + rangeQuery, as: admin}, http.StatusOK)
	if ct, cd := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"); !strings.HasPrefix(ct, "application/x-ndjson") ||
		cd != `attachment; filename="questions-20260601-20260607.jsonl"` {
		t.Errorf("download headers %q, %q", ct, cd)
	}
	qs, err := bot.ReadQuestions(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("the download is no question set: %v\n%s", err, rec.Body.String())
	}
	kinds := map[string][]string{}
	for _, q := range qs {
		kinds[q.Kind] = append(kinds[q.Kind], q.Turns[0])
		if !reflect.DeepEqual(q.Expect, [][]string{{""}}) {
			t.Errorf("%s expects %q, want an answer of any wording", q.ID, q.Expect)
		}
	}
	if !reflect.DeepEqual(kinds[kindUnsatisfied], []string{"行政复议怎么申请"}) || len(kinds[kindUnanswered]) < 5 {
		t.Errorf("downloaded kinds %q", kinds)
	}
	// Ready to run: uploaded as it is, with the kinds in Chinese.
	run := e.mustDo(request{method: http.MethodPost, path: adminPrefix + "regression", as: staff,
		multi: &multipartBody{files: []multipartFile{{field: "questions", name: "q.jsonl", data: rec.Body.Bytes()}}}}, http.StatusOK).Body.String()
	for _, want := range []string{"未回答的提问", "评价为不满意的提问"} {
		if !strings.Contains(run, want) {
			t.Errorf("the run of the download lacks %q", want)
		}
	}

	// Staff: no links, 403 on both.
	if form := e.getPage(staff, adminPrefix+"regression"); strings.Contains(form, `id="logged-sets"`) {
		t.Errorf("staff see the query log's sets")
	}
	if form := e.getPage(admin, adminPrefix+"regression"); !strings.Contains(form, `id="logged-sets"`) {
		t.Errorf("admins do not see the query log's sets")
	}
	for _, path := range []string{"regression/questions.jsonl", "regression?fill=logged&" + url.Values{"from": {fixtureFrom}}.Encode()} {
		e.mustDo(request{method: http.MethodGet, path: adminPrefix + path, as: staff}, http.StatusForbidden)
	}
}
