package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"fazhibot/console"
	"fazhibot/knowledge"
)

const (
	// searchGroupLimit is how many results each group of a search shows.
	searchGroupLimit = 20
	// maxSearchRunes bounds a search's text.
	maxSearchRunes = 100
	// snippetBefore and snippetRunes shape a passage's excerpt around the
	// first term it contains.
	snippetBefore = 30
	snippetRunes  = 120
)

// searchPart is a piece of an excerpt; Hit marks a searched term.
type searchPart struct {
	Text string `json:"text"`
	Hit  bool   `json:"hit,omitempty"`
}

// searchReport, searchPassage and searchFAQ are results of a search.
type searchReport struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Department string `json:"department"`
	Year       int    `json:"year"`
}

type searchPassage struct {
	ReportID    string       `json:"report_id"`
	ReportTitle string       `json:"report_title"`
	Seq         int          `json:"seq"`
	Section     string       `json:"section"`
	Excerpt     []searchPart `json:"excerpt"`
}

type searchFAQ struct {
	ID       string       `json:"id"`
	Question string       `json:"question"`
	Answer   []searchPart `json:"answer"`
}

// searchResults is what a search found, group by group. A group's More
// says that it has more results than it shows. Audit is nil for staff,
// who do not read the audit log.
type searchResults struct {
	Query        string          `json:"query"`
	Reports      []searchReport  `json:"reports"`
	ReportsMore  bool            `json:"reports_more"`
	Passages     []searchPassage `json:"passages"`
	PassagesMore bool            `json:"passages_more"`
	FAQs         []searchFAQ     `json:"faqs"`
	FAQsMore     bool            `json:"faqs_more"`
	Audit        []auditView     `json:"audit,omitempty"`
	AuditMore    bool            `json:"audit_more,omitempty"`
	AuditShown   bool            `json:"-"`
}

// Empty reports whether nothing was found.
func (r searchResults) Empty() bool {
	return len(r.Reports)+len(r.Passages)+len(r.FAQs)+len(r.Audit) == 0
}

// searchTerms splits a search into its distinct terms. It refuses a text
// that is too long or holds too many terms with a 400.
func searchTerms(query string) ([]string, error) {
	if err := checkInput("搜索内容", query); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(query) > maxSearchRunes {
		return nil, errInvalidRequest("搜索内容太长，最多 "+strconv.Itoa(maxSearchRunes)+" 个字", nil)
	}
	var terms []string
	for _, t := range strings.Fields(query) {
		if !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	if len(terms) > console.MaxSearchTerms {
		return nil, errInvalidRequest("搜索词太多，最多 "+strconv.Itoa(console.MaxSearchTerms)+" 个（用空格分开）", nil)
	}
	return terms, nil
}

// containsAll reports whether text contains every term, ASCII letters in
// either case, as the store's search matches.
func containsAll(text string, terms []string) bool {
	text = strings.ToLower(text)
	for _, t := range terms {
		if !strings.Contains(text, strings.ToLower(t)) {
			return false
		}
	}
	return true
}

// search looks for every term of query in the draft's reports (title,
// department, ID, year), passages (text, section, keywords) and FAQ
// entries (questions and answer), and, for admins, in the audit log
// (who, what and the details, and the entries about the reports,
// passages, FAQ entries, accounts and term lists found). Each group holds at most
// searchGroupLimit results.
func (c *consoleServer) search(ctx context.Context, a *actor, query string) (searchResults, error) {
	res := searchResults{Query: strings.TrimSpace(query), Reports: []searchReport{}, Passages: []searchPassage{},
		FAQs: []searchFAQ{}, AuditShown: a.admin()}
	terms, err := searchTerms(query)
	if err != nil || len(terms) == 0 {
		return res, err
	}
	var match console.AuditMatch

	reports, err := c.db.ListReports(ctx)
	if err != nil {
		return res, err
	}
	titles := map[knowledge.ReportID]string{}
	for _, r := range reports {
		titles[r.ID] = r.Title
		if !containsAll(strings.Join([]string{r.Title, r.Department, string(r.ID), strconv.Itoa(r.Year)}, "\n"), terms) {
			continue
		}
		match.Reports = append(match.Reports, r.ID)
		if len(res.Reports) == searchGroupLimit {
			res.ReportsMore = true
			continue
		}
		res.Reports = append(res.Reports, searchReport{ID: string(r.ID), Title: r.Title, Department: r.Department, Year: r.Year})
	}

	passages, err := c.db.SearchPassages(ctx, terms, searchGroupLimit+1)
	if err != nil {
		return res, err
	}
	if len(passages) > searchGroupLimit {
		passages, res.PassagesMore = passages[:searchGroupLimit], true
	}
	for _, p := range passages {
		match.Passages = append(match.Passages, console.PassageKey{Report: p.Report, Seq: p.Seq})
		res.Passages = append(res.Passages, searchPassage{ReportID: string(p.Report), ReportTitle: titles[p.Report],
			Seq: p.Seq, Section: p.SectionPath(), Excerpt: excerpt(p.Text, terms, snippetBefore, snippetRunes)})
	}

	faqs, err := c.db.FAQs(ctx)
	if err != nil {
		return res, err
	}
	for _, f := range faqs {
		if len(f.Questions) == 0 || !containsAll(strings.Join(f.Questions, "\n")+"\n"+f.Answer, terms) {
			continue
		}
		match.FAQs = append(match.FAQs, f.ID)
		if len(res.FAQs) == searchGroupLimit {
			res.FAQsMore = true
			continue
		}
		res.FAQs = append(res.FAQs, searchFAQ{ID: string(f.ID), Question: f.Questions[0],
			Answer: excerpt(f.Answer, terms, snippetBefore, snippetRunes)})
	}

	if !a.admin() {
		return res, nil
	}
	users, err := c.db.Users(ctx)
	if err != nil {
		return res, err
	}
	for _, u := range users {
		if containsAll(u.Name, terms) {
			match.Users = append(match.Users, u.ID)
		}
	}
	for _, f := range termFiles() {
		if containsAll(f.Label, terms) {
			match.Terms = append(match.Terms, f.Name)
		}
	}
	match.Text = res.Query
	match.Reports = match.Reports[:min(len(match.Reports), console.MaxAuditMatchIDs/2)]
	match.FAQs = match.FAQs[:min(len(match.FAQs), console.MaxAuditMatchIDs/4)]
	match.Users = match.Users[:min(len(match.Users), console.MaxAuditMatchIDs/8)]
	entries, err := c.db.SearchAudit(ctx, match, searchGroupLimit+1)
	if err != nil {
		return res, err
	}
	if len(entries) > searchGroupLimit {
		entries, res.AuditMore = entries[:searchGroupLimit], true
	}
	names, err := c.auditNames(ctx, entries)
	if err != nil {
		return res, err
	}
	res.Audit = []auditView{}
	for _, e := range entries {
		res.Audit = append(res.Audit, auditOf(e, names))
	}
	return res, nil
}

// excerpt cuts text to about width runes around the first term it
// contains (before runes ahead of it), marking every occurrence of the
// terms; without one, it is the text's start. Cut ends read "…".
func excerpt(text string, terms []string, before, width int) []searchPart {
	runes := []rune(oneLine(text))
	lower := []rune(strings.ToLower(string(runes)))
	if len(lower) != len(runes) { // lower-casing changed the length: do not mark
		lower = runes
	}
	hit := make([]bool, len(runes))
	first := -1
	for _, t := range terms {
		tr := []rune(strings.ToLower(t))
		for i := 0; len(tr) > 0 && i+len(tr) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(tr)], tr) {
				for j := range tr {
					hit[i+j] = true
				}
				if first < 0 || i < first {
					first = i
				}
			}
		}
	}
	start := 0
	if first > before {
		start = first - before
	}
	end := min(len(runes), start+width)
	var parts []searchPart
	add := func(s string, h bool) {
		if n := len(parts); n > 0 && parts[n-1].Hit == h {
			parts[n-1].Text += s
			return
		}
		parts = append(parts, searchPart{Text: s, Hit: h})
	}
	if start > 0 {
		add("…", false)
	}
	for i := start; i < end; i++ {
		add(string(runes[i]), hit[i])
	}
	if end < len(runes) {
		add("…", false)
	}
	return parts
}

func (s *Server) pageSearch(w http.ResponseWriter, r *http.Request, a *actor) error {
	q := r.URL.Query().Get("q")
	p := s.newPage(r, a, "search", "搜索")
	res, err := s.admin.search(r.Context(), a, q)
	status := http.StatusOK
	if err != nil {
		st, isUser := formErrorStatus(err)
		if !isUser {
			return err
		}
		status, p.Error = st, userMessage(err)
	}
	if res.Query != "" {
		p.Title = "搜索“" + res.Query + "”"
	}
	p.Search = res.Query
	p.Data = res
	s.renderPage(w, r, status, "search.html", p)
	return nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request, a *actor) error {
	res, err := s.admin.search(r.Context(), a, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// auditHref links an audit target to its page, "" when it has none or no
// longer exists.
func (n auditNames) targetHref(target string) string {
	kind, id, ok := strings.Cut(target, ":")
	if !ok {
		return ""
	}
	switch kind {
	case "report":
		if _, ok := n.reports[id]; ok {
			return adminPrefix + "reports/" + url.PathEscape(id)
		}
	case "passage":
		rid, seq, _ := strings.Cut(id, "#")
		if _, ok := n.reports[rid]; ok {
			return adminPrefix + "reports/" + url.PathEscape(rid) + "#p" + seq
		}
	case "faq":
		if _, ok := n.faqs[id]; ok {
			return adminPrefix + "faq/" + url.PathEscape(id)
		}
	case "terms":
		if termInfo(id).Label != "" {
			return adminPrefix + "terms/" + url.PathEscape(id)
		}
	case "version":
		return adminPrefix + "versions/" + url.PathEscape(id)
	case "user", "token":
		return adminPrefix + "users"
	}
	return ""
}
