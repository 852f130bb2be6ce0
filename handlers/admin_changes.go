package handlers

import (
	"context"
	"net/http"
	"strings"

	"fazhibot/console"
	"fazhibot/publishing"
)

// changesView is a comparison between two contents as the console shows
// it: the version compared with, counts at the top, then per report, FAQ
// entry and term list what was added, removed and changed.
type changesView struct {
	BaseVersion int64              `json:"base_version,omitempty"` // 0: nothing was published before
	BaseLive    bool               `json:"base_live"`
	Empty       bool               `json:"empty"`
	Counts      publishing.Counts  `json:"counts"`
	CountText   []countView        `json:"-"`
	Reports     []reportChangeView `json:"reports"`
	FAQs        []faqChangeView    `json:"faqs"`
	Terms       []termChangeView   `json:"terms"`
}

// countView is one count at the top of a comparison, e.g. 修改段落 3.
type countView struct {
	Label string
	N     int
}

type reportChangeView struct {
	ID       string              `json:"id"`
	Title    string              `json:"title"`
	Kind     string              `json:"kind"`
	KindText string              `json:"kind_text"`
	Passages int                 `json:"passages,omitempty"`
	Fields   []fieldChangeView   `json:"fields"`
	Changes  []passageChangeView `json:"passage_changes"`
}

type fieldChangeView struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

type passageChangeView struct {
	Kind            string     `json:"kind"`
	KindText        string     `json:"kind_text"`
	Seq             int        `json:"seq"` // the new Seq, or the old one of a removed passage
	Section         string     `json:"section"`
	OldSection      string     `json:"old_section,omitempty"` // when the passage moved
	Text            []spanView `json:"text"`
	KeywordsAdded   []string   `json:"keywords_added"`
	KeywordsRemoved []string   `json:"keywords_removed"`
}

type spanView struct {
	Op   string `json:"op"` // same, insert, delete
	Text string `json:"text"`
}

type faqChangeView struct {
	ID               string     `json:"id"`
	Question         string     `json:"question"`
	Kind             string     `json:"kind"`
	KindText         string     `json:"kind_text"`
	QuestionsAdded   []string   `json:"questions_added"`
	QuestionsRemoved []string   `json:"questions_removed"`
	Answer           []spanView `json:"answer"`
	LinkChanged      bool       `json:"link_changed"`
	OldLink          string     `json:"old_link,omitempty"`
	NewLink          string     `json:"new_link,omitempty"`
}

type termChangeView struct {
	Name       string   `json:"name"`
	Label      string   `json:"label"`
	Added      []string `json:"added"`
	Removed    []string `json:"removed"`
	Whitespace bool     `json:"whitespace_only"`
}

// changesOf turns a comparison into its view.
func changesOf(cmp publishing.Comparison) changesView {
	c := cmp.Changes
	v := changesView{Empty: c.Empty(), Counts: c.Counts, CountText: countTexts(c.Counts),
		Reports: []reportChangeView{}, FAQs: []faqChangeView{}, Terms: []termChangeView{}}
	if cmp.Base != nil {
		v.BaseVersion, v.BaseLive = int64(cmp.Base.ID), cmp.Base.Live
	}
	for _, r := range c.Reports {
		rv := reportChangeView{ID: string(r.ID), Title: r.Title, Kind: string(r.Kind), KindText: changeKindText(r.Kind),
			Passages: r.Passages, Fields: []fieldChangeView{}, Changes: []passageChangeView{}}
		for _, f := range r.Fields {
			rv.Fields = append(rv.Fields, fieldChangeView{Field: f.Field, Label: reportFieldText(f.Field), Old: f.Old, New: f.New})
		}
		for _, p := range r.PassageDiff {
			pv := passageChangeView{Kind: string(p.Kind), KindText: changeKindText(p.Kind), Seq: p.NewSeq,
				Section: sectionText(p.Path), Text: spansOf(p.Text),
				KeywordsAdded: nonNil(p.KeywordsAdded), KeywordsRemoved: nonNil(p.KeywordsRemoved)}
			if p.Kind == publishing.Removed {
				pv.Seq = p.OldSeq
			}
			if p.OldPath != nil {
				pv.OldSection = sectionText(p.OldPath)
			}
			rv.Changes = append(rv.Changes, pv)
		}
		v.Reports = append(v.Reports, rv)
	}
	for _, f := range c.FAQs {
		v.FAQs = append(v.FAQs, faqChangeView{ID: string(f.ID), Question: f.Question, Kind: string(f.Kind),
			KindText: changeKindText(f.Kind), QuestionsAdded: nonNil(f.QuestionsAdded),
			QuestionsRemoved: nonNil(f.QuestionsRemoved), Answer: spansOf(f.Answer), LinkChanged: f.LinkChanged,
			OldLink: linkText(f.OldLink), NewLink: linkText(f.NewLink)})
	}
	for _, t := range c.Terms {
		v.Terms = append(v.Terms, termChangeView{Name: t.Name, Label: termInfo(t.Name).Label,
			Added: nonNil(t.Added), Removed: nonNil(t.Removed), Whitespace: t.Whitespace})
	}
	return v
}

func spansOf(spans []publishing.Span) []spanView {
	out := []spanView{}
	for _, s := range spans {
		out = append(out, spanView{Op: string(s.Op), Text: s.Text})
	}
	return out
}

// sectionText is a section path as staff read it.
func sectionText(path []string) string {
	if len(path) == 0 {
		return "（无章节）"
	}
	return strings.Join(path, " › ")
}

// linkText names an FAQ entry's linked passage; "" for no link.
func linkText(l publishing.Link) string {
	if l.Report == "" {
		return ""
	}
	s := passageText(l.Title, l.Seq)
	if len(l.Path) > 0 {
		s += "（" + sectionText(l.Path) + "）"
	}
	return s
}

// draftChanges compares the draft with the live version.
func (c *consoleServer) draftChanges(ctx context.Context) (changesView, error) {
	cmp, err := publishing.DraftChanges(ctx, c.db)
	if err != nil {
		return changesView{}, err
	}
	return changesOf(cmp), nil
}

// versionPage is the data of version.html: a version (nil for the draft)
// with what it changes, and what the actor may do.
type versionPage struct {
	Version    *versionView `json:"version,omitempty"`
	Changes    changesView  `json:"changes"`
	CanPublish bool         `json:"can_publish"`
	CanSubmit  bool         `json:"can_submit"`
	CanApprove bool         `json:"can_approve"`
}

// versionChanges loads version id (0: the draft) with its comparison.
func (c *consoleServer) versionChanges(ctx context.Context, a *actor, id console.VersionID) (versionPage, error) {
	page := versionPage{CanPublish: c.canPublish(a), CanSubmit: c.approval == ApprovalRequired, CanApprove: a.admin()}
	if id == 0 {
		ch, err := c.draftChanges(ctx)
		page.Changes = ch
		return page, err
	}
	v, cmp, err := publishing.VersionChanges(ctx, c.db, id)
	if err != nil {
		return versionPage{}, notFound(err, "找不到该版本。")
	}
	vv := versionOf(v)
	page.Version, page.Changes = &vv, changesOf(cmp)
	return page, nil
}

func (s *Server) pageDraftChanges(w http.ResponseWriter, r *http.Request, a *actor) error {
	return s.renderVersionChanges(w, r, a, 0, "草稿的改动")
}

func (s *Server) pageVersion(w http.ResponseWriter, r *http.Request, a *actor) error {
	id, err := versionID(r)
	if err != nil {
		return err
	}
	return s.renderVersionChanges(w, r, a, id, "版本 "+r.PathValue("id"))
}

func (s *Server) renderVersionChanges(w http.ResponseWriter, r *http.Request, a *actor, id console.VersionID, title string) error {
	data, err := s.admin.versionChanges(r.Context(), a, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "versions", title)
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "version.html", p)
	return nil
}

func (s *Server) apiDraftChanges(w http.ResponseWriter, r *http.Request, a *actor) error {
	data, err := s.admin.versionChanges(r.Context(), a, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, data)
}

func (s *Server) apiVersion(w http.ResponseWriter, r *http.Request, a *actor) error {
	id, err := versionID(r)
	if err != nil {
		return err
	}
	data, err := s.admin.versionChanges(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, data)
}
