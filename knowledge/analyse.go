package knowledge

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Building a Base spends most of its time segmenting passages, which
// needs no shared state: Build analyses passages on every core, a chunk
// at a time, and then indexes each chunk in passage order on one
// goroutine, so that the index is the same whatever the number of cores.

// analysis is what Build reads from one passage before indexing it.
type analysis struct {
	sents     []sentenceWords
	words     map[string]int // indexed word → occurrences, headings and keywords included
	grams     map[string]int // character bigram → occurrences
	compounds []string       // pairs of adjacent whole words (see analyse)
}

// sentenceWords is one sentence of a passage with its indexed words and
// bigrams, as strings, in text order.
type sentenceWords struct {
	start, end   int32
	words, grams []string
}

// analyseChunk is how many passages are analysed between two indexing
// steps: enough to keep every core busy, few enough to hold in memory.
const analyseChunk = 512

// analyseAll calls index(k, a) for each k in 0..n-1, in order, with the
// analysis of passage k; passage(k) returns it. The analyses run on
// GOMAXPROCS goroutines; index runs on the caller's goroutine.
func (b *Base) analyseAll(n int, passage func(k int) *Passage, index func(k int, a *analysis)) {
	workers := runtime.GOMAXPROCS(0)
	results := make([]analysis, min(n, analyseChunk))
	for start := 0; start < n; start += analyseChunk {
		end := min(start+analyseChunk, n)
		var next atomic.Int64
		next.Store(int64(start))
		var wg sync.WaitGroup
		for range min(workers, end-start) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := int(next.Add(1) - 1); k < end; k = int(next.Add(1) - 1) {
					results[k-start] = b.analyse(passage(k))
				}
			}()
		}
		wg.Wait()
		for k := start; k < end; k++ {
			index(k, &results[k-start])
			results[k-start] = analysis{}
		}
	}
}

// analyse segments a passage's sentences into the words and bigrams the
// index holds, and adds the words of its heading path (counted twice:
// headings name the topic), the path's bigrams, and its keywords.
//
// It also collects the pairs of adjacent whole words written in Chinese
// characters (业主 委员会 → 业主委员会), which short forms may stand for
// although the segmenter keeps them apart.
func (b *Base) analyse(p *Passage) analysis {
	a := analysis{words: map[string]int{}, grams: map[string]int{}}
	text := p.Text
	for _, sp := range sentenceSpans(text) {
		s := sentenceWords{start: int32(sp[0]), end: int32(sp[1])}
		prev := ""
		for _, tok := range b.seg.Tokens(text[sp[0]:sp[1]]) {
			w := b.indexedWord(tok)
			if !tok.Sub {
				whole := utf8.RuneCountInString(tok.Text) >= 2 && allHan(tok.Text)
				if prev != "" && whole && utf8.RuneCountInString(prev)+utf8.RuneCountInString(tok.Text) <= soundMaxRunes {
					a.compounds = append(a.compounds, prev+tok.Text)
				}
				prev = ""
				if whole {
					prev = tok.Text
				}
			}
			a.words[w]++
			s.words = append(s.words, w)
		}
		forEachBigram(text[sp[0]:sp[1]], func(g string) {
			a.grams[g]++
			s.grams = append(s.grams, g)
		})
		a.sents = append(a.sents, s)
	}
	b.addHeadingAndKeywords(p, a.words, a.grams)
	return a
}

// indexSentences interns the words and bigrams of a's sentences and
// returns the sentences with their IDs encoded (see sentence).
func (b *Base) indexSentences(a *analysis) ([]sentence, []byte) {
	out := make([]sentence, len(a.sents))
	var ids []byte
	var scratch []uint32
	for i, sw := range a.sents {
		s := sentence{start: sw.start, end: sw.end, off: uint32(len(ids))}
		scratch = scratch[:0]
		for _, w := range sw.words {
			scratch = append(scratch, b.wordIDs.intern(w))
		}
		words := sortedSet(scratch)
		s.words = uint32(len(words))
		ids = appendIDs(ids, words)
		scratch = scratch[:0]
		for _, g := range sw.grams {
			scratch = append(scratch, b.gramIDs.intern(g))
		}
		grams := sortedSet(scratch)
		s.grams = uint32(len(grams))
		ids = appendIDs(ids, grams)
		out[i] = s
	}
	return out, slices.Clip(ids)
}
