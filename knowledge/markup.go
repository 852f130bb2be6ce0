package knowledge

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Patterns for stray Markdown and HTML markup in report text. They are
// compiled once and only read afterwards.
var (
	// an HTML tag such as <br>, <br/>, </p>, <span style="…">
	htmlTagRe = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>`)
	// a line break tag, which separates paragraphs in copied text
	htmlBreakRe = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>|</h[1-6]>`)
	// a Markdown image ![alt](url) or link [text](url)
	mdLinkRe = regexp.MustCompile(`!?\[([^\[\]]*)\]\([^()\s]*(?:\s+"[^"]*")?\)`)
)

// stripInline removes inline markup from one line of report text: HTML
// tags, HTML entities (&nbsp; &amp; …), Markdown links and images (their
// text is kept), and emphasis markers (**, __, ~~, `). The words of the
// line are kept as written; whitespace is normalised by cleanText.
func stripInline(s string) string {
	if strings.ContainsRune(s, '<') {
		s = htmlTagRe.ReplaceAllString(s, "")
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
	}
	if strings.Contains(s, "](") {
		s = mdLinkRe.ReplaceAllString(s, "$1")
	}
	s = strings.NewReplacer("**", "", "__", "", "~~", "", "`", "").Replace(s)
	return cleanText(s)
}

// atxHeading reads a Markdown heading line such as "## 一、主要工作" and
// returns its depth (1–6) and text without the # marks. A Chinese heading
// may omit the space ("##一、主要工作"), but a line opening a #话题# tag
// or a "#1" is not a heading. ok is false when t is not a heading.
func atxHeading(t string) (depth int, text string, ok bool) {
	rest := strings.TrimLeft(t, "#")
	depth = len(t) - len(rest)
	if depth == 0 || depth > 6 {
		return 0, "", false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	switch {
	case rest == "":
		return depth, "", true
	case r == ' ' || r == '\t':
	case unicode.Is(unicode.Han, r) && !strings.ContainsRune(rest, '#'):
	default:
		return 0, "", false
	}
	// an optional closing sequence: "## 标题 ##"
	text = strings.TrimSpace(rest)
	if trimmed := strings.TrimRight(text, "#"); trimmed != text &&
		(trimmed == "" || strings.HasSuffix(trimmed, " ") || strings.HasSuffix(trimmed, "\t")) {
		text = strings.TrimSpace(trimmed)
	}
	return depth, text, true
}

// stripLineMarks removes the Markdown marks that open a line: heading #s,
// quote >s and a list bullet (-, *, +), in any nesting ("> - 条目").
func stripLineMarks(t string) string {
	for {
		t = strings.TrimSpace(t)
		switch {
		case strings.HasPrefix(t, ">") || strings.HasPrefix(t, "＞"):
			t = strings.TrimPrefix(strings.TrimPrefix(t, ">"), "＞")
		case isBullet(t):
			t = t[1:]
		default:
			if _, text, ok := atxHeading(t); ok {
				return text
			}
			return t
		}
	}
}

// stripMarkup returns a title or department candidate without any markup:
// the line marks of stripLineMarks, inline markup as in stripInline, and
// any # * ` left over (a report title never contains them). The result is
// what citizens may be shown.
func stripMarkup(s string) string {
	s = stripInline(stripLineMarks(stripInline(s)))
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune("#*`", r) {
			return -1
		}
		return r
	}, s)
	return cleanText(s)
}
