package knowledge

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Ranking and excerpts look at single sentences: the passage with one
// sentence that holds most of the question wins, and that sentence is what
// the answer quotes. Each passage's sentences are segmented once, when the
// Base is built, and kept as sorted IDs of their words and bigrams, so a
// question costs lookups rather than segmenting again.

// sentence is one sentence of a passage.
type sentence struct {
	start, end int32    // byte range in the passage text, trimmed
	words      []uint32 // sorted, distinct IDs of its indexed words
	grams      []uint32 // sorted, distinct IDs of its character bigrams
}

// vocab interns strings as small IDs. It is filled while building and
// read-only afterwards.
type vocab map[string]uint32

func (v vocab) intern(s string) uint32 {
	id, ok := v[s]
	if !ok {
		id = uint32(len(v))
		v[s] = id
	}
	return id
}

// sentenceSpans returns the byte ranges of text's sentences: each ends
// after a sentence end (。！？; and their half-width forms), keeping the
// punctuation, with surrounding spaces trimmed and empty ones dropped.
func sentenceSpans(text string) [][2]int {
	var out [][2]int
	add := func(start, end int) {
		for start < end && (text[start] == ' ' || text[start] == '\n' || text[start] == '\t') {
			start++
		}
		s := strings.TrimRight(text[start:end], " \n\t")
		if s != "" {
			out = append(out, [2]int{start, start + len(s)})
		}
	}
	start := 0
	for i, r := range text {
		if strings.ContainsRune("。！？!?；;", r) {
			end := i + utf8.RuneLen(r)
			add(start, end)
			start = end
		}
	}
	add(start, len(text))
	return out
}

// splitSentences returns text's sentences as strings (see sentenceSpans).
func splitSentences(text string) []string {
	spans := sentenceSpans(text)
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = text[sp[0]:sp[1]]
	}
	return out
}

func sortedSet(ids []uint32) []uint32 {
	slices.Sort(ids)
	return slices.Clip(slices.Compact(ids))
}

func hasID(sorted []uint32, id uint32) bool {
	_, ok := slices.BinarySearch(sorted, id)
	return ok
}

// sentenceScore is the weighted share of question terms in sentence s of
// text, counted like coverage.
func sentenceScore(text string, s sentence, qts []queryTerm) float64 {
	var sum float64
	for _, qt := range qts {
		switch {
		case qt.known && hasID(s.words, qt.id):
			sum += qt.weight
		case len(qt.bigrams) > 0:
			n := 0
			for _, g := range qt.gramIDs {
				if hasID(s.grams, g) {
					n++
				}
			}
			sum += qt.weight * partialCredit * float64(n) / float64(len(qt.bigrams))
		case strings.Contains(text[s.start:s.end], qt.word):
			sum += qt.weight * partialCredit
		}
	}
	return sum
}

// bestSentence is the highest sentenceScore of the sentences of d.
func (b *Base) bestSentence(d *doc, qts []queryTerm) float64 {
	text := d.report.Passages[d.seq].Text
	best := 0.0
	for _, s := range d.sents {
		best = max(best, sentenceScore(text, s, qts))
	}
	return best
}
