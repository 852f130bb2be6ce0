package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadyz(t *testing.T) {
	tests := []struct {
		name   string
		ready  func(context.Context) Readiness
		status int
		check  string
	}{
		{"no probe configured", nil, http.StatusOK, ""},
		{"ready with Redis degraded", func(context.Context) Readiness {
			return Readiness{Ready: true, Checks: map[string]string{"redis": "degraded: dial tcp: refused"}}
		}, http.StatusOK, "degraded"},
		{"database down", func(context.Context) Readiness {
			return Readiness{Ready: false, Checks: map[string]string{"database": "down: closed"}}
		}, http.StatusServiceUnavailable, "down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newTestServer(t, func(o *Options) { o.Ready = tt.ready })
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tt.status {
				t.Fatalf("GET /readyz = %d, want %d", rec.Code, tt.status)
			}
			var got Readiness
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Ready != (tt.status == http.StatusOK) || !strings.Contains(rec.Body.String(), tt.check) {
				t.Errorf("body %s", rec.Body.String())
			}
		})
	}
}

func TestMetricsRoute(t *testing.T) {
	const token = "metrics-token-0123456789"
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("fazhibot_up 1\n")) })
	tests := []struct {
		name          string
		metrics       http.Handler
		token, bearer string
		want          int
	}{
		{"no token configured", metrics, "", "", http.StatusOK},
		{"token configured, none sent", metrics, token, "", http.StatusUnauthorized},
		{"token configured, wrong one sent", metrics, token, token + "x", http.StatusUnauthorized},
		{"token configured, a prefix sent", metrics, token, token[:10], http.StatusUnauthorized},
		{"token configured and sent", metrics, token, token, http.StatusOK},
		{"no metrics", nil, token, token, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newTestServer(t, func(o *Options) { o.Metrics, o.MetricsToken = tt.metrics, tt.token })
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			rec := serve(s, req)
			if rec.Code != tt.want {
				t.Fatalf("GET /metrics = %d %q, want %d", rec.Code, rec.Body.String(), tt.want)
			}
			if leaked := strings.Contains(rec.Body.String(), "fazhibot_up"); leaked != (tt.want == http.StatusOK) {
				t.Errorf("body %q", rec.Body.String())
			}
		})
	}
}

func TestRequestIDIsLoggedAndEchoed(t *testing.T) {
	var logs bytes.Buffer
	s, _, _ := newTestServer(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	tests := []struct {
		name, sent string
		keep       bool
	}{
		{"client id kept", "abc-123_X", true},
		{"hostile id replaced", "<script>", false},
		{"none sent", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(http.MethodGet, "/healthz?secret=x", nil)
			if tt.sent != "" {
				req.Header.Set("X-Request-Id", tt.sent)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			if id == "" || (tt.keep && id != tt.sent) || (!tt.keep && id == tt.sent) {
				t.Fatalf("X-Request-Id = %q (sent %q)", id, tt.sent)
			}
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log line %q: %v", logs.String(), err)
			}
			if line["request_id"] != id || line["path"] != "/healthz" || line["status"] != float64(200) {
				t.Errorf("log line %v", line)
			}
			if strings.Contains(logs.String(), "secret=x") {
				t.Error("the query string was logged")
			}
		})
	}
}
