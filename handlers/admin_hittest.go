package handlers

import (
	"context"
	"fazhibot/accounts"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/bot"
	"fazhibot/knowledge"
	"fazhibot/storage/logexport"
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
	// Corrections are the rewrites applied to the question before
	// searching (typos, short forms, colloquial words); [] when none.
	Corrections []correctionView `json:"corrections"`
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

// CorrectionLine lists the corrections for staff, e.g.
// "公正处 → 公证处(同音)、业委会 → 业主委员会(缩写)"; "" when there are none.
func (r *hitTestResult) CorrectionLine() string {
	parts := make([]string, len(r.Corrections))
	for i, c := range r.Corrections {
		parts[i] = c.Text
	}
	return strings.Join(parts, "、")
}

// IntentLabel is the reply's intent in Chinese, as the query log names it.
func (r *hitTestResult) IntentLabel() string { return logexport.Intent(r.Intent) }

// correctionView is one knowledge.Correction as the hit test shows it.
type correctionView struct {
	From  string `json:"from"`  // as the citizen typed it
	To    string `json:"to"`    // the reports' word
	Kind  string `json:"kind"`  // knowledge.CorrectionKind code
	Label string `json:"label"` // the kind in Chinese: 同音, 近音, 缩写, 口语
	Text  string `json:"text"`  // "公正处 → 公证处(同音)"
}

// correctionViews converts cs in order; it returns [] (never nil) for none.
func correctionViews(cs []knowledge.Correction) []correctionView {
	out := make([]correctionView, 0, len(cs))
	for _, c := range cs {
		out = append(out, correctionView{From: c.From, To: c.To, Kind: string(c.Kind), Label: c.Kind.Label(), Text: c.String()})
	}
	return out
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
	// FAQSource marks the passage an answering FAQ entry cites: it was not
	// searched for, so it has no score and no missing terms.
	FAQSource bool `json:"faq_source"`
	// Figure is the figure a comparison quoted from this passage
	// ("412.36万元"), with the clause that states it; "" otherwise.
	Figure       string `json:"figure,omitempty"`
	FigureClause string `json:"figure_clause,omitempty"`
	Why          string `json:"why"`
}

// hitTest asks the draft question q.
func (c *consoleServer) hitTest(ctx context.Context, q string) (hitTestResult, error) {
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
	reply := d.Respond(ctx, bot.Message{Channel: bot.ChannelEval, User: bot.UserID("hittest-" + accounts.RandomSecret(8)),
		Kind: bot.KindText, Text: q, Time: now})

	res := hitTestResult{
		Question: q, Reply: reply.Text, Answered: reply.Answered, Intent: string(reply.Intent),
		Reason: string(ans.Reason), Year: ans.Year, Department: ans.Department, Terms: nonNil(ans.Terms),
		Corrections: correctionViews(ans.Corrections), Threshold: c.minConfidence,
	}
	if ans.FAQ != nil && len(ans.FAQ.Questions) > 0 {
		res.FAQ = &hitFAQ{ID: string(ans.FAQ.ID), Question: ans.FAQ.Questions[0]}
	}
	res.Explanation = explain(ans, reply.Intent, c.minConfidence)
	res.Hits = hitViews(ans, reply.Intent, c.minConfidence)
	return res, nil
}

// hitViews explains each of a's hits against threshold, in agreement with
// the reply's intent: only the first hit of a reply that quotes it is
// "被选为答复", and the passage an FAQ answer cites is marked as such
// instead of being judged by score. It returns [] (never nil) for none.
func hitViews(a knowledge.Answer, intent bot.Intent, threshold float64) []hitView {
	faq := a.FAQ != nil
	out := make([]hitView, 0, len(a.Hits))
	for i, h := range a.Hits {
		v := hitView{
			Rank: i + 1, ReportID: string(h.ReportID), Seq: h.Seq, Title: h.Title, Section: h.Section(),
			Text: h.Text, Score: roundScore(h.Score), Confidence: roundScore(h.Confidence),
			Matched: nonNil(h.Matched), Missing: []string{}, Focus: h.Focus, Passed: h.Confidence >= threshold,
		}
		if i < len(a.Figures) {
			// A comparison quotes one figure from each of its hits.
			f := a.Figures[i]
			v.Figure, v.FigureClause = f.Text, f.Clause
			v.Why = fmt.Sprintf("对比引用的数字：%s（原文：%s）", f.Text, f.Clause)
			out = append(out, v)
			continue
		}
		switch {
		case faq:
			v.FAQSource = true
			v.Why = "FAQ 答案注明的出处段落：由 FAQ 作答，不参与检索打分"
			out = append(out, v)
			continue
		case v.Passed:
			v.Why = fmt.Sprintf("置信度 %.2f ≥ 阈值 %.2f，达到作答要求", h.Confidence, threshold)
			if i == 0 && a.Answered && intent == bot.IntentAnswer {
				v.Why += "；被选为答复"
			}
		default:
			v.Why = fmt.Sprintf("置信度 %.2f < 阈值 %.2f，未达到作答要求", h.Confidence, threshold)
		}
		for _, t := range a.Terms {
			if !slices.Contains(h.Matched, t) {
				v.Missing = append(v.Missing, t)
			}
		}
		if len(v.Missing) > 0 {
			v.Why += "；未覆盖的提问词：" + strings.Join(v.Missing, "、")
		}
		out = append(out, v)
	}
	return out
}

// explain says in Chinese why the question got the reply it got: from the
// reply's intent first (a clarify or a small-talk reply is not "已作答"
// whatever the knowledge base found), then from a's reason.
func explain(a knowledge.Answer, intent bot.Intent, threshold float64) string {
	switch intent {
	case bot.IntentAnswer:
		switch {
		case a.FAQ != nil && len(a.FAQ.Questions) > 0:
			return fmt.Sprintf("由 FAQ 作答：提问与 FAQ 问法“%s”高度匹配，FAQ 优先于报告段落。", a.FAQ.Questions[0])
		case a.Answered:
			return fmt.Sprintf("已作答：排名第一的段落置信度达到阈值 %.2f，并覆盖了提问本身的词。", threshold)
		}
		return "已作答：对话结合上下文找到了达到阈值的段落。"
	case bot.IntentClarify:
		if a.Answered {
			return "未直接作答：排名靠前的几个段落来自不同报告或章节，得分和置信度相近，无法确定市民问的是哪一个，回复以“您是否想问”列出供选择。"
		}
		return fmt.Sprintf("未直接作答：没有段落足够确定地达到阈值 %.2f，回复以“您是否想问”列出相关段落供选择。", threshold)
	case bot.IntentNotCovered:
		if a.Answered {
			return "未作答：知识库找到了达到阈值的段落，但对话判断它没有回答提问本身（例如不是所问部门或年度的报告）。"
		}
		return notAnsweredWhy(a, threshold)
	}
	return fmt.Sprintf("未检索报告：这句话被识别为“%s”，由对话直接回复。", logexport.Intent(string(intent)))
}

// notAnsweredWhy says in Chinese why the knowledge base did not answer a.
func notAnsweredWhy(a knowledge.Answer, threshold float64) string {
	switch a.Reason {
	case knowledge.ReasonNoTerms:
		return "未作答：提问中没有可检索的词（可能都是停用词）。"
	case knowledge.ReasonLowConfidence:
		return fmt.Sprintf("未作答：没有段落的置信度达到阈值 %.2f，或最佳段落没有覆盖提问本身的词。可考虑补充同义词、关键词或 FAQ。", threshold)
	case knowledge.ReasonDeptNotCovered:
		return fmt.Sprintf("未作答：提问中的部门“%s”没有收录报告。", a.Department)
	case knowledge.ReasonYearNotCovered:
		if a.Department != "" {
			return fmt.Sprintf("未作答：没有%s %d 年度的报告。", a.Department, a.Year)
		}
		return fmt.Sprintf("未作答：没有 %d 年度的报告。", a.Year)
	case knowledge.ReasonActionRequest:
		return "未作答：提问是在请求办事（如预约、代办），机器人只回答报告中的内容。"
	case knowledge.ReasonOfficial:
		return "未作答：提问是在问某个职务由谁担任，报告不提供人员信息。"
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
