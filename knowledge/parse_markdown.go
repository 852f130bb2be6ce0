package knowledge

import (
	"strings"
)

// parseMarkdown splits a Markdown report into paragraphs. "#" … "######"
// lines are headings of that depth; blank lines separate paragraphs; soft-
// wrapped lines are joined; list items and lines opening with a numbering
// marker (一、, (一), 1. …) start their own paragraph; table rows become
// readable lines. Inline markup is removed as stripInline does (emphasis,
// HTML tags and entities; links keep their text), a <br> (or a closing
// </p>, </div>, </li>, </hN>) ends a paragraph, and quote marks are
// dropped. A Chinese heading may omit the space after its #s (atxHeading).
func parseMarkdown(s string) []textBlock {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var (
		blocks []textBlock
		cur    strings.Builder
		start  int
		row    int  // rows of the current table
		fence  bool // inside a ``` block
	)
	flush := func() {
		if t := cleanText(cur.String()); t != "" {
			blocks = append(blocks, textBlock{text: t, line: start})
		}
		cur.Reset()
	}
	add := func(line int, t string, heading int) {
		flush()
		if t = cleanText(t); t != "" {
			blocks = append(blocks, textBlock{text: t, line: line, heading: heading})
		}
	}
	for i, line := range strings.Split(s, "\n") {
		parts := []string{line}
		if !fence && strings.ContainsRune(line, '<') {
			parts = htmlBreakRe.Split(line, -1)
		}
		for k, raw := range parts {
			if k > 0 {
				flush()
			}
			t := strings.TrimSpace(raw)
			if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				flush()
				fence = !fence
				continue
			}
			if !strings.HasPrefix(t, "|") {
				row = 0
			}
			if fence {
				add(i+1, t, 0)
				continue
			}
			if isRule(t) {
				flush()
				continue
			}
			t = stripInline(t)
			switch {
			case t == "":
				flush()
			case strings.HasPrefix(t, "#"):
				depth, text, ok := atxHeading(t)
				if !ok {
					add(i+1, t, 0)
					continue
				}
				add(i+1, text, depth)
			case strings.HasPrefix(t, "|"):
				if cells, ok := tableCells(t); ok {
					add(i+1, tableRow(cells, row == 0), 0)
					row++
				}
			case strings.HasPrefix(t, ">"):
				flush()
				start = i + 1
				cur.WriteString(stripLineMarks(t))
			case isBullet(t):
				flush()
				start = i + 1
				cur.WriteString(strings.TrimSpace(t[1:]))
			default:
				if kind, _ := markerOf(t); kind != "" || cur.Len() == 0 {
					flush()
					start = i + 1
				} else if needsSpace(cur.String(), t) {
					cur.WriteByte(' ')
				}
				cur.WriteString(t)
			}
		}
	}
	flush()
	return blocks
}

// isRule reports whether t is a thematic break such as "---" or "***".
func isRule(t string) bool {
	if len(t) < 3 {
		return false
	}
	c := t[0]
	return (c == '-' || c == '*' || c == '_') && strings.Trim(t, string(c)+" ") == ""
}

// isBullet reports whether t is an unordered list item ("- ", "* ", "+ ").
func isBullet(t string) bool {
	return len(t) >= 2 && strings.ContainsRune("-*+", rune(t[0])) && (t[1] == ' ' || t[1] == '\t')
}

// tableCells splits a Markdown table row; ok is false for the delimiter row.
func tableCells(t string) ([]string, bool) {
	t = strings.TrimSpace(strings.Trim(t, "|"))
	cells := strings.Split(t, "|")
	delimiter := true
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if strings.Trim(cells[i], "-: ") != "" {
			delimiter = false
		}
	}
	return cells, !delimiter
}
