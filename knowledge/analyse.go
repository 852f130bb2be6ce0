package knowledge

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Building a Base spends most of its time segmenting passages, which
// needs no shared state: Build analyses passages on every core, a chunk
// at a time, and indexes each chunk in passage order on one goroutine
// while the next chunk is analysed, so that the index is the same
// whatever the number of cores.
//
// Memory: a build of 500,000 passages allocates gigabytes in passing
// (the segmenter's results above all), and the Go collector lets the heap
// grow to about twice what is live before it collects. So the analysis of
// a passage is kept small and flat (its words and bigrams as slices of
// strings shared through per-worker caches, the counts as pairs, with
// every per-passage map and scratch slice reused), and the indexing step
// reuses its buffers and keeps only exact-size results.

// analysis is what Build reads from one passage before indexing it.
type analysis struct {
	sents []sentenceSpan
	// words and grams are the indexed words and the character bigrams of
	// the sentences, in text order, sentence after sentence; sents says
	// how many of each every sentence has.
	words, grams []string
	// wordCounts and gramCounts are the distinct words and bigrams of the
	// passage with their occurrences, headings and keywords included, in
	// no particular order.
	wordCounts, gramCounts []termCount
	compounds              []string // pairs of adjacent whole words (see analyse)
}

// sentenceSpan is one sentence of an analysis: its byte range in the
// passage text and how many words and bigrams it has.
type sentenceSpan struct {
	start, end   int32
	words, grams int32
}

// termCount is a word or bigram and how often a passage holds it.
type termCount struct {
	term string
	n    int32
}

// analyseChunk is how many passages are analysed between two indexing
// steps: enough to keep every core busy, few enough to hold in memory.
const analyseChunk = 512

// analyseAll calls index(k, a) for each k in 0..n-1, in order, with the
// analysis of passage k; passage(k) returns it. The analyses are written
// into two chunks of slots used in turn, whose slices are reused, so
// that after the first chunks analysing allocates little besides what
// the segmenter returns. The analyses run on
// GOMAXPROCS goroutines, one chunk ahead of index, which runs on the
// caller's goroutine. a is valid only during the call.
func (b *Base) analyseAll(n int, passage func(k int) *Passage, index func(k int, a *analysis)) {
	workers := runtime.GOMAXPROCS(0)
	analysers := make([]*analyser, workers)
	for i := range analysers {
		analysers[i] = b.newAnalyser()
	}
	var results [2][]analysis
	for i := range results {
		results[i] = make([]analysis, min(n, analyseChunk))
	}
	// launch analyses passages start..end-1 into out and returns a
	// function that waits for them.
	launch := func(start, end int, out []analysis) func() {
		var next atomic.Int64
		next.Store(int64(start))
		var wg sync.WaitGroup
		for _, an := range analysers[:min(workers, end-start)] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := int(next.Add(1) - 1); k < end; k = int(next.Add(1) - 1) {
					an.analyse(passage(k), &out[k-start])
				}
			}()
		}
		return wg.Wait
	}
	if n == 0 {
		return
	}
	wait := launch(0, min(analyseChunk, n), results[0])
	for c, start := 0, 0; start < n; c, start = c+1, start+analyseChunk {
		end := min(start+analyseChunk, n)
		wait()
		cur := results[c%2]
		if end < n {
			wait = launch(end, min(end+analyseChunk, n), results[(c+1)%2])
		}
		for k := start; k < end; k++ {
			index(k, &cur[k-start]) // the slot is reset and reused two chunks on
		}
	}
}

// analyser analyses passages on one goroutine, reusing its maps and
// buffers from one passage to the next.
type analyser struct {
	b             *Base
	words, grams  map[string]int32  // the counts of the passage analysed
	bigramStrings map[uint64]string // a bigram's runes → its string, allocated once
}

func (b *Base) newAnalyser() *analyser {
	return &analyser{b: b, words: map[string]int32{}, grams: map[string]int32{}, bigramStrings: map[uint64]string{}}
}

// analyse segments a passage's sentences into the words and bigrams the
// index holds, and adds the words of its heading path (counted twice:
// headings name the topic), the path's bigrams, and its keywords. It
// stores the result in out.
//
// It also collects the pairs of adjacent whole words written in Chinese
// characters (业主 委员会 → 业主委员会), which short forms may stand for
// although the segmenter keeps them apart.
func (an *analyser) analyse(p *Passage, out *analysis) {
	b := an.b
	clear(an.words)
	clear(an.grams)
	out.reset()
	text := p.Text
	for _, sp := range sentenceSpans(text) {
		s := sentenceSpan{start: int32(sp[0]), end: int32(sp[1])}
		words, grams := len(out.words), len(out.grams)
		prev := ""
		for _, tok := range b.seg.Tokens(text[sp[0]:sp[1]]) {
			w := b.indexedWord(tok)
			if !tok.Sub {
				whole := utf8.RuneCountInString(tok.Text) >= 2 && allHan(tok.Text)
				if prev != "" && whole && utf8.RuneCountInString(prev)+utf8.RuneCountInString(tok.Text) <= soundMaxRunes {
					out.compounds = append(out.compounds, prev+tok.Text)
				}
				prev = ""
				if whole {
					prev = tok.Text
				}
			}
			an.words[w]++
			out.words = append(out.words, w)
		}
		forEachBigramRunes(text[sp[0]:sp[1]], func(r1, r2 rune) {
			g := an.bigram(r1, r2)
			an.grams[g]++
			out.grams = append(out.grams, g)
		})
		s.words, s.grams = int32(len(out.words)-words), int32(len(out.grams)-grams)
		out.sents = append(out.sents, s)
	}
	an.addHeadingAndKeywords(p)
	out.wordCounts = appendTermCounts(out.wordCounts, an.words)
	out.gramCounts = appendTermCounts(out.gramCounts, an.grams)
}

// addHeadingAndKeywords adds to the passage's counts the words of its
// heading path (counted twice: headings name the topic) and its bigrams,
// and its keywords.
func (an *analyser) addHeadingAndKeywords(p *Passage) {
	b := an.b
	if len(p.Path) > 0 {
		path := strings.Join(p.Path, " ")
		for _, w := range b.indexWords(path) {
			an.words[w] += 2
		}
		forEachBigramRunes(path, func(r1, r2 rune) { an.grams[an.bigram(r1, r2)]++ })
	}
	for _, k := range p.Keywords {
		an.words[b.terms.canonical(strings.ToLower(k))]++
	}
}

// bigram returns the string of the bigram r1 r2, the same string every
// time the analyser meets it.
func (an *analyser) bigram(r1, r2 rune) string {
	key := uint64(r1)<<32 | uint64(uint32(r2))
	g, ok := an.bigramStrings[key]
	if !ok {
		g = string([]rune{r1, r2})
		an.bigramStrings[key] = g
	}
	return g
}

// appendTermCounts appends the entries of counts to dst as pairs.
func appendTermCounts(dst []termCount, counts map[string]int32) []termCount {
	for t, n := range counts {
		dst = append(dst, termCount{t, n})
	}
	return dst
}

// reset empties a, keeping its storage for the next passage. What the
// slices held is cleared, so that an analysis kept for reuse does not
// keep the strings of a passage indexed long ago alive.
func (a *analysis) reset() {
	clear(a.words)
	clear(a.grams)
	clear(a.wordCounts)
	clear(a.gramCounts)
	clear(a.compounds)
	a.sents, a.words, a.grams = a.sents[:0], a.words[:0], a.grams[:0]
	a.wordCounts, a.gramCounts, a.compounds = a.wordCounts[:0], a.gramCounts[:0], a.compounds[:0]
}

// indexer turns analyses into a passage's sentences and IDs, reusing its
// buffers from one passage to the next. It runs on one goroutine.
type indexer struct {
	b       *Base
	ids     []byte
	scratch []uint32
}

// indexSentences interns the words and bigrams of a's sentences and
// returns the sentences with their IDs encoded (see sentence).
func (x *indexer) indexSentences(a *analysis) ([]sentence, []byte) {
	b := x.b
	out := make([]sentence, len(a.sents))
	ids := x.ids[:0]
	words, grams := a.words, a.grams
	for i, sw := range a.sents {
		s := sentence{start: sw.start, end: sw.end, off: uint32(len(ids))}
		scratch := x.scratch[:0]
		for _, w := range words[:sw.words] {
			scratch = append(scratch, b.wordIDs.intern(w))
		}
		words = words[sw.words:]
		set := sortedSet(scratch)
		s.words = uint32(len(set))
		ids = appendIDs(ids, set)
		scratch = scratch[:0]
		for _, g := range grams[:sw.grams] {
			scratch = append(scratch, b.gramIDs.intern(g))
		}
		grams = grams[sw.grams:]
		set = sortedSet(scratch)
		s.grams = uint32(len(set))
		ids = appendIDs(ids, set)
		x.scratch = scratch
		out[i] = s
	}
	x.ids = ids
	if len(ids) == 0 {
		return out, nil
	}
	return out, slices.Clone(ids)
}

// forEachBigramRunes calls fn with each pair of adjacent letters or
// digits of text, lower-cased, with full-width forms read as half-width
// (see forEachBigram).
func forEachBigramRunes(text string, fn func(r1, r2 rune)) {
	var prev rune
	for _, r := range normalizeWidth(text) {
		r = unicode.ToLower(r)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			prev = 0
			continue
		}
		if prev != 0 {
			fn(prev, r)
		}
		prev = r
	}
}
