package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestUnansweredDismiss dismisses groups of the unanswered queue from the
// page and the API: they leave the queue for good (also in a later
// range), are counted apart, are audited in words, and only admins may
// dismiss.
func TestUnansweredDismiss(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	e.seedLogs()
	admin := e.sessionFor(e.admin)
	rng := fixtureRange()
	keysOf := func(q unansweredQueue) []string {
		var keys []string
		for _, g := range q.Groups {
			keys = append(keys, g.Key)
		}
		return keys
	}
	queue := func(query string) unansweredQueue {
		return apiJSON[unansweredQueue](t, e.mustDo(request{method: http.MethodGet, path: adminAPIPrefix + "logs/unanswered?" + query, bearer: e.admin.token}, http.StatusOK))
	}
	before := queue(rng)
	if !slices.Contains(keysOf(before), "营业执照在哪办") || !slices.Contains(keysOf(before), "社保怎么交") || before.Dismissed != 0 {
		t.Fatalf("queue before: %v, dismissed %d", keysOf(before), before.Dismissed)
	}
	page := e.getPage(admin, unansweredPath+"?"+rng)
	if !strings.Contains(page, `action="/admin/logs/unanswered/dismiss"`) || !strings.Contains(page, `name="key" value="营业执照在哪办"`) {
		t.Fatalf("queue page has no dismiss button:\n%s", clip(page))
	}

	form := url.Values{"from": {fixtureFrom}, "to": {fixtureTo}, "key": {"营业执照在哪办"}}
	for _, tc := range []struct {
		name   string
		req    request
		status int
	}{
		{"staff may not", request{method: "POST", path: unansweredDismissPath, as: e.sessionFor(e.staff), form: form}, http.StatusForbidden},
		{"staff API may not", request{method: "POST", path: adminAPIPrefix + "logs/unanswered/dismiss", bearer: e.staff.token,
			json: unansweredDismiss{From: fixtureFrom, To: fixtureTo, Key: "社保怎么交"}}, http.StatusForbidden},
		{"no CSRF", request{method: "POST", path: unansweredDismissPath, as: admin, form: form, noCSRF: true}, http.StatusForbidden},
		{"unknown group", request{method: "POST", path: unansweredDismissPath, as: admin,
			form: url.Values{"from": {fixtureFrom}, "to": {fixtureTo}, "key": {"没有这组"}}}, http.StatusNotFound},
		{"bad range", request{method: "POST", path: unansweredDismissPath, as: admin,
			form: url.Values{"from": {"昨天"}, "to": {fixtureTo}, "key": {"营业执照在哪办"}}}, http.StatusBadRequest},
	} {
		e.mustDo(tc.req, tc.status)
	}
	if q := queue(rng); q.Dismissed != 0 || len(q.Groups) != len(before.Groups) {
		t.Fatalf("refused dismissals changed the queue: %v", keysOf(q))
	}

	rec := e.mustDo(request{method: "POST", path: unansweredDismissPath, as: admin, form: form}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != unansweredPath+"?from="+fixtureFrom+"&to="+fixtureTo+"&ok=dismissed" {
		t.Errorf("Location %q", loc)
	}
	after := queue(rng)
	if slices.Contains(keysOf(after), "营业执照在哪办") || after.Dismissed != 2 || len(after.Groups) != len(before.Groups)-1 {
		t.Errorf("after dismissing: %v, dismissed %d", keysOf(after), after.Dismissed)
	}
	page = e.getPage(admin, unansweredPath+"?"+rng+"&ok=dismissed")
	if !strings.Contains(page, "已忽略这组问题") || !strings.Contains(page, "2 个问题已被忽略，未列出") || strings.Contains(page, "<h2>营业执照在哪办</h2>") {
		t.Errorf("queue page after dismissing:\n%s", clip(page))
	}
	// Dismissing again: the group is no longer there.
	e.mustDo(request{method: "POST", path: unansweredDismissPath, as: admin, form: form}, http.StatusNotFound)

	// Through the API.
	got := apiJSON[map[string]unansweredGroup](t, e.mustDo(request{method: "POST", path: adminAPIPrefix + "logs/unanswered/dismiss", bearer: e.admin.token,
		json: unansweredDismiss{From: fixtureFrom, To: fixtureTo, Key: "社保怎么交"}}, http.StatusOK))["dismissed"]
	if got.Key != "社保怎么交" || len(got.Variants) != 2 {
		t.Errorf("API dismissed %+v", got)
	}

	// For good: a later range that has the texts leaves them out too.
	q := queue("from=2026-06-03&to=" + fixtureTo)
	if slices.Contains(keysOf(q), "营业执照在哪办") || q.Dismissed != 1 {
		t.Errorf("later range's queue: %v, dismissed %d", keysOf(q), q.Dismissed)
	}
	if q := queue(rng); q.Dismissed != 4 || slices.Contains(keysOf(q), "社保怎么交") {
		t.Errorf("queue after both: %v, dismissed %d", keysOf(q), q.Dismissed)
	}

	// Audited in words.
	audit := e.getPage(admin, adminPrefix+"audit")
	for _, want := range []string{"忽略未回答问题", "未回答问题“营业执照在哪办”", "共 2 种问法", "未回答问题“社保怎么交？”"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
}
