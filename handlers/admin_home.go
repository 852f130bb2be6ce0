package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"fazhibot/console"
)

const (
	// homeWeekDays is the span of the home page's question figures: the
	// last seven days, today included.
	homeWeekDays = 7
	// homeTopUnanswered is how many unanswered groups the home page lists.
	homeTopUnanswered = 5
)

// homePage is the data of home.html.
type homePage struct {
	// Live is the version citizens are served, nil before the first.
	Live *versionBrief
	// Serving is the version this instance has loaded, 0 for none; it
	// differs from Live while a new version is being loaded.
	Serving int64
	// Pending are the versions waiting for approval, newest first.
	Pending []versionBrief
	// Reports and FAQs count the draft's entries.
	Reports, FAQs int
	// Week holds the last seven days' figures, for admins only (the query
	// log is theirs); nil for staff.
	Week *homeWeek
}

// versionBrief is a version as the home page names it.
type versionBrief struct {
	ID      int64
	Summary string
	By      string // who published it (Live) or submitted it (Pending)
	At      time.Time
}

// homeWeek is the question figures of the last seven days.
type homeWeek struct {
	From, To     string
	Questions    int64
	Answered     int64
	Unanswered   int64
	AnsweredRate float64
	// Top are the largest groups of the unanswered queue of the week.
	Top          []unansweredGroup
	QueueURL     string // the unanswered queue of the week
	UnansweredTo string // the list of the week's unanswered records
}

// home gathers the home page's figures; week only for admins.
func (c *consoleServer) home(ctx context.Context, a *actor, now time.Time) (homePage, error) {
	var h homePage
	live, err := c.db.LiveVersion(ctx)
	switch {
	case err == nil:
		h.Live = &versionBrief{ID: int64(live.ID), Summary: live.Summary, By: actorText(live.ApprovedBy), At: live.ApprovedAt}
	case !errors.Is(err, console.ErrNotFound):
		return h, err
	}
	_, h.Serving = c.liveBase()
	versions, err := c.db.Versions(ctx)
	if err != nil {
		return h, err
	}
	for _, v := range versions {
		if v.Status == console.StatusPending {
			h.Pending = append(h.Pending, versionBrief{ID: int64(v.ID), Summary: v.Summary, By: actorText(v.CreatedBy), At: v.CreatedAt})
		}
	}
	reports, err := c.db.ListReports(ctx)
	if err != nil {
		return h, err
	}
	faqs, err := c.db.FAQs(ctx)
	if err != nil {
		return h, err
	}
	h.Reports, h.FAQs = len(reports), len(faqs)
	if !a.admin() {
		return h, nil
	}

	to := console.StartOfDay(now)
	from := to.AddDate(0, 0, 1-homeWeekDays)
	d, err := c.db.Dashboard(ctx, from, to)
	if err != nil {
		return h, err
	}
	q := logQuery{From: from.Format(logDateLayout), To: to.Format(logDateLayout)}
	w := &homeWeek{From: q.From, To: q.To, Questions: d.Total.Questions, Answered: d.Total.Answered,
		Unanswered: d.Total.Questions - d.Total.Answered, AnsweredRate: d.Total.AnsweredRate()}
	queue, err := c.unanswered(ctx, from, to)
	if err != nil {
		return h, err
	}
	w.Top = queue.Groups[:min(len(queue.Groups), homeTopUnanswered)]
	w.QueueURL = unansweredPath + "?" + url.Values{"from": {q.From}, "to": {q.To}}.Encode()
	uq := q
	uq.Answer = answerUnanswered
	w.UnansweredTo = uq.url(logListPath)
	h.Week = w
	return h, nil
}

// handleAdminHome shows the console's home: the live version, what waits
// for approval, the draft's size and, for admins, this week's questions.
func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request, a *actor) error {
	data, err := s.admin.home(r.Context(), a, s.now())
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "home", "首页")
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "home.html", p)
	return nil
}
