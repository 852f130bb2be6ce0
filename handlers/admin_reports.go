package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
	"fazhibot/knowledge"
)

const (
	// maxPassageRunes bounds an edited passage's text.
	maxPassageRunes = 20000
	// maxKeywords and maxKeywordRunes bound an edited passage's keywords.
	maxKeywords     = 50
	maxKeywordRunes = 20
)

// reportRow is one report in the list.
type reportRow struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Department string    `json:"department"`
	Year       int       `json:"year"`
	Sections   int       `json:"sections"` // top-level sections
	Passages   int       `json:"passages"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
}

// reportsPage is the data of reports.html.
type reportsPage struct {
	Rows        []reportRow // the shown page's
	Pager       pager
	Departments []string
	Years       []int
	Department  string // the filter, "" for all
	Year        int    // the filter, 0 for all
}

// listReports returns the draft's reports ordered by department, then
// newest year first, filtered by department and year when given.
func (c *consoleServer) listReports(ctx context.Context, dept string, year int) (reportsPage, error) {
	page := reportsPage{Department: dept, Year: year}
	sums, err := c.db.ListReports(ctx)
	if err != nil {
		return page, err
	}
	reports, err := c.db.Reports(ctx)
	if err != nil {
		return page, err
	}
	sections := map[knowledge.ReportID]int{}
	for _, r := range reports {
		sections[r.ID] = countSections(r.Passages)
	}
	for _, s := range sums {
		if !slices.Contains(page.Departments, s.Department) {
			page.Departments = append(page.Departments, s.Department)
		}
		if !slices.Contains(page.Years, s.Year) {
			page.Years = append(page.Years, s.Year)
		}
		if dept != "" && s.Department != dept || year != 0 && s.Year != year {
			continue
		}
		page.Rows = append(page.Rows, reportRow{
			ID: string(s.ID), Title: s.Title, Department: s.Department, Year: s.Year,
			Sections: sections[s.ID], Passages: s.Passages, ImportedAt: s.ImportedAt, ImportedBy: s.ImportedBy,
		})
	}
	slices.SortFunc(page.Rows, func(a, b reportRow) int {
		return cmp.Or(strings.Compare(a.Department, b.Department), b.Year-a.Year, strings.Compare(a.ID, b.ID))
	})
	slices.Sort(page.Departments)
	slices.Sort(page.Years)
	slices.Reverse(page.Years)
	return page, nil
}

// countSections counts the distinct top-level headings of passages.
func countSections(passages []knowledge.Passage) int {
	seen := map[string]bool{}
	for _, p := range passages {
		if len(p.Path) > 0 {
			seen[p.Path[0]] = true
		}
	}
	return len(seen)
}

func (s *Server) pageReports(w http.ResponseWriter, r *http.Request, a *actor) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	data, err := s.admin.listReports(r.Context(), r.URL.Query().Get("dept"), year)
	if err != nil {
		return err
	}
	lo, hi, pg := paginate(len(data.Rows), listPageSize, r.URL.Query().Get("page"), adminPrefix+"reports", r.URL.Query())
	data.Rows, data.Pager = data.Rows[lo:hi], pg
	p := s.newPage(r, a, "reports", "报告")
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "reports.html", p)
	return nil
}

func (s *Server) apiReports(w http.ResponseWriter, r *http.Request, _ *actor) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	data, err := s.admin.listReports(r.Context(), r.URL.Query().Get("dept"), year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reports": nonNil(data.Rows)})
}

// passageView is a passage as the console shows it.
type passageView struct {
	Seq       int       `json:"seq"`
	Path      []string  `json:"path"`
	Text      string    `json:"text"`
	Keywords  []string  `json:"keywords"`
	Rev       int64     `json:"rev,omitempty"` // 0 in previews
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

func passageOf(e console.PassageEntry) passageView {
	return passageView{Seq: e.Seq, Path: nonNil(e.Path), Text: e.Text, Keywords: nonNil(e.Keywords),
		Rev: e.Rev, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy}
}

// sectionNode is one heading of a report's section tree with the passages
// directly under it.
type sectionNode struct {
	Title    string         `json:"title"`
	Passages []int          `json:"passages"` // their Seqs
	Children []*sectionNode `json:"children"`
	Items    []passageView  `json:"-"` // the passages, for pages
	// Entries are the node's passages and subsections in reading order,
	// for pages: a passage that follows a subsection is shown after it.
	Entries []sectionEntry `json:"-"`
	// Anchor is the node's id on the page ("s2-1"), for the table of
	// contents.
	Anchor string `json:"-"`
}

// sectionEntry is a passage or a subsection of a section.
type sectionEntry struct {
	Passage *passageView
	Section *sectionNode
}

// sectionTree nests passages under their heading paths, in reading
// order. Passages before the first heading go under "（开头）".
func sectionTree(passages []passageView) []*sectionNode {
	root := &sectionNode{}
	for i := range passages {
		p := &passages[i]
		node := root
		for _, title := range p.Path {
			if n := len(node.Children); n > 0 && node.Children[n-1].Title == title && lastIsSection(node, node.Children[n-1]) {
				node = node.Children[n-1]
				continue
			}
			child := &sectionNode{Title: title, Passages: []int{}, Children: []*sectionNode{}}
			node.Children = append(node.Children, child)
			node.Entries = append(node.Entries, sectionEntry{Section: child})
			node = child
		}
		node.Passages = append(node.Passages, p.Seq)
		node.Items = append(node.Items, *p)
		node.Entries = append(node.Entries, sectionEntry{Passage: p})
	}
	if len(root.Items) > 0 {
		lead := &sectionNode{Title: "（开头）", Passages: root.Passages, Items: root.Items, Children: []*sectionNode{}}
		for _, e := range root.Entries {
			if e.Passage != nil {
				lead.Entries = append(lead.Entries, e)
			}
		}
		root.Children = append([]*sectionNode{lead}, root.Children...)
	}
	for i, n := range root.Children {
		anchor(n, fmt.Sprintf("s%d", i+1))
	}
	return nonNil(root.Children)
}

// lastIsSection reports whether the last entry of node is the section
// child: a passage under the same heading that comes after other
// passages of node opens the heading again rather than joining it.
func lastIsSection(node, child *sectionNode) bool {
	n := len(node.Entries)
	return n > 0 && node.Entries[n-1].Section == child
}

// anchor names n and its subsections for the table of contents.
func anchor(n *sectionNode, id string) {
	n.Anchor = id
	for i, c := range n.Children {
		anchor(c, fmt.Sprintf("%s-%d", id, i+1))
	}
}

// reportView is a report with its section tree, as the console shows it.
type reportView struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Department  string         `json:"department"`
	Year        int            `json:"year"`
	PublishDate string         `json:"publish_date"`
	DocNumber   string         `json:"doc_number"`
	SourceURL   string         `json:"source_url"`
	Format      string         `json:"format"`
	Sections    []*sectionNode `json:"sections"`
	Passages    []passageView  `json:"passages"`
}

func reportViewOf(r *knowledge.Report, passages []passageView) reportView {
	return reportView{
		ID: string(r.ID), Title: r.Title, Department: r.Department, Year: r.Year,
		PublishDate: r.PublishDate, DocNumber: r.DocNumber, SourceURL: r.SourceURL, Format: string(r.Format),
		Sections: sectionTree(passages), Passages: nonNil(passages),
	}
}

// report returns the draft report id with its passages' revisions.
func (c *consoleServer) report(ctx context.Context, id string) (reportView, error) {
	if err := checkInput("报告编号", id); err != nil {
		return reportView{}, err
	}
	r, err := c.db.Report(ctx, knowledge.ReportID(id))
	if err != nil {
		return reportView{}, notFound(err, "找不到报告 "+id+"，可能已被删除。")
	}
	entries, err := c.db.Passages(ctx, r.ID)
	if err != nil {
		return reportView{}, notFound(err, "找不到报告 "+id+"，可能已被删除。")
	}
	views := make([]passageView, len(entries))
	for i, e := range entries {
		views[i] = passageOf(e)
	}
	return reportViewOf(r, views), nil
}

func (s *Server) pageReport(w http.ResponseWriter, r *http.Request, a *actor) error {
	data, err := s.admin.report(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "reports", data.Title)
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "report.html", p)
	return nil
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, _ *actor) error {
	data, err := s.admin.report(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, data)
}

// deleteReport deletes the draft report id.
func (c *consoleServer) deleteReport(ctx context.Context, a *actor, id string) error {
	if err := checkInput("报告编号", id); err != nil {
		return err
	}
	return notFound(c.db.DeleteReportBy(ctx, knowledge.ReportID(id), a.name()), "找不到报告 "+id+"，可能已被删除。")
}

func (s *Server) pageReportDelete(w http.ResponseWriter, r *http.Request, a *actor) error {
	if err := s.admin.deleteReport(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	return redirectOK(w, r, adminPrefix+"reports", "deleted")
}

func (s *Server) apiReportDelete(w http.ResponseWriter, r *http.Request, a *actor) error {
	id := r.PathValue("id")
	if err := s.admin.deleteReport(r.Context(), a, id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
}

// passagePage is the data of passage.html.
type passagePage struct {
	ReportID    string
	ReportTitle string
	Seq         int
	Section     string
	Text        string
	Keywords    string
	Rev         int64
	UpdatedAt   time.Time
	UpdatedBy   string
	// Current is the stored passage when a save conflicted.
	Current *passageView
}

// passageKey reads the report ID and Seq of a passage route.
func passageKey(r *http.Request) (string, int, error) {
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq < 0 {
		return "", 0, errPageNotFound("段落编号无效。", err)
	}
	id := r.PathValue("id")
	if err := checkInput("报告编号", id); err != nil {
		return "", 0, err
	}
	return id, seq, nil
}

// passage returns a draft passage.
func (c *consoleServer) passage(ctx context.Context, id string, seq int) (console.PassageEntry, error) {
	e, err := c.db.Passage(ctx, knowledge.ReportID(id), seq)
	return e, notFound(err, fmt.Sprintf("找不到报告 %s 的第 %d 段，可能已被删除。", id, seq))
}

func (s *Server) pagePassage(w http.ResponseWriter, r *http.Request, a *actor) error {
	id, seq, err := passageKey(r)
	if err != nil {
		return err
	}
	e, err := s.admin.passage(r.Context(), id, seq)
	if err != nil {
		return err
	}
	data := passagePage{ReportID: id, Seq: seq, Section: e.SectionPath(), Text: e.Text,
		Keywords: strings.Join(e.Keywords, " "), Rev: e.Rev, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy}
	if rep, err := s.admin.db.Report(r.Context(), knowledge.ReportID(id)); err == nil {
		data.ReportTitle = rep.Title
	}
	p := s.newPage(r, a, "reports", "编辑段落")
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "passage.html", p)
	return nil
}

// passageEdit is the body of PUT …/passages/{seq}.
type passageEdit struct {
	Text     string   `json:"text"`
	Keywords []string `json:"keywords"`
	// Rev is the revision the edit started from; 0 overwrites whatever is
	// stored. Required.
	Rev *int64 `json:"rev"`
}

// savePassage checks and stores an edited passage. A stale revision is a
// 409 whose message explains the conflict.
func (c *consoleServer) savePassage(ctx context.Context, a *actor, id string, seq int, text string, keywords []string, rev int64) (console.PassageEntry, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return console.PassageEntry{}, errInvalidRequest("段落正文不能为空", nil)
	case utf8.RuneCountInString(text) > maxPassageRunes:
		return console.PassageEntry{}, errInvalidRequest(fmt.Sprintf("段落正文不能超过 %d 个字", maxPassageRunes), nil)
	case len(keywords) > maxKeywords:
		return console.PassageEntry{}, errInvalidRequest(fmt.Sprintf("关键词不能超过 %d 个", maxKeywords), nil)
	}
	for _, k := range keywords {
		if utf8.RuneCountInString(k) > maxKeywordRunes {
			return console.PassageEntry{}, errInvalidRequest(fmt.Sprintf("关键词“%s”过长，最多 %d 个字", k, maxKeywordRunes), nil)
		}
	}
	e, err := c.db.UpdatePassage(ctx, knowledge.ReportID(id), seq, text, keywords, rev, a.name())
	if errors.Is(err, console.ErrConflict) {
		return e, errConflict("保存失败：这一段在您编辑期间已被他人修改。您的修改未保存，请对照下方的最新内容重新修改后再保存。", err)
	}
	return e, notFound(err, fmt.Sprintf("找不到报告 %s 的第 %d 段，可能已被删除。", id, seq))
}

func (s *Server) pagePassageSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	id, seq, err := passageKey(r)
	if err != nil {
		return err
	}
	rev, _ := strconv.ParseInt(r.PostFormValue("rev"), 10, 64)
	text, kw := r.PostFormValue("text"), r.PostFormValue("keywords")
	_, err = s.admin.savePassage(r.Context(), a, id, seq, text, splitKeywords(kw), rev)
	if err == nil {
		return redirectOK(w, r, adminPrefix+"reports/"+url.PathEscape(id)+"#p"+strconv.Itoa(seq), "saved")
	}
	status, isUser := formErrorStatus(err)
	if !isUser {
		return err
	}
	// Show the form again with what was typed, and on a conflict the
	// stored passage and its revision, so that saving again is deliberate.
	data := passagePage{ReportID: id, Seq: seq, Text: text, Keywords: kw, Rev: rev}
	if cur, err := s.admin.passage(r.Context(), id, seq); err == nil {
		data.Section, data.UpdatedAt, data.UpdatedBy = cur.SectionPath(), cur.UpdatedAt, cur.UpdatedBy
		if status == http.StatusConflict {
			v := passageOf(cur)
			data.Current, data.Rev = &v, cur.Rev
		}
	} else if status == http.StatusNotFound {
		return err
	}
	p := s.newPage(r, a, "reports", "编辑段落")
	p.Error, p.Data = userMessage(err), data
	s.renderPage(w, r, status, "passage.html", p)
	return nil
}

func (s *Server) apiPassage(w http.ResponseWriter, r *http.Request, _ *actor) error {
	id, seq, err := passageKey(r)
	if err != nil {
		return err
	}
	e, err := s.admin.passage(r.Context(), id, seq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, passageOf(e))
}

func (s *Server) apiPassageSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	id, seq, err := passageKey(r)
	if err != nil {
		return err
	}
	var req passageEdit
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	if req.Rev == nil {
		return errInvalidRequest("缺少 rev 字段（开始编辑时的修订号；0 表示不检查冲突）", nil)
	}
	e, err := s.admin.savePassage(r.Context(), a, id, seq, req.Text, cleanKeywords(req.Keywords), *req.Rev)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, passageOf(e))
}

// splitKeywords splits a keyword field at spaces and list punctuation.
func splitKeywords(s string) []string {
	return cleanKeywords(strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(" \t\r\n,，、;；|", r)
	}))
}

// cleanKeywords trims keywords and drops blanks and repeats.
func cleanKeywords(in []string) []string {
	var out []string
	for _, k := range in {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// formErrorStatus returns the status of a client error that a form shows
// inline (400, 404, 409), and false for errors answered otherwise.
func formErrorStatus(err error) (int, bool) {
	if he, ok := errors.AsType[*httpError](err); ok && he.status < 500 && he.status != http.StatusForbidden {
		return he.status, true
	}
	if st, _, ok := storeError(err); ok {
		return st, true
	}
	return 0, false
}

// notFound words a store's ErrNotFound for staff; other errors pass.
func notFound(err error, msg string) error {
	if errors.Is(err, console.ErrNotFound) {
		return errPageNotFound(msg, err)
	}
	return err
}

// nonNil returns s, or an empty slice for nil, so that JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
