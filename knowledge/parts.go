package knowledge

import (
	"strings"
	"unicode/utf8"
)

// A report's parts on the next year's plans and on its shortcomings are
// lists: a question for either as a whole (明年打算怎么搞, 有啥子不足) is
// answered with the list, not with the item that ranked first.

// wholePart reports whether u asks for the shortcomings of h's report as
// a whole (民政局二二年工作有啥子不足): h lies in the part on them, and
// each of u's own terms asks for them or is a word of that part's heading
// or of the report's title (工作, 法治, 存在).
func (b *Base) wholePart(u understood, h Hit) bool {
	r, ok := b.reports[h.ReportID]
	if !ok || len(h.Path) == 0 || !onShortcomings(h.Path[:1]) {
		return false
	}
	for _, t := range u.terms {
		if !asksShortcomings.MatchString(t) && !strings.Contains(h.Path[0], t) && !strings.Contains(r.Title, t) {
			return false
		}
	}
	return true
}

// partItems answers a question for a part of a report as a whole (the
// plans: 明年打算怎么搞; the shortcomings: 有啥子不足) from h: the first
// sentence of each passage of the part h lies in (its first heading), as
// many as fit in maxListRunes. It returns false when the part has fewer
// than two passages.
func (b *Base) partItems(h Hit) (string, bool) {
	r, ok := b.reports[h.ReportID]
	if !ok || len(h.Path) == 0 {
		return "", false
	}
	var items []string
	n := 0
	for _, p := range r.Passages {
		if len(p.Path) == 0 || p.Path[0] != h.Path[0] {
			continue
		}
		first := splitSentences(p.Text)
		if len(first) == 0 {
			continue
		}
		if n += utf8.RuneCountInString(first[0]); n > maxListRunes && len(items) > 0 {
			break
		}
		items = append(items, first[0])
	}
	if len(items) < 2 {
		return "", false
	}
	return strings.Join(items, "\n"), true
}
