package handlers

import "net/http"

const (
	// healthPath is the liveness probe.
	healthPath = "/healthz"
	// apiPrefix is the JSON API's subtree; every response under it is JSON.
	apiPrefix = "/api/"
	// apiAskPath asks the bot one question.
	apiAskPath = "/api/v1/ask"
)

// reservedPaths are the fixed routes Options.WeChatPath must not shadow
// (besides everything under apiPrefix).
var reservedPaths = map[string]bool{healthPath: true, apiAskPath: true}

// routes registers every route of the Server in one place. Each route is a
// Go 1.22 method pattern; the mux answers other methods with 405 and unknown
// paths with 404, except under apiPrefix, where those answers are JSON too.
// Future routes (admin pages, metrics) go here too, and their fixed paths
// into reservedPaths.
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

	return mux
}

// handleHealth answers 200 "ok" whenever the server is serving.
func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
