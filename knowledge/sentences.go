package knowledge

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
)

// Ranking and excerpts look at single sentences: the passage with one
// sentence that holds most of the question wins, and that sentence is what
// the answer quotes. Each passage's sentences are segmented once, when the
// Base is built, and kept as sorted IDs of their words and bigrams, so a
// question costs lookups rather than segmenting again. The IDs are stored
// compactly, as varint gaps in one byte slice per passage (about two bytes
// an ID instead of four, and no slice headers per sentence), and decoded
// for the few passages a question re-ranks.

// sentence is one sentence of a passage.
type sentence struct {
	start, end   int32  // byte range in the passage text, trimmed
	off          uint32 // where its IDs start in doc.ids
	words, grams uint32 // how many word IDs, then bigram IDs, it has there
}

// sentenceIDs are a sentence's sorted, distinct word and bigram IDs.
type sentenceIDs struct {
	start, end   int32
	words, grams []uint32
}

// appendIDs appends sorted ids to dst as uvarint gaps.
func appendIDs(dst []byte, ids []uint32) []byte {
	prev := uint32(0)
	for _, id := range ids {
		dst = binary.AppendUvarint(dst, uint64(id-prev))
		prev = id
	}
	return dst
}

// decodeIDs appends to dst the n IDs appendIDs encoded at the start of
// src, and returns dst and the rest of src.
func decodeIDs(dst []uint32, src []byte, n uint32) ([]uint32, []byte) {
	prev := uint32(0)
	for range n {
		gap, k := binary.Uvarint(src)
		prev += uint32(gap)
		dst = append(dst, prev)
		src = src[k:]
	}
	return dst, src
}

// sentences decodes the IDs of d's sentences into buf, reusing its
// storage, and returns them with buf grown as needed.
func (d *doc) sentences(buf []uint32) ([]sentenceIDs, []uint32) {
	need := 0
	for _, s := range d.sents {
		need += int(s.words + s.grams)
	}
	if cap(buf) < need {
		buf = make([]uint32, 0, need)
	}
	buf = buf[:0]
	out := make([]sentenceIDs, len(d.sents))
	for i, s := range d.sents {
		src := d.ids[s.off:]
		at := len(buf)
		buf, src = decodeIDs(buf, src, s.words)
		mid := len(buf)
		buf, _ = decodeIDs(buf, src, s.grams)
		out[i] = sentenceIDs{start: s.start, end: s.end, words: buf[at:mid:mid], grams: buf[mid:len(buf):len(buf)]}
	}
	return out, buf
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
func sentenceScore(text string, s sentenceIDs, qts []queryTerm) float64 {
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

// bestSentence is the highest sentenceScore of sents, the sentences of
// text.
func bestSentence(text string, sents []sentenceIDs, qts []queryTerm) float64 {
	best := 0.0
	for _, s := range sents {
		best = max(best, sentenceScore(text, s, qts))
	}
	return best
}

// minTheRest is how many of a question's own content words (nouns and
// the reports' terms, see roleWeight) a sentence must hold for
// holdsTheRest.
const minTheRest = 2

// theRest returns the question's own content words that the reports use
// (nouns and the reports' terms, see roleWeight): all it says but its
// foreign nouns and their parts (公交 of 公交线路).
func theRest(qts []queryTerm) []queryTerm {
	var rest []queryTerm
	for _, qt := range qts {
		partOfForeign := slices.ContainsFunc(qts, func(f queryTerm) bool { return f.foreign && strings.Contains(f.word, qt.word) })
		if !qt.context && !qt.foreign && qt.role >= 1 && !partOfForeign {
			rest = append(rest, qt)
		}
	}
	return rest
}

// holdsTheRest reports whether one of sents holds, as words, every term
// of rest (see theRest), and at least minTheRest of them.
func holdsTheRest(sents []sentenceIDs, rest []queryTerm) bool {
	if len(rest) < minTheRest {
		return false
	}
	for _, s := range sents {
		all := true
		for _, qt := range rest {
			if !qt.known || !hasID(s.words, qt.id) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
