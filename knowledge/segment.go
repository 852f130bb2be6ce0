package knowledge

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/yanyiwu/gojieba"
)

// The dictionary files gojieba needs, looked up inside the configured
// dictionary directory. gojieba's own defaults point into the build
// machine's module cache and break anywhere else, so they are never used.
var jiebaFiles = [...]string{"jieba.dict.utf8", "hmm_model.utf8", "user.dict.utf8", "idf.utf8", "stop_words.utf8"}

// Segmenter splits Chinese text into words with gojieba and extracts
// TF-IDF keywords. Create one per process: the dictionaries take tens of
// megabytes. After NewSegmenter returns, a Segmenter is safe for concurrent
// use; words are only added inside NewSegmenter, before it is shared.
type Segmenter struct {
	jieba *gojieba.Jieba
	freq  map[string]int  // dictionary frequency of the words of wordFreqFloor or more
	staff map[string]bool // the words added by staff
}

// staffWordFreq is the dictionary frequency given to the words staff list
// (custom words, synonyms, department names). gojieba's default for added
// words is the dictionary's least frequency, so an added word lost to any
// split of it (说下一步 cut as 说/下/一步, not 说/下一步); from about 3,000
// on, added words stay whole (measured with fazhibot eval, BENCHMARKS.md).
const staffWordFreq = 10000

// wordFreqFloor is the least dictionary frequency Freq reports; rarer
// words read as 0. It keeps the table small (about 50,000 words).
const wordFreqFloor = 50

// NewSegmenter loads gojieba's dictionaries from dictDir and adds words
// (domain terms that must stay whole, such as 行政复议 or 三线一单). It
// returns an error naming the missing file when a dictionary is absent.
func NewSegmenter(dictDir string, words []string) (*Segmenter, error) {
	paths := make([]string, len(jiebaFiles))
	for i, name := range jiebaFiles {
		p := filepath.Join(dictDir, name)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("分词词典缺失: %s: %w", p, err)
		}
		paths[i] = p
	}
	j := gojieba.NewJieba(paths...)
	staff := map[string]bool{}
	for _, w := range words {
		if w = strings.TrimSpace(w); w != "" {
			j.AddWordEx(w, staffWordFreq, "x")
			staff[strings.ToLower(w)] = true
		}
	}
	freq, err := readWordFreqs(paths[0], wordFreqFloor)
	if err != nil {
		j.Free()
		return nil, err
	}
	return &Segmenter{jieba: j, freq: freq, staff: staff}, nil
}

// readWordFreqs reads the words of at least minFreq, with their
// frequencies, from a jieba dictionary ("word freq tag" lines).
func readWordFreqs(path string, minFreq int) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("读取分词词典 %s: %w", path, err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		word, rest, _ := strings.Cut(sc.Text(), " ")
		freq, _, _ := strings.Cut(rest, " ")
		if n, err := strconv.Atoi(freq); err == nil && n >= minFreq {
			out[word] = n
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("读取分词词典 %s: %w", path, err)
	}
	return out, nil
}

// Freq returns w's frequency in the dictionary (how common a word of
// everyday Chinese it is), or 0 when the dictionary does not list it or
// lists it as rarer than wordFreqFloor.
func (s *Segmenter) Freq(w string) int { return s.freq[w] }

// Known reports whether w is a word of the dictionary or one staff
// added, rather than one the segmenter guessed from context (局作 in
// 我局作为).
func (s *Segmenter) Known(w string) bool {
	return s.staff[w] || s.TagWord(w) != "x"
}

// TagWord returns the dictionary's part-of-speech tag of w (n, v, r …),
// "x" when the dictionary does not know it.
func (s *Segmenter) TagWord(w string) string {
	tags := s.jieba.Tag(w)
	if len(tags) != 1 {
		return "x"
	}
	i := strings.LastIndexByte(tags[0], '/')
	if i < 0 || tags[0][:i] != w {
		return "x"
	}
	return tags[0][i+1:]
}

// Cut segments text in precise mode with the dictionary alone (no guessed
// new words), so that every piece longer than one character is a
// dictionary word. The pieces concatenate to text.
func (s *Segmenter) Cut(text string) []string {
	return s.jieba.Cut(text, false)
}

// Close frees the dictionaries. The Segmenter must not be used afterwards.
func (s *Segmenter) Close() {
	s.jieba.Free()
}

// Words segments text in search mode (long words are also split into their
// shorter dictionary words) and returns the words that carry meaning:
// whitespace and punctuation are dropped, and Latin letters are lower-cased.
func (s *Segmenter) Words(text string) []string {
	raw := s.jieba.CutForSearch(normalizeWidth(text), true)
	out := raw[:0]
	for _, w := range raw {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || !hasWordRune(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// Token is one word of a text segmented in search mode.
type Token struct {
	Text string // lower-cased
	// Sub reports a shorter dictionary word inside a longer token at the
	// same place (律师 inside 律师事务所). Synonyms apply to whole words
	// only, so that 律师事务所 does not also count as 法律顾问.
	Sub bool
}

// Tokens segments text like Words and marks the sub-words.
func (s *Segmenter) Tokens(text string) []Token {
	words := s.jieba.Tokenize(normalizeWidth(text), gojieba.SearchMode, true)
	out := make([]Token, 0, len(words))
	for i, w := range words {
		t := strings.ToLower(strings.TrimSpace(w.Str))
		if t == "" || !hasWordRune(t) {
			continue
		}
		// Search mode puts the shorter words of a long word right before
		// it, so looking a few tokens around is enough.
		sub := false
		for j := max(0, i-8); j < min(len(words), i+9) && !sub; j++ {
			o := words[j]
			sub = o.Start <= w.Start && o.End >= w.End && o.End-o.Start > w.End-w.Start
		}
		out = append(out, Token{Text: t, Sub: sub})
	}
	return out
}

// Keyword is one extracted keyword and its TF-IDF weight.
type Keyword struct {
	Word   string
	Weight float64
}

// Keywords returns up to n TF-IDF keywords of text, heaviest first.
func (s *Segmenter) Keywords(text string, n int) []Keyword {
	ww := s.jieba.ExtractWithWeight(normalizeWidth(text), n)
	out := make([]Keyword, 0, len(ww))
	for _, w := range ww {
		if !hasWordRune(w.Word) {
			continue
		}
		out = append(out, Keyword{Word: w.Word, Weight: w.Weight})
	}
	return out
}

// hasWordRune reports whether w holds a letter or a digit.
func hasWordRune(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// normalizeWidth maps full-width ASCII variants (０-９, Ａ-Ｚ, ，：；（） …)
// and the ideographic space to their half-width forms, so that "１２３４５"
// and "12345" segment alike. Other characters are kept.
func normalizeWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uff01' && r <= '\uff5e':
			return r - 0xfee0
		}
		return r
	}, s)
}
