package knowledge

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Citizens type with pinyin input methods, so most typos are characters
// with the same sound (公正处 for 公证处, 复意 for 复议), and speakers of
// southwestern Mandarin also merge n/l, in/ing, en/eng, z/zh, c/ch and
// s/sh (龙民工, 施法局). Others shorten long terms (业委会 for 业主委员会).
//
// The sound index maps the knowledge base's own vocabulary (every word of
// its passages, headings and keywords, and the department names and
// aliases) by a fuzzy pinyin key. A stretch of a question that is not a
// vocabulary word but sounds like one, and differs from it in few
// characters, is rewritten to that word before the question is read. A
// stretch that is still unknown and whose characters begin the parts of a
// longer vocabulary word, in order, is expanded to it. Both work on the
// raw characters, so they also apply inside longer words and to
// department names, whatever the segmenter made of the typo.

// soundIndex is the knowledge base's vocabulary by sound and by first
// character. It is built once with the Base and read-only afterwards.
type soundIndex struct {
	known    map[string]bool         // every vocabulary word, as written
	byKey    map[string][]soundEntry // fuzzy pinyin key → words
	byFirst  map[rune][]abbrevEntry  // first character → words of 3+ runes
	readings map[rune][]string       // toneless readings of the vocabulary's characters
	maxRunes int                     // the longest word in byKey
	// cut segments with the dictionary alone; meant reports whether a
	// stretch is a word the citizen surely meant (a common word or a
	// question stopword), which is never corrected; typed reports whether
	// a whole dictionary word of the question is a real word rather than
	// a typo: it may still be a short form (货车 for 货运车辆), never a
	// sound-alike (货车 is not 火车).
	cut   func(string) []string
	meant func(string) bool
	typed func(string) bool
	stop  func(string) bool // question stopwords (了, 有, 多少 …)
	// written reports whether a stretch stands verbatim in the reports'
	// text: one of minWrittenRunes or more that does (院坝法治课) is what
	// the citizen meant, not a typo (法制科), though no single word of
	// the reports spells it.
	written func(string) bool
}

// soundEntry is one vocabulary word under one of its fuzzy keys.
type soundEntry struct {
	word     string
	exact    string // the toneless pinyin that gave the key
	df       int    // passages holding the word; aliases count as very common
	compound bool   // two adjacent words of the reports, not one word
}

// abbrevEntry is a word a short form may stand for, with the positions
// where its parts begin (业主委员会: 业, 委).
type abbrevEntry struct {
	word   []rune
	starts []bool
	df     int
}

// Limits of the sound index.
const (
	// soundMaxRunes is the longest word indexed by sound.
	soundMaxRunes = 8
	// maxReadingCombos caps the keys of a word with several polyphones.
	maxReadingCombos = 8
	// abbrevMaxRunes is the longest short form expanded.
	abbrevMaxRunes = 4
	// minWrittenRunes is the shortest stretch that is never corrected when
	// the reports write it: two characters stand side by side across
	// words too often (资法 in 投资法).
	minWrittenRunes = 3
	// aliasDF is the df given to department names and aliases: a
	// department alias is the likeliest reading of a sound-alike.
	aliasDF = 1 << 20
	// commonWordFreq is the dictionary frequency from which a word counts
	// as common Chinese (意思, 拿到, 总共): a citizen who types one meant
	// it, however much it sounds like a word of the reports.
	commonWordFreq = 300
	// typedWordFreq is the dictionary frequency from which a whole word of
	// the question is taken as typed on purpose. An input method's wrong
	// pick is almost never a real word: of the sound-alike typos in the
	// development sets, those that are dictionary words at all (复义,
	// 监查) have frequency 3, and an input method's first pick for a
	// report's word can be a rare one (律诗 81 for 律师, 徐克 55 for 许可),
	// while 货车 (197) was meant.
	typedWordFreq = 100
)

// newSoundIndex indexes the words of vocab (word → number of passages
// holding it) that are written in Chinese characters only, and takes the
// compounds (two adjacent words, → occurrences) as further words a short
// form may stand for.
//
// cut segments a question with the dictionary alone; freq gives a word's
// dictionary frequency, and stop reports question stopwords. Common words
// (commonWordFreq or more) and stopwords are never corrected; whole words
// of the question of typedWordFreq or more are never read as sound-alikes.
func newSoundIndex(vocab, compounds map[string]int, cut func(string) []string, freq func(string) int, stop, written func(string) bool) *soundIndex {
	x := &soundIndex{
		cut:      cut,
		written:  written,
		meant:    func(w string) bool { return freq(w) >= commonWordFreq || stop(w) },
		typed:    func(w string) bool { return freq(w) >= typedWordFreq },
		stop:     stop,
		known:    make(map[string]bool, len(vocab)),
		byKey:    make(map[string][]soundEntry, len(vocab)),
		byFirst:  map[rune][]abbrevEntry{},
		readings: map[rune][]string{},
	}
	for w := range vocab {
		for _, r := range w {
			if _, ok := x.readings[r]; !ok && isHan(r) {
				x.readings[r] = tonelessReadings(r)
			}
		}
	}
	words := make([]string, 0, len(vocab))
	for w := range vocab {
		words = append(words, w)
	}
	slices.Sort(words) // a deterministic order of entries under one key
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if n < 2 || !allHan(w) {
			continue
		}
		x.known[w] = true
		df := vocab[w]
		if n <= soundMaxRunes {
			x.maxRunes = max(x.maxRunes, n)
			for _, exact := range x.combos(w) {
				k := fuzzyKey(exact)
				x.byKey[k] = append(x.byKey[k], soundEntry{word: w, exact: strings.Join(exact, " "), df: df})
			}
		}
		if n > 2 {
			x.byFirst[firstRune(w)] = append(x.byFirst[firstRune(w)], abbrevEntry{word: []rune(w), starts: partStarts(w, vocab), df: df})
		}
	}
	for _, w := range slices.Sorted(maps.Keys(compounds)) {
		if _, ok := vocab[w]; ok {
			continue
		}
		x.byFirst[firstRune(w)] = append(x.byFirst[firstRune(w)], abbrevEntry{word: []rune(w), starts: partStarts(w, vocab), df: compounds[w]})
		// A compound the reports use more than once is also a reading of
		// a sound-alike: 信用平价 is 信用评价, although 平价 alone is a
		// real word.
		if n := utf8.RuneCountInString(w); compounds[w] > 1 && n <= soundMaxRunes && allHan(w) {
			x.maxRunes = max(x.maxRunes, n)
			for _, exact := range x.combos(w) {
				k := fuzzyKey(exact)
				x.byKey[k] = append(x.byKey[k], soundEntry{word: w, exact: strings.Join(exact, " "), df: compounds[w], compound: true})
			}
		}
	}
	return x
}

// combos returns the toneless readings of w, one syllable per character,
// for up to maxReadingCombos combinations of its polyphones.
func (x *soundIndex) combos(w string) [][]string {
	syl := make([][]string, 0, len(w)/3)
	for _, r := range w {
		syl = append(syl, x.readings[r])
	}
	return readingCombos(syl)
}

// readingCombos returns up to maxReadingCombos combinations of one
// reading per character, the commonest readings first; none when a
// character has no reading.
func readingCombos(syl [][]string) [][]string {
	out := [][]string{nil}
	for _, rs := range syl {
		if len(rs) == 0 {
			return nil
		}
		var next [][]string
		for _, prefix := range out {
			for _, s := range rs {
				if len(next) == maxReadingCombos {
					break
				}
				next = append(next, append(slices.Clip(prefix), s))
			}
		}
		out = next
	}
	return out
}

// usesRune reports whether a vocabulary word holds r.
func (x *soundIndex) usesRune(r rune) bool {
	if x == nil {
		return false
	}
	_, ok := x.readings[r]
	return ok
}

// readingsOf returns the toneless readings of r, nil when it has none.
func (x *soundIndex) readingsOf(r rune) []string {
	if rs, ok := x.readings[r]; ok {
		return rs
	}
	return tonelessReadings(r)
}

// toneless maps the tone-marked vowels of pinyin to plain letters (ü to v).
var toneless = strings.NewReplacer(
	"ā", "a", "á", "a", "ǎ", "a", "à", "a", "ē", "e", "é", "e", "ě", "e", "è", "e",
	"ō", "o", "ó", "o", "ǒ", "o", "ò", "o", "ī", "i", "í", "i", "ǐ", "i", "ì", "i",
	"ū", "u", "ú", "u", "ǔ", "u", "ù", "u", "ü", "v", "ǘ", "v", "ǚ", "v", "ǜ", "v",
	"ń", "n", "ň", "n", "ǹ", "n", "ḿ", "m",
)

// tonelessReadings returns the distinct toneless readings of r, its
// commonest first (中: zhong), or nil for a character with none.
func tonelessReadings(r rune) []string {
	marked, ok := pinyin.PinyinDict[int(r)]
	if !ok {
		return nil
	}
	var out []string
	for _, m := range strings.Split(marked, ",") {
		if p := toneless.Replace(m); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// partStarts marks where the parts of w begin: at 0, and wherever a
// vocabulary word of two or more characters inside w begins (业主委员会:
// 业 of 业主, 委 of 委员会).
func partStarts(w string, vocab map[string]int) []bool {
	var offsets []int // byte offset of each rune, and of the end
	for i := range w {
		offsets = append(offsets, i)
	}
	offsets = append(offsets, len(w))
	n := len(offsets) - 1
	starts := make([]bool, n)
	starts[0] = true
	for i := 1; i < n-1; i++ {
		for j := i + 2; j <= n && !starts[i]; j++ {
			_, starts[i] = vocab[w[offsets[i]:offsets[j]]]
		}
	}
	return starts
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// fuzzyKey joins syllables after merging the sounds southwestern Mandarin
// does not tell apart: zh/z, ch/c, sh/s, n/l, ing/in, eng/en.
func fuzzyKey(syllables []string) string {
	parts := make([]string, len(syllables))
	for i, s := range syllables {
		parts[i] = fuzzySyllable(s)
	}
	return strings.Join(parts, " ")
}

func fuzzySyllable(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"), strings.HasPrefix(s, "ch"), strings.HasPrefix(s, "sh"):
		s = s[:1] + s[2:]
	case strings.HasPrefix(s, "n") && len(s) > 1 && s != "ng":
		s = "l" + s[1:]
	}
	if strings.HasSuffix(s, "ing") || strings.HasSuffix(s, "eng") {
		s = s[:len(s)-1]
	}
	return s
}

// correct rewrites the stretches of text that sound like a vocabulary word
// or abbreviate one, and returns the new text and the corrections made,
// in the order they occur.
//
// prefer, when not nil, breaks ties between words that read the stretch
// equally well: a word it reports true for wins (the department that has
// a report of the year asked about, of 交委 and 教委 for 叫委).
func (x *soundIndex) correct(text string, prefer func(string) bool) (string, []Correction) {
	if x == nil || len(x.known) == 0 {
		return text, nil
	}
	var out strings.Builder
	var fixes []Correction
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if !isHan(rs[i]) {
			out.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isHan(rs[j]) {
			j++
		}
		run, fs := x.correctRun(rs[i:j], prefer)
		out.WriteString(run)
		fixes = append(fixes, fs...)
		i = j
	}
	if len(fixes) == 0 {
		return text, nil
	}
	return out.String(), fixes
}

// span is one rewrite inside a run of Chinese characters.
type span struct {
	from, to int // rune positions in the run
	fix      Correction
}

// correctRun corrects one run of Chinese characters: sound-alikes first,
// longest stretches first, then short forms among what is left.
func (x *soundIndex) correctRun(rs []rune, prefer func(string) bool) (string, []Correction) {
	n := len(rs)
	if n < 2 {
		return string(rs), nil
	}
	// protect[p] is the length of the longest vocabulary word covering p:
	// a character inside a known word of at least a stretch's length is
	// not a typo of that stretch (污许 inside 排污许可证 is not 无须).
	protect := make([]int, n)
	// inVocab[p]: a vocabulary word of the question holds both p-1 and p,
	// so no stretch starts or ends at p (单有 in 工单有 is not 单位).
	inVocab := make([]bool, n+1)
	for l := 2; l <= min(n, soundMaxRunes); l++ {
		for i := 0; i+l <= n; i++ {
			if x.known[string(rs[i:i+l])] {
				for p := i; p < i+l; p++ {
					protect[p] = max(protect[p], l)
				}
				for p := i + 1; p < i+l; p++ {
					inVocab[p] = true
				}
			}
		}
	}
	// A stretch never starts or ends inside a dictionary word of the
	// question: 有几 in 有几个 is not 有机, nor 个规 in 那个规则 合规.
	inside := make([]bool, n+1)
	piece := make([]bool, n+1) // piece[i]: a dictionary word starts at i …
	pieceEnd := make([]int, n+1)
	// common[p] says whether p is in a common word of the question. One
	// that the reports use too (统一) a compound of the reports never
	// replaces (区政府统一 is not 区政府同意); one they never use (出发 in
	// 出发决定) is as likely an input method's first pick for one of
	// theirs of exactly its sound (处罚决定).
	common := make([]commonness, n)
	at := 0
	for _, w := range x.cut(string(rs)) {
		l := utf8.RuneCountInString(w)
		for p := at + 1; p < at+l; p++ {
			inside[p] = l > 1
		}
		if l > 1 && x.meant(w) {
			c := commonUnused
			if x.known[w] {
				c = commonUsed
			}
			for p := at; p < at+l; p++ {
				common[p] = c
			}
		}
		piece[at], pieceEnd[at] = true, at+l
		at += l
	}
	syl := make([][]string, n)
	for i, r := range rs {
		syl[i] = x.readingsOf(r)
	}
	taken := make([]bool, n)
	free := func(i, l int) bool {
		if inside[i] || inside[i+l] || inVocab[i] || inVocab[i+l] || x.meant(string(rs[i:i+l])) {
			return false
		}
		for p := i; p < i+l; p++ {
			if taken[p] {
				return false
			}
		}
		return true
	}
	var spans []span
	for l := min(n, x.maxRunes); l >= 2; l-- {
		for i := 0; i+l <= n; i++ {
			if !free(i, l) || x.known[string(rs[i:i+l])] || (l >= minWrittenRunes && x.written(string(rs[i:i+l]))) {
				continue
			}
			if piece[i] && pieceEnd[i] == i+l && x.typed(string(rs[i:i+l])) {
				continue
			}
			if fix, ok := x.soundAlike(rs[i:i+l], syl[i:i+l], protect[i:i+l], common[i:i+l], prefer); ok {
				spans = append(spans, span{i, i + l, fix})
				for p := i; p < i+l; p++ {
					taken[p] = true
				}
			}
		}
	}
	for l := min(n, abbrevMaxRunes); l >= 2; l-- {
		for i := 0; i+l <= n; i++ {
			if !free(i, l) || x.known[string(rs[i:i+l])] || slices.Max(protect[i:i+l]) >= l {
				continue
			}
			// A short form is one dictionary word (业委会, 环评) or, of
			// three characters or more, characters the dictionary does
			// not join at all; words strung together (政务服务, 调解率)
			// are a phrase, not a short form.
			whole := piece[i] && pieceEnd[i] == i+l
			loose := l > 2
			for p := i; p < i+l && loose; p++ {
				loose = piece[p] && pieceEnd[p] == p+1
			}
			if !whole && !loose {
				continue
			}
			if fix, ok := x.expand(rs[i : i+l]); ok {
				spans = append(spans, span{i, i + l, fix})
				for p := i; p < i+l; p++ {
					taken[p] = true
				}
			}
		}
	}
	if len(spans) == 0 {
		return string(rs), nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	var sb strings.Builder
	fixes := make([]Correction, len(spans))
	at = 0
	for k, s := range spans {
		sb.WriteString(string(rs[at:s.from]))
		sb.WriteString(s.fix.To)
		at = s.to
		fixes[k] = s.fix
	}
	sb.WriteString(string(rs[at:]))
	return sb.String(), fixes
}

// commonness is whether a character of a question is in a common word
// (see correctRun).
type commonness uint8

const (
	notCommon    commonness = iota
	commonUnused            // in a common word the reports never use
	commonUsed              // in a common word the reports use
)

// keeps reports whether a character of this commonness stays when a
// compound of the reports would replace it: always in a common word the
// reports use, and in one they never use unless the compound sounds
// exactly like the stretch.
func (c commonness) keeps(homophone bool) bool {
	return c == commonUsed || c == commonUnused && !homophone
}

// particles are the structural particles, typed on purpose and never
// read as a typo (在用的 is not 在用地).
const particles = "的地得了着过吗呢吧啊呀嘛"

// maxSoundDiff is how many characters of an l-character stretch may differ
// from the vocabulary word it is read as: one in up to four, two in longer
// stretches. At least one character always stays, so a stretch is never
// replaced by a word that merely sounds like it.
func maxSoundDiff(l int) int { return (l + 1) / 3 }

// soundAlike finds the vocabulary word the stretch w most likely stands
// for: same fuzzy key under one of its readings (syl holds each
// character's readings; 都 is du as well as dou), at most
// maxSoundDiff(len(w)) characters differing, none of them inside a known
// word as long as w, nor, for a compound, in a common word of the
// question that keeps them (see commonness.keeps); a same-pinyin word
// before a merged-sound one, then fewer differences, then a word prefer
// reports true for, then the commoner word.
func (x *soundIndex) soundAlike(w []rune, syl [][]string, protect []int, common []commonness, prefer func(string) bool) (Correction, bool) {
	var best *soundEntry
	bestHomophone, bestDiff, bestPreferred := false, 0, false
	for _, combo := range readingCombos(syl) {
		exact, key := strings.Join(combo, " "), fuzzyKey(combo)
		for k, e := range x.byKey[key] {
			homophone := e.exact == exact
			diff, ok, anchored, stopKept, stopChanged := 0, true, false, false, false
			for p, r := range []rune(e.word) {
				if r != w[p] {
					diff++
					ok = ok && protect[p] < len(w) && !strings.ContainsRune(particles, w[p]) && !(e.compound && common[p].keeps(homophone))
					stopChanged = stopChanged || x.stop(string(w[p]))
				} else {
					anchored = anchored || !x.stop(string(r))
					stopKept = stopKept || !strings.ContainsRune(particles, r)
				}
			}
			// A kept character that carries meaning anchors the reading:
			// 发了 keeps only 了, and is not 罚了. A kept stopword other
			// than a particle anchors a reading of exactly the same sound
			// when what it replaces is no stopword either (就叶 is 就业;
			// 区有 is not 区委).
			anchored = anchored || homophone && stopKept && !stopChanged
			limit := maxSoundDiff(len(w))
			if homophone && len(w) >= 3 {
				// Voice input and a hasty pick of the input method's first
				// candidate replace several characters of a word with others
				// of exactly its sound (摘鸡地 for 宅基地): one kept
				// character, whichever, is enough when every syllable of
				// three or more matches.
				limit, anchored = len(w)-1, true
			}
			if !ok || !anchored || diff == 0 || diff > limit {
				continue
			}
			preferred := prefer != nil && prefer(e.word)
			if best == nil || homophone && !bestHomophone ||
				homophone == bestHomophone && (diff < bestDiff || diff == bestDiff &&
					(preferred && !bestPreferred || preferred == bestPreferred && e.df > best.df)) {
				best, bestHomophone, bestDiff, bestPreferred = &x.byKey[key][k], homophone, diff, preferred
			}
		}
	}
	if best == nil {
		return Correction{}, false
	}
	kind := CorrectFuzzySound
	if bestHomophone {
		kind = CorrectHomophone
	}
	return Correction{From: string(w), To: best.word, Kind: kind}, true
}

// expand finds the vocabulary word the short form a stands for: a longer
// word that starts with a's first character and holds its other
// characters in order, each at the start of one of the word's parts, or
// right after the previous one, or (the last) at its end: 业委会 for
// 业主委员会, 排污证 for 排污许可证. The word is at least two characters
// longer (办好 is not short for 办得好). The commonest such word wins.
func (x *soundIndex) expand(a []rune) (Correction, bool) {
	var best *abbrevEntry
	for k := range x.byFirst[a[0]] {
		e := &x.byFirst[a[0]][k]
		if len(e.word) < len(a)+2 || !abbreviates(a, e) {
			continue
		}
		if best == nil || e.df > best.df {
			best = e
		}
	}
	if best == nil {
		return Correction{}, false
	}
	return Correction{From: string(a), To: string(best.word), Kind: CorrectAbbreviation}, true
}

// abbreviates reports whether a is a short form of e.word (see expand).
func abbreviates(a []rune, e *abbrevEntry) bool {
	p := 0 // a[0] == e.word[0]
	for i := 1; i < len(a); i++ {
		q := p + 1
		for q < len(e.word) && e.word[q] != a[i] {
			q++
		}
		if q == len(e.word) {
			return false
		}
		last := i == len(a)-1 && q == len(e.word)-1
		if !e.starts[q] && q != p+1 && !last {
			return false
		}
		p = q
	}
	return true
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func allHan(s string) bool {
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return true
}
