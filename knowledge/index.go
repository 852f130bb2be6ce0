package knowledge

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options configure Build.
type Options struct {
	// Segmenter splits text into words. Required.
	Segmenter *Segmenter
	// Terms holds synonyms, department aliases and stopwords. Required.
	Terms *Terms
	// MinConfidence is the share (0–1) of a question's weighted terms the
	// best passage must cover to count as an answer. Zero means
	// DefaultMinConfidence.
	MinConfidence float64
	// MaxHits caps the hits returned when a Query sets no Limit. Zero means 5.
	MaxHits int
	// Now is the clock for relative years (去年). Nil means time.Now.
	Now func() time.Time
	// FAQs are staff-written entries that win over passages when a
	// question matches one of their variants strongly.
	FAQs []FAQ
	// NoAnswerCache turns off the caches of answers to repeated queries,
	// of what was understood of them and of excerpts (see Base.Answer,
	// Base.Understand and Base.Excerpt), for measuring what a question
	// costs.
	NoAnswerCache bool
}

// DefaultMinConfidence is the calibrated confidence below which a question
// is answered as "not covered" rather than with a doubtful passage. It was
// calibrated with `fazhibot eval` on the sample question set.
const DefaultMinConfidence = 0.5

// Base is an immutable, in-memory search index over a set of reports.
// It is safe for concurrent use. To change what it knows, Build a new one
// and swap it in.
type Base struct {
	seg           *Segmenter
	terms         *Terms
	now           func() time.Time
	minConfidence float64
	maxHits       int

	reports              map[ReportID]*Report
	docs                 []doc
	ranks                []docRank            // what scoring reads of each doc, by doc
	figures              []bool               // doc.figure, by doc
	words                map[string][]posting // canonical word → passages
	bigrams              map[string][]posting // character bigram → passages
	avgWords, avgBigrams float64
	covered              map[string][]int // department → years it has reports for
	years                map[int]bool
	deptIDs              map[string]int32 // department → doc.dept
	// deptDocs and yearDocs list the passages of each department (as
	// deptIDs) and each year, in passage order.
	deptDocs, yearDocs map[int32][]int32
	// depts are the departments questions may name: the term list's and
	// the reports', with aliases derived from their names.
	depts []Department
	// askingNames are the names and aliases of depts that hold an asking
	// word (几江街道 holds 几), which a question keeps whole.
	askingNames []string

	faqs        []FAQ
	faqVariants []faqVariant

	wordIDs, gramIDs vocab              // the sentence index's vocabularies
	firstDoc         map[ReportID]int32 // index in docs of each report's passage 0

	scratch sync.Pool // of *scratch sized to docs; see rank

	answers    recent[answerKey, Answer]            // see Answer
	excerpts   recent[excerptKey, string]           // see Excerpt
	understood recent[understandKey, Understanding] // see Understand

	sound *soundIndex // the vocabulary by sound, for typos and short forms

	fromSnapshot bool // read from a snapshot, not built; see FromSnapshot

	pruning pruning // when a search prunes its walk; see scorePruned
}

// doc is one indexed passage.
type doc struct {
	report  *Report
	seq     int
	words   float64 // number of indexed words
	bigrams float64 // number of indexed bigrams
	figure  bool    // the passage text holds a digit
	year    int32   // the report's year, copied: no pointer chase in rank
	dept    int32   // the report's department, as deptIDs
	sents   []sentence
	ids     []byte // the sentences' word and bigram IDs, encoded
}

// docRank is what scoring a posting reads of its passage, kept apart
// from doc in a compact array: a search over common words touches most
// passages, and each touch costs a cache line.
type docRank struct {
	words, bigrams float64 // bm25Norm of the passage's word and bigram counts
	year, dept     int32   // as doc
}

// posting is one passage holding a word or bigram: the passage's index
// in docs in the high bits, and how often it holds the term (capped at
// maxTF) in the low bits, so that a posting list takes four bytes a
// passage and sorts by passage.
type posting uint32

const (
	tfBits = 10
	maxTF  = 1<<tfBits - 1
	// MaxPassages is the most passages a Base can index: about 80,000
	// reports of 50 passages.
	MaxPassages = 1 << (32 - tfBits)
)

func makePosting(doc int32, tf int) posting {
	return posting(uint32(doc)<<tfBits | uint32(min(tf, maxTF)))
}

func (p posting) doc() int32  { return int32(p >> tfBits) }
func (p posting) tf() float64 { return float64(p & maxTF) }

// Build indexes reports. The reports must not be modified afterwards.
// It returns an error when a required option is missing or two reports
// share an ID.
func Build(reports []*Report, opts Options) (*Base, error) {
	b, _, err := build(reports, opts)
	return b, err
}

// build is Build, also returning the pairs of adjacent words the
// passages hold (see analyse), which a snapshot keeps.
func build(reports []*Report, opts Options) (*Base, map[string]int, error) {
	b, places, err := newBase(reports, opts)
	if err != nil {
		return nil, nil, err
	}
	compounds := map[string]int{}
	b.docs = make([]doc, 0, len(places))
	x := &indexer{b: b}
	b.analyseAll(len(places), func(k int) *Passage { return places[k].passage() }, func(k int, a *analysis) {
		id := int32(k)
		d := places[k].doc()
		d.figure = hasDigit(places[k].passage().Text)
		d.sents, d.ids = x.indexSentences(a)
		for _, c := range a.compounds {
			compounds[c]++
		}
		for _, t := range a.wordCounts {
			b.words[t.term] = append(b.words[t.term], makePosting(id, int(t.n)))
			d.words += float64(t.n)
		}
		for _, t := range a.gramCounts {
			b.bigrams[t.term] = append(b.bigrams[t.term], makePosting(id, int(t.n)))
			d.bigrams += float64(t.n)
		}
		b.docs = append(b.docs, d)
	})
	// Posting lists grew by appending, with up to twice the room they
	// need; keep them at their size.
	for w, ps := range b.words {
		if cap(ps) > len(ps) {
			b.words[w] = slices.Clone(ps)
		}
	}
	for g, ps := range b.bigrams {
		if cap(ps) > len(ps) {
			b.bigrams[g] = slices.Clone(ps)
		}
	}
	b.finish(compounds)
	return b, compounds, nil
}

// place is where an indexed passage comes from: passage seq of report r,
// whose department is dept (as Base.deptIDs).
type place struct {
	r    *Report
	seq  int
	dept int32
}

func (pl place) passage() *Passage { return &pl.r.Passages[pl.seq] }

// doc returns the passage's doc with what the report says of it; the
// rest is the index's to fill.
func (pl place) doc() doc {
	return doc{report: pl.r, seq: pl.seq, year: int32(pl.r.Year), dept: pl.dept}
}

// newBase returns a Base with what comes from the options and the
// reports' own fields, before any passage is indexed, and the place of
// every passage in index order. It returns the errors Build documents,
// and one when there are more than MaxPassages passages.
func newBase(reports []*Report, opts Options) (*Base, []place, error) {
	if opts.Segmenter == nil || opts.Terms == nil {
		return nil, nil, errors.New("knowledge: Build needs a Segmenter and Terms")
	}
	b := &Base{
		seg:           opts.Segmenter,
		terms:         opts.Terms,
		now:           opts.Now,
		minConfidence: opts.MinConfidence,
		maxHits:       opts.MaxHits,
		reports:       make(map[ReportID]*Report, len(reports)),
		words:         map[string][]posting{},
		bigrams:       map[string][]posting{},
		covered:       map[string][]int{},
		years:         map[int]bool{},
		deptIDs:       map[string]int32{},
		deptDocs:      map[int32][]int32{},
		yearDocs:      map[int32][]int32{},
		faqs:          opts.FAQs,
		answers:       recent[answerKey, Answer]{off: opts.NoAnswerCache, clone: Answer.clone},
		understood:    recent[understandKey, Understanding]{off: opts.NoAnswerCache, clone: Understanding.clone},
		excerpts:      recent[excerptKey, string]{off: opts.NoAnswerCache, clone: func(s string) string { return s }},
		wordIDs:       vocab{},
		gramIDs:       vocab{},
		firstDoc:      map[ReportID]int32{},
		pruning:       defaultPruning,
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.minConfidence == 0 {
		b.minConfidence = DefaultMinConfidence
	}
	if b.maxHits == 0 {
		b.maxHits = 5
	}
	b.depts = departmentsOf(b.terms.Departments, reports, b.seg.Cut, func(w string) bool { return b.seg.Freq(w) >= commonWordFreq })
	for _, d := range b.depts {
		for _, n := range append([]string{d.Name}, d.Aliases...) {
			if questionWords.MatchString(n) {
				b.askingNames = append(b.askingNames, n)
			}
		}
	}
	var places []place
	for _, r := range reports {
		if _, dup := b.reports[r.ID]; dup {
			return nil, nil, errors.New("knowledge: duplicate report id " + string(r.ID))
		}
		b.reports[r.ID] = r
		b.years[r.Year] = true
		if !slices.Contains(b.covered[r.Department], r.Year) {
			b.covered[r.Department] = append(b.covered[r.Department], r.Year)
			slices.Sort(b.covered[r.Department])
		}
		deptID, ok := b.deptIDs[r.Department]
		if !ok {
			deptID = int32(len(b.deptIDs))
			b.deptIDs[r.Department] = deptID
		}
		b.firstDoc[r.ID] = int32(len(places))
		for i := range r.Passages {
			places = append(places, place{r, i, deptID})
		}
	}
	if len(places) > MaxPassages {
		return nil, nil, fmt.Errorf("knowledge: %d passages, more than the %d a Base can index", len(places), MaxPassages)
	}
	return b, places, nil
}

// finish derives, once the docs, posting lists and vocabularies are in
// place, whether built or read from a snapshot, the rest of the Base: the
// average passage lengths, the passages of each department and year, the
// sound index (over the vocabulary and compounds, the pairs of adjacent
// words the passages hold) and the FAQ variants.
func (b *Base) finish(compounds map[string]int) {
	var totalWords, totalBigrams float64
	for i := range b.docs {
		d := &b.docs[i]
		totalWords += d.words
		totalBigrams += d.bigrams
		b.deptDocs[d.dept] = append(b.deptDocs[d.dept], int32(i))
		b.yearDocs[d.year] = append(b.yearDocs[d.year], int32(i))
	}
	if n := float64(len(b.docs)); n > 0 {
		b.avgWords, b.avgBigrams = totalWords/n, totalBigrams/n
	}
	b.ranks = make([]docRank, len(b.docs))
	b.figures = make([]bool, len(b.docs))
	for i := range b.docs {
		d := &b.docs[i]
		b.ranks[i] = docRank{bm25Norm(d.words, b.avgWords), bm25Norm(d.bigrams, b.avgBigrams), d.year, d.dept}
		b.figures[i] = d.figure
	}
	n := len(b.docs)
	b.scratch.New = func() any { return &scratch{scores: make([]float64, n)} }
	b.sound = newSoundIndex(b.vocabulary(), compounds, b.seg.Cut, b.seg.Freq,
		func(w string) bool { return b.terms.Stopwords[w] }, b.written)
	b.indexFAQs()
}

// written reports whether s stands verbatim in the text of a passage.
func (b *Base) written(s string) bool {
	found := false
	b.eachWriting(s, func(*doc) bool { found = true; return false })
	return found
}

// eachWriting calls fn with each passage whose text holds s, in passage
// order, until fn returns false. It looks only in the passages that hold
// the rarest of s's bigrams, so a typo, whose bigrams the reports mostly
// lack, costs a map lookup or two.
func (b *Base) eachWriting(s string, fn func(*doc) bool) {
	var rarest []posting
	first := true
	forEachBigram(s, func(g string) {
		if ps := b.bigrams[g]; first || len(ps) < len(rarest) {
			rarest, first = ps, false
		}
	})
	for _, p := range rarest {
		d := &b.docs[p.doc()]
		if strings.Contains(d.report.Passages[d.seq].Text, s) && !fn(d) {
			return
		}
	}
}

// vocabulary returns the words a question's typos and short forms may be
// read as, each with the number of passages holding it: the indexed
// words, the synonyms (counted as their canonical word) and the
// department names and aliases.
func (b *Base) vocabulary() map[string]int {
	v := make(map[string]int, len(b.words)+len(b.terms.Canonical))
	for w, ps := range b.words {
		v[w] = len(ps)
	}
	for w, c := range b.terms.Canonical {
		v[w] = max(v[w], len(b.words[c]))
	}
	for _, d := range b.depts {
		for _, a := range append([]string{d.Name}, d.Aliases...) {
			v[a] = aliasDF
		}
	}
	return v
}

// doc returns the indexed passage seq of report id.
func (b *Base) doc(id ReportID, seq int) (*doc, bool) {
	first, ok := b.firstDoc[id]
	if !ok || seq < 0 || seq >= len(b.reports[id].Passages) {
		return nil, false
	}
	return &b.docs[int(first)+seq], true
}

// indexWords segments text into the words the index holds: whole words
// replaced by their canonical synonym, and the sub-words of long words as
// they are (律师事务所 holds 律师, which is not 法律顾问).
func (b *Base) indexWords(text string) []string {
	toks := b.seg.Tokens(text)
	out := make([]string, len(toks))
	for i, tok := range toks {
		out[i] = b.indexedWord(tok)
	}
	return out
}

// indexedWord is the word the index holds for tok: a whole word as its
// canonical synonym, a sub-word of a longer word as it is.
func (b *Base) indexedWord(tok Token) string {
	if tok.Sub {
		return tok.Text
	}
	return b.terms.canonical(tok.Text)
}

// forEachBigram calls fn with each pair of adjacent letters or digits of
// text, lower-cased, with full-width forms read as half-width.
func forEachBigram(text string, fn func(string)) {
	forEachBigramRunes(text, func(r1, r2 rune) { fn(string([]rune{r1, r2})) })
}

// idf is BM25's inverse document frequency.
func (b *Base) idf(df int) float64 {
	n := float64(len(b.docs))
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// BM25's parameters. bParam, how much a long passage is discounted, was
// swept over all question sets (BENCHMARKS.md, sixth round): 0.5 and 0.6
// gave one or two follow-ups more than 0.75 and 0.9, 0.4 a fact fewer.
const k1, bParam = 1.2, 0.6

// bm25 scores one term occurrence count against a document whose length
// norm (bm25Norm) is norm.
func bm25(tf, norm, idf float64) float64 {
	return idf * tf * (k1 + 1) / (tf + norm)
}

// bm25Norm is the part of BM25 that depends on the document's length
// alone, computed once per passage. The conversion keeps the compiler
// from fusing it with bm25's addition, so that scores stay exactly those
// of the formula computed in one piece.
func bm25Norm(docLen, avgLen float64) float64 {
	return float64(k1 * (1 - bParam + bParam*docLen/avgLen))
}

// Coverage lists, per department, the years the knowledge base has reports
// for, departments sorted by name.
func (b *Base) Coverage() []DepartmentYears {
	out := make([]DepartmentYears, 0, len(b.covered))
	for d, ys := range b.covered {
		out = append(out, DepartmentYears{Department: d, Years: slices.Clone(ys)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Department < out[j].Department })
	return out
}

// DepartmentYears is one department and the years it has reports for.
type DepartmentYears struct {
	Department string
	Years      []int
}

// Report returns the report with the given ID, or false.
func (b *Base) Report(id ReportID) (*Report, bool) {
	r, ok := b.reports[id]
	return r, ok
}

// SensitiveWords returns the sensitive words of the term lists the Base
// was built with; the bot declines messages that contain one.
func (b *Base) SensitiveWords() []string { return b.terms.Sensitive }

// FromSnapshot reports whether the Base was read from a snapshot file
// (see LibraryOptions.SnapshotDir) rather than built. Either way it
// answers the same.
func (b *Base) FromSnapshot() bool { return b.fromSnapshot }

// Size returns the number of reports and passages indexed.
func (b *Base) Size() (reports, passages int) {
	return len(b.reports), len(b.docs)
}
