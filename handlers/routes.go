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

// adminRoutes registers the staff console: pages under /admin/ (session
// cookie; forms carry the CSRF token) and the JSON API under
// /api/v1/admin/ (bearer API token, or the session cookie with the CSRF
// token in X-CSRF-Token). Which roles may do what is checked in the
// handlers: staff edit the draft; admins also publish (staff too when no
// approval is required), approve, restore, manage accounts and read the
// audit log and the query log.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	const p, api = adminPrefix, adminAPIPrefix
	page := func(h adminFunc) http.HandlerFunc { return s.adminPage(maxFormBytes, h) }
	upload := func(h adminFunc) http.HandlerFunc { return s.adminPage(maxUploadBytes, h) }
	json := func(h adminFunc) http.HandlerFunc { return s.adminAPI(maxFormBytes, h) }
	jsonUpload := func(h adminFunc) http.HandlerFunc { return s.adminAPI(maxUploadBytes, h) }

	// Anonymous: log-in, first-admin setup, static files.
	mux.HandleFunc("GET "+adminLoginPath, s.handleLoginPage)
	mux.HandleFunc("POST "+adminLoginPath, s.handleLogin)
	mux.HandleFunc("GET "+p+"setup", s.handleSetupPage)
	mux.HandleFunc("POST "+p+"setup", s.handleSetup)
	mux.Handle("GET "+adminStaticPrefix, staticHandler())

	// Pages.
	mux.HandleFunc("GET "+p+"{$}", page(s.handleAdminHome))
	mux.HandleFunc("POST "+p+"logout", page(s.handleLogout))
	mux.HandleFunc("GET "+p+"reports", page(s.pageReports))
	mux.HandleFunc("GET "+p+"reports/{id}", page(s.pageReport))
	mux.HandleFunc("POST "+p+"reports/{id}/delete", page(s.pageReportDelete))
	mux.HandleFunc("GET "+p+"reports/{id}/passages/{seq}", page(s.pagePassage))
	mux.HandleFunc("POST "+p+"reports/{id}/passages/{seq}", page(s.pagePassageSave))
	mux.HandleFunc("POST "+p+"uploads", upload(s.pageUpload))
	mux.HandleFunc("GET "+p+"uploads/{id}", page(s.pagePreview))
	mux.HandleFunc("POST "+p+"uploads/{id}", page(s.pagePreviewSave))
	mux.HandleFunc("POST "+p+"uploads/{id}/discard", page(s.pagePreviewDiscard))
	mux.HandleFunc("GET "+p+"faq", page(s.pageFAQs))
	mux.HandleFunc("GET "+p+"faq/new", page(s.pageFAQNew))
	mux.HandleFunc("POST "+p+"faq/new", page(s.pageFAQCreate))
	mux.HandleFunc("GET "+p+"faq/{id}", page(s.pageFAQ))
	mux.HandleFunc("POST "+p+"faq/{id}", page(s.pageFAQSave))
	mux.HandleFunc("POST "+p+"faq/{id}/delete", page(s.pageFAQDelete))
	mux.HandleFunc("GET "+p+"terms", page(s.pageTerms))
	mux.HandleFunc("GET "+p+"terms/{name}", page(s.pageTerm))
	mux.HandleFunc("POST "+p+"terms/{name}", page(s.pageTermSave))
	mux.HandleFunc("GET "+p+"search", page(s.pageSearch)) // staff; the audit group for admins only
	mux.HandleFunc("GET "+p+"hittest", page(s.pageHitTest))
	mux.HandleFunc("GET "+p+"regression", page(s.pageRegression))
	mux.HandleFunc("POST "+p+"regression", upload(s.pageRegressionRun))
	mux.HandleFunc("GET "+p+"regression/questions.jsonl", page(s.exportLoggedQuestions)) // admin: reads the query log
	mux.HandleFunc("GET "+p+"versions", page(s.pageVersions))
	mux.HandleFunc("POST "+p+"versions/publish", page(s.pagePublish))
	mux.HandleFunc("POST "+p+"versions/submit", page(s.pageSubmit))
	mux.HandleFunc("POST "+p+"versions/{id}/approve", page(s.pageApprove))
	mux.HandleFunc("POST "+p+"versions/{id}/reject", page(s.pageReject))
	mux.HandleFunc("POST "+p+"versions/{id}/restore", page(s.pageRestore))
	mux.HandleFunc("GET "+p+"versions/draft", page(s.pageDraftChanges))
	mux.HandleFunc("GET "+p+"versions/{id}", page(s.pageVersion))
	mux.HandleFunc("GET "+p+"users", page(s.pageUsers))
	mux.HandleFunc("POST "+p+"users", page(s.pageUserCreate))
	mux.HandleFunc("POST "+p+"users/{id}/role", page(s.pageUserAction("role")))
	mux.HandleFunc("POST "+p+"users/{id}/disable", page(s.pageUserAction("disable")))
	mux.HandleFunc("POST "+p+"users/{id}/enable", page(s.pageUserAction("enable")))
	mux.HandleFunc("POST "+p+"account/password", page(s.pagePassword))
	mux.HandleFunc("POST "+p+"tokens", page(s.pageTokenCreate))
	mux.HandleFunc("POST "+p+"tokens/{id}/revoke", page(s.pageTokenRevoke))
	mux.HandleFunc("GET "+p+"audit", page(s.pageAudit))
	mux.HandleFunc("GET "+p+"logs", page(s.pageLogs))
	mux.HandleFunc("GET "+p+"logs/list", page(s.pageLogList))
	mux.HandleFunc("GET "+p+"logs/unanswered", page(s.pageUnanswered))
	mux.HandleFunc("GET "+p+"logs/unanswered/faq", page(s.pageUnansweredFAQ))
	mux.HandleFunc("POST "+p+"logs/unanswered/dismiss", page(s.pageUnansweredDismiss)) // admin
	mux.HandleFunc("GET "+p+"notify", page(s.pageNotify))
	mux.HandleFunc("POST "+p+"notify/send", page(s.pageNotifySend))
	mux.HandleFunc("GET "+p+"logs/export.csv", page(s.exportLogs))
	mux.HandleFunc("GET "+p+"logs/{id}", page(s.pageLog))
	mux.HandleFunc(p, s.handleAdminNotFound)

	// JSON API.
	mux.HandleFunc("GET "+api+"me", json(s.apiMe))
	mux.HandleFunc("PUT "+api+"me/password", json(s.apiPassword))
	mux.HandleFunc("GET "+api+"reports", json(s.apiReports))
	mux.HandleFunc("GET "+api+"reports/{id}", json(s.apiReport))
	mux.HandleFunc("DELETE "+api+"reports/{id}", json(s.apiReportDelete))
	mux.HandleFunc("GET "+api+"reports/{id}/passages/{seq}", json(s.apiPassage))
	mux.HandleFunc("PUT "+api+"reports/{id}/passages/{seq}", json(s.apiPassageSave))
	mux.HandleFunc("POST "+api+"uploads", jsonUpload(s.apiUpload))
	mux.HandleFunc("GET "+api+"uploads/{id}", json(s.apiPreview))
	mux.HandleFunc("POST "+api+"uploads/{id}/save", json(s.apiPreviewSave))
	mux.HandleFunc("DELETE "+api+"uploads/{id}", json(s.apiPreviewDiscard))
	mux.HandleFunc("GET "+api+"faq", json(s.apiFAQs))
	mux.HandleFunc("POST "+api+"faq", json(s.apiFAQCreate))
	mux.HandleFunc("GET "+api+"faq/{id}", json(s.apiFAQ))
	mux.HandleFunc("PUT "+api+"faq/{id}", json(s.apiFAQSave))
	mux.HandleFunc("DELETE "+api+"faq/{id}", json(s.apiFAQDelete))
	mux.HandleFunc("GET "+api+"terms", json(s.apiTerms))
	mux.HandleFunc("GET "+api+"terms/{name}", json(s.apiTerm))
	mux.HandleFunc("PUT "+api+"terms/{name}", json(s.apiTermSave))
	mux.HandleFunc("GET "+api+"search", json(s.apiSearch)) // staff; the audit group for admins only
	mux.HandleFunc("GET "+api+"hittest", json(s.apiHitTest))
	mux.HandleFunc("POST "+api+"regression", jsonUpload(s.apiRegression))
	mux.HandleFunc("GET "+api+"versions", json(s.apiVersions))
	mux.HandleFunc("POST "+api+"versions/publish", json(s.apiPublish))
	mux.HandleFunc("POST "+api+"versions/submit", json(s.apiSubmit))
	mux.HandleFunc("POST "+api+"versions/{id}/approve", json(s.apiApprove))
	mux.HandleFunc("POST "+api+"versions/{id}/reject", json(s.apiReject))
	mux.HandleFunc("POST "+api+"versions/{id}/restore", json(s.apiRestore))
	mux.HandleFunc("GET "+api+"versions/draft", json(s.apiDraftChanges))
	mux.HandleFunc("GET "+api+"versions/{id}", json(s.apiVersion))
	mux.HandleFunc("GET "+api+"users", json(s.apiUsers))
	mux.HandleFunc("POST "+api+"users", json(s.apiUserCreate))
	mux.HandleFunc("PUT "+api+"users/{id}/role", json(s.apiUserAction("role")))
	mux.HandleFunc("POST "+api+"users/{id}/disable", json(s.apiUserAction("disable")))
	mux.HandleFunc("POST "+api+"users/{id}/enable", json(s.apiUserAction("enable")))
	mux.HandleFunc("GET "+api+"tokens", json(s.apiTokenList))
	mux.HandleFunc("POST "+api+"tokens", json(s.apiTokenCreate))
	mux.HandleFunc("DELETE "+api+"tokens/{id}", json(s.apiTokenRevoke))
	mux.HandleFunc("GET "+api+"audit", json(s.apiAudit))
	mux.HandleFunc("GET "+api+"logs", json(s.apiLogs))
	mux.HandleFunc("GET "+api+"logs/dashboard", json(s.apiLogsDashboard))
	mux.HandleFunc("GET "+api+"logs/unanswered", json(s.apiUnanswered))
	mux.HandleFunc("POST "+api+"logs/unanswered/dismiss", json(s.apiUnansweredDismiss)) // admin
	mux.HandleFunc("GET "+api+"notify", json(s.apiNotify))
	mux.HandleFunc("POST "+api+"notify/send", json(s.apiNotifySend))
	mux.HandleFunc("GET "+api+"logs/export.csv", json(s.exportLogs))
	mux.HandleFunc("GET "+api+"logs/{id}", json(s.apiLog))
}

// handleHealth answers 200 "ok" whenever the server is serving.
func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
