package knowledge

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// How the words of a question become search terms: the segmenter's
// tokens read as the index holds words, words split around what is asked
// joined again, and what grammar adds to a word (a noun's suffix, a verb's
// direction or aspect, a pointer's measure word) read away.

// readTerms returns the search terms of a question's tokens, each once,
// in order, and the words the term lists read as another (开公司 → 企业开办).
// A whole word is read as the index holds it, as its canonical synonym; a
// part of a word as it is, unless no report holds it so (工钱 of 讨工钱 →
// 工资); what grammar adds is read away (see nounStem and verbStem).
func (b *Base) readTerms(tokens []Token) (terms, phrases []string) {
	// The parts of a word read as its verb, or as nothing (审批 and 下来 of
	// 审批下来, read as 审批), are not read again.
	var stemmed []string
	for _, tok := range tokens {
		if !tok.Sub && b.verbStem(tok.Text) != tok.Text {
			stemmed = append(stemmed, tok.Text)
		}
	}
	seen := map[string]bool{}
	for _, tok := range tokens {
		if b.terms.Stopwords[tok.Text] || isQuestionWord(tok.Text) {
			continue
		}
		if tok.Sub && slices.ContainsFunc(stemmed, func(w string) bool { return strings.Contains(w, tok.Text) }) {
			continue
		}
		w := b.indexedWord(tok) // as in the index: 律师事务所 holds 律师, not 法律顾问
		if tok.Sub && len(b.words[w]) == 0 {
			w = b.terms.canonical(w)
		}
		if !tok.Sub && w != tok.Text {
			phrases = append(phrases, tok.Text)
		}
		w = b.verbStem(b.nounStem(w))
		if w != "" && !seen[w] {
			seen[w] = true
			terms = append(terms, w)
		}
	}
	return terms, phrases
}

// joinSplitWords rejoins the words a question splits around what it asks
// (坐几天班, 开了几次会, 发了多少证): two single characters, apart in
// text once the asking words are gone, with only stopwords between them,
// are read as one word when the reports use that word (坐班, 开会, 发证).
// Characters the question writes side by side were split by the
// segmenter on purpose and stay apart.
func (b *Base) joinSplitWords(tokens []Token, text string) []Token {
	out := make([]Token, 0, len(tokens))
	last := -1 // index in out of the last token that is not a stopword
	for _, tok := range tokens {
		if last >= 0 && !tok.Sub && !out[last].Sub && utf8.RuneCountInString(tok.Text) == 1 && utf8.RuneCountInString(out[last].Text) == 1 {
			joined := out[last].Text + tok.Text
			if !strings.Contains(text, joined) && len(b.words[joined]) > 0 {
				out = append(out[:last], Token{Text: joined})
				last = -1
				continue
			}
		}
		out = append(out, tok)
		if !b.terms.Stopwords[tok.Text] {
			last = len(out) - 1
		}
	}
	return out
}

// nounSuffixes make spoken nouns of a character (单子, 车子, 娃儿), or,
// in Chongqing speech, say "in" it (村头, 屋头: 村里, 屋里); the reports
// write the character inside a longer word (工单, 车辆, 村民).
const nounSuffixes = "子儿头"

// nounStem returns the character of a spoken two-character noun (单子 →
// 单) that no report uses as a word but whose character the reports use,
// so that it is found inside the reports' words; any other word is
// returned as it is.
func (b *Base) nounStem(w string) string {
	stem, n := utf8.DecodeRuneInString(w)
	suffix, m := utf8.DecodeRuneInString(w[n:])
	if n+m != len(w) || !strings.ContainsRune(nounSuffixes, suffix) || len(b.words[w]) > 0 || !b.sound.usesRune(stem) {
		return w
	}
	return string(stem)
}

// directions are the complements that say which way a verb goes (批下来,
// 报上来, 捞起来), longest first.
var directions = []string{"下来", "上来", "出来", "进来", "回来", "起来", "过来", "下去", "上去", "出去", "进去", "回去", "过去", "起"}

// aspects are the particles that mark a verb as done or going on (评了,
// 办完, 审过).
const aspects = "了过着完"

// pointers are the characters that point at or count a thing before a
// measure word (那份, 这块, 有个); measures, the measure words.
const (
	pointers = "这那哪每某各该有"
	measures = "个份块件种次样回些位家条项张本类场"
)

// verbStem reads a word no report holds the way grammar builds it from
// another: a verb with its direction or aspect (审批下来, 调解完) as the
// verb (审批, 调解), when the reports use it as a word of two characters or
// more, and a pointer with a measure word (那份, 这块) as nothing at all:
// it refers to what the question names elsewhere. Any other word is
// returned as it is; a lone character left (评 of 评了) says too little.
func (b *Base) verbStem(w string) string {
	if len(b.words[w]) > 0 {
		return w
	}
	if utf8.RuneCountInString(w) == 2 {
		p, n := utf8.DecodeRuneInString(w)
		if m, _ := utf8.DecodeRuneInString(w[n:]); strings.ContainsRune(pointers, p) && strings.ContainsRune(measures, m) {
			return ""
		}
	}
	stem := w
	for _, d := range directions {
		if s, ok := strings.CutSuffix(stem, d); ok {
			stem = s
			break
		}
	}
	stem = strings.TrimRight(stem, aspects)
	switch {
	case stem == w:
		return w
	case stem == "":
		return "" // a direction alone (下来) names nothing
	case len(b.words[stem]) > 0 && utf8.RuneCountInString(stem) > 1:
		return stem
	}
	return w
}
