package handlers

// The unanswered queue: the questions most often not answered in a range
// of days, grouped by similarity, each group with a one-click "添加为FAQ"
// that opens the FAQ editor pre-filled with the group's texts.
//
// Grouping rule. The unansweredTopN texts most often unanswered in the
// range (console.QueryLog.TopUnanswered: texts as console.NormalizeQuestion counts
// them) are taken in that order, most often unanswered first. Each text
// joins the existing group whose representative it is most similar to,
// when that similarity is at least similarityThreshold; otherwise it
// starts a group and is its representative. Similarity is the Jaccard
// index of the two texts' sets of character bigrams (two consecutive
// characters; a one-character text is its own set), so "社保怎么交" and
// "社保怎么缴" share 3 of 5 bigrams, 0.6. Groups are listed by their
// unanswered count, the sum of their texts', largest first. The rule is
// shown to staff on the page, with each text's similarity.
//
// Resolution. There is no marker to store: a text leaves the queue as soon
// as a draft FAQ entry has a question with the same normalised text. "添加为
// FAQ" pre-fills the new entry's questions with the group's texts, so
// saving it (the normal draft flow; it reaches citizens when a version is
// published) removes exactly those texts from the queue. Variants staff
// delete from the form before saving stay in the queue, an entry deleted
// later brings its texts back, and an FAQ entry written by hand resolves
// the texts it names too. The page says how many texts are left out so.
//
// Dismissal. "忽略" marks every text of a group as dismissed
// (console.QueryLog.DismissQuestions, audited): off-topic questions leave the queue
// for good, by normalised text, and the page counts them apart.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
)

const (
	// unansweredTopN is how many of the most often unanswered texts of
	// the range are grouped.
	unansweredTopN = 300
	// similarityThreshold is the least bigram Jaccard similarity to a
	// group's representative for a text to join the group.
	similarityThreshold = 0.5
)

// bigram is two consecutive characters of a text; a one-character text
// has the bigram of its character and 0.
type bigram [2]rune

// bigramsOf returns the set of character bigrams of a normalised text.
func bigramsOf(text string) map[bigram]struct{} {
	runes := []rune(text)
	set := make(map[bigram]struct{}, len(runes))
	if len(runes) == 1 {
		set[bigram{runes[0], 0}] = struct{}{}
	}
	for i := 0; i+1 < len(runes); i++ {
		set[bigram{runes[i], runes[i+1]}] = struct{}{}
	}
	return set
}

// jaccard returns |a∩b| / |a∪b|, 0 when either set is empty.
func jaccard(a, b map[bigram]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	common := 0
	for g := range a {
		if _, ok := b[g]; ok {
			common++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

// unansweredVariant is one normalised text of a group.
type unansweredVariant struct {
	Text       string  `json:"text"`   // normalised
	Sample     string  `json:"sample"` // as a citizen first wrote it
	Asked      int64   `json:"asked"`
	Unanswered int64   `json:"unanswered"`
	Similarity float64 `json:"similarity"` // to the representative, rounded to 0.01; 1 for it
	ListURL    string  `json:"-"`          // the unanswered records that contain it
}

// unansweredGroup is a group of similar unanswered texts.
type unansweredGroup struct {
	// Key is the representative's normalised text; it names the group
	// in the link that opens the FAQ editor.
	Key            string              `json:"key"`
	Representative string              `json:"representative"` // its sample
	Unanswered     int64               `json:"unanswered"`     // the sum of the variants'
	Asked          int64               `json:"asked"`
	Variants       []unansweredVariant `json:"variants"` // the representative first
	// FAQQuestions are the questions "添加为FAQ" pre-fills: the
	// variants' texts, at most maxFAQQuestions.
	FAQQuestions []string `json:"faq_questions"`
	// FAQURL is the console page that opens the FAQ editor with them.
	FAQURL string `json:"faq_url"`
}

// groupUnanswered groups texts, most often unanswered first, by the rule
// of this file's comment.
func groupUnanswered(texts []console.TextCount, threshold float64) []unansweredGroup {
	var groups []unansweredGroup
	var reps []map[bigram]struct{}
	for _, t := range texts {
		set := bigramsOf(t.Text)
		best, bestSim := -1, 0.0
		for i, rep := range reps {
			if sim := jaccard(set, rep); sim > bestSim {
				best, bestSim = i, sim
			}
		}
		v := unansweredVariant{Text: t.Text, Sample: t.Sample, Asked: t.Asked, Unanswered: t.Unanswered(), Similarity: 1}
		if best < 0 || bestSim < threshold {
			groups = append(groups, unansweredGroup{Key: t.Text, Representative: t.Sample})
			reps = append(reps, set)
			best = len(groups) - 1
		} else {
			v.Similarity = math.Round(bestSim*100) / 100
		}
		g := &groups[best]
		g.Variants = append(g.Variants, v)
		g.Unanswered += v.Unanswered
		g.Asked += v.Asked
	}
	// Largest first; a stable sort keeps ties in the order of their
	// representatives.
	slices.SortStableFunc(groups, func(a, b unansweredGroup) int { return cmp.Compare(b.Unanswered, a.Unanswered) })
	for i := range groups {
		groups[i].FAQQuestions = faqQuestionsOf(groups[i].Variants)
	}
	return groups
}

// faqQuestionsOf returns the FAQ questions of variants: each sample on
// one line, or its normalised text when the sample is too long for an FAQ
// question (both normalise to the variant's text), without repeats, at
// most maxFAQQuestions.
func faqQuestionsOf(variants []unansweredVariant) []string {
	out := []string{}
	for _, v := range variants {
		q := strings.TrimSpace(oneLine(v.Sample))
		if q == "" || utf8.RuneCountInString(q) > maxFAQQuestionRunes {
			q = v.Text
		}
		if q == "" || slices.Contains(out, q) {
			continue
		}
		if len(out) == maxFAQQuestions {
			break
		}
		out = append(out, q)
	}
	return out
}

// unansweredQueue is the queue of a range of days.
type unansweredQueue struct {
	From      string            `json:"from"`
	To        string            `json:"to"`
	Groups    []unansweredGroup `json:"groups"`
	Texts     int               `json:"texts"`     // the texts grouped
	Resolved  int               `json:"resolved"`  // the texts left out: a draft FAQ question has their normalised text
	Dismissed int               `json:"dismissed"` // the texts left out: staff dismissed them
	Threshold float64           `json:"threshold"`
	TopN      int               `json:"top_n"`
}

// unanswered returns the queue of the days from through to.
func (c *consoleServer) unanswered(ctx context.Context, from, to time.Time) (unansweredQueue, error) {
	q := logQuery{From: from.Format(logDateLayout), To: to.Format(logDateLayout)}
	queue := unansweredQueue{From: q.From, To: q.To, Groups: []unansweredGroup{}, Threshold: similarityThreshold, TopN: unansweredTopN}
	texts, err := c.db.TopUnanswered(ctx, from, to, unansweredTopN)
	if err != nil {
		return queue, err
	}
	faqs, err := c.db.FAQs(ctx)
	if err != nil {
		return queue, err
	}
	dismissed, err := c.db.DismissedQuestions(ctx)
	if err != nil {
		return queue, err
	}
	covered := map[string]bool{}
	for _, f := range faqs {
		for _, question := range f.Questions {
			covered[console.NormalizeQuestion(question)] = true
		}
	}
	open := texts[:0:0]
	for _, t := range texts {
		if covered[t.Text] {
			queue.Resolved++
			continue
		}
		if dismissed[t.Text] {
			queue.Dismissed++
			continue
		}
		open = append(open, t)
	}
	queue.Texts = len(open)
	queue.Groups = nonNil(groupUnanswered(open, similarityThreshold))
	for i := range queue.Groups {
		g := &queue.Groups[i]
		fq := url.Values{"from": {q.From}, "to": {q.To}, "key": {g.Key}}
		g.FAQURL = unansweredFAQPath + "?" + fq.Encode()
		for j := range g.Variants {
			lq := q
			lq.Answer, lq.Text = answerUnanswered, shortenSearch(g.Variants[j].Sample)
			g.Variants[j].ListURL = lq.url(logListPath)
		}
	}
	return queue, nil
}

// dismissUnanswered dismisses the group key of the queue of from through
// to: every text of it leaves the queue for good. The group must still be
// in the queue (404 otherwise).
func (c *consoleServer) dismissUnanswered(ctx context.Context, a *actor, from, to time.Time, key string) (unansweredGroup, error) {
	queue, err := c.unanswered(ctx, from, to)
	if err != nil {
		return unansweredGroup{}, err
	}
	i := slices.IndexFunc(queue.Groups, func(g unansweredGroup) bool { return g.Key == key })
	if i < 0 {
		return unansweredGroup{}, errPageNotFound("这组问题已不在未回答队列中：可能已被忽略、已添加为 FAQ，或所选日期范围内没有这些提问。", nil)
	}
	g := queue.Groups[i]
	texts := make([]console.DismissedText, 0, len(g.Variants))
	for _, v := range g.Variants {
		texts = append(texts, console.DismissedText{Text: v.Text, Sample: v.Sample})
	}
	return g, c.db.DismissQuestions(ctx, texts, a.name())
}

func (s *Server) pageUnansweredDismiss(w http.ResponseWriter, r *http.Request, a *actor) error {
	key := r.PostFormValue("key") // parses the form
	from, to, err := parseLogRange(r.PostForm, s.now(), console.MaxDashboardDays)
	if err != nil {
		return err
	}
	if _, err := s.admin.dismissUnanswered(r.Context(), a, from, to, key); err != nil {
		return err
	}
	q := url.Values{"from": {from.Format(logDateLayout)}, "to": {to.Format(logDateLayout)}}
	return redirectOK(w, r, unansweredPath+"?"+q.Encode(), "dismissed")
}

// unansweredDismiss is the body of POST /logs/unanswered/dismiss.
type unansweredDismiss struct {
	From string `json:"from"`
	To   string `json:"to"`
	Key  string `json:"key"`
}

func (s *Server) apiUnansweredDismiss(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req unansweredDismiss
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	from, to, err := parseLogRange(url.Values{"from": {req.From}, "to": {req.To}}, s.now(), console.MaxDashboardDays)
	if err != nil {
		return err
	}
	g, err := s.admin.dismissUnanswered(r.Context(), a, from, to, req.Key)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"dismissed": g})
}

// unansweredPage is the data of logs_unanswered.html.
type unansweredPage struct {
	Tabs      []logTab
	Query     logQuery
	Queue     unansweredQueue
	Threshold string // the similarity threshold, as shown
}

func (s *Server) pageUnanswered(w http.ResponseWriter, r *http.Request, a *actor) error {
	p := s.newPage(r, a, "logs", "未回答问题")
	v := r.URL.Query()
	from, to, err := parseLogRange(v, s.now(), console.MaxDashboardDays)
	q := logQuery{From: from.Format(logDateLayout), To: to.Format(logDateLayout)}
	if err != nil {
		q = logQuery{From: v.Get("from"), To: v.Get("to")}
	}
	data := unansweredPage{Tabs: logTabs("unanswered", q), Query: q, Threshold: fmt.Sprintf("%.1f", similarityThreshold)}
	status := http.StatusOK
	if err == nil {
		data.Queue, err = s.admin.unanswered(r.Context(), from, to)
	}
	if err != nil {
		st, ok := formErrorStatus(err)
		if !ok {
			return err
		}
		status, p.Error = st, userMessage(err)
	}
	p.Data = data
	s.renderPage(w, r, status, "logs_unanswered.html", p)
	return nil
}

// pageUnansweredFAQ opens the FAQ editor with the questions of the group
// key of the queue of from through to, and an empty answer; the form is
// the FAQ editor's own and saves a new draft entry.
func (s *Server) pageUnansweredFAQ(w http.ResponseWriter, r *http.Request, a *actor) error {
	ctx := r.Context()
	v := r.URL.Query()
	from, to, err := parseLogRange(v, s.now(), console.MaxDashboardDays)
	if err != nil {
		return err
	}
	queue, err := s.admin.unanswered(ctx, from, to)
	if err != nil {
		return err
	}
	key := v.Get("key")
	i := slices.IndexFunc(queue.Groups, func(g unansweredGroup) bool { return g.Key == key })
	if i < 0 {
		return errPageNotFound("这组问题已不在未回答队列中：可能已添加为 FAQ，或所选日期范围内没有这些提问。", nil)
	}
	g := queue.Groups[i]
	reports, err := s.admin.db.ListReports(ctx)
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "faq", "新建 FAQ")
	p.Flash = fmt.Sprintf("已按未回答问题分组预填 %d 种问法，请填写答案后保存到草稿。保存后这些问法将移出未回答队列；发布新版本后市民即可得到回答。", len(g.FAQQuestions))
	if len(g.FAQQuestions) < len(g.Variants) {
		p.Warning = fmt.Sprintf("这组共有 %d 种问法，一条 FAQ 最多 %d 种，未预填的问法保存后仍留在队列中。", len(g.Variants), maxFAQQuestions)
	}
	p.Data = faqFormPage{New: true, Questions: strings.Join(g.FAQQuestions, "\n"), Reports: reports, MaxAnswer: maxFAQAnswerRunes}
	s.renderPage(w, r, http.StatusOK, "faq_edit.html", p)
	return nil
}

// apiUnanswered answers the queue of from through to (days, the last 30
// by default, at most 366).
func (s *Server) apiUnanswered(w http.ResponseWriter, r *http.Request, a *actor) error {
	from, to, err := parseLogRange(r.URL.Query(), s.now(), console.MaxDashboardDays)
	if err != nil {
		return err
	}
	queue, err := s.admin.unanswered(r.Context(), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, queue)
}
