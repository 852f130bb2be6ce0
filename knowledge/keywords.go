package knowledge

import (
	"strings"
	"unicode/utf8"
)

// keywordsPerPassage is how many TF-IDF keywords a passage keeps.
const keywordsPerPassage = 8

// AssignKeywords fills the Keywords of every passage of r: the words of
// the passage's own heading label first, then its heaviest TF-IDF words,
// without repeats, and only words of the dictionary or the staff's lists.
// Staff may edit them afterwards; search uses them beside the passage
// text.
func AssignKeywords(r *Report, seg *Segmenter) {
	for i := range r.Passages {
		p := &r.Passages[i]
		seen := map[string]bool{}
		var kws []string
		add := func(w string) {
			// A word the segmenter guessed rather than found in the
			// dictionary or the staff's lists is mostly a fragment across
			// words (局作 in 我局作为, 年区 in 2020年区政府, 部和市). The
			// few real names among them (綦河) stay searchable in the
			// passage text; staff can add them as keywords.
			if utf8.RuneCountInString(w) < 2 || seen[w] || isNumeric(w) || allHan(w) && !seg.Known(w) {
				return
			}
			seen[w] = true
			kws = append(kws, w)
		}
		if len(p.Path) > 0 {
			for _, w := range seg.Words(p.Path[len(p.Path)-1]) {
				add(w)
			}
		}
		for _, k := range seg.Keywords(p.Text, keywordsPerPassage) {
			add(k.Word)
		}
		p.Keywords = kws
	}
}

// isNumeric reports whether w is a number or a heading marker like "3."
func isNumeric(w string) bool {
	return strings.Trim(w, "0123456789.、()（）一二三四五六七八九十") == ""
}
