package sqldb

import (
	"encoding/json"
	"strings"
)

// MaxTermsChangeLines is how many added and how many removed lines a
// TermsChange keeps; the rest are only counted.
const MaxTermsChangeLines = 20

// TermsChange is what a term-list save changed, the Detail of its
// ActionTermsSave entry: the lines added and removed (trimmed, blank lines
// ignored, comments included), each in the order of its file, at most
// MaxTermsChangeLines of each, with MoreAdded and MoreRemoved counting
// those left out. A line that appears twice counts twice.
type TermsChange struct {
	Added       []string `json:"added,omitempty"`
	Removed     []string `json:"removed,omitempty"`
	MoreAdded   int      `json:"more_added,omitempty"`
	MoreRemoved int      `json:"more_removed,omitempty"`
}

// diffTermLines returns what changed from the text before to after.
func diffTermLines(before, after string) TermsChange {
	lines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	// only returns the lines of a not matched by one of b, as a multiset.
	only := func(a, b []string) []string {
		left := map[string]int{}
		for _, l := range b {
			left[l]++
		}
		var out []string
		for _, l := range a {
			if left[l] > 0 {
				left[l]--
				continue
			}
			out = append(out, l)
		}
		return out
	}
	old, cur := lines(before), lines(after)
	c := TermsChange{Added: only(cur, old), Removed: only(old, cur)}
	if n := len(c.Added); n > MaxTermsChangeLines {
		c.Added, c.MoreAdded = c.Added[:MaxTermsChangeLines], n-MaxTermsChangeLines
	}
	if n := len(c.Removed); n > MaxTermsChangeLines {
		c.Removed, c.MoreRemoved = c.Removed[:MaxTermsChangeLines], n-MaxTermsChangeLines
	}
	return c
}

// Empty reports whether no line was added or removed.
func (c TermsChange) Empty() bool {
	return len(c.Added)+len(c.Removed)+c.MoreAdded+c.MoreRemoved == 0
}

// Detail encodes c as an audit entry's Detail; "" when c is empty.
func (c TermsChange) Detail() string {
	if c.Empty() {
		return ""
	}
	b, _ := json.Marshal(c) // cannot fail: strings and ints
	return string(b)
}

// ParseTermsChange decodes the Detail of an ActionTermsSave entry; false
// when it holds none (entries written before details were recorded, or
// saves that changed no line).
func ParseTermsChange(detail string) (TermsChange, bool) {
	var c TermsChange
	if !strings.HasPrefix(detail, "{") || json.Unmarshal([]byte(detail), &c) != nil || c.Empty() {
		return TermsChange{}, false
	}
	return c, true
}
