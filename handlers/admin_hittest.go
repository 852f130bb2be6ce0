package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/bot"
	"fazhibot/knowledge"
)

// hitTestLimit is how many ranked hits the hit test shows.
const hitTestLimit = 10

// hitTestResult is what the draft makes of one question.
type hitTestResult struct {
	Question string `json:"question"`
	// Reply is what a citizen would get from the draft, through the same
	// conversation code (as a first message).
	Reply    string `json:"reply"`
	Answered bool   `json:"answered"`
	Intent   string `json:"intent"`
	// Reason is the knowledge base's reason code when it did not answer
	// ("" when it did); Explanation says in Chinese why.
	Reason      string `json:"reason"`
	Explanation string `json:"explanation"`
	// Year, Department and Terms are what the question was understood to
	// ask about.
	Year       int      `json:"year"`
	Department string   `json:"department"`
	Terms      []string `json:"terms"`
	// Threshold is the confidence a hit needs to be quoted.
	Threshold float64 `json:"threshold"`
	// FAQ is the entry that answered, if one did.
	FAQ  *hitFAQ   `json:"faq,omitempty"`
	Hits []hitView `json:"hits"`
}

// hitFAQ names the FAQ entry that answered.
type hitFAQ struct {
	ID       string `json:"id"`
	Question string `json:"question"`
}

// hitView is one ranked hit with why it passed or missed the threshold.
type hitView struct {
	Rank       int      `json:"rank"`
	ReportID   string   `json:"report_id"`
	Seq        int      `json:"seq"`
	Title      string   `json:"title"`
	Section    string   `json:"section"`
	Text       string   `json:"text"`
	Score      float64  `json:"score"`
	Confidence float64  `json:"confidence"`
	Matched    []string `json:"matched"`
	Missing    []string `json:"missing"` // question terms the passage lacks
	Passed     bool     `json:"passed"`  // confidence at or above the threshold
	Focus      bool     `json:"focus"`
	Why        string   `json:"why"`
}

// hitTest asks the draft question q.
func (c *console) hitTest(ctx context.Context, q string) (hitTestResult, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return hitTestResult{}, errInvalidRequest("请输入要测试的问题", nil)
	case utf8.RuneCountInString(q) > maxAPITextRunes:
		return hitTestResult{}, errInvalidRequest(fmt.Sprintf("问题过长，最多 %d 个字", maxAPITextRunes), nil)
	}
	base, err := c.draft(ctx)
	if err != nil {
		return hitTestResult{}, &httpError{status: http.StatusInternalServerError, msg: "草稿知识库构建失败，请稍后再试。", cause: err}
	}
	now := time.Now()
	ans, err := base.Answer(ctx, knowledge.Query{Text: q, Limit: hitTestLimit, Now: now})
	if err != nil {
		return hitTestResult{}, err
	}
	d, err := c.newDialogue(base, nil)
	if err != nil {
		return hitTestResult{}, err
	}
	reply := d.Respond(ctx, bot.Message{Channel: bot.ChannelEval, User: bot.UserID("hittest-" + randomToken(8)),
		Kind: bot.KindText, Text: q, Time: now})

	res := hitTestResult{
		Question: q, Reply: reply.Text, Answered: reply.Answered, Intent: string(reply.Intent),
		Reason: string(ans.Reason), Year: ans.Year, Department: ans.Department, Terms: nonNil(ans.Terms),
		Threshold: c.minConfidence, Hits: []hitView{},
	}
	if ans.FAQ != nil && len(ans.FAQ.Questions) > 0 {
		res.FAQ = &hitFAQ{ID: string(ans.FAQ.ID), Question: ans.FAQ.Questions[0]}
	}
	res.Explanation = c.explain(ans)
	for i, h := range ans.Hits {
		v := hitView{
			Rank: i + 1, ReportID: string(h.ReportID), Seq: h.Seq, Title: h.Title, Section: h.Section(),
			Text: h.Text, Score: roundScore(h.Score), Confidence: roundScore(h.Confidence),
			Matched: nonNil(h.Matched), Focus: h.Focus, Passed: h.Confidence >= c.minConfidence,
		}
		for _, t := range ans.Terms {
			if !slices.Contains(h.Matched, t) {
				v.Missing = append(v.Missing, t)
			}
		}
		v.Missing = nonNil(v.Missing)
		if v.Passed {
			v.Why = fmt.Sprintf("置信度 %.2f ≥ 阈值 %.2f，达到作答要求", h.Confidence, c.minConfidence)
			if i == 0 && ans.Answered && ans.FAQ == nil {
				v.Why += "；被选为答复"
			}
		} else {
			v.Why = fmt.Sprintf("置信度 %.2f < 阈值 %.2f，未达到作答要求", h.Confidence, c.minConfidence)
		}
		if len(v.Missing) > 0 {
			v.Why += "；未覆盖的提问词：" + strings.Join(v.Missing, "、")
		}
		res.Hits = append(res.Hits, v)
	}
	return res, nil
}

// explain says in Chinese why the knowledge base answered as it did.
func (c *console) explain(a knowledge.Answer) string {
	if a.FAQ != nil && len(a.FAQ.Questions) > 0 {
		return fmt.Sprintf("由 FAQ 作答：提问与 FAQ 问法“%s”高度匹配，FAQ 优先于报告段落。", a.FAQ.Questions[0])
	}
	switch a.Reason {
	case knowledge.Answered:
		return fmt.Sprintf("已作答：排名第一的段落置信度达到阈值 %.2f，并覆盖了提问本身的词。", c.minConfidence)
	case knowledge.ReasonNoTerms:
		return "未作答：提问中没有可检索的词（可能都是停用词）。"
	case knowledge.ReasonLowConfidence:
		return fmt.Sprintf("未作答：没有段落的置信度达到阈值 %.2f，或最佳段落没有覆盖提问本身的词。可考虑补充同义词、关键词或 FAQ。", c.minConfidence)
	case knowledge.ReasonDeptNotCovered:
		return fmt.Sprintf("未作答：提问中的部门“%s”没有收录报告。", a.Department)
	case knowledge.ReasonYearNotCovered:
		if a.Department != "" {
			return fmt.Sprintf("未作答：没有%s %d 年度的报告。", a.Department, a.Year)
		}
		return fmt.Sprintf("未作答：没有 %d 年度的报告。", a.Year)
	case knowledge.ReasonActionRequest:
		return "未作答：提问是在请求办事（如预约、代办），机器人只回答报告中的内容。"
	}
	return "未作答（" + string(a.Reason) + "）。"
}

// hitTestPage is the data of hittest.html.
type hitTestPage struct {
	Question string
	Result   *hitTestResult
}

func (s *Server) pageHitTest(w http.ResponseWriter, r *http.Request, a *actor) error {
	p := s.newPage(r, a, "hittest", "命中测试")
	data := hitTestPage{Question: r.URL.Query().Get("q")}
	status := http.StatusOK
	if strings.TrimSpace(data.Question) != "" {
		res, err := s.admin.hitTest(r.Context(), data.Question)
		if err != nil {
			st, ok := formErrorStatus(err)
			if !ok {
				return err
			}
			status, p.Error = st, userMessage(err)
		} else {
			data.Result = &res
		}
	}
	p.Data = data
	s.renderPage(w, r, status, "hittest.html", p)
	return nil
}

func (s *Server) apiHitTest(w http.ResponseWriter, r *http.Request, _ *actor) error {
	res, err := s.admin.hitTest(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
