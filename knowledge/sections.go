package knowledge

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// markerKind names a heading numbering system.
type markerKind string

// The numbering systems recognised at the start of a paragraph. Markdown
// and HTML headings use the kind "#1" … "#6".
const (
	kindPart     markerKind = "第一部分"
	kindCN       markerKind = "一、"
	kindParenCN  markerKind = "(一)"
	kindNum      markerKind = "1."
	kindParenNum markerKind = "(1)"
)

const (
	// maxHeadingRunes is the longest paragraph that can be a bare heading.
	maxHeadingRunes = 60
	// maxLabelRunes is the longest first clause used in a passage label.
	maxLabelRunes = 24
)

// cnDigits are the Chinese numerals used in 一、 and (一) markers.
const cnDigits = "一二三四五六七八九十百零〇"

// cnOrdinals are the numerals of 一是……二是…… clauses, in order.
const cnOrdinals = "一二三四五六七八九十"

// markerOf returns the numbering system and the marker as written when s
// starts with a heading marker: 第一部分, 一、, (一)/（一）, 1./1、/1．,
// (1)/（1）. A number followed by a digit (a decimal such as "0.5个") is
// not a marker.
func markerOf(s string) (markerKind, string) {
	if rest, ok := strings.CutPrefix(s, "第"); ok {
		n := runPrefixLen(rest, isCNDigit)
		if n > 0 && strings.HasPrefix(rest[n:], "部分") {
			return kindPart, s[:len("第")+n+len("部分")]
		}
		return "", ""
	}
	if n := runPrefixLen(s, isCNDigit); n > 0 && utf8.RuneCountInString(s[:n]) <= 4 {
		if strings.HasPrefix(s[n:], "、") {
			return kindCN, s[:n+len("、")]
		}
		return "", ""
	}
	if open := openParen(s); open > 0 {
		inner := s[open:]
		kind := kindParenCN
		n := runPrefixLen(inner, isCNDigit)
		if n == 0 {
			kind, n = kindParenNum, runPrefixLen(inner, isMarkerDigit)
			if utf8.RuneCountInString(inner[:n]) > 2 {
				return "", ""
			}
		}
		if n == 0 || utf8.RuneCountInString(inner[:n]) > 4 {
			return "", ""
		}
		if c := closeParen(inner[n:]); c > 0 {
			return kind, s[:open+n+c]
		}
		return "", ""
	}
	n := runPrefixLen(s, isMarkerDigit)
	if n == 0 || utf8.RuneCountInString(s[:n]) > 2 {
		return "", ""
	}
	for _, sep := range []string{".", "．", "、"} {
		if rest, ok := strings.CutPrefix(s[n:], sep); ok {
			next, _ := utf8.DecodeRuneInString(rest)
			if rest == "" || isMarkerDigit(next) || next == '%' {
				return "", ""
			}
			return kindNum, s[:n+len(sep)]
		}
	}
	return "", ""
}

// isCNDigit reports whether r is a Chinese numeral of a heading marker.
func isCNDigit(r rune) bool { return strings.ContainsRune(cnDigits, r) }

// isMarkerDigit reports whether r is an ASCII or full-width digit.
func isMarkerDigit(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }

// runPrefixLen returns the byte length of the longest prefix of s whose runes
// all satisfy ok.
func runPrefixLen(s string, ok func(rune) bool) int {
	for i, r := range s {
		if !ok(r) {
			return i
		}
	}
	return len(s)
}

// openParen returns the byte length of an opening parenthesis at the start
// of s, or 0.
func openParen(s string) int {
	switch {
	case strings.HasPrefix(s, "("):
		return 1
	case strings.HasPrefix(s, "（"):
		return len("（")
	}
	return 0
}

// closeParen returns the byte length of a closing parenthesis at the start
// of s, or 0.
func closeParen(s string) int {
	switch {
	case strings.HasPrefix(s, ")"):
		return 1
	case strings.HasPrefix(s, "）"):
		return len("）")
	}
	return 0
}

// isBareHeading reports whether a marked paragraph is only a heading, such
// as "一、主要工作" or "（一）强化组织领导，压实法治建设责任": short and
// without a sentence.
func isBareHeading(s string) bool {
	return utf8.RuneCountInString(s) <= maxHeadingRunes && !strings.ContainsAny(s, "。！？；;!?")
}

// itemLabel names a numbered item or clause in a path: its marker plus its
// first clause when that is short, e.g. "3.加强生态环境领域执法力度" or
// "一是健全工作机制"; otherwise just the marker.
func itemLabel(marker, rest string) string {
	clause := rest
	if i := strings.IndexAny(rest, "。，,；;：:"); i >= 0 {
		clause = rest[:i]
	}
	clause = strings.TrimSpace(clause)
	if clause == "" || utf8.RuneCountInString(clause) > maxLabelRunes {
		return marker
	}
	return marker + clause
}

// sectionStack tracks the open headings. A kind's level is fixed when the
// kind first appears: 第一部分 always goes on top, explicit (#) headings
// above numbered ones and in order of their depth, any other kind below
// the kinds seen so far.
type sectionStack struct {
	order []markerKind // kinds, outermost first
	open  []openHeading
}

type openHeading struct {
	kind  markerKind
	label string
}

// level returns kind's depth, registering the kind on first sight.
func (s *sectionStack) level(kind markerKind) int {
	if i := slices.Index(s.order, kind); i >= 0 {
		return i
	}
	pos := len(s.order)
	switch {
	case kind == kindPart:
		pos = 0
	case strings.HasPrefix(string(kind), "#"):
		pos = 0
		for _, k := range s.order {
			if k == kindPart || strings.HasPrefix(string(k), "#") && k < kind {
				pos++
			}
		}
	}
	s.order = slices.Insert(s.order, pos, kind)
	return pos
}

// push opens a heading, closing those at its level and deeper.
func (s *sectionStack) push(kind markerKind, label string) {
	lv := s.level(kind)
	for len(s.open) > 0 && s.level(s.open[len(s.open)-1].kind) >= lv {
		s.open = s.open[:len(s.open)-1]
	}
	s.open = append(s.open, openHeading{kind, label})
}

// path returns a copy of the open headings' labels.
func (s *sectionStack) path() []string {
	var p []string
	for _, h := range s.open {
		p = append(p, h.label)
	}
	return p
}

// buildPassages turns body paragraphs into passages with heading paths.
// Bare headings become path nodes; numbered items become passages whose
// path ends with their own label; 一是……二是…… paragraphs are split into one
// passage per clause.
func buildPassages(blocks []textBlock) []Passage {
	var (
		out []Passage
		st  sectionStack
	)
	for _, b := range blocks {
		text := strings.TrimSpace(b.text)
		if text == "" {
			continue
		}
		if b.heading > 0 {
			st.push(markerKind("#"+strconv.Itoa(b.heading)), text)
			continue
		}
		kind, marker := markerOf(text)
		switch {
		case kind == "":
		case isBareHeading(text):
			st.push(kind, text)
			continue
		default:
			st.push(kind, itemLabel(marker, strings.TrimSpace(text[len(marker):])))
		}
		out = append(out, clausePassages(st.path(), text, marker)...)
	}
	return out
}

// clausePassages makes the passages of one paragraph: the paragraph itself,
// or, when it enumerates 一是……二是……, a lead passage for the text before
// 一是 (if it says more than its marker) and one passage per clause.
func clausePassages(path []string, text, marker string) []Passage {
	starts := clauseStarts(text)
	if len(starts) < 2 {
		return []Passage{{Path: path, Text: text}}
	}
	var out []Passage
	lead := strings.TrimSpace(text[:starts[0]])
	if strings.TrimSpace(strings.TrimPrefix(lead, marker)) != "" {
		out = append(out, Passage{Path: path, Text: lead})
	}
	for i, start := range starts {
		end := len(text)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		clause := strings.TrimSpace(text[start:end])
		ord := string([]rune(cnOrdinals)[i]) + "是"
		p := append(slices.Clip(path), itemLabel(ord, strings.TrimPrefix(clause, ord)))
		out = append(out, Passage{Path: p, Text: clause})
	}
	return out
}

// clauseStarts returns the byte offsets of 一是, 二是, … in order, each at
// the start of a clause (start of text, after punctuation or after an
// item marker's closing parenthesis).
func clauseStarts(s string) []int {
	var starts []int
	from := 0
	for _, num := range cnOrdinals {
		word := string(num) + "是"
		i := clauseStart(s, word, from)
		if i < 0 {
			break
		}
		starts = append(starts, i)
		from = i + len(word)
	}
	return starts
}

// clauseStart finds word at or after from where it opens a clause.
func clauseStart(s, word string, from int) int {
	for from <= len(s) {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return -1
		}
		i += from
		prev, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s[:i], " "))
		if i == 0 || strings.ContainsRune("。；;：:，,！？!?)）", prev) {
			return i
		}
		from = i + len(word)
	}
	return -1
}
