package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseText splits a .txt report into paragraphs. Two layouts are handled:
// text copied from a web page (one paragraph per line, with the site's
// navigation and footer, which are dropped) and text copied from a PDF
// (indented paragraphs broken mid-sentence across lines, page markers such
// as "— 3 —" and a running header after each page break). In both, stray
// Markdown and HTML markup is read as such (see txtLines): "## 一、…" is a
// heading, <br> ends a paragraph, and emphasis, quote and list marks, tags
// and entities are removed.
func parseText(s string) ([]textBlock, headerMeta) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := txtLines(strings.Split(s, "\n"))

	var m headerMeta
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if isNavigation(l.text) {
			readMetaLine(l.text, &m)
			continue
		}
		keep[i] = true
	}
	raw := make([]string, len(lines))
	for i, l := range lines {
		raw[i] = l.raw
	}
	if looksLikePDF(raw) {
		return joinPDFLines(lines, keep), m
	}
	var blocks []textBlock
	for i, l := range lines {
		if keep[i] && l.text != "" {
			blocks = append(blocks, textBlock{text: l.text, line: l.line, heading: l.heading})
		}
	}
	return blocks, m
}

// txtLine is one line of a .txt report as read by txtLines.
type txtLine struct {
	raw     string // as written (a line split at <br> gives several)
	line    int    // 1-based line in the file
	text    string // cleaned of whitespace and markup
	heading int    // Markdown heading depth ("## 一、…" is 2); 0 for none
}

// txtLines reads the lines of a .txt report. A line holding <br> (or a
// closing </p>, </div>, </li>, </hN>) is split there. Each line's text is
// cleaned of markup: a Markdown heading that is a bare heading keeps its
// depth, a thematic break ("---") and a table's delimiter row become
// empty, table rows read as tableRow does, and otherwise quote and list
// marks and inline markup (stripInline) are removed.
func txtLines(lines []string) []txtLine {
	var out []txtLine
	row := 0 // rows of the current table
	for i, l := range lines {
		parts := []string{l}
		if strings.ContainsRune(l, '<') {
			parts = htmlBreakRe.Split(l, -1)
		}
		for _, p := range parts {
			tl := txtLine{raw: p, line: i + 1}
			t := strings.TrimSpace(p)
			if !strings.HasPrefix(t, "|") {
				row = 0
			}
			if isRule(t) {
				out = append(out, tl)
				continue
			}
			t = stripInline(t)
			switch depth, text, heading := atxHeading(t); {
			case heading:
				tl.text = text
				if isBareHeading(text) {
					tl.heading = depth
				}
			case strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 2:
				if cells, ok := tableCells(t); ok {
					tl.text = tableRow(cells, row == 0)
					row++
				}
			default:
				tl.text = stripLineMarks(t)
			}
			if tl.text == "" {
				tl.heading = 0
			}
			out = append(out, tl)
		}
	}
	return out
}

// isNavigation reports whether a line is part of a government web site's
// page chrome: breadcrumbs, font-size and print buttons, the QR-code hint,
// the link lists and the footer.
func isNavigation(l string) bool {
	if l == "" {
		return false
	}
	switch l {
	case "国务院部门网站", "地方政府网站", "市政府部门网站", "区县政府网站", "其他网站",
		"关注公众号", "江津发布", "打印本页", "关闭窗口", "返回顶部", "网站地图":
		return true
	}
	for _, p := range []string{"主办:", "主办：", "承办:", "承办：", "版权所有", "网站标识码",
		"渝ICP", "渝公网安备", "上一篇", "下一篇", "附件下载", "关注公众号"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	if strings.HasPrefix(l, "首页") && strings.ContainsAny(l, ">＞»") {
		return true
	}
	if utf8.RuneCountInString(l) > 80 || strings.Contains(l, "。") {
		return false
	}
	for _, p := range []string{"当前位置", "扫一扫", "【字体", "【打印", "【关闭", "【我要纠错", "浏览次数"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

// isPageMarker reports whether l is a PDF page number line such as "— 3 —".
func isPageMarker(l string) bool {
	l = strings.TrimSpace(l)
	trimmed := strings.TrimLeft(l, "—–-－ ")
	if len(trimmed) == len(l) {
		return false
	}
	digits := strings.TrimRight(trimmed, "—–-－ ")
	if len(digits) == len(trimmed) || digits == "" || len(digits) > 4 {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isIndented reports whether a raw line starts with paragraph indentation
// (U+3000, a tab or at least two spaces).
func isIndented(l string) bool {
	return strings.HasPrefix(l, "\u3000") || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "  ")
}

// looksLikePDF reports whether the lines were copied from a PDF: they have
// page markers, or indented paragraphs whose lines follow each other
// without blank lines.
func looksLikePDF(lines []string) bool {
	nonEmpty, blank, indented := 0, 0, 0
	for _, l := range lines {
		switch {
		case isPageMarker(l):
			return true
		case strings.TrimSpace(l) == "":
			blank++
		default:
			nonEmpty++
			if isIndented(l) {
				indented++
			}
		}
	}
	return indented >= 3 && nonEmpty >= 6 && blank*4 < nonEmpty
}

// runningHeaders finds the short lines that follow a page marker at least
// twice: the PDF's running header.
func runningHeaders(lines []txtLine) map[string]bool {
	count := map[string]int{}
	for i, l := range lines {
		if !isPageMarker(l.raw) {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			if t := lines[j].text; t != "" {
				if utf8.RuneCountInString(t) <= 40 && !isPageMarker(t) {
					count[t]++
				}
				break
			}
		}
	}
	headers := map[string]bool{}
	for t, n := range count {
		if n >= 2 {
			headers[t] = true
		}
	}
	return headers
}

// joinPDFLines rebuilds paragraphs from PDF-copied lines: an indented line,
// a heading line or a line after a blank line starts a paragraph, other
// lines continue it. Page markers, the blank lines around them and the
// running header are dropped without ending the paragraph. A Markdown
// heading is a paragraph of its own.
func joinPDFLines(lines []txtLine, keep []bool) []textBlock {
	headers := runningHeaders(lines)
	var (
		blocks  []textBlock
		cur     strings.Builder
		start   int
		brk     bool // a blank line was seen since the last text line
		inBreak bool // inside a page break: after a marker, before the next text
	)
	flush := func() {
		if t := cleanText(cur.String()); t != "" {
			blocks = append(blocks, textBlock{text: t, line: start})
		}
		cur.Reset()
	}
	for i, l := range lines {
		raw, t := l.raw, l.text
		switch {
		case isPageMarker(raw):
			brk, inBreak = false, true
			continue
		case t == "":
			brk = brk || !inBreak
			continue
		case !keep[i]:
			continue
		case inBreak && headers[t]:
			continue
		}
		inBreak = false
		if l.heading > 0 {
			flush()
			blocks = append(blocks, textBlock{text: t, line: l.line, heading: l.heading})
			brk = false
			continue
		}
		newPara := cur.Len() == 0 || brk || isIndented(raw) || startsSection(t, cur.String())
		brk = false
		if newPara {
			flush()
			start = l.line
		} else if needsSpace(cur.String(), t) {
			cur.WriteByte(' ')
		}
		cur.WriteString(t)
	}
	flush()
	return blocks
}

// startsSection reports whether an unindented line t must still start a new
// paragraph: it opens with a top-level heading marker, or with any item
// marker right after a finished sentence.
func startsSection(t, prev string) bool {
	kind, _ := markerOf(t)
	switch kind {
	case "":
		return false
	case kindPart, kindCN, kindParenCN:
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(prev))
	return strings.ContainsRune("。！？；：!?;:", last)
}

// needsSpace reports whether joining a broken line needs a space: only
// between two ASCII letters (Chinese text and numbers join directly).
func needsSpace(prev, next string) bool {
	a, _ := utf8.DecodeLastRuneInString(prev)
	b, _ := utf8.DecodeRuneInString(next)
	isLetter := func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }
	return isLetter(a) && isLetter(b)
}
