package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"fazhibot/console"
)

const (
	// auditPageSize is how many audit entries a page shows, and the
	// largest limit the API accepts.
	auditPageSize   = 50
	maxAuditLimit   = 500
	defaultAPILimit = auditPageSize
)

// auditView is an audit-log entry as the console shows it: the stored
// codes for programs, and the same in words for people.
type auditView struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ActorText  string    `json:"actor_text"`
	Action     string    `json:"action"`
	ActionText string    `json:"action_text"`
	Target     string    `json:"target"`
	TargetText string    `json:"target_text"`
	// TargetHref is the target's console page, "" when it has none.
	TargetHref string `json:"target_href,omitempty"`
	Detail     string `json:"detail"`
	DetailText string `json:"detail_text"`
}

// audit returns up to limit entries after skipping offset, newest first,
// and whether there are more.
func (c *consoleServer) audit(ctx context.Context, limit, offset int) ([]auditView, bool, error) {
	list, err := c.db.Audit(ctx, limit+1, offset)
	if err != nil {
		return nil, false, err
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	names, err := c.auditNames(ctx, list)
	if err != nil {
		return nil, false, err
	}
	out := []auditView{}
	for _, e := range list {
		out = append(out, auditOf(e, names))
	}
	return out, more, nil
}

// auditNames loads what the targets of entries are known by: report
// titles, FAQ questions, account and token names; and, for reports and
// FAQ entries deleted since, the titles and questions the entries
// themselves recorded.
func (c *consoleServer) auditNames(ctx context.Context, entries []console.AuditEntry) (auditNames, error) {
	n := auditNames{reports: map[string]string{}, faqs: map[string]string{}, users: map[int64]string{}, tokens: map[int64]string{},
		gone: map[string]string{}}
	for _, e := range entries {
		switch e.Action {
		case console.ActionReportImport, console.ActionReportDelete, console.ActionFAQSave, console.ActionFAQDelete:
			if _, seen := n.gone[e.Target]; !seen && e.Detail != "" {
				n.gone[e.Target] = e.Detail
			}
		}
	}
	reports, err := c.db.ListReports(ctx)
	if err != nil {
		return n, err
	}
	for _, r := range reports {
		n.reports[string(r.ID)] = r.Title
	}
	faqs, err := c.db.FAQs(ctx)
	if err != nil {
		return n, err
	}
	for _, f := range faqs {
		if len(f.Questions) > 0 {
			n.faqs[string(f.ID)] = f.Questions[0]
		}
	}
	users, err := c.db.Users(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range users {
		n.users[int64(u.ID)] = u.Name
		tokens, err := c.db.Tokens(ctx, u.ID)
		if err != nil {
			return n, err
		}
		for _, t := range tokens {
			n.tokens[int64(t.ID)] = t.Name
		}
	}
	return n, nil
}

func auditOf(e console.AuditEntry, names auditNames) auditView {
	return auditView{ID: int64(e.ID), At: e.At, Actor: e.Actor, ActorText: actorText(e.Actor),
		Action: string(e.Action), ActionText: actionText(e.Action),
		Target: e.Target, TargetText: names.targetText(e.Target), TargetHref: names.targetHref(e.Target),
		Detail: e.Detail, DetailText: auditDetailText(e.Action, e.Detail)}
}

// auditPage is the data of audit.html.
type auditPage struct {
	Entries    []auditView
	Page       int // 1-based
	Prev, Next int // 0 when there is none
}

func (s *Server) pageAudit(w http.ResponseWriter, r *http.Request, a *actor) error {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	entries, more, err := s.admin.audit(r.Context(), auditPageSize, (page-1)*auditPageSize)
	if err != nil {
		return err
	}
	data := auditPage{Entries: entries, Page: page}
	if page > 1 {
		data.Prev = page - 1
	}
	if more {
		data.Next = page + 1
	}
	p := s.newPage(r, a, "audit", "审计日志")
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "audit.html", p)
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, a *actor) error {
	limit, offset := defaultAPILimit, 0
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAuditLimit {
			return errInvalidRequest("limit 应为 1 到 500 之间的整数", err)
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidRequest("offset 应为非负整数", err)
		}
		offset = n
	}
	entries, more, err := s.admin.audit(r.Context(), limit, offset)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "more": more})
}
