package knowledge

import (
	"context"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hit is one passage that matched a question.
type Hit struct {
	ReportID   ReportID
	Seq        int // the passage's position in its report
	Title      string
	Department string
	Year       int
	Path       []string
	Text       string
	// Score ranks hits: BM25 over words and character bigrams, boosted
	// when the passage belongs to the department the question names.
	Score float64
	// Confidence is the share (0–1) of the question's weighted terms that
	// the passage covers. Answers need DefaultMinConfidence or more.
	Confidence float64
	// Matched lists the question's terms found in the passage.
	Matched []string
	// Focus reports that the hit is the Query's Focus and can answer it
	// (it holds a figure in the unit asked for); it was preferred.
	Focus bool
}

// Section renders the hit's heading path, joined by " > ".
func (h Hit) Section() string { return Passage{Path: h.Path}.SectionPath() }

// Search returns the passages that best match q, best first, at most
// q.Limit (or the Base's default). A question with no searchable terms
// returns no hits. The error is non-nil only when ctx is done.
func (b *Base) Search(ctx context.Context, q Query) ([]Hit, error) {
	return b.search(ctx, b.understand(q), b.limit(q))
}

// search ranks passages for u. A department set by the caller is a filter.
// When the question names a department that has reports, that
// department's passages are searched first; only when
// none of them is confident enough are all passages searched, the named
// department's still boosted. So "教委的工单" stays with the 教委 report,
// while "改由区政府统一办理" can still find the 司法局 report.
func (b *Base) search(ctx context.Context, u understood, limit int) ([]Hit, error) {
	if u.department == "" || len(b.covered[u.department]) == 0 {
		return b.rank(ctx, u, limit, false)
	}
	hits, err := b.rank(ctx, u, limit, true)
	confident := len(hits) > 0 && hits[0].Confidence >= b.minConfidence
	if err != nil || u.deptStrict || confident && u.answersKind(hits[0].Text) {
		return hits, err
	}
	wide, err := b.rank(ctx, u, limit, false)
	if err != nil {
		return nil, err
	}
	switch {
	case len(wide) == 0:
	case !confident && (len(hits) == 0 || wide[0].Confidence > hits[0].Confidence):
		return wide, nil
	case confident && wide[0].Confidence >= b.minConfidence && u.answersKind(wide[0].Text):
		// The department's passage is on the topic but lacks what is asked
		// (a date, a count in the unit): another report may give it.
		return wide, nil
	}
	return hits, nil
}

// answersKind reports whether text holds the kind of figure u asks for:
// a number in the unit it counts in, a date for 哪天.
func (u understood) answersKind(text string) bool {
	return u.answersCount(text) && (!u.date || statesDate.MatchString(text))
}

func (b *Base) limit(q Query) int {
	if q.Limit > 0 {
		return q.Limit
	}
	return b.maxHits
}

// departmentBoost multiplies the score of passages from the department the
// question names. It is a boost, not a filter: a question may name one
// department while asking about another's work ("改由区政府统一办理").
const departmentBoost = 1.5

// noFigurePenalty multiplies the score of a passage without any digit when
// the question asks for a number or a date (多少, 几, 哪天 …), and again
// when it lacks a number in the unit the question counts in (多少人).
const noFigurePenalty = 0.7

// focusBoost multiplies the score of Query.Focus, the passage the
// conversation last showed: a follow-up ("涉及多少人", "合格率呢") usually
// asks about it. When the question asks for a figure, the passage must
// hold one, in the unit asked for if any.
const focusBoost = 1.5

// focusOn reports whether h is the passage the conversation last showed
// and can answer the question: it holds a figure when one is asked for, in
// the unit asked for if any, and gives a cause when one is asked for.
func (u understood) focusOn(h Hit) bool {
	return u.focus != nil && u.focus.Report == h.ReportID && u.focus.Seq == h.Seq &&
		(!u.figure || hasDigit(h.Text)) && u.answersCount(h.Text) &&
		(!u.why || statesCause.MatchString(h.Text))
}

// answersCount reports whether text holds a number in the unit the
// question counts in, or the question counts in no particular unit.
func (u understood) answersCount(text string) bool {
	return u.units == nil || hasFigureIn(text, u.units)
}

// headingBoost multiplies the score of a passage whose own heading names
// what the question asks about (一是保障食品安全 for 食品安全): a passage
// is about what its heading says, while another may mention it in
// passing.
const headingBoost = 1.2

// headedBy reports whether the last heading of path holds one of the
// question's own content words of two characters or more.
func headedBy(path []string, qts []queryTerm) bool {
	if len(path) == 0 {
		return false
	}
	heading := path[len(path)-1]
	for _, qt := range qts {
		if !qt.context && qt.role >= 1 && !qt.foreign && utf8.RuneCountInString(qt.word) >= 2 && strings.Contains(heading, qt.word) {
			return true
		}
	}
	return false
}

// asidePenalty multiplies the score of a passage in the part of a report
// on the next year's plans, or on its shortcomings, when the question
// asks about neither: what a department did, or what a term it uses
// means, is told where the report gives account of the year, while its
// plans and its shortcomings only name the same things again
// ("扩大“一码管地”系统应用范围", "全年出现1件行政诉讼案件被确认违法"),
// even when their heading names the topic (一是综合行政执法能力不足).
// Swept over all sets (BENCHMARKS.md, sixth round): 0.5 to 0.6 give the
// same figures, 0.7 and 0.8 fewer, 0.4 lose facts.
const asidePenalty = 0.55

// sectionBoost multiplies the score of a passage of the kind a question
// asks for, whatever words the passage itself uses: one in the part of a
// report on shortcomings (有什么不足: 存在的不足和原因), one that gives a
// cause (为什么: 主要原因是…).
const sectionBoost = 1.5

// rerankDepth is how many of the best-scoring passages are re-ranked by
// proximity.
const rerankDepth = 20

// contextWeight is the weight of a follow-up's context terms relative to
// the question's own terms.
const contextWeight = 0.5

// bigramWeight scales the character-bigram signal against the word signal.
const bigramWeight = 0.3

type queryTerm struct {
	word    string
	weight  float64 // share of the question this term carries
	idf     float64
	bigrams []string
	id      uint32   // the word's ID in the sentence index, when known
	known   bool     // the index has seen the word
	foreign bool     // a noun no report uses (its role is unknownNounWeight)
	role    float64  // the part it plays in the question (roleWeight)
	gramIDs []uint32 // IDs of the bigrams the index has seen
	context bool     // the term comes from earlier turns, not the question
}

// termList is one posting list a question's scores add up, in order.
type termList struct {
	postings []posting
	weight   float64 // the term's share: context and bigrams weigh less
	idf      float64
	bigram   bool
}

type candidate struct {
	doc         int32
	score       float64
	exact       []bool
	bigramsSeen []int
}

// rank scores every passage that shares a word or bigram with u, keeping
// the best limit. With deptOnly, only the named department's passages
// count.
func (b *Base) rank(ctx context.Context, u understood, limit int, deptOnly bool) ([]Hit, error) {
	if len(u.terms)+len(u.context) == 0 || len(b.docs) == 0 {
		return nil, ctx.Err()
	}
	qts := b.queryTerms(u)
	// Scores accumulate in a dense, pooled array: a common word touches
	// most passages, and a map entry per passage would cost more than the
	// scoring itself.
	// The filters compare ints copied into doc rather than chasing
	// d.report for every posting.
	year := int32(u.year)
	dept, hasDept := b.deptIDs[u.department]
	if deptOnly && !hasDept {
		return nil, ctx.Err()
	}
	allows := func(d *doc) bool {
		return (year == 0 || d.year == year) && (!deptOnly || d.dept == dept)
	}
	sc := b.scratch.Get().(*scratch)
	defer b.putScratch(sc)
	// The posting lists of the question's words and of their bigrams, in
	// the order their scores add up.
	lists := make([]termList, 0, 4*len(qts))
	walkCost := 0
	for i, qt := range qts {
		scale := 1.0
		if i >= len(u.terms) {
			scale = contextWeight
		}
		lists = append(lists, termList{b.words[qt.word], scale, qt.idf, false})
		walkCost += len(b.words[qt.word])
		for _, g := range qt.bigrams {
			postings := b.bigrams[g]
			lists = append(lists, termList{postings, scale * bigramWeight, b.idf(len(postings)), true})
			walkCost += len(postings)
		}
	}
	add := func(doc int32, p posting, l *termList) {
		if l.bigram {
			sc.add(doc, l.weight*bm25(p.tf(), b.ranks[doc].bigrams, l.idf))
		} else {
			sc.add(doc, l.weight*bm25(p.tf(), b.ranks[doc].words, l.idf))
		}
	}
	// A walk that touches many passages does not list them as it goes: a
	// scan of the scores afterwards costs less than the unpredictable
	// branch of a list.
	dense := walkCost >= len(b.docs)/denseWalk
	if few := b.filtered(year, deptOnly, dept); few != nil && len(few)*len(lists)*lookupCost < walkCost {
		// The filters leave few passages (one department's, one year's):
		// looking each up in the lists costs less than walking them. The
		// scores add up in the same order, so they are the same.
		for _, doc := range few {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if !allows(&b.docs[doc]) {
				continue
			}
			for k := range lists {
				if p, ok := findPosting(lists[k].postings, doc); ok {
					add(doc, p, &lists[k])
				}
			}
		}
		dense = false
	} else if walkCost >= b.pruning.minWalk {
		// Long lists: only the passages that can make the best are scored
		// in full (see scorePruned).
		if err := b.scorePruned(ctx, sc, lists, year, deptOnly, rankBoost{dept, hasDept, u.figure}); err != nil {
			return nil, err
		}
		dense = false
	} else {
		for k := range lists {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			l := &lists[k]
			sc.walk(l.postings, b.ranks, l.bigram, l.weight, l.idf, year, deptOnly, dept, !dense)
		}
	}
	if dense {
		sc.collect()
	}
	list := make([]*candidate, 0, rerankDepth)
	for _, doc := range sc.touched {
		score := sc.scores[doc]
		if hasDept && b.ranks[doc].dept == dept {
			score *= departmentBoost
		}
		if u.figure && !b.figures[doc] {
			score *= noFigurePenalty
		}
		if len(list) == rerankDepth && !better(&candidate{doc: doc, score: score}, list[rerankDepth-1]) {
			continue // does not escape: no allocation for the passages that lose
		}
		list = keepBest(list, &candidate{doc: doc, score: score}, rerankDepth)
	}
	// The part of a report on shortcomings answers the words that ask for
	// it (有什么不足, 存在什么问题), whichever of them its heading uses.
	var asksSection []bool // by term: a word that asks for that part
	inSection := make([]bool, len(list))
	if u.shortcomings {
		asksSection = make([]bool, len(qts))
		for i, qt := range qts {
			asksSection[i] = inShortcomings.MatchString(qt.word)
		}
	}
	for k, c := range list {
		b.matchTerms(c, qts)
		if d := &b.docs[c.doc]; u.shortcomings && onShortcomings(d.report.Passages[d.seq].Path) {
			inSection[k] = true
			for i := range qts {
				c.exact[i] = c.exact[i] || asksSection[i]
			}
		}
	}
	// Re-rank the best few by coverage and proximity: a passage that
	// covers more of the question, and one with a sentence that holds most
	// of it ("聘请…律师事务所为…法律顾问"), beats one that repeats a few
	// of its words or scatters them over several sentences.
	hits := make([]Hit, len(list))
	lenient, rest := paraphrased(qts), theRest(qts)
	var buf []uint32
	for i, c := range list {
		hits[i] = b.hit(c, qts)
		// Each candidate's sentences are decoded once for the checks below.
		var sents []sentenceIDs
		sents, buf = b.docs[c.doc].sentences(buf)
		if lenient != nil && holdsTheRest(sents, rest) {
			hits[i].Confidence = coverage(c, lenient, hits[i].Text)
		}
		hits[i].Score *= (0.5 + 0.5*bestSentence(hits[i].Text, sents, qts)) * (0.5 + 0.5*hits[i].Confidence)
		if !u.answersKind(hits[i].Text) || u.name && !b.statesName(u, hits[i].Text) {
			hits[i].Score *= noFigurePenalty
		} else if u.units != nil && !countsInSentence(hits[i].Text, sents, qts, u.units) {
			hits[i].Score *= apartFigurePenalty
		}
		if inSection[i] {
			hits[i].Score *= sectionBoost
		}
		if !u.plans && onPlans(hits[i].Path) {
			hits[i].Score *= asidePenalty
		}
		if !u.shortcomings && !u.why && onShortcomings(hits[i].Path) {
			hits[i].Score *= asidePenalty
		}
		if headedBy(hits[i].Path, qts) {
			hits[i].Score *= headingBoost
		}
		if u.why && statesCause.MatchString(hits[i].Text) || u.how && statesMethod.MatchString(hits[i].Text) {
			hits[i].Score *= sectionBoost
		}
		if u.focusOn(hits[i]) {
			hits[i].Score *= focusBoost
			hits[i].Focus = true
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// apartFigurePenalty multiplies the score of a passage whose figures in
// the unit asked for (多少人) all stand in sentences that hold none of the
// question's own content words: the count is likely of something else.
const apartFigurePenalty = 0.8

// countsInSentence reports whether one of sents, the sentences of text,
// holds both a figure in one of units and one of the question's own
// content words.
func countsInSentence(text string, sents []sentenceIDs, qts []queryTerm, units []string) bool {
	for _, s := range sents {
		if !hasFigureIn(text[s.start:s.end], units) {
			continue
		}
		for _, qt := range qts {
			if !qt.context && qt.role >= 1 && qt.known && hasID(s.words, qt.id) {
				return true
			}
		}
	}
	return false
}

// scratch is one search's dense score array and the passages it touched.
type scratch struct {
	scores  []float64 // by passage index; zero when untouched
	touched []int32
}

func (sc *scratch) add(doc int32, v float64) {
	if sc.scores[doc] == 0 {
		sc.touched = append(sc.touched, doc)
	}
	sc.scores[doc] += v
}

// walk adds to the scores weight × BM25 of each posting of a list whose
// passage the filters allow (year when not 0, dept with deptOnly), as add
// does. With track it lists the passages it touches first; without, the
// caller collects them afterwards. A score once touched is never 0 again:
// every term weighs more than 0.
func (sc *scratch) walk(ps []posting, ranks []docRank, bigram bool, weight, idf float64, year int32, deptOnly bool, dept int32, track bool) {
	scores := sc.scores
	filter := year != 0 || deptOnly
	for _, p := range ps {
		doc := p.doc()
		r := &ranks[doc]
		if filter && (year != 0 && r.year != year || deptOnly && r.dept != dept) {
			continue
		}
		norm := r.words
		if bigram {
			norm = r.bigrams
		}
		v := weight * bm25(p.tf(), norm, idf)
		if track && scores[doc] == 0 {
			sc.touched = append(sc.touched, doc)
		}
		scores[doc] += v
	}
}

// collect lists the passages an untracked walk touched, in passage order.
func (sc *scratch) collect() {
	for doc, s := range sc.scores {
		if s != 0 {
			sc.touched = append(sc.touched, int32(doc))
		}
	}
}

// denseWalk: a walk over more postings than the passages / denseWalk
// collects the passages it touched afterwards (see walk).
const denseWalk = 4

// putScratch clears what sc touched and returns it to the pool.
func (b *Base) putScratch(sc *scratch) {
	for _, doc := range sc.touched {
		sc.scores[doc] = 0
	}
	sc.touched = sc.touched[:0]
	b.scratch.Put(sc)
}

// better orders candidates: higher score first, then reading order.
func better(a, c *candidate) bool {
	if a.score != c.score {
		return a.score > c.score
	}
	return a.doc < c.doc
}

// keepBest inserts c into list, which holds at most n candidates, best
// first, and returns the list.
func keepBest(list []*candidate, c *candidate, n int) []*candidate {
	if len(list) == n && !better(c, list[n-1]) {
		return list
	}
	i := sort.Search(len(list), func(i int) bool { return better(c, list[i]) })
	if len(list) < n {
		list = append(list, nil)
	}
	copy(list[i+1:], list[i:len(list)-1])
	list[i] = c
	return list
}

// matchTerms records which query terms c's passage holds as words, and
// how many of each term's bigrams it holds. Postings are in passage order,
// so each lookup is a binary search.
func (b *Base) matchTerms(c *candidate, qts []queryTerm) {
	c.exact = make([]bool, len(qts))
	c.bigramsSeen = make([]int, len(qts))
	for i, qt := range qts {
		c.exact[i] = hasPosting(b.words[qt.word], c.doc)
		for _, g := range qt.bigrams {
			if hasPosting(b.bigrams[g], c.doc) {
				c.bigramsSeen[i]++
			}
		}
	}
}

func hasPosting(postings []posting, doc int32) bool {
	_, ok := findPosting(postings, doc)
	return ok
}

// findPosting returns doc's posting in a list, which is in passage order.
func findPosting(postings []posting, doc int32) (posting, bool) {
	i := sort.Search(len(postings), func(i int) bool { return postings[i].doc() >= doc })
	if i < len(postings) && postings[i].doc() == doc {
		return postings[i], true
	}
	return 0, false
}

// lookupCost is about how many steps looking a passage up in a posting
// list costs, against one step a posting for walking it.
const lookupCost = 20

// filtered returns the passages of the department (with deptOnly) or of
// the year a search is restricted to, in passage order, or nil when it
// is not restricted.
func (b *Base) filtered(year int32, deptOnly bool, dept int32) []int32 {
	switch {
	case deptOnly:
		return b.deptDocs[dept]
	case year != 0:
		return b.yearDocs[year]
	}
	return nil
}

// queryTerms weights the question's terms by their rarity. Terms the
// knowledge base has never seen weigh the most: a question about 房价
// should not be answered from a passage that only shares 多少 and 江津.
// Context terms weigh contextWeight times as much as the question's own.
func (b *Base) queryTerms(u understood) []queryTerm {
	words := u.terms
	all := append(append([]string(nil), words...), u.context...)
	qts := make([]queryTerm, len(all))
	var total float64
	for i, w := range all {
		qt := queryTerm{word: w, idf: b.idf(len(b.words[w]))}
		role, ok := u.roles[w]
		if !ok {
			role = b.roleWeight(w)
		}
		// A foreign noun that the question asks about (房价多少) is what it
		// is about, not a paraphrase (see paraphrased).
		qt.weight, qt.role, qt.foreign = qt.idf*role, role, role == unknownNounWeight && !u.askedFor[w]
		if utf8.RuneCountInString(w) == 1 {
			qt.weight /= 2 // a single character says little on its own
		}
		if i >= len(words) {
			qt.weight *= contextWeight
			qt.context = true
		}
		qt.id, qt.known = b.wordIDs[w]
		seen := map[string]bool{}
		forEachBigram(w, func(g string) {
			if !seen[g] {
				seen[g] = true
				qt.bigrams = append(qt.bigrams, g)
				if id, ok := b.gramIDs[g]; ok {
					qt.gramIDs = append(qt.gramIDs, id)
				}
			}
		})
		total += qt.weight
		qts[i] = qt
	}
	for i := range qts {
		qts[i].weight /= total
	}
	return qts
}

// roleWeight scales a term by the part it plays in a question. Nouns and
// the reports' own terms name what is asked about; verbs and adjectives
// often only phrase it (转成, 发出来); pronouns, adverbs, measure words and
// the like (自己, 那份, 到底, 里头) hardly ever carry the topic. So a
// question is not refused over its phrasing, while a thing the reports
// never mention (房价, 金额) still weighs fully.
func (b *Base) roleWeight(w string) float64 {
	if hasDigit(w) {
		return 1 // 12345, 2021 …
	}
	tag := b.seg.TagWord(w)
	if tag == "x" && len(b.words[w]) == 0 {
		// Neither the dictionary nor the reports know it: a fragment the
		// segmenter guessed from colloquial phrasing (是从, 上推).
		return 0.3
	}
	if strings.Contains(answerNouns, " "+w+" ") {
		// 金额, 人数, 措施: what kind of answer is asked for, which the
		// reports mostly give without naming it so (罚款316.79万元).
		return phrasingWeight
	}
	if len(b.words[w]) == 0 && strings.HasPrefix(tag, "n") {
		// A thing the reports never mention (房价): the surest sign that
		// they do not cover the question.
		return unknownNounWeight
	}
	switch tag {
	case "v", "vd", "vi", "vq", "ad":
		return 0.6
	case "r", "rr", "rz", "d", "f", "m", "mq", "q", "p", "c", "u", "uj", "ul", "uz", "ug", "ud", "uv",
		"y", "e", "o", "z", "zg", "t", "tg", "b", "s":
		return phrasingWeight
	}
	return 1
}

// phrasingWeight is the role weight of a word that phrases a question
// rather than names what it asks about.
const phrasingWeight = 0.3

// answerNouns name the kind of answer a question asks for (罚款金额,
// 执法人员人数, 有啥措施, 有啥毛病), space-separated.
const answerNouns = " 金额 数额 总额 总数 数量 数目 人数 次数 件数 户数 个数 比例 比率 占比 措施 做法 办法 毛病 缺点 "

// paraphrased returns qts with the nouns no report uses weighed as
// ordinary terms, or nil when the question has none. A citizen's own word
// for what the reports call otherwise (涨水 beside 汛期, 工厂 for 生产经营
// 单位) then costs a passage no more than any missing word, when a
// sentence of it holds the rest of the question (see holdsTheRest); a
// question about something else entirely (房价) has no such sentence.
func paraphrased(qts []queryTerm) []queryTerm {
	if !slices.ContainsFunc(qts, func(qt queryTerm) bool { return qt.foreign }) {
		return nil
	}
	out := slices.Clone(qts)
	var total float64
	for i := range out {
		if out[i].foreign {
			out[i].weight /= unknownNounWeight
		}
		total += out[i].weight
	}
	for i := range out {
		out[i].weight /= total
	}
	return out
}

// unknownNounWeight is the role weight of a noun no report uses.
const unknownNounWeight = 2.5

// coverage is the weighted share of terms a candidate covers: a word found
// as a word counts fully; a longer word whose character bigrams are found
// counts in proportion, and a single character found inside another word
// (查 in 查处), slightly discounted.
func coverage(c *candidate, qts []queryTerm, text string) float64 {
	var sum float64
	for i, qt := range qts {
		switch {
		case c.exact[i]:
			sum += qt.weight
		case len(qt.bigrams) > 0 && c.bigramsSeen[i] > 0:
			sum += qt.weight * partialCredit * float64(c.bigramsSeen[i]) / float64(len(qt.bigrams))
		case len(qt.bigrams) == 0 && strings.Contains(text, qt.word):
			sum += qt.weight * partialCredit
		case spelledApart(text, qt.word) || spelledReversed(text, qt.word):
			sum += qt.weight * apartCredit
		}
	}
	return sum
}

// spelledReversed reports whether word is two Han characters that text
// holds the other way round: Chinese says many things either way (报上来
// for 上报, 相互 for 互相).
func spelledReversed(text, word string) bool {
	r1, n := utf8.DecodeRuneInString(word)
	r2, m := utf8.DecodeRuneInString(word[n:])
	if n+m != len(word) || !isHan(r1) || !isHan(r2) || r1 == r2 {
		return false
	}
	return strings.Contains(text, string([]rune{r2, r1}))
}

// apartCredit is what a two-character term earns when the text holds its
// characters with one between them, the shortened forms citizens type
// (新发 for 新核发, 执法证 for 执法证件 is already a substring), or the
// other way round (报上 of 报上来 for 上报).
const apartCredit = 0.45

// spelledApart reports whether word is two Han characters that text holds
// with exactly one Han character between them (新发 in 新核发).
func spelledApart(text, word string) bool {
	a, n := utf8.DecodeRuneInString(word)
	b, m := utf8.DecodeRuneInString(word[n:])
	if n+m != len(word) || !unicode.Is(unicode.Han, a) || !unicode.Is(unicode.Han, b) {
		return false
	}
	for i := 0; ; {
		j := strings.IndexRune(text[i:], a)
		if j < 0 {
			return false
		}
		i += j + n
		mid, k := utf8.DecodeRuneInString(text[i:])
		if unicode.Is(unicode.Han, mid) && strings.HasPrefix(text[i+k:], string(b)) {
			return true
		}
	}
}

// partialCredit discounts a term matched by its characters, not as a word.
const partialCredit = 0.9

// hitOf describes passage seq of r as a hit with no score.
func (b *Base) hitOf(r *Report, seq int) Hit {
	p := r.Passages[seq]
	return Hit{ReportID: r.ID, Seq: seq, Title: r.Title, Department: r.Department, Year: r.Year, Path: p.Path, Text: p.Text, Confidence: 1}
}

func (b *Base) hit(c *candidate, qts []queryTerm) Hit {
	d := b.docs[c.doc]
	h := b.hitOf(d.report, d.seq)
	h.Score, h.Confidence = c.score, coverage(c, qts, h.Text)
	for i, qt := range qts {
		if c.exact[i] || (len(qt.bigrams) > 0 && c.bigramsSeen[i] == len(qt.bigrams)) {
			h.Matched = append(h.Matched, qt.word)
		}
	}
	return h
}
