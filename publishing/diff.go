package publishing

import (
	"slices"
	"strconv"
	"strings"

	"fazhibot/knowledge"
)

// ChangeKind says how an object differs between two versions.
type ChangeKind string

// The change kinds.
const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Changes is what one knowledge-base content changes relative to another:
// per report, FAQ entry and term list, what was added, removed and
// changed, and the counts of each. The zero value is no change.
type Changes struct {
	Reports []ReportChange // by report ID
	FAQs    []FAQChange    // in the new content's order, removed entries last
	Terms   []TermChange   // by file name
	Counts  Counts
}

// Counts sums up Changes.
type Counts struct {
	ReportsAdded, ReportsRemoved, ReportsChanged    int
	PassagesAdded, PassagesRemoved, PassagesChanged int // in changed reports
	FAQsAdded, FAQsRemoved, FAQsChanged             int
	TermLinesAdded, TermLinesRemoved                int
}

// Empty reports whether there is no change at all.
func (c Changes) Empty() bool {
	return len(c.Reports) == 0 && len(c.FAQs) == 0 && len(c.Terms) == 0
}

// ReportChange is a report that was added, removed or changed. For an
// added or removed report only its size is given; for a changed one, the
// fields and the passages that differ.
type ReportChange struct {
	ID       knowledge.ReportID
	Title    string // the new title, or the old one of a removed report
	Kind     ChangeKind
	Passages int // the number of passages of an added or removed report

	Fields      []FieldChange   // changed report only
	PassageDiff []PassageChange // changed report only, in passage order
}

// Report fields a FieldChange names.
const (
	FieldTitle       = "title"
	FieldDepartment  = "department"
	FieldYear        = "year"
	FieldPublishDate = "publish_date"
	FieldDocNumber   = "doc_number"
	FieldSourceURL   = "source_url"
	FieldFormat      = "format"
)

// FieldChange is a report field whose value changed.
type FieldChange struct {
	Field    string // one of the Field constants
	Old, New string
}

// PassageChange is a passage of a changed report that was added, removed
// or changed. Passages are matched by their text, so a passage inserted
// before others shows as one addition rather than as every later passage
// changed.
type PassageChange struct {
	Kind ChangeKind
	// OldSeq and NewSeq are the passage's Seq before and after; -1 where
	// it does not exist.
	OldSeq, NewSeq int
	// Path is the section path (the old one of a removed passage);
	// OldPath is set when a changed passage moved to another section.
	Path, OldPath []string
	// Text is the text as spans: all inserted for an added passage, all
	// deleted for a removed one, and the edit for a changed one (nil when
	// only keywords or the section changed).
	Text []Span
	// KeywordsAdded and KeywordsRemoved are the keyword changes of a
	// changed passage.
	KeywordsAdded, KeywordsRemoved []string
}

// SpanOp says whether a Span of text is kept, inserted or deleted.
type SpanOp string

// The span operations.
const (
	Same   SpanOp = "same"
	Insert SpanOp = "insert"
	Delete SpanOp = "delete"
)

// Span is a stretch of text in a text diff.
type Span struct {
	Op   SpanOp
	Text string
}

// FAQChange is an FAQ entry that was added, removed or changed.
type FAQChange struct {
	ID       knowledge.FAQID
	Question string // the first question (the old one of a removed entry)
	Kind     ChangeKind
	// QuestionsAdded and QuestionsRemoved are the question variants of a
	// changed entry that came and went (all of them for an added or
	// removed entry).
	QuestionsAdded, QuestionsRemoved []string
	// Answer is the answer as spans: all inserted or deleted for an added
	// or removed entry, the edit for a changed one, nil when unchanged.
	Answer []Span
	// OldLink and NewLink are the linked passage before and after, when
	// the link changed; a zero Link is no link.
	OldLink, NewLink Link
	LinkChanged      bool
}

// Link is an FAQ entry's linked passage; Report is empty for no link.
// Title and Path describe the passage in the content the link belongs
// to; both are empty when that content lacks it.
type Link struct {
	Report knowledge.ReportID
	Seq    int
	Title  string
	Path   []string
}

// same reports whether l and m link the same passage.
func (l Link) same(m Link) bool { return l.Report == m.Report && l.Seq == m.Seq }

// TermChange is a term list with lines added or removed. Lines are
// compared trimmed, blank lines ignored, in any order; a list whose text
// differs only in blank lines or spacing has Whitespace set and no lines.
type TermChange struct {
	Name           string // a knowledge term-file name
	Added, Removed []string
	Whitespace     bool
}

// Diff returns what next changes relative to base. A nil base is an empty
// content: everything in next is added.
func Diff(base, next *knowledge.Content) Changes {
	if base == nil {
		base = &knowledge.Content{}
	}
	if next == nil {
		next = &knowledge.Content{}
	}
	var c Changes
	c.diffReports(base.Reports, next.Reports)
	c.diffFAQs(base, next)
	c.diffTerms(base.TermFiles, next.TermFiles)
	return c
}

func (c *Changes) diffReports(base, next []*knowledge.Report) {
	old := map[knowledge.ReportID]*knowledge.Report{}
	for _, r := range base {
		old[r.ID] = r
	}
	ids := map[knowledge.ReportID]bool{}
	for _, r := range next {
		ids[r.ID] = true
	}
	for id := range old {
		ids[id] = true
	}
	newByID := map[knowledge.ReportID]*knowledge.Report{}
	for _, r := range next {
		newByID[r.ID] = r
	}
	for _, id := range sortedKeys(ids) {
		o, n := old[id], newByID[id]
		switch {
		case o == nil:
			c.Reports = append(c.Reports, ReportChange{ID: id, Title: n.Title, Kind: Added, Passages: len(n.Passages)})
			c.Counts.ReportsAdded++
		case n == nil:
			c.Reports = append(c.Reports, ReportChange{ID: id, Title: o.Title, Kind: Removed, Passages: len(o.Passages)})
			c.Counts.ReportsRemoved++
		default:
			rc := ReportChange{ID: id, Title: n.Title, Kind: Changed,
				Fields: reportFields(o, n), PassageDiff: diffPassages(o.Passages, n.Passages)}
			if len(rc.Fields) == 0 && len(rc.PassageDiff) == 0 {
				continue
			}
			for _, p := range rc.PassageDiff {
				switch p.Kind {
				case Added:
					c.Counts.PassagesAdded++
				case Removed:
					c.Counts.PassagesRemoved++
				case Changed:
					c.Counts.PassagesChanged++
				}
			}
			c.Reports = append(c.Reports, rc)
			c.Counts.ReportsChanged++
		}
	}
}

func sortedKeys[K ~string](m map[K]bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// reportFields lists the fields, other than passages, that differ.
func reportFields(o, n *knowledge.Report) []FieldChange {
	pairs := []FieldChange{
		{FieldTitle, o.Title, n.Title},
		{FieldDepartment, o.Department, n.Department},
		{FieldYear, strconv.Itoa(o.Year), strconv.Itoa(n.Year)},
		{FieldPublishDate, o.PublishDate, n.PublishDate},
		{FieldDocNumber, o.DocNumber, n.DocNumber},
		{FieldSourceURL, o.SourceURL, n.SourceURL},
		{FieldFormat, string(o.Format), string(n.Format)},
	}
	var out []FieldChange
	for _, f := range pairs {
		if f.Old != f.New {
			out = append(out, f)
		}
	}
	return out
}

// diffPassages aligns the passages by text and lists those that differ.
// Unmatched passages between two matched ones are paired in order as
// changed; the rest are added or removed.
func diffPassages(o, n []knowledge.Passage) []PassageChange {
	pairs := align(len(o), len(n), func(i, j int) bool { return o[i].Text == n[j].Text })
	var out []PassageChange
	i, j := 0, 0
	gap := func(iEnd, jEnd int) {
		for i < iEnd && j < jEnd {
			out = appendChanged(out, o[i], n[j])
			i++
			j++
		}
		for ; i < iEnd; i++ {
			out = append(out, PassageChange{Kind: Removed, OldSeq: o[i].Seq, NewSeq: -1, Path: o[i].Path,
				Text: []Span{{Delete, o[i].Text}}})
		}
		for ; j < jEnd; j++ {
			out = append(out, PassageChange{Kind: Added, OldSeq: -1, NewSeq: n[j].Seq, Path: n[j].Path,
				Text: []Span{{Insert, n[j].Text}}})
		}
	}
	for _, p := range pairs {
		gap(p[0], p[1])
		out = appendChanged(out, o[i], n[j])
		i, j = i+1, j+1
	}
	gap(len(o), len(n))
	return out
}

// appendChanged appends the change from a to b, if there is one.
func appendChanged(out []PassageChange, a, b knowledge.Passage) []PassageChange {
	pc := PassageChange{Kind: Changed, OldSeq: a.Seq, NewSeq: b.Seq, Path: b.Path}
	if !slices.Equal(a.Path, b.Path) {
		pc.OldPath = a.Path
		if pc.OldPath == nil {
			pc.OldPath = []string{}
		}
	}
	if a.Text != b.Text {
		pc.Text = DiffText(a.Text, b.Text)
	}
	pc.KeywordsAdded, pc.KeywordsRemoved = setDiff(a.Keywords, b.Keywords)
	if pc.OldPath == nil && pc.Text == nil && pc.KeywordsAdded == nil && pc.KeywordsRemoved == nil {
		return out
	}
	return append(out, pc)
}

// setDiff returns the items of b missing from a and those of a missing
// from b, each in its list's order, without repeats; nil when none.
func setDiff(a, b []string) (added, removed []string) {
	in := func(list []string, s string) bool { return slices.Contains(list, s) }
	for _, s := range b {
		if !in(a, s) && !in(added, s) {
			added = append(added, s)
		}
	}
	for _, s := range a {
		if !in(b, s) && !in(removed, s) {
			removed = append(removed, s)
		}
	}
	return added, removed
}

func (c *Changes) diffFAQs(baseContent, nextContent *knowledge.Content) {
	base, next := baseContent.FAQs, nextContent.FAQs
	oldLink := func(f knowledge.FAQ) Link { return linkIn(baseContent, f) }
	newLink := func(f knowledge.FAQ) Link { return linkIn(nextContent, f) }
	old := map[knowledge.FAQID]knowledge.FAQ{}
	for _, f := range base {
		old[f.ID] = f
	}
	seen := map[knowledge.FAQID]bool{}
	for _, n := range next {
		seen[n.ID] = true
		o, ok := old[n.ID]
		if !ok {
			c.FAQs = append(c.FAQs, FAQChange{ID: n.ID, Question: first(n.Questions), Kind: Added,
				QuestionsAdded: n.Questions, Answer: []Span{{Insert, n.Answer}},
				NewLink: newLink(n), LinkChanged: n.Report != ""})
			c.Counts.FAQsAdded++
			continue
		}
		fc := FAQChange{ID: n.ID, Question: first(n.Questions), Kind: Changed}
		fc.QuestionsAdded, fc.QuestionsRemoved = setDiff(o.Questions, n.Questions)
		if o.Answer != n.Answer {
			fc.Answer = DiffText(o.Answer, n.Answer)
		}
		if ol, nl := oldLink(o), newLink(n); !ol.same(nl) {
			fc.OldLink, fc.NewLink, fc.LinkChanged = ol, nl, true
		}
		if fc.QuestionsAdded == nil && fc.QuestionsRemoved == nil && fc.Answer == nil && !fc.LinkChanged {
			if !slices.Equal(o.Questions, n.Questions) { // reordered variants
				fc.QuestionsAdded, fc.QuestionsRemoved = n.Questions, o.Questions
			} else {
				continue
			}
		}
		c.FAQs = append(c.FAQs, fc)
		c.Counts.FAQsChanged++
	}
	for _, o := range base {
		if !seen[o.ID] {
			c.FAQs = append(c.FAQs, FAQChange{ID: o.ID, Question: first(o.Questions), Kind: Removed,
				QuestionsRemoved: o.Questions, Answer: []Span{{Delete, o.Answer}},
				OldLink: oldLink(o), LinkChanged: o.Report != ""})
			c.Counts.FAQsRemoved++
		}
	}
}

// linkIn returns f's link, described from c.
func linkIn(c *knowledge.Content, f knowledge.FAQ) Link {
	if f.Report == "" {
		return Link{}
	}
	l := Link{Report: f.Report, Seq: f.Seq}
	for _, r := range c.Reports {
		if r.ID != f.Report {
			continue
		}
		l.Title = r.Title
		for _, p := range r.Passages {
			if p.Seq == f.Seq {
				l.Path = p.Path
			}
		}
	}
	return l
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

func (c *Changes) diffTerms(base, next map[string]string) {
	names := map[string]bool{}
	for name := range base {
		names[name] = true
	}
	for name := range next {
		names[name] = true
	}
	for _, name := range sortedKeys(names) {
		o, n := base[name], next[name]
		if o == n {
			continue
		}
		added, removed := lineDiff(o, n)
		tc := TermChange{Name: name, Added: added, Removed: removed}
		if added == nil && removed == nil {
			tc.Whitespace = true
		}
		c.Terms = append(c.Terms, tc)
		c.Counts.TermLinesAdded += len(added)
		c.Counts.TermLinesRemoved += len(removed)
	}
}

// lineDiff returns the trimmed non-blank lines of n that o lacks and those
// of o that n lacks, counting repeats.
func lineDiff(o, n string) (added, removed []string) {
	count := map[string]int{}
	for _, l := range lines(o) {
		count[l]++
	}
	for _, l := range lines(n) {
		if count[l] > 0 {
			count[l]--
			continue
		}
		added = append(added, l)
	}
	for _, l := range lines(o) {
		if count[l] > 0 {
			count[l]--
			removed = append(removed, l)
		}
	}
	return added, removed
}

func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// DiffText returns the edit from a to b as spans of kept, deleted and
// inserted text, compared character by character; adjacent spans never
// share an operation, and a deletion comes before the insertion that
// replaces it.
func DiffText(a, b string) []Span {
	ra, rb := []rune(a), []rune(b)
	pairs := align(len(ra), len(rb), func(i, j int) bool { return ra[i] == rb[j] })
	var out []Span
	add := func(op SpanOp, rs []rune) {
		if len(rs) == 0 {
			return
		}
		if k := len(out) - 1; k >= 0 && out[k].Op == op {
			out[k].Text += string(rs)
			return
		}
		out = append(out, Span{op, string(rs)})
	}
	i, j := 0, 0
	for _, p := range pairs {
		add(Delete, ra[i:p[0]])
		add(Insert, rb[j:p[1]])
		add(Same, ra[p[0]:p[0]+1])
		i, j = p[0]+1, p[1]+1
	}
	add(Delete, ra[i:])
	add(Insert, rb[j:])
	return out
}

// maxAlignCells bounds the work of align's longest-common-subsequence
// table; past it, the middle is treated as wholly replaced.
const maxAlignCells = 4_000_000

// align returns the index pairs (i, j) of a longest common subsequence of
// two sequences of lengths n and m under eq, in increasing order. A common
// prefix and suffix are matched first; when what remains is too large to
// compare (maxAlignCells), it is left unmatched.
func align(n, m int, eq func(i, j int) bool) [][2]int {
	var pairs [][2]int
	pre := 0
	for pre < n && pre < m && eq(pre, pre) {
		pairs = append(pairs, [2]int{pre, pre})
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && eq(n-1-suf, m-1-suf) {
		suf++
	}
	rows, cols := n-pre-suf, m-pre-suf
	if rows > 0 && cols > 0 && rows*cols <= maxAlignCells {
		// lcs[i][j] is the LCS length of the middles from i and j on.
		lcs := make([][]int32, rows+1)
		for i := range lcs {
			lcs[i] = make([]int32, cols+1)
		}
		for i := rows - 1; i >= 0; i-- {
			for j := cols - 1; j >= 0; j-- {
				if eq(pre+i, pre+j) {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		for i, j := 0, 0; i < rows && j < cols; {
			switch {
			case eq(pre+i, pre+j):
				pairs = append(pairs, [2]int{pre + i, pre + j})
				i, j = i+1, j+1
			case lcs[i+1][j] >= lcs[i][j+1]:
				i++
			default:
				j++
			}
		}
	}
	for k := suf; k > 0; k-- {
		pairs = append(pairs, [2]int{n - k, m - k})
	}
	return pairs
}
