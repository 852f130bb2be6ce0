package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"fazhibot/bot"
	"fazhibot/knowledge"
	"fazhibot/storage/memstore"
)

const (
	// maxQuestionSetBytes and maxQuestions bound a regression run, which
	// asks every question twice within one request: a few milliseconds
	// each, well inside the server's write timeout.
	maxQuestionSetBytes = 2 << 20
	maxQuestions        = 500
)

// regressionResult compares a question set's outcome on the draft with
// the published version's.
type regressionResult struct {
	Questions int         `json:"questions"`
	Draft     evalSummary `json:"draft"`
	// Live is nil when no version is being served.
	Live        *evalSummary `json:"live"`
	LiveVersion int64        `json:"live_version"`
	// Differences are the questions judged differently, in set order.
	Differences []evalDiff `json:"differences"`
	// DraftMisses are the turns the draft got wrong.
	DraftMisses []evalMiss `json:"draft_misses"`
}

// evalSummary is one side's score.
type evalSummary struct {
	OK       int         `json:"ok"`
	Total    int         `json:"total"`
	Accuracy float64     `json:"accuracy"`
	Kinds    []kindScore `json:"kinds"`
}

type kindScore struct {
	Kind     string  `json:"kind"`
	OK       int     `json:"ok"`
	Total    int     `json:"total"`
	Accuracy float64 `json:"accuracy"`
}

// evalDiff is a question whose outcome differs between draft and live.
// A reply is shown for the side that got it wrong.
type evalDiff struct {
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Turns      []string `json:"turns"`
	DraftOK    bool     `json:"draft_ok"`
	LiveOK     bool     `json:"live_ok"`
	DraftReply string   `json:"draft_reply,omitempty"`
	LiveReply  string   `json:"live_reply,omitempty"`
}

// evalMiss is one wrong turn.
type evalMiss struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Turn     int      `json:"turn"`
	Question string   `json:"question"`
	Expected []string `json:"expected"`
	Reply    string   `json:"reply"`
}

// regression runs qs against the draft and the live version.
func (c *consoleServer) regression(ctx context.Context, qs []bot.Question) (regressionResult, error) {
	draft, err := c.draft(ctx)
	if err != nil {
		return regressionResult{}, &httpError{status: http.StatusInternalServerError, msg: "草稿知识库构建失败，请稍后再试。", cause: err}
	}
	res := regressionResult{Questions: len(qs), Differences: []evalDiff{}, DraftMisses: []evalMiss{}}
	draftReport, err := c.evaluate(ctx, draft, qs)
	if err != nil {
		return res, err
	}
	res.Draft = summarize(draftReport)
	for _, m := range draftReport.Misses {
		res.DraftMisses = append(res.DraftMisses, evalMiss{ID: m.ID, Kind: m.Kind, Turn: m.Turn, Question: m.Question,
			Expected: nonNil(m.Expected), Reply: m.Reply})
	}
	live, version := c.liveBase()
	if live == nil {
		return res, nil
	}
	liveReport, err := c.evaluate(ctx, live, qs)
	if err != nil {
		return res, err
	}
	sum := summarize(liveReport)
	res.Live, res.LiveVersion = &sum, version
	draftWrong, liveWrong := wrongReplies(draftReport), wrongReplies(liveReport)
	for _, q := range qs {
		dr, dWrong := draftWrong[q.ID]
		lr, lWrong := liveWrong[q.ID]
		if dWrong != lWrong {
			res.Differences = append(res.Differences, evalDiff{ID: q.ID, Kind: q.Kind, Turns: q.Turns,
				DraftOK: !dWrong, LiveOK: !lWrong, DraftReply: dr, LiveReply: lr})
		}
	}
	return res, nil
}

// evaluate asks qs through a fresh dialogue over base with its own
// in-process sessions.
func (c *consoleServer) evaluate(ctx context.Context, base *knowledge.Base, qs []bot.Question) (bot.EvalReport, error) {
	store := memstore.New(nil)
	defer store.Close()
	d, err := c.newDialogue(base, store)
	if err != nil {
		return bot.EvalReport{}, err
	}
	report := bot.Evaluate(ctx, d, qs)
	return report, ctx.Err()
}

func summarize(r bot.EvalReport) evalSummary {
	s := evalSummary{OK: r.OK, Total: r.Total, Kinds: []kindScore{}}
	if r.Total > 0 {
		s.Accuracy = float64(r.OK) / float64(r.Total)
	}
	for _, k := range r.Kinds {
		s.Kinds = append(s.Kinds, kindScore{Kind: k.Kind, OK: k.OK, Total: k.Total, Accuracy: k.Accuracy()})
	}
	return s
}

// wrongReplies maps each question that was judged wrong to the reply of
// its first wrong turn.
func wrongReplies(r bot.EvalReport) map[string]string {
	out := map[string]string{}
	for _, m := range r.Misses {
		if _, seen := out[m.ID]; !seen {
			out[m.ID] = m.Reply
		}
	}
	return out
}

// readQuestionSet reads a question set: from a form, the questions typed
// in the field "typed" (see parseTypedQuestions) followed by those of the
// questions.jsonl file in the field "questions", at least one of the two;
// otherwise the raw body as questions.jsonl.
func readQuestionSet(r *http.Request) ([]bot.Question, error) {
	var data []byte
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		if err := parseForm(r); err != nil {
			return nil, err
		}
		var typed []bot.Question
		if text := r.FormValue("typed"); strings.TrimSpace(text) != "" {
			var err error
			if typed, err = parseTypedQuestions(text); err != nil {
				return nil, err
			}
		}
		f, _, err := r.FormFile("questions")
		if errors.Is(err, http.ErrMissingFile) && len(typed) > 0 {
			return typed, nil
		}
		if err != nil {
			return nil, errInvalidRequest("请在输入框中填写问题，或选择问题集文件（.jsonl，表单字段 questions）", err)
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, maxQuestionSetBytes+1)); err != nil {
			return nil, err
		}
		if len(typed) > 0 {
			qs, err := checkQuestionSet(data)
			if err == nil && len(typed)+len(qs) > maxQuestions {
				err = errInvalidRequest(fmt.Sprintf("问题集最多 %d 个问题，现在 %d 个", maxQuestions, len(typed)+len(qs)), nil)
			}
			return append(typed, qs...), err
		}
		return checkQuestionSet(data)
	}
	var err error
	if data, err = io.ReadAll(r.Body); err != nil {
		return nil, err
	}
	return checkQuestionSet(data)
}

// checkQuestionSet reads a questions.jsonl file within the limits.
func checkQuestionSet(data []byte) ([]bot.Question, error) {
	if len(data) > maxQuestionSetBytes {
		return nil, errInvalidRequest(fmt.Sprintf("问题集过大，最多 %d MB", maxQuestionSetBytes>>20), nil)
	}
	qs, err := bot.ReadQuestions(bytes.NewReader(data))
	if err != nil {
		return nil, errInvalidRequest("问题集格式有误："+err.Error(), nil)
	}
	switch {
	case len(qs) == 0:
		return nil, errInvalidRequest("问题集是空的", nil)
	case len(qs) > maxQuestions:
		return nil, errInvalidRequest(fmt.Sprintf("问题集最多 %d 个问题，现在 %d 个", maxQuestions, len(qs)), nil)
	}
	return qs, nil
}

// regressionPage is the data of regression.html.
type regressionPage struct {
	Result *regressionResult
	// Typed is the text of the typed questions' field.
	Typed string
	// Logged is the query-log range a "fill in" link used, "" for none;
	// LoggedCount how many questions it filled in.
	From, To    string
	LoggedCount int
	Logged      bool
}

// Kinds lists the kinds of both sides, for one table.
func (p regressionPage) Kinds() []kindRow {
	if p.Result == nil {
		return nil
	}
	var rows []kindRow
	for _, k := range p.Result.Draft.Kinds {
		rows = append(rows, kindRow{Kind: k.Kind, Draft: k})
	}
	if p.Result.Live != nil {
		for _, k := range p.Result.Live.Kinds {
			i := slices.IndexFunc(rows, func(r kindRow) bool { return r.Kind == k.Kind })
			if i < 0 {
				rows = append(rows, kindRow{Kind: k.Kind})
				i = len(rows) - 1
			}
			rows[i].Live, rows[i].HasLive = k, true
		}
	}
	return rows
}

// kindRow is one kind's scores on both sides.
type kindRow struct {
	Kind        string
	Draft, Live kindScore
	HasLive     bool
}

// pageRegression shows the form; with ?fill=logged (admins) the typed
// questions are those that went unanswered or were rated 不满意 from
// ?from to ?to (the last 30 days by default), ready for staff to add the
// facts they expect.
func (s *Server) pageRegression(w http.ResponseWriter, r *http.Request, a *actor) error {
	p := s.newPage(r, a, "regression", "回归测试")
	data := regressionPage{}
	if r.URL.Query().Get("fill") == "logged" {
		qs, from, to, err := s.loggedSet(r, a)
		if err != nil {
			return err
		}
		lines := []string{fmt.Sprintf("# %s 至 %s 未回答和评价为“不满意”的问题。在竖线 | 后填写回复应包含的文字（多个用 / 分开）；不填表示只要求作答。",
			from.Format(logDateLayout), to.Format(logDateLayout))}
		for _, q := range qs {
			lines = append(lines, typedLine(q))
		}
		data.Typed, data.Logged, data.LoggedCount = strings.Join(lines, "\n")+"\n", true, len(qs)
		data.From, data.To = from.Format(logDateLayout), to.Format(logDateLayout)
	}
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "regression.html", p)
	return nil
}

func (s *Server) pageRegressionRun(w http.ResponseWriter, r *http.Request, a *actor) error {
	p := s.newPage(r, a, "regression", "回归测试")
	qs, err := readQuestionSet(r)
	typed := r.FormValue("typed")
	if err == nil {
		var res regressionResult
		if res, err = s.admin.regression(r.Context(), qs); err == nil {
			p.Data = regressionPage{Result: &res, Typed: typed}
			s.renderPage(w, r, http.StatusOK, "regression.html", p)
			return nil
		}
	}
	status, ok := formErrorStatus(err)
	if !ok {
		return err
	}
	p.Error, p.Data = userMessage(err), regressionPage{Typed: typed}
	s.renderPage(w, r, status, "regression.html", p)
	return nil
}

func (s *Server) apiRegression(w http.ResponseWriter, r *http.Request, _ *actor) error {
	qs, err := readQuestionSet(r)
	if err != nil {
		return err
	}
	res, err := s.admin.regression(r.Context(), qs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
