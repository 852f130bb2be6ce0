package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
)

// TestAdminHome shows the overview at /admin/: the live version, what
// waits for approval and the draft's size for everyone; this week's
// questions and top unanswered groups for admins only, with figures that
// match the query log.
func TestAdminHome(t *testing.T) {
	t.Parallel()
	// The fixture's last day is 2026-06-07; "now" is that evening, so the
	// week is 06-01 to 06-07, the fixture's whole range.
	now := time.Date(2026, 6, 7, 20, 0, 0, 0, console.LogZone())
	e := newConsoleEnv(t, withNow(func() time.Time { return now }))
	e.seedLogs()
	// A change, so that the draft differs from the live version.
	if _, err := e.db.UpdatePassage(t.Context(), liveReport, 3, "改过的正文。", nil, 0, staffName); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Submit(t.Context(), staffName, "补充司法局报告"); err != nil {
		t.Fatal(err)
	}

	var questions, answered int64
	for _, r := range logFixture() {
		if r.Question {
			questions++
			if r.Answered {
				answered++
			}
		}
	}
	stat := func(page, id string) string {
		m := regexp.MustCompile(`id="` + id + `">(?:<a [^>]*>)?([^<]*)<`).FindStringSubmatch(page)
		if m == nil {
			return "(missing)"
		}
		return m[1]
	}

	admin := e.getPage(e.sessionFor(e.admin), adminHome)
	for _, tc := range []struct{ id, want string }{
		{"home-live", "版本 " + itoa(e.liveVersion())},
		{"home-pending", "1"},
		{"home-draft", "1 份报告"},
		{"home-questions", itoa(questions)},
		{"home-unanswered", itoa(questions - answered)},
	} {
		if got := stat(admin, tc.id); got != tc.want {
			t.Errorf("admin home %s = %q, want %q", tc.id, got, tc.want)
		}
	}
	for _, want := range []string{"补充司法局报告", "社保怎么交？", "添加为FAQ", "/admin/logs/unanswered?from=2026-06-01&amp;to=2026-06-07", "系统 于"} {
		if !strings.Contains(admin, want) {
			t.Errorf("admin home lacks %q", want)
		}
	}

	staff := e.getPage(e.sessionFor(e.staff), adminHome+"?ok=welcome")
	if got := stat(staff, "home-pending"); got != "1" {
		t.Errorf("staff home pending = %q", got)
	}
	for _, absent := range []string{`id="home-questions"`, "社保怎么交", "/admin/logs", "/admin/notify"} { // no notify service here
		if strings.Contains(staff, absent) {
			t.Errorf("staff home shows %q, which is for admins", absent)
		}
	}
	if !strings.Contains(staff, "管理员账号已创建") || !strings.Contains(staff, `aria-current`) && !strings.Contains(staff, "首页") {
		t.Errorf("staff home lacks the notice or the nav entry")
	}
	// Not a redirect any more.
	e.mustDo(request{method: http.MethodGet, path: adminHome, as: e.sessionFor(e.staff)}, http.StatusOK)
}
