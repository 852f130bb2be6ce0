package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// Readiness is what Options.Ready reports: whether the server can answer
// (Ready), and a word per dependency for operators ("ok", "degraded: …",
// "down: …").
type Readiness struct {
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
}

// readyTimeout bounds Options.Ready, so a hung dependency cannot hang the
// probe.
const readyTimeout = 2 * time.Second

// handleReady answers 200 with the checks when Options.Ready reports ready,
// else 503; 200 with no checks when no Ready is configured.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	rd := Readiness{Ready: true, Checks: map[string]string{}}
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		rd = s.ready(ctx)
		cancel()
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !rd.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rd)
}

// MetricsHandler serves h (the Prometheus metrics) only to requests that
// carry "Authorization: Bearer token", compared in constant time; others
// get a plain 401. An empty token serves h to everyone, for a listener only
// the operator can reach. It is safe for concurrent use when h is.
func MetricsHandler(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := bearerToken(r.Header.Get("Authorization"))
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("Www-Authenticate", `Bearer realm="fazhibot-metrics"`)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "需要访问令牌 (server.metrics_token)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// requestIDHeader carries the request id to and from proxies.
const requestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID returns the id withRequestLog gave the request of ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestLog gives every request an id (the client's X-Request-Id when
// it sends a sane one), echoes it in the response, and logs one line per
// request at Info: method, path, status, duration and id — never the body
// or query string, which may carry message contents or signatures.
func (s *Server) withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if len(id) == 0 || len(id) > 64 || !isToken(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set(requestIDHeader, id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)))
	})
}

// isToken reports whether id holds only letters, digits, '-' and '_'.
func isToken(id string) bool {
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
