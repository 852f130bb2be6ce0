package handlers

import "net/http"

const (
	// healthPath is the liveness probe.
	healthPath = "/healthz"
	// readyPath is the readiness probe (see Options.Ready).
	readyPath = "/readyz"
	// metricsPath serves Options.Metrics, in the Prometheus text format.
	metricsPath = "/metrics"
	// apiPrefix is the JSON API's subtree; every response under it is JSON.
	apiPrefix = "/api/"
	// apiAskPath asks the bot one question.
	apiAskPath = "/api/v1/ask"

	// adminPrefix is the staff console's pages; every error under it is an
	// HTML page.
	adminPrefix = "/admin/"
	// adminHome is the console's entry: the overview (admin_home.go).
	adminHome = adminPrefix
	// adminLoginPath is the log-in page anonymous visitors are sent to.
	adminLoginPath = adminPrefix + "login"
	// adminStaticPrefix serves the console's stylesheet and script.
	adminStaticPrefix = adminPrefix + "static/"
	// adminAPIPrefix is the console's JSON API.
	adminAPIPrefix = "/api/v1/admin/"
)

// reservedPaths are the fixed routes Options.WeChatPath must not shadow
// (besides everything under apiPrefix and adminPrefix).
var reservedPaths = map[string]bool{healthPath: true, readyPath: true, metricsPath: true, apiAskPath: true}

// routes registers every route of the Server in one place. Each route is a
// Go 1.22 method pattern; the mux answers other methods with 405 and unknown
// paths with 404, except under apiPrefix, where those answers are JSON too,
// and under adminPrefix, where they are HTML pages.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	if s.token != "" { // no token: no official account to serve
		mux.HandleFunc("GET "+s.wechatPath, s.handleWeChatVerify)
		mux.HandleFunc("POST "+s.wechatPath, s.handleWeChatMessage)
	}

	mux.HandleFunc("POST "+apiAskPath, s.handleAPIAsk)
	mux.HandleFunc(apiAskPath, s.apiMethodNotAllowed(http.MethodPost))
	mux.HandleFunc(apiPrefix, s.handleAPINotFound)

	mux.HandleFunc("GET "+healthPath, s.handleHealth)
	mux.HandleFunc("GET "+readyPath, s.handleReady)
	if s.metrics != nil {
		mux.Handle("GET "+metricsPath, s.metrics)
	}

	if s.admin != nil {
		s.adminRoutes(mux)
	}
	return mux
}

// access is what a console route requires of the signed-in account. It is
// declared with the route; a handler may check more where the rule
// depends on the request (a staff account publishes only when no approval
// is required, revokes only its own tokens, and searches without the
// audit log).
type access int

const (
	signedIn  access = iota // any signed-in account, staff or admin
	adminOnly               // admins: accounts, approval, restore
	auditOnly               // admins: the audit log
	logsOnly                // admins: the query log
)

// refuse returns the error a gets from a route of this access, or nil.
func (acc access) refuse(a *actor) error {
	switch {
	case acc == signedIn || a.admin():
		return nil
	case acc == logsOnly:
		return errLogsAdminOnly()
	case acc == auditOnly:
		return errAuditAdminOnly()
	}
	return errAdminOnly()
}

// consoleRoute is one route of the staff console, what it requires, and
// its handler with the wrapper that signs the caller in (page, upload,
// json or jsonUpload in adminRoutes).
type consoleRoute struct {
	pattern string
	access  access
	wrap    func(adminFunc) http.HandlerFunc
	handler adminFunc
}

// adminRoutes registers the staff console: pages under /admin/ (session
// cookie; forms carry the CSRF token) and the JSON API under
// /api/v1/admin/ (bearer API token, or the session cookie with the CSRF
// token in X-CSRF-Token). Every signed-in route declares its access in
// consoleRoutes; staff edit the draft, admins also approve, restore,
// manage accounts and read the audit log and the query log.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	// Anonymous: log-in, first-admin setup, static files.
	mux.HandleFunc("GET "+adminLoginPath, s.handleLoginPage)
	mux.HandleFunc("POST "+adminLoginPath, s.handleLogin)
	mux.HandleFunc("GET "+adminPrefix+"setup", s.handleSetupPage)
	mux.HandleFunc("POST "+adminPrefix+"setup", s.handleSetup)
	mux.Handle("GET "+adminStaticPrefix, staticHandler())

	for _, rt := range s.consoleRoutes() {
		acc, h := rt.access, rt.handler
		mux.HandleFunc(rt.pattern, rt.wrap(func(w http.ResponseWriter, r *http.Request, a *actor) error {
			if err := acc.refuse(a); err != nil {
				return err
			}
			return h(w, r, a)
		}))
	}
	mux.HandleFunc(adminPrefix, s.handleAdminNotFound)
}

// consoleRoutes returns every route of the console that needs a signed-in
// account, with the access it requires.
func (s *Server) consoleRoutes() []consoleRoute {
	const p, api = adminPrefix, adminAPIPrefix
	page := func(h adminFunc) http.HandlerFunc { return s.adminPage(maxFormBytes, h) }
	upload := func(h adminFunc) http.HandlerFunc { return s.adminPage(maxUploadBytes, h) }
	json := func(h adminFunc) http.HandlerFunc { return s.adminAPI(maxFormBytes, h) }
	jsonUpload := func(h adminFunc) http.HandlerFunc { return s.adminAPI(maxUploadBytes, h) }
	return []consoleRoute{
		// Pages.
		{"GET " + p + "{$}", signedIn, page, s.handleAdminHome},
		{"POST " + p + "logout", signedIn, page, s.handleLogout},
		{"GET " + p + "reports", signedIn, page, s.pageReports},
		{"GET " + p + "reports/{id}", signedIn, page, s.pageReport},
		{"POST " + p + "reports/{id}/delete", signedIn, page, s.pageReportDelete},
		{"GET " + p + "reports/{id}/passages/{seq}", signedIn, page, s.pagePassage},
		{"POST " + p + "reports/{id}/passages/{seq}", signedIn, page, s.pagePassageSave},
		{"POST " + p + "uploads", signedIn, upload, s.pageUpload},
		{"GET " + p + "uploads/{id}", signedIn, page, s.pagePreview},
		{"POST " + p + "uploads/{id}", signedIn, page, s.pagePreviewSave},
		{"POST " + p + "uploads/{id}/discard", signedIn, page, s.pagePreviewDiscard},
		{"GET " + p + "faq", signedIn, page, s.pageFAQs},
		{"GET " + p + "faq/new", signedIn, page, s.pageFAQNew},
		{"POST " + p + "faq/new", signedIn, page, s.pageFAQCreate},
		{"GET " + p + "faq/{id}", signedIn, page, s.pageFAQ},
		{"POST " + p + "faq/{id}", signedIn, page, s.pageFAQSave},
		{"POST " + p + "faq/{id}/delete", signedIn, page, s.pageFAQDelete},
		{"GET " + p + "terms", signedIn, page, s.pageTerms},
		{"GET " + p + "terms/{name}", signedIn, page, s.pageTerm},
		{"POST " + p + "terms/{name}", signedIn, page, s.pageTermSave},
		{"GET " + p + "search", signedIn, page, s.pageSearch}, // staff; the audit group for admins only
		{"GET " + p + "hittest", signedIn, page, s.pageHitTest},
		{"GET " + p + "regression", signedIn, page, s.pageRegression},
		{"POST " + p + "regression", signedIn, upload, s.pageRegressionRun},
		{"GET " + p + "regression/questions.jsonl", logsOnly, page, s.exportLoggedQuestions},
		{"GET " + p + "versions", signedIn, page, s.pageVersions},
		{"POST " + p + "versions/publish", signedIn, page, s.pagePublish},
		{"POST " + p + "versions/submit", signedIn, page, s.pageSubmit},
		{"POST " + p + "versions/{id}/approve", adminOnly, page, s.pageApprove},
		{"POST " + p + "versions/{id}/reject", adminOnly, page, s.pageReject},
		{"POST " + p + "versions/{id}/restore", adminOnly, page, s.pageRestore},
		{"GET " + p + "versions/draft", signedIn, page, s.pageDraftChanges},
		{"GET " + p + "versions/{id}", signedIn, page, s.pageVersion},
		{"GET " + p + "users", signedIn, page, s.pageUsers},
		{"POST " + p + "users", adminOnly, page, s.pageUserCreate},
		{"POST " + p + "users/{id}/role", adminOnly, page, s.pageUserAction("role")},
		{"POST " + p + "users/{id}/disable", adminOnly, page, s.pageUserAction("disable")},
		{"POST " + p + "users/{id}/enable", adminOnly, page, s.pageUserAction("enable")},
		{"POST " + p + "account/password", signedIn, page, s.pagePassword},
		{"POST " + p + "tokens", signedIn, page, s.pageTokenCreate},
		{"POST " + p + "tokens/{id}/revoke", signedIn, page, s.pageTokenRevoke},
		{"GET " + p + "audit", auditOnly, page, s.pageAudit},
		{"GET " + p + "logs", logsOnly, page, s.pageLogs},
		{"GET " + p + "logs/list", logsOnly, page, s.pageLogList},
		{"GET " + p + "logs/unanswered", logsOnly, page, s.pageUnanswered},
		{"GET " + p + "logs/unanswered/faq", logsOnly, page, s.pageUnansweredFAQ},
		{"POST " + p + "logs/unanswered/dismiss", logsOnly, page, s.pageUnansweredDismiss},
		{"GET " + p + "notify", signedIn, page, s.pageNotify},
		{"POST " + p + "notify/send", signedIn, page, s.pageNotifySend},
		{"GET " + p + "logs/export.csv", logsOnly, page, s.exportLogs},
		{"GET " + p + "logs/{id}", logsOnly, page, s.pageLog},

		// JSON API.
		{"GET " + api + "me", signedIn, json, s.apiMe},
		{"PUT " + api + "me/password", signedIn, json, s.apiPassword},
		{"GET " + api + "reports", signedIn, json, s.apiReports},
		{"GET " + api + "reports/{id}", signedIn, json, s.apiReport},
		{"DELETE " + api + "reports/{id}", signedIn, json, s.apiReportDelete},
		{"GET " + api + "reports/{id}/passages/{seq}", signedIn, json, s.apiPassage},
		{"PUT " + api + "reports/{id}/passages/{seq}", signedIn, json, s.apiPassageSave},
		{"POST " + api + "uploads", signedIn, jsonUpload, s.apiUpload},
		{"GET " + api + "uploads/{id}", signedIn, json, s.apiPreview},
		{"POST " + api + "uploads/{id}/save", signedIn, json, s.apiPreviewSave},
		{"DELETE " + api + "uploads/{id}", signedIn, json, s.apiPreviewDiscard},
		{"GET " + api + "faq", signedIn, json, s.apiFAQs},
		{"POST " + api + "faq", signedIn, json, s.apiFAQCreate},
		{"GET " + api + "faq/{id}", signedIn, json, s.apiFAQ},
		{"PUT " + api + "faq/{id}", signedIn, json, s.apiFAQSave},
		{"DELETE " + api + "faq/{id}", signedIn, json, s.apiFAQDelete},
		{"GET " + api + "terms", signedIn, json, s.apiTerms},
		{"GET " + api + "terms/{name}", signedIn, json, s.apiTerm},
		{"PUT " + api + "terms/{name}", signedIn, json, s.apiTermSave},
		{"GET " + api + "search", signedIn, json, s.apiSearch}, // staff; the audit group for admins only
		{"GET " + api + "hittest", signedIn, json, s.apiHitTest},
		{"POST " + api + "regression", signedIn, jsonUpload, s.apiRegression},
		{"GET " + api + "versions", signedIn, json, s.apiVersions},
		{"POST " + api + "versions/publish", signedIn, json, s.apiPublish},
		{"POST " + api + "versions/submit", signedIn, json, s.apiSubmit},
		{"POST " + api + "versions/{id}/approve", adminOnly, json, s.apiApprove},
		{"POST " + api + "versions/{id}/reject", adminOnly, json, s.apiReject},
		{"POST " + api + "versions/{id}/restore", adminOnly, json, s.apiRestore},
		{"GET " + api + "versions/draft", signedIn, json, s.apiDraftChanges},
		{"GET " + api + "versions/{id}", signedIn, json, s.apiVersion},
		{"GET " + api + "users", adminOnly, json, s.apiUsers},
		{"POST " + api + "users", adminOnly, json, s.apiUserCreate},
		{"PUT " + api + "users/{id}/role", adminOnly, json, s.apiUserAction("role")},
		{"POST " + api + "users/{id}/disable", adminOnly, json, s.apiUserAction("disable")},
		{"POST " + api + "users/{id}/enable", adminOnly, json, s.apiUserAction("enable")},
		{"GET " + api + "tokens", signedIn, json, s.apiTokenList},
		{"POST " + api + "tokens", signedIn, json, s.apiTokenCreate},
		{"DELETE " + api + "tokens/{id}", signedIn, json, s.apiTokenRevoke},
		{"GET " + api + "audit", auditOnly, json, s.apiAudit},
		{"GET " + api + "logs", logsOnly, json, s.apiLogs},
		{"GET " + api + "logs/dashboard", logsOnly, json, s.apiLogsDashboard},
		{"GET " + api + "logs/unanswered", logsOnly, json, s.apiUnanswered},
		{"POST " + api + "logs/unanswered/dismiss", logsOnly, json, s.apiUnansweredDismiss},
		{"GET " + api + "notify", signedIn, json, s.apiNotify},
		{"POST " + api + "notify/send", signedIn, json, s.apiNotifySend},
		{"GET " + api + "logs/export.csv", logsOnly, json, s.exportLogs},
		{"GET " + api + "logs/{id}", logsOnly, json, s.apiLog},
	}
}

// handleHealth answers 200 "ok" whenever the server is serving.
func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
