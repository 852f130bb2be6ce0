package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fazhibot/knowledge"
)

// Tuning of the follow-up rule and of the replies built from hits.
const (
	// freshTerms is how many searchable terms of its own make a turn able
	// to stand as a question by itself (rules 4 and 5). Questions are
	// segmented in search mode, so 行政复议 alone already counts two
	// (行政, 行政复议).
	freshTerms = 3
	// closeRatio and closeConfidence decide when two hits are too close
	// to pick one: the second scores at least closeRatio of the first and
	// covers the question as well, within closeConfidence. Calibrated on
	// the sample question set so that clear questions are answered directly.
	closeRatio      = 0.95
	closeConfidence = 0.05
	// maxChoices caps the numbered options of a reply.
	maxChoices = 3
	// maxHits caps the hits kept in a reply and the session.
	maxHits = 5
	// relatedConfidence is the least confidence of a hit that 更多 shows
	// or an unanswered question suggests.
	relatedConfidence = 0.3
)

// asked is a question as put to the knowledge base after the follow-up
// rule, with its answer and the topic it leaves.
type asked struct {
	q     knowledge.Query
	a     knowledge.Answer
	topic *Topic
	mode  FollowUp
}

func (t *turn) question(text string) Reply {
	s := t.session()
	now := t.queryNow()
	u := t.k.Understand(knowledge.Query{Text: text, Now: now})
	if later, ok := afterTopic(u, now, s.Topic); ok {
		now = later
		u = t.k.Understand(knowledge.Query{Text: text, Now: now})
	}
	t.entry.Terms, t.entry.Year, t.entry.Department = u.Terms, u.Year, u.Department
	var focus *knowledge.PassageKey
	if s.Shown >= 0 && s.Shown < len(s.Hits) {
		h := s.Hits[s.Shown]
		focus = &knowledge.PassageKey{Report: h.ReportID, Seq: h.Seq}
	}
	res, err := t.ask(text, u, s.Topic, focus, now)
	if err != nil {
		return Reply{Text: busyText, Intent: IntentBusy}
	}
	a := res.a
	if !a.Answered && a.Reason == knowledge.ReasonYearNotCovered && s.Topic != nil && res.topic != nil && res.topic != s.Topic {
		// A year no report covers ("那2021年呢", not covered) does not
		// become the conversation's year: the next turns are asked of
		// the year talked about before.
		kept := *res.topic
		kept.Year = s.Topic.Year
		res.topic = &kept
	}
	t.entry.FollowUp = res.mode
	t.entry.Context = res.q.Context
	t.entry.Year, t.entry.Department = a.Year, a.Department
	t.entry.Hits = hitRefs(a.Hits)
	s.Topic = res.topic
	s.Query = storedQuery(res.q)
	s.Hits = storedHits(a.Hits)
	s.Shown, s.Choices, s.Rest = -1, nil, ""
	s.Exchange = t.entry.Exchange
	t.dirty = true
	if !a.Answered {
		return t.notCovered(a)
	}
	if choices := closeHits(a); len(choices) > 1 {
		return t.clarify(a, choices)
	}
	s.Shown = 0
	return t.send(Reply{Text: a.Text, Next: NextRelated, Answered: true, Intent: IntentAnswer, Hits: a.Hits})
}

// afterTopic returns the time a message's relative years are read from
// when u names a year still to come (明年) in a conversation about a year:
// no report covers a year that has not begun, so the citizen means the
// year after the one talked about (its plans, in that year's report). 去年
// and 今年 stay years of the calendar. It returns false when u names no
// such year.
func afterTopic(u knowledge.Understanding, now time.Time, tp *Topic) (time.Time, bool) {
	if now.IsZero() {
		now = time.Now()
	}
	if tp == nil || tp.Year == 0 || u.Year <= now.Year() {
		return time.Time{}, false
	}
	return time.Date(tp.Year, time.July, 1, 12, 0, 0, 0, now.Location()), true
}

// ask applies the follow-up rule documented on Dialogue.Respond.
// focus is the passage last shown, which a follow-up in context prefers;
// now anchors relative years (see afterTopic).
func (t *turn) ask(text string, u knowledge.Understanding, tp *Topic, focus *knowledge.PassageKey, now time.Time) (asked, error) {
	own := func() (asked, error) {
		q := knowledge.Query{Text: text, Now: now}
		a, err := t.answer(q)
		topic := &Topic{Question: text, Terms: u.Terms, Year: u.Year, Department: u.Department}
		return asked{q: q, a: a, topic: topic, mode: FollowUpNew}, err
	}
	if tp == nil {
		return own()
	}
	if u.Action {
		res, err := own()
		res.topic = tp // a request to act does not change the subject
		return res, err
	}
	named := u.Year != 0 || u.Department != ""
	year, dept := u.Year, u.Department
	if year == 0 {
		year = tp.Year
	}
	if dept == "" {
		dept = tp.Department
	}
	refine := func() (asked, error) {
		y, note := t.coveredYear(dept, year, u.Year != 0)
		q := knowledge.Query{Text: tp.Question, Year: y, Department: dept, Now: now}
		if u.Compares && u.Year != 0 && tp.Year != 0 && u.Year != tp.Year {
			// "那和2020年比呢": the topic's figure in both years.
			q = knowledge.Query{Text: tp.Question, Department: dept, Years: []int{tp.Year, u.Year}, Now: now}
			note = ""
		}
		a, err := t.answer(q)
		if a.Answered && note != "" {
			a.Text = note + a.Text
		}
		topic := &Topic{Question: tp.Question, Terms: tp.Terms, Year: y, Department: dept}
		return asked{q: q, a: a, topic: topic, mode: FollowUpRefine}, err
	}
	switch {
	case len(u.Terms) == 0 && named: // rule 2
		return refine()
	case u.Department != "" && u.Department != tp.Department: // rule 3
		res, err := own()
		if err != nil || res.a.Answered {
			return res, err
		}
		// Nothing answers the turn alone ("换成市监局呢 审了好多"): the
		// topic, asked of the department it names.
		if r, err := refine(); err != nil || r.a.Answered {
			return r, err
		}
		return res, nil
	}
	// Rules 4 and 5.
	few := wholeWords(u.Terms) < freshTerms
	cq := knowledge.Query{Text: text, Year: year, Department: dept, Context: tp.Terms, Focus: focus, Now: now}
	ca, err := t.answer(cq)
	if ca.Answered && !ca.Hits[0].Focus && overridden(ca.Hits, u.Terms) {
		ca = t.notFound(ca, ca.Hits)
	}
	inContext := asked{q: cq, a: ca, mode: FollowUpContext,
		topic: &Topic{Question: tp.Question, Terms: tp.Terms, Year: year, Department: dept}}
	// The turn asked within the topic's year and department, as a new
	// topic there.
	filtered := func() (asked, error) {
		fq := knowledge.Query{Text: text, Year: year, Department: dept, Now: now}
		fa, err := t.answer(fq)
		topic := &Topic{Question: text, Terms: u.Terms, Year: year, Department: dept}
		return asked{q: fq, a: fa, topic: topic, mode: FollowUpFilters}, err
	}
	if err == nil && few && !named && !ca.Answered && dept != "" && wholeWords(u.Terms) >= 2 {
		// Two words of its own, both in one passage of the topic's
		// department, stand as a question there ("普法有啥子不够的"
		// after a question about 审批).
		if r, err := filtered(); err != nil || r.a.Answered && ownMatched(r.a.Hits[0], u.Terms) == len(u.Terms) {
			return r, err
		}
	}
	if err != nil || (few && (ca.Answered || !named)) {
		if !ca.Answered {
			inContext.topic = tp
		}
		return inContext, err
	}
	if dept != "" && dept != u.Department && (few || !ca.Answered) {
		// A turn naming only its year ("2021年罚款多少"), or one its
		// context does not answer ("那被人告上法院的有几件"), stays with
		// the topic's department.
		if r, err := filtered(); err != nil || r.a.Answered {
			return r, err
		}
	}
	alone, err := own()
	switch {
	case err != nil:
		return alone, err
	case ca.Answered && (!alone.a.Answered || ownMatched(ca.Hits[0], u.Terms) >= ownMatched(alone.a.Hits[0], u.Terms)):
		return inContext, nil
	case alone.a.Answered:
		return alone, nil
	}
	if few { // and named
		if r, err := refine(); err != nil || r.a.Answered {
			return r, err
		}
		alone.topic = tp
	} else if !alone.a.Answered {
		// Nothing answered: the conversation is still about the topic's
		// department and year, unless the turn named others.
		alone.topic.Year, alone.topic.Department = year, dept
	}
	return alone, nil
}

// coveredYear returns the year a follow-up about dept is answered for: year
// itself when dept has a report for it, or when the citizen named the year
// in this turn; otherwise, when the year was carried over from the topic,
// the closest year dept has a report for, with a line saying so
// ("住建委只收录了2021年度,以下是2021年度的内容:").
func (t *turn) coveredYear(dept string, year int, named bool) (int, string) {
	if dept == "" || year == 0 || named {
		return year, ""
	}
	var years []int
	for _, c := range t.k.Coverage() {
		if c.Department == dept {
			years = c.Years
		}
	}
	if len(years) == 0 || slices.Contains(years, year) {
		return year, ""
	}
	best := years[0]
	for _, y := range years {
		if abs(y-year) < abs(best-year) || abs(y-year) == abs(best-year) && y > best {
			best = y
		}
	}
	list := make([]string, len(years))
	for i, y := range years {
		list[i] = fmt.Sprintf("%d", y)
	}
	return best, fmt.Sprintf("%s没有%d年度的报告(已收录%s年度),以下是%d年度的内容:\n", dept, year, strings.Join(list, "、"), best)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// overridden reports whether the context took over a follow-up (unless
// the best passage is the one last shown, which a follow-up may ask more
// about without repeating its words): the best
// passage matches none of the turn's own terms although other passages
// show that the reports use them ("涉及多少人" answered with a passage that
// only shares the topic). Terms no passage matches (a word the reports
// never use, such as 投了) do not count against the context.
func overridden(hits []knowledge.Hit, terms []string) bool {
	if len(terms) == 0 || len(hits) == 0 || ownMatched(hits[0], terms) > 0 {
		return false
	}
	for _, h := range hits[1:] {
		if ownMatched(h, terms) > 0 {
			return true
		}
	}
	return false
}

// ownMatched counts the terms of terms that h matched.
func ownMatched(h knowledge.Hit, terms []string) int {
	n := 0
	for _, w := range terms {
		if slices.Contains(h.Matched, w) {
			n++
		}
	}
	return n
}

// answer asks the knowledge base. A department the conversation supplies
// (q.Department set by a follow-up) is a filter there: the citizen is still
// talking about that department's report.
func (t *turn) answer(q knowledge.Query) (knowledge.Answer, error) {
	return t.k.Answer(t.ctx, q)
}

// notFound turns a into an honest "not covered" for its department (and
// year), keeping hits as the related passages.
func (t *turn) notFound(a knowledge.Answer, hits []knowledge.Hit) knowledge.Answer {
	a.Answered, a.Reason, a.Excerpt, a.Hits = false, knowledge.ReasonLowConfidence, "", hits
	var which string
	switch {
	case a.Department != "" && a.Year != 0:
		which = fmt.Sprintf("%s%d年度的法治政府建设报告", a.Department, a.Year)
	case a.Department != "":
		which = a.Department + "的法治政府建设报告"
	case a.Year != 0:
		which = fmt.Sprintf("已收录的%d年度法治政府建设报告", a.Year)
	default:
		which = "已收录的法治政府建设年度报告"
	}
	a.Text = "抱歉," + which + "中没有找到与您的问题相符的内容。"
	return a
}

// closeHits returns the indices of the hits too close to the best one to
// pick it without asking: they cover the question as well (within
// closeConfidence), score nearly as high (closeRatio), come from another
// report or section (their labels differ), and from the department the
// question names, if any. It returns fewer than two indices when the best
// hit is clear.
func closeHits(a knowledge.Answer) []int {
	if len(a.Hits) < 2 || len(a.Figures) > 0 { // a comparison quotes every hit
		return nil
	}
	top := a.Hits[0]
	out := []int{0}
	seen := map[string]bool{hitLabel(top): true}
	for i, h := range a.Hits[1:] {
		if len(out) == maxChoices {
			break
		}
		l := hitLabel(h)
		// Two sections of one report, or two years of one department's
		// report, are not a choice to make: the best is quoted, and 更多
		// shows the other.
		if h.Score < closeRatio*top.Score || h.Confidence < top.Confidence-closeConfidence || seen[l] ||
			(a.Department != "" && h.Department != a.Department) ||
			(h.Department == top.Department && h.Year != top.Year) || h.ReportID == top.ReportID {
			continue
		}
		seen[l] = true
		out = append(out, i+1)
	}
	return out
}

func (t *turn) clarify(a knowledge.Answer, idx []int) Reply {
	s := t.session()
	labels := make([]string, len(idx))
	for i, j := range idx {
		labels[i] = hitLabel(a.Hits[j])
	}
	for i, j := range idx {
		s.Choices = append(s.Choices, Choice{Label: labels[i], Hit: j})
	}
	return Reply{Text: "您是否想问:", Choices: labels, Note: "请回复数字查看。", Intent: IntentClarify, Hits: a.Hits}
}

// notCovered renders an unanswered question: the knowledge base's honest
// reply, a few things it can answer (the related passages found, else the
// hot questions) as numbered choices, and the hotline.
func (t *turn) notCovered(a knowledge.Answer) Reply {
	s := t.session()
	hotline := fmt.Sprintf(hotlineText, t.d.hotline)
	r := Reply{Text: a.Text, Note: hotline, Intent: IntentNotCovered, Reason: a.Reason, Hits: a.Hits}
	var choices []Choice
	if a.Reason == knowledge.ReasonLowConfidence {
		seen := map[string]bool{}
		for i, h := range a.Hits {
			l := hitLabel(h)
			if h.Confidence >= relatedConfidence && !seen[l] && len(choices) < maxChoices {
				seen[l] = true
				choices = append(choices, Choice{Label: l, Hit: i})
			}
		}
	}
	head := "\n\n您可以查看这些相关内容:"
	if len(choices) == 0 && a.Reason != knowledge.ReasonActionRequest {
		head = "\n\n您可以试着这样问:"
		for _, q := range t.d.hot {
			if len(choices) < maxChoices && q != strings.TrimSpace(t.m.Text) {
				choices = append(choices, Choice{Label: q, Question: q})
			}
		}
	}
	if len(choices) > 0 {
		r.Text += head
		for _, c := range choices {
			r.Choices = append(r.Choices, c.Label)
		}
		r.Note = "回复数字即可查看。\n" + hotline
		s.Choices = choices
	}
	return r
}

// choose answers a digit that picks one of the numbered choices.
func (t *turn) choose(n int) Reply {
	s := t.session()
	if n > len(s.Choices) {
		return Reply{Text: fmt.Sprintf("请回复1到%d之间的数字,或直接输入您的问题。", len(s.Choices)), Intent: IntentChoice}
	}
	c := s.Choices[n-1]
	s.Choices = nil
	t.dirty = true
	if c.Question != "" {
		return t.question(c.Question)
	}
	if c.Hit < 0 || c.Hit >= len(s.Hits) {
		return t.question(c.Label)
	}
	return t.showHit(c.Hit, "", IntentChoice)
}

// showHit quotes hit i of the session with prefix, as an answer.
func (t *turn) showHit(i int, prefix string, intent Intent) Reply {
	s := t.session()
	h := s.Hits[i].hit()
	var q knowledge.Query
	if s.Query != nil {
		q = s.Query.query()
	}
	text := prefix + knowledge.RenderHit(h, t.k.Excerpt(h, q))
	s.Shown = i
	s.Exchange = t.entry.Exchange
	t.entry.Hits = hitRefs([]knowledge.Hit{h})
	t.dirty = true
	return t.send(Reply{Text: text, Next: NextRelated, Answered: true, Intent: intent, Hits: []knowledge.Hit{h}})
}

// detail sends the whole passage last quoted, split if long.
func (t *turn) detail() Reply {
	s := t.session()
	if s.Shown < 0 {
		return t.nothingShown(IntentDetail)
	}
	h := s.Hits[s.Shown].hit()
	s.Exchange = t.entry.Exchange
	t.entry.Hits = hitRefs([]knowledge.Hit{h})
	t.dirty = true
	return t.send(Reply{Text: fullText(h), Answered: true, Intent: IntentDetail, Hits: []knowledge.Hit{h}})
}

// more sends the rest of a long reply, or else the next related hit.
func (t *turn) more() Reply {
	s := t.session()
	if s.Rest != "" {
		t.dirty = true
		r := Reply{Text: s.Rest, Answered: s.Shown >= 0, Intent: IntentMore}
		if s.Shown >= 0 {
			r.Hits = []knowledge.Hit{s.Hits[s.Shown].hit()}
		}
		return t.send(r)
	}
	if len(s.Choices) > 0 {
		labels := make([]string, len(s.Choices))
		for i, c := range s.Choices {
			labels[i] = c.Label
		}
		return Reply{Text: "请回复数字选择:", Choices: labels, Intent: IntentMore}
	}
	if s.Shown < 0 {
		return t.nothingShown(IntentMore)
	}
	next := s.Shown + 1
	if next >= len(s.Hits) || s.Hits[next].Confidence < relatedConfidence {
		return Reply{Text: noMoreText, Intent: IntentMore}
	}
	return t.showHit(next, fmt.Sprintf("第%d条相关内容:\n", next+1), IntentMore)
}

func (t *turn) nothingShown(intent Intent) Reply {
	return Reply{Text: fmt.Sprintf(nothingShownText, t.d.hot[0]), Intent: intent}
}

// send cuts a reply longer than the door's page (Message.PageBytes) into
// its first page, keeping the rest in the session for 更多.
func (t *turn) send(r Reply) Reply {
	s := t.session()
	s.Rest = ""
	if t.m.PageBytes > 0 && len(r.Text) > t.m.PageBytes {
		r.Text, s.Rest = split(r.Text, t.m.PageBytes)
		r.Next = NextPage
	}
	t.dirty = true
	return r
}

// wholeWords counts the terms that are not part of another term: 行政 and
// 诉讼 beside 行政诉讼 say nothing more.
func wholeWords(terms []string) int {
	n := 0
	for i, t := range terms {
		inside := false
		for j, o := range terms {
			if i != j && len(o) > len(t) && strings.Contains(o, t) {
				inside = true
				break
			}
		}
		if !inside {
			n++
		}
	}
	return n
}
