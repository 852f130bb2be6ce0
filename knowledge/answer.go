package knowledge

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReplyBytes is the most UTF-8 bytes a rendered answer may take: the
// size of one WeChat text reply.
const MaxReplyBytes = 2048

// Reason says why a question was not answered.
type Reason string

// The reasons a question is not answered.
const (
	Answered             Reason = ""
	ReasonNoTerms        Reason = "no_terms"         // nothing searchable in the question
	ReasonLowConfidence  Reason = "low_confidence"   // no passage covers the question well enough
	ReasonDeptNotCovered Reason = "dept_not_covered" // the named department has no report
	ReasonYearNotCovered Reason = "year_not_covered" // no report for the named year (of that department)
	ReasonActionRequest  Reason = "action_request"   // the citizen asks the bot to do something
	ReasonOfficial       Reason = "official"         // a question about who holds an office
)

// Answer is the knowledge base's reply to one question.
type Answer struct {
	// Answered reports whether Text quotes a passage.
	Answered bool
	// Reason says why not, when Answered is false.
	Reason Reason
	// Text is the rendered reply in Chinese, at most MaxReplyBytes: the
	// source first, the quoted sentences, then the section path; or an
	// honest "not covered" message naming what the reports do cover.
	Text string
	// Excerpt is the quoted sentences alone, empty when not answered.
	Excerpt string
	// Hits are the ranked passages, best first, even when not answered.
	Hits []Hit
	// FAQ is the staff-written entry that answered, if one did.
	FAQ *FAQ
	// Year and Department are what the question asked about (0 and ""
	// when it named none); Terms are its searchable terms.
	Year       int
	Department string
	Terms      []string
	// Corrections are the rewrites applied to the question before
	// searching (see Understanding.Corrections).
	Corrections []Correction
	// Figures are the figures a comparison quoted, one per report that
	// states it, in the order of Text; Hits then holds their passages.
	Figures []Figure
}

// Answer searches for q and renders a grounded answer from the best
// passage, or a "not covered" reply when the question falls outside the
// reports or no passage is confident enough. The error is non-nil only when
// ctx is done. A query asked before (the same text, filters, context and
// focus, and the same year of the clock) is answered from the Base's
// cache; Answer is safe for concurrent use.
func (b *Base) Answer(ctx context.Context, q Query) (Answer, error) {
	key, cacheable := b.cacheKey(q)
	if cacheable {
		if a, ok := b.answers.get(key); ok {
			return a, nil
		}
	}
	a, err := b.answer(ctx, q)
	if err == nil && cacheable {
		b.answers.put(key, a)
	}
	return a, err
}

func (b *Base) answer(ctx context.Context, q Query) (Answer, error) {
	u := b.understand(q)
	a := Answer{Year: u.year, Department: u.department, Terms: u.terms, Corrections: u.corrections}
	if f, _, ok := b.matchFAQ(u); ok {
		a.Answered, a.FAQ = true, &f
		a.Excerpt = f.Answer
		a.Text = Truncate(f.Answer, MaxReplyBytes)
		if r, ok := b.reports[f.Report]; ok && f.Seq >= 0 && f.Seq < len(r.Passages) {
			h := b.hitOf(r, f.Seq)
			a.Hits = []Hit{h}
			a.Text = RenderHit(h, f.Answer)
		}
		return a, nil
	}
	if fa, ok := b.answerReportFact(u); ok {
		return fa, nil
	}
	if ca, ok, err := b.answerComparison(ctx, u, q); err != nil {
		return Answer{}, err
	} else if ok {
		return ca, nil
	}
	note := ""
	if y, ok := b.planYear(u, q.Text); ok {
		// Each report ends with the next year's plans: 2024年打算 is in
		// the 2023 report.
		note = fmt.Sprintf("%d年的工作打算写在%d年度的报告中:\n", u.year, y)
		u.year, u.plans = y, true
	}
	switch {
	case u.action:
		a.Reason = ReasonActionRequest
	case u.official:
		a.Reason = ReasonOfficial
	case u.department != "" && len(b.covered[u.department]) == 0:
		a.Reason = ReasonDeptNotCovered
	case u.year != 0 && u.department != "" && !slices.Contains(b.covered[u.department], u.year):
		a.Reason = ReasonYearNotCovered
	case u.year != 0 && !b.years[u.year]:
		a.Reason = ReasonYearNotCovered
	case len(u.terms)+len(u.context) == 0:
		a.Reason = ReasonNoTerms
	}
	if a.Reason == ReasonDeptNotCovered || a.Reason == ReasonYearNotCovered {
		// Another department's report may report on this one (the
		// 司法局 report gives the district government's lawsuits).
		if h, quote, ok, err := b.reportedByOthers(ctx, u, b.limit(q)); err != nil {
			return Answer{}, err
		} else if ok {
			a.Reason, a.Answered, a.Hits = Answered, true, []Hit{h}
			a.Excerpt = quote
			a.Text = b.otherSource(a, h) + RenderHit(h, a.Excerpt)
			return a, nil
		}
	}
	if a.Reason != Answered {
		a.Text = b.notCovered(a)
		return a, nil
	}
	hits, err := b.search(ctx, u, b.limit(q))
	if err != nil {
		return Answer{}, err
	}
	a.Hits = hits
	confident := func(h Hit) bool {
		return h.Confidence >= b.minConfidenceFor(h) && addressesOwnTerms(u, h) && !onlyGuessed(u, h)
	}
	// A passage that ranks first on the words it repeats but covers too
	// little of the question gives way to a close one that covers enough.
	for i := 1; i < min(len(hits), kindCandidates) && !confident(hits[0]); i++ {
		if confident(hits[i]) && hits[i].Score >= closeScore*hits[0].Score {
			hits[0], hits[i] = hits[i], hits[0]
		}
	}
	if len(hits) == 0 || !confident(hits[0]) {
		a.Reason = ReasonLowConfidence
		a.Text = b.notCovered(a)
		return a, nil
	}
	if u.allPlans {
		// 明年打算怎么搞 asks for the part on plans, though a passage that
		// mentions a 工作计划 may rank first.
		for i, h := range hits[:min(len(hits), kindCandidates)] {
			if onPlans(h.Path) && h.Confidence >= b.minConfidenceFor(h) {
				copy(hits[1:i+1], hits[:i])
				hits[0] = h
				break
			}
		}
	}
	// The best passage answers, or, when what it says lacks the kind of
	// fact asked for (a name, a sum), the next confident one that states
	// it (聘请重庆衡屿律师事务所 beside 全区有律师事务所27家).
	qts := b.queryTerms(u)
	quoted := false
	var excerpt string
	for i := 0; i < min(len(hits), kindCandidates) && !quoted; i++ {
		h := hits[i]
		if i > 0 && !confident(h) {
			continue
		}
		if h, excerpt, quoted = b.quote(u, h, qts); quoted {
			hits[i] = hits[0]
			hits[0] = h
		}
	}
	if !quoted {
		a.Reason = ReasonLowConfidence
		a.Text = b.notCovered(a)
		return a, nil
	}
	a.Answered = true
	a.Excerpt = excerpt
	a.Text = note + b.otherSource(a, hits[0]) + RenderHit(hits[0], a.Excerpt)
	return a, nil
}

// closeScore is the share of the best passage's score that a confident
// passage after it needs to answer in its place.
const closeScore = 0.8

// kindCandidates is how many of the best passages are tried for one that
// states the kind of fact a question asks for.
const kindCandidates = 3

// quote returns what h says in answer to u, and reports whether that
// states the kind of fact u asks for. For what a report's own programme
// is, the passage may be another (see introduction); for the plans or the
// shortcomings as a whole, the source is their part (see partItems). The
// hit returned is the one quoted.
func (b *Base) quote(u understood, h Hit, qts []queryTerm) (Hit, string, bool) {
	var excerpt string
	term := meaningSubject(u.asked)
	if u.meaning && b.describes(h, term) {
		u.meaning = false
	} else if intro, quote, ok := b.introduction(h, term); ok && u.meaning {
		h, excerpt, u.meaning = intro, quote, false
	}
	if excerpt == "" {
		excerpt = b.excerpt(h, u, qts)
	}
	if u.allPlans && onPlans(h.Path) || u.shortcomings && !u.why && b.wholePart(u, h) {
		if items, ok := b.partItems(h); ok {
			// The source is the part, not the item that ranked first.
			excerpt, h.Path = items, h.Path[:1]
		}
	}
	ok := u.statesWhatIsAsked(excerpt) && (!u.name || b.statesName(u, excerpt)) && b.speaksFor(u, h, excerpt)
	return h, excerpt, ok
}

// asksFuture matches what a question says is still to come (要达到, 将,
// 力争): of a year no report covers yet, it asks the plans the report of
// the year before gives.
var asksFuture = regexp.MustCompile(`要|将|力争|争取`)

// asksPlans matches a question about what is planned.
var asksPlans = regexp.MustCompile(`打算|计划|安排|思路|下一步|下步|准备|将要|目标`)

// planYear returns the year of the report that holds the plans a question
// asks about, when the year it names has no report (of its department)
// but the year before has: plans for 2024 are in the 2023 report.
func (b *Base) planYear(u understood, question string) (int, bool) {
	if u.year == 0 || !asksPlans.MatchString(question) && !asksFuture.MatchString(question) {
		return 0, false
	}
	has := func(y int) bool {
		if u.department != "" {
			return slices.Contains(b.covered[u.department], y)
		}
		return b.years[y]
	}
	if has(u.year) || !has(u.year-1) {
		return 0, false
	}
	return u.year - 1, true
}

// reportedByOthers looks for what a question about a department (and
// year) that has no report of its own can still be answered from: a
// confident passage of another department's report, of the year asked
// about, whose quoted sentences name the department. It returns the hit
// and its quote, or false when there is none.
func (b *Base) reportedByOthers(ctx context.Context, u understood, limit int) (Hit, string, bool, error) {
	if u.department == "" || (u.year != 0 && !b.years[u.year]) || len(u.terms)+len(u.context) == 0 {
		return Hit{}, "", false, nil
	}
	wide := u
	wide.department = ""
	hits, err := b.rank(ctx, wide, limit, false)
	if err != nil {
		return Hit{}, "", false, err
	}
	qts := b.queryTerms(u)
	for _, h := range hits {
		if h.Confidence < b.minConfidence {
			break
		}
		if quote := b.excerpt(h, u, qts); b.names(u, quote) {
			return h, quote, true, nil
		}
	}
	return Hit{}, "", false, nil
}

// speaksFor reports whether quote, from hit h, answers for the department
// u names: it comes from that department's report, or it names the
// department (an environment question about 环保局 is not answered by the
// 交通局's figures on complaints, while the 司法局 report answers for the
// district government when it names it).
func (b *Base) speaksFor(u understood, h Hit, quote string) bool {
	return u.department == "" || h.Department == u.department || b.names(u, quote)
}

// names reports whether quote names the department u asks about, by its
// name or one of its aliases; a question about the district as a whole
// (全区) is named by any passage that speaks for the whole district.
func (b *Base) names(u understood, quote string) bool {
	if strings.Contains(quote, u.department) {
		return true
	}
	if b.terms.Stopwords[u.deptAlias] {
		// The citizen named the district as a whole (全区): its figures are
		// reported by whichever department runs the work.
		return strings.Contains(quote, u.deptAlias)
	}
	for _, d := range b.depts {
		if d.Name != u.department {
			continue
		}
		for _, a := range d.Aliases {
			// 全区 stands for the district in every report: it names no one.
			if !b.terms.Stopwords[a] && strings.Contains(quote, a) {
				return true
			}
		}
	}
	return false
}

// otherSource is the line that says, before the quote, that the answer
// comes from another department's report than the one asked about, or ""
// when it does not.
func (b *Base) otherSource(a Answer, h Hit) string {
	if a.Department == "" || h.Department == a.Department {
		return ""
	}
	switch {
	case len(b.covered[a.Department]) == 0:
		return fmt.Sprintf("目前还没有收录%s的报告,%s%d年度报告中提到:\n", a.Department, h.Department, h.Year)
	case a.Year != 0 && !slices.Contains(b.covered[a.Department], a.Year):
		return fmt.Sprintf("目前没有收录%s%d年度的报告,%s%d年度报告中提到:\n", a.Department, a.Year, h.Department, h.Year)
	}
	return fmt.Sprintf("%s的报告没有提到这一点,%s%d年度报告中提到:\n", a.Department, h.Department, h.Year)
}

// minConfidenceFor is the confidence h needs to answer u. The passage the
// conversation last showed needs less: the earlier turns established that
// it is on topic, and a follow-up adds only a word or two of its own.
func (b *Base) minConfidenceFor(h Hit) float64 {
	if h.Focus {
		return focusConfidenceShare * b.minConfidence
	}
	return b.minConfidence
}

// addressesOwnTerms reports whether h answers what a follow-up adds of its
// own: with Context, the passage must match one of the question's own
// terms (or be its focus), else the context alone made it look relevant
// ("涉及多少人" answered with a passage about the topic that names no one).
func addressesOwnTerms(u understood, h Hit) bool {
	if len(u.context) == 0 || len(u.terms) == 0 || h.Focus {
		return true
	}
	for _, t := range u.terms {
		if slices.Contains(h.Matched, t) || (utf8.RuneCountInString(t) == 1 && strings.Contains(h.Text, t)) {
			return true
		}
	}
	return false
}

// onlyGuessed reports whether everything h matched of a question that
// names no department or year comes from a correction of its wording (限行
// read as 现行): a guess about a typo is not enough evidence by itself.
func onlyGuessed(u understood, h Hit) bool {
	if u.department != "" || u.year != 0 || len(u.context) > 0 {
		return false
	}
	for _, m := range h.Matched {
		guessed := false
		for _, c := range u.corrections {
			if c.Kind != CorrectColloquial && strings.Contains(c.To, m) && !strings.Contains(c.From, m) {
				guessed = true
			}
		}
		if !guessed {
			return false
		}
	}
	return len(h.Matched) > 0
}

// focusConfidenceShare is the share of the usual minimum confidence that
// the focus passage of a follow-up needs.
const focusConfidenceShare = 0.7

// RenderHit renders a quoted excerpt of a hit for a citizen: the source
// (department and year) first, then the excerpt, then the section path.
// The result is at most MaxReplyBytes; a long excerpt is cut at a sentence
// or clause boundary, never inside a character or a number.
func RenderHit(h Hit, excerpt string) string {
	head := fmt.Sprintf("【%s·%d年度法治政府建设报告】\n", h.Department, h.Year)
	tail := ""
	if s := h.Section(); s != "" {
		tail = "\n(出处:" + s + ")"
	}
	room := MaxReplyBytes - len(head) - len(tail)
	if room < 200 {
		tail = ""
		room = MaxReplyBytes - len(head)
	}
	return head + Truncate(excerpt, room) + tail
}

// Truncate shortens s to at most max bytes of UTF-8. It cuts after the
// last sentence or clause end that fits, or failing that between two
// characters that are not both part of a number, and appends "…" when it
// cut. It never splits a character or a number such as "316.79".
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	limit := max - len(ellipsis)
	if limit <= 0 {
		return ""
	}
	cut := 0
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		if end > limit {
			break
		}
		if strings.ContainsRune("。；;！？!?，,、", r) {
			cut = end
		}
	}
	if cut < limit/2 { // no boundary in the second half: cut between runes
		cut = 0
		for i, r := range s {
			end := i + utf8.RuneLen(r)
			if end > limit {
				break
			}
			if next, _ := utf8.DecodeRuneInString(s[end:]); !(isNumberRune(r) && isNumberRune(next)) {
				cut = end
			}
		}
	}
	return s[:cut] + ellipsis
}

func isNumberRune(r rune) bool { return unicode.IsDigit(r) || r == '.' || r == '%' }

// Excerpt picks the one to three sentences of a hit that carry what q
// asks: the sentence that covers most of the question's terms, with its
// neighbour when the question asks for a figure the sentence lacks. The
// excerpt of a hit asked for before with the same query comes from the
// Base's cache.
func (b *Base) Excerpt(h Hit, q Query) string {
	qk, cacheable := b.cacheKey(q)
	key := excerptKey{report: h.ReportID, seq: h.Seq, text: h.Text, query: qk}
	if cacheable {
		if e, ok := b.excerpts.get(key); ok {
			return e
		}
	}
	u := b.understand(q)
	e := b.excerpt(h, u, b.queryTerms(u))
	if cacheable {
		b.excerpts.put(key, e)
	}
	return e
}

// excerpt picks the sentences of h that answer u (see Excerpt), reading
// what kind of fact u asks for from its understanding.
func (b *Base) excerpt(h Hit, u understood, qts []queryTerm) string {
	d, ok := b.doc(h.ReportID, h.Seq)
	if !ok {
		return h.Text
	}
	if len(d.sents) <= 1 {
		return withItems(d.report, d.seq, h.Text)
	}
	text := d.report.Passages[d.seq].Text
	sentences := make([]string, len(d.sents))
	best, bestScore := 0, -1.0
	var own, context []queryTerm
	for _, qt := range qts {
		if qt.context {
			context = append(context, qt)
		} else {
			own = append(own, qt)
		}
	}
	if len(own) == 0 {
		own, context = context, nil
	}
	weak := !u.why && u.shortcomings
	change := askedChange(u.asked)
	sents, _ := d.sentences(nil)
	for i, s := range sents {
		sentences[i] = text[s.start:s.end]
		// The question's own words pick the sentence; the earlier turns'
		// words only break ties ("罚了多少钱" after a question about
		// complaints quotes the sentence on fines).
		score := sentenceScore(text, s, own) + 0.1*sentenceScore(text, s, context)
		if hasDigit(sentences[i]) {
			score += 0.01 // prefer the sentence with the figure on a tie
		}
		if u.why && statesCause.MatchString(sentences[i]) {
			score++ // "为什么" asks for the sentence that gives the cause
		}
		if weak && statesShortcoming.MatchString(sentences[i]) {
			score++ // "有什么不足" asks for a sentence that names one
		}
		if u.units != nil && hasFigureIn(sentences[i], u.units) {
			score++ // "多久", "多少人" ask for the sentence with that figure
		}
		if u.how && statesMethod.MatchString(sentences[i]) {
			score++ // "怎么申请" asks for the sentence that says by what means
		}
		if u.date && statesDate.MatchString(sentences[i]) {
			score++ // "哪天" asks for the sentence with a date
		}
		if change != "" && changesBy(sentences[i], change) {
			score++ // "压缩了多少" asks by how much, not to what
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	// A sentence that lacks what the question asks for (a figure, a name)
	// is quoted with the neighbour that states it.
	from, to := best, best+1
	widen := func(states func(string) bool) {
		if states(sentences[best]) {
			return
		}
		if to < len(sentences) && states(sentences[to]) {
			to++
		} else if from > 0 && states(sentences[from-1]) {
			from--
		}
	}
	if u.figure {
		widen(hasDigit)
	}
	if u.name {
		widen(func(s string) bool { return b.statesName(u, s) })
	}
	if utf8.RuneCountInString(strings.Join(sentences[from:to], "")) < 40 && to < len(sentences) {
		to++ // a very short sentence says little without the next one
	}
	quote := strings.TrimSpace(strings.Join(sentences[from:to], ""))
	if from == 0 && to == len(sentences) {
		quote = withItems(d.report, d.seq, quote)
	}
	return quote
}

// withItems continues the quote of the whole passage seq of r into the
// passages that follow under it, when it is a short one that introduces
// them (二、存在的不足和原因: "…仍有差距。" and then 一是…, 二是… as passages of
// their own): as many as fit in maxListRunes.
func withItems(r *Report, seq int, quote string) string {
	const short = 80 // runes: an introduction, not a passage of its own
	n := utf8.RuneCountInString(quote)
	if n > short {
		return quote
	}
	path := r.Passages[seq].Path
	for i := seq + 1; i < len(r.Passages); i++ {
		p := r.Passages[i]
		if len(p.Path) <= len(path) || !slices.Equal(p.Path[:len(path)], path) {
			break
		}
		if n += utf8.RuneCountInString(p.Text); n > maxListRunes {
			break
		}
		quote += p.Text
	}
	return quote
}

// maxListRunes bounds an excerpt that quotes the items of a list.
const maxListRunes = 400

func hasDigit(s string) bool { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }

// wantsFigure reports whether a question asks for a number or a date.
func wantsFigure(q string) bool {
	for _, w := range []string{"多少", "几", "百分之", "率", "哪天", "何时", "什么时候", "多久", "多长", "多大"} {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

// notCovered renders an honest reply for an unanswered question, naming
// what the knowledge base does cover.
func (b *Base) notCovered(a Answer) string {
	var sb strings.Builder
	switch a.Reason {
	case ReasonActionRequest:
		sb.WriteString("抱歉,我只能解答江津区法治政府建设年度报告中的内容,无法代为办理事务。")
	case ReasonOfficial:
		sb.WriteString("抱歉,法治政府建设年度报告中没有公布领导干部的个人信息。各部门负责人信息请查阅江津区人民政府网站的机构概况栏目。")
	case ReasonDeptNotCovered:
		fmt.Fprintf(&sb, "抱歉,目前还没有收录%s的法治政府建设年度报告。", a.Department)
	case ReasonYearNotCovered:
		who := a.Department
		if who == "" {
			who = "各部门"
		}
		fmt.Fprintf(&sb, "抱歉,目前没有收录%s%d年度的法治政府建设报告。", who, a.Year)
		if ys := b.covered[a.Department]; a.Department != "" && len(ys) > 0 {
			fmt.Fprintf(&sb, "\n%s已收录:%s年度。", a.Department, joinYears(ys))
			return sb.String()
		}
	default:
		which := "已收录的法治政府建设年度报告"
		switch {
		case a.Department != "" && a.Year != 0:
			which = fmt.Sprintf("%s%d年度的法治政府建设报告", a.Department, a.Year)
		case a.Department != "":
			which = a.Department + "的法治政府建设报告"
		case a.Year != 0:
			which = fmt.Sprintf("已收录的%d年度法治政府建设报告", a.Year)
		}
		fmt.Fprintf(&sb, "抱歉,%s中没有找到与您的问题相符的内容。", which)
	}
	// The reply stays short however many reports there are: the years of
	// the department asked about, or how many reports there are and how
	// to list them.
	if ys := b.covered[a.Department]; len(ys) > 0 && a.Reason != ReasonYearNotCovered {
		fmt.Fprintf(&sb, "\n%s已收录:%s年度。", a.Department, joinYears(ys))
	} else {
		fmt.Fprintf(&sb, "\n目前收录了%d个部门的%d份报告,回复\"%s\"查看。", len(b.covered), len(b.reports), ReportListCommand)
	}
	return sb.String()
}

// ReportListCommand is what a citizen sends to list the reports covered.
const ReportListCommand = "报告列表"

func joinYears(ys []int) string {
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, "、")
}
