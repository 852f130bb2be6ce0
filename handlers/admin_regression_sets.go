package handlers

// Question sets for staff who do not write JSONL: questions typed or
// pasted one a line with the facts expected, and the questions that went
// unanswered or were rated 不满意 in the query log, as a ready set.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/bot"
	"fazhibot/console"
)

const (
	// typedNegative after the bar marks a question that must not be
	// answered from a report.
	typedNegative = "不应回答"
	// The kinds of the questions a logged set holds.
	kindUnanswered  = "unanswered"
	kindUnsatisfied = "unsatisfied"
	// maxTypedLineRunes bounds a typed question line.
	maxTypedLineRunes = 500
)

// parseTypedQuestions reads questions typed one a line as
// "问题 | 事实一 / 事实二": a correct reply is answered from the reports and
// contains one of the facts; "问题 | 不应回答" must not be answered; a
// question without facts ("问题" or "问题 |") must be answered, whatever
// it says. Blank lines and lines starting with # are skipped. Errors are
// 400s naming the line.
func parseTypedQuestions(text string) ([]bot.Question, error) {
	var qs []bot.Question
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if utf8.RuneCountInString(line) > maxTypedLineRunes {
			return nil, errInvalidRequest(fmt.Sprintf("第 %d 行太长，最多 %d 个字", n+1, maxTypedLineRunes), nil)
		}
		question, facts, _ := strings.Cut(strings.ReplaceAll(line, "｜", "|"), "|")
		question = strings.TrimSpace(question)
		if question == "" {
			return nil, errInvalidRequest(fmt.Sprintf("第 %d 行没有问题，竖线 | 前面应是市民的问题", n+1), nil)
		}
		q := bot.Question{ID: fmt.Sprintf("第%d行", n+1), Kind: "fact", Turns: []string{question}}
		var expect []string
		for _, f := range strings.FieldsFunc(facts, func(r rune) bool { return r == '/' || r == '／' }) {
			if f = strings.TrimSpace(f); f != "" {
				expect = append(expect, f)
			}
		}
		switch {
		case len(expect) == 1 && expect[0] == typedNegative:
			q.Kind, expect = "negative", []string{}
		case len(expect) == 0:
			expect = []string{""} // answered, whatever it says
		}
		q.Expect = [][]string{expect}
		qs = append(qs, q)
	}
	switch {
	case len(qs) == 0:
		return nil, errInvalidRequest("没有填写问题", nil)
	case len(qs) > maxQuestions:
		return nil, errInvalidRequest(fmt.Sprintf("最多 %d 个问题，现在 %d 个", maxQuestions, len(qs)), nil)
	}
	return qs, nil
}

// typedLine writes q back as a typed line.
func typedLine(q bot.Question) string {
	switch {
	case len(q.Expect) == 0 || len(q.Expect[0]) == 0:
		return q.Turns[0] + " | " + typedNegative
	case len(q.Expect[0]) == 1 && q.Expect[0][0] == "":
		return q.Turns[0] + " |"
	}
	return q.Turns[0] + " | " + strings.Join(q.Expect[0], " / ")
}

// loggedQuestions returns the distinct questions of from through to that
// went unanswered (those still in the unanswered queue: not dismissed,
// not covered by an FAQ) or whose answer a citizen rated 不满意, each
// expected to be answered, at most maxQuestions.
func (c *consoleServer) loggedQuestions(ctx context.Context, from, to time.Time) ([]bot.Question, error) {
	var qs []bot.Question
	seen := map[string]bool{}
	add := func(kind, text string) {
		norm := console.NormalizeQuestion(text)
		if norm == "" || seen[norm] || len(qs) == maxQuestions {
			return
		}
		seen[norm] = true
		prefix := "u"
		if kind == kindUnsatisfied {
			prefix = "d"
		}
		qs = append(qs, bot.Question{ID: fmt.Sprintf("%s%03d", prefix, len(qs)+1), Kind: kind,
			Turns: []string{oneLine(text)}, Expect: [][]string{{""}}})
	}
	queue, err := c.unanswered(ctx, from, to)
	if err != nil {
		return nil, err
	}
	for _, g := range queue.Groups {
		for _, v := range g.Variants {
			add(kindUnanswered, v.Sample)
		}
	}
	err = c.db.EachLog(ctx, console.LogFilter{From: from, To: to.AddDate(0, 0, 1), Feedback: console.FeedbackUnsatisfied, Limit: maxQuestions},
		func(r console.LogRecord) error {
			add(kindUnsatisfied, r.Text)
			return nil
		})
	return qs, err
}

// questionsJSONL writes qs as a questions.jsonl file.
func questionsJSONL(qs []bot.Question) []byte {
	var b strings.Builder
	for _, q := range qs {
		line, _ := json.Marshal(q) // cannot fail: strings only
		b.Write(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// loggedSet reads the from/to of a logged set (the last 30 days by
// default) for an admin, and returns its questions (loggedQuestions);
// staff get 403, as the query log is the admins'.
func (s *Server) loggedSet(r *http.Request, a *actor) (qs []bot.Question, from, to time.Time, err error) {
	if !a.admin() {
		return nil, time.Time{}, time.Time{}, errLogsAdminOnly()
	}
	if from, to, err = parseLogRange(r.URL.Query(), s.now(), console.MaxDashboardDays); err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	qs, err = s.admin.loggedQuestions(r.Context(), from, to)
	return qs, from, to, err
}

// exportLoggedQuestions downloads the logged set as questions.jsonl.
func (s *Server) exportLoggedQuestions(w http.ResponseWriter, r *http.Request, a *actor) error {
	qs, from, to, err := s.loggedSet(r, a)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="questions-%s-%s.jsonl"`,
		from.Format("20060102"), to.Format("20060102")))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(questionsJSONL(qs))
	return nil
}
