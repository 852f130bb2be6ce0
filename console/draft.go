package console

import (
	"encoding/json"
	"strings"
	"time"

	"fazhibot/knowledge"
)

// ReportImport is who saved a report whole into the draft and when: the
// 导入人 and 导入时间 staff see.
type ReportImport struct {
	At time.Time // UTC
	By string
}

// ReportSummary describes a stored draft report for listings.
type ReportSummary struct {
	ID         knowledge.ReportID
	Title      string
	Department string
	Year       int
	Passages   int       // number of passages
	ImportedAt time.Time // when the report was last saved whole, in UTC
	ImportedBy string    // who saved it, as given to SaveReports or Restore
}

// PassageEntry is a draft passage with its revision.
type PassageEntry struct {
	Report knowledge.ReportID
	knowledge.Passage
	Rev       int64     // see "Revisions" in the package documentation
	UpdatedAt time.Time // when the passage was last saved, in UTC
	UpdatedBy string    // who saved it
}

// FAQEntry is a draft FAQ entry with its revision.
type FAQEntry struct {
	knowledge.FAQ
	Rev       int64     // see "Revisions" in the package documentation
	UpdatedAt time.Time // when the entry was last saved, in UTC
	UpdatedBy string    // who saved it
}

// TermFile is a draft term-list file with its revision.
type TermFile struct {
	Name      string // knowledge.SynonymsFile, knowledge.DepartmentsFile …
	Text      string // in the format knowledge.LoadTerms reads
	Rev       int64  // see "Revisions" in the package documentation
	UpdatedAt time.Time
	UpdatedBy string
}

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

// DiffTermLines returns what changed from the text before to after.
func DiffTermLines(before, after string) TermsChange {
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

// MaxSearchTerms bounds the terms of one search, and MaxAuditMatchIDs the
// IDs an AuditMatch may name in all.
const (
	MaxSearchTerms   = 8
	MaxAuditMatchIDs = 500
)

// AuditMatch selects audit-log entries for SearchAudit. An entry matches
// when its actor, target or detail contains Text (ASCII letters in either
// case; "" matches nothing this way), or when it is about one of the named
// reports (the report or any of its passages), passages, FAQ entries,
// accounts or term files.
type AuditMatch struct {
	Text     string
	Reports  []knowledge.ReportID
	Passages []PassageKey
	FAQs     []knowledge.FAQID
	Users    []UserID
	Terms    []string // term-file names
}

// PassageKey names a passage: its report and Seq.
type PassageKey struct {
	Report knowledge.ReportID
	Seq    int
}
