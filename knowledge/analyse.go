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

// analyseBlock is how many consecutive passages a worker takes at a time:
// consecutive passages often share a heading path, which a worker
// segments once for all of them.
const analyseBlock = 8

// analyseAll calls index(k, a) for each k in 0..n-1, in order, with the
// analysis of passage k; passage(k) returns it. The analyses run on
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
		for _, an := range analysers[:min(workers, (end-start+analyseBlock-1)/analyseBlock)] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					from := int(next.Add(analyseBlock) - analyseBlock)
					if from >= end {
						return
					}
					for k := from; k < min(from+analyseBlock, end); k++ {
						an.analyse(passage(k), &out[k-start])
					}
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
			index(k, &cur[k-start])
			cur[k-start] = analysis{}
		}
	}
}

// analyser analyses passages on one goroutine, reusing its maps and
// buffers from one passage to the next.
type analyser struct {
	b             *Base
	words, grams  map[string]int32 // the counts of the passage analysed
	wordBuf       []string
	gramBuf       []string
	sents         []sentenceSpan
	compounds     []string
	bigramStrings map[uint64]string // a bigram's runes → its string, allocated once
	// path, pathWords and pathGrams are the last heading path seen and
	// its indexed words and bigrams.
	path                 string
	pathWords, pathGrams []string
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
	an.wordBuf, an.gramBuf, an.sents, an.compounds = an.wordBuf[:0], an.gramBuf[:0], an.sents[:0], an.compounds[:0]
	text := p.Text
	for _, sp := range sentenceSpans(text) {
		s := sentenceSpan{start: int32(sp[0]), end: int32(sp[1])}
		words, grams := len(an.wordBuf), len(an.gramBuf)
		prev := ""
		for _, tok := range b.seg.Tokens(text[sp[0]:sp[1]]) {
			w := b.indexedWord(tok)
			if !tok.Sub {
				whole := utf8.RuneCountInString(tok.Text) >= 2 && allHan(tok.Text)
				if prev != "" && whole && utf8.RuneCountInString(prev)+utf8.RuneCountInString(tok.Text) <= soundMaxRunes {
					an.compounds = append(an.compounds, prev+tok.Text)
				}
				prev = ""
				if whole {
					prev = tok.Text
				}
			}
			an.words[w]++
			an.wordBuf = append(an.wordBuf, w)
		}
		forEachBigramRunes(text[sp[0]:sp[1]], func(r1, r2 rune) {
			g := an.bigram(r1, r2)
			an.grams[g]++
			an.gramBuf = append(an.gramBuf, g)
		})
		s.words, s.grams = int32(len(an.wordBuf)-words), int32(len(an.gramBuf)-grams)
		an.sents = append(an.sents, s)
	}
	an.addHeadingAndKeywords(p)
	*out = analysis{
		sents:      slices.Clone(an.sents),
		words:      slices.Clone(an.wordBuf),
		grams:      slices.Clone(an.gramBuf),
		wordCounts: termCounts(an.words),
		gramCounts: termCounts(an.grams),
		compounds:  slices.Clone(an.compounds),
	}
}

// addHeadingAndKeywords adds to the passage's counts the words of its
// heading path (counted twice: headings name the topic) and its bigrams,
// and its keywords.
func (an *analyser) addHeadingAndKeywords(p *Passage) {
	b := an.b
	if len(p.Path) > 0 {
		if !pathIs(p.Path, an.path) {
			path := strings.Join(p.Path, " ")
			an.path = path
			an.pathWords = b.indexWords(path)
			an.pathGrams = an.pathGrams[:0]
			forEachBigramRunes(path, func(r1, r2 rune) { an.pathGrams = append(an.pathGrams, an.bigram(r1, r2)) })
		}
		for _, w := range an.pathWords {
			an.words[w] += 2
		}
		for _, g := range an.pathGrams {
			an.grams[g]++
		}
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

// pathIs reports whether path joined with spaces is joined.
func pathIs(path []string, joined string) bool {
	for i, h := range path {
		if i > 0 {
			if joined == "" || joined[0] != ' ' {
				return false
			}
			joined = joined[1:]
		}
		rest, ok := strings.CutPrefix(joined, h)
		if !ok {
			return false
		}
		joined = rest
	}
	return joined == ""
}

// termCounts returns the entries of counts as pairs.
func termCounts(counts map[string]int32) []termCount {
	out := make([]termCount, 0, len(counts))
	for t, n := range counts {
		out = append(out, termCount{t, n})
	}
	return out
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
