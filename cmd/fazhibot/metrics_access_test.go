package main

import (
	"net/http"
	"regexp"
	"testing"
)

// TestServeMetricsAccess: /metrics is served nowhere without
// server.metrics_listen or server.metrics_token; with the token only to
// requests that carry it; with the separate listener only there (and with
// both, there with the token).
func TestServeMetricsAccess(t *testing.T) {
	t.Parallel()
	const token = "metrics-access-token-0123456789"
	type probe struct {
		where  string // "main" or "metrics" (the separate listener)
		bearer string
		want   int
	}
	tests := []struct {
		name          string
		listen, token string
		probes        []probe
	}{
		{"neither", "", "", []probe{{"main", "", 404}, {"main", token, 404}}},
		{"token", "", token, []probe{{"main", "", 401}, {"main", "wrong-token-0123456789", 401}, {"main", token, 200}}},
		{"separate listener", "127.0.0.1:0", "", []probe{{"main", "", 404}, {"metrics", "", 200}}},
		{"separate listener with token", "127.0.0.1:0", token, []probe{{"main", token, 404}, {"metrics", "", 401}, {"metrics", token, 200}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := faultServe(t, testEnv(t, map[string]string{
				"FAZHIBOT_SERVER_METRICS_LISTEN": tt.listen,
				metricsTokenVar:                  tt.token,
			}))
			bases := map[string]string{"main": p.base}
			if tt.listen != "" {
				m := regexp.MustCompile(`监控指标: (http://127\.0\.0\.1:\d+)/metrics`).FindStringSubmatch(p.stdout.String())
				if m == nil {
					t.Fatalf("no metrics address in the banner:\n%s", p.stdout.String())
				}
				bases["metrics"] = m[1]
			}
			for _, pr := range tt.probes {
				req, _ := http.NewRequest(http.MethodGet, bases[pr.where]+"/metrics", nil)
				if pr.bearer != "" {
					req.Header.Set("Authorization", "Bearer "+pr.bearer)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != pr.want {
					t.Errorf("GET %s /metrics with token %q = %d, want %d", pr.where, pr.bearer, resp.StatusCode, pr.want)
				}
			}
		})
	}
}
