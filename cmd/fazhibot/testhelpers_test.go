package main

// Helpers shared by the whole-program tests (browser_test.go and
// cluster_test.go): a served instance started through run, the console's
// log-in and API tokens, the JSON API, a PostgreSQL schema and a Redis
// database of the test's own.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fazhibot/internal/testenv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop test schemas
	"github.com/redis/go-redis/v9"
)

const (
	// sharedPostgresURL is the PostgreSQL database every engineer's tests
	// share (DEVELOPERS.md); each test works in a schema of its own.
	sharedPostgresURL = testenv.PostgresURL
	// programRedisDB is the Redis logical database the served instances of
	// these tests use. serve has no key-prefix setting, so the tests keep
	// off the default database 0 and delete only the keys of their own users.
	programRedisDB = 7

	// sfjReport is the fictional report the tests publish; sfjQuestion is
	// answered only by it, with sfjFigure.
	sfjReport   = "../../knowledge/testdata/reports/jj-sfj-2021.txt"
	sfjQuestion = "司法局2021年收到多少件行政复议申请"
	sfjFigure   = "186件"
	// sfjNotCovered is how a version without the report answers sfjQuestion.
	sfjNotCovered = "还没有收录江津区司法局"
	// bundledQuestion is answered by the bundled report, in every version.
	bundledQuestion = "生态环境局2020年罚款多少"
	bundledFigure   = "316.79万元"
)

// servedInstance is one "fazhibot serve" running in the test's process
// through run, on a free loopback port.
type servedInstance struct {
	base           string // http://127.0.0.1:port
	stdout, stderr *syncBuffer
}

// startInstance runs "serve" with getenv (which must listen on
// 127.0.0.1:0) and waits until it printed its address. At cleanup it
// cancels the run and waits up to 15 s for run to return without error.
func startInstance(t *testing.T, name string, getenv func(string) string) *servedInstance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &servedInstance{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), s.stdout, s.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: run returned %v; stderr:\n%s", name, err, s.stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s: serve did not stop within 15 s of cancellation", name)
		}
	})
	addr := regexp.MustCompile(`fazhibot 已启动: (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(60 * time.Second); ; {
		if m := addr.FindStringSubmatch(s.stdout.String()); m != nil {
			s.base = m[1]
			return s
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("%s: run ended early: %v; stderr:\n%s", name, err, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: serve printed no address; stdout:\n%s\nstderr:\n%s", name, s.stdout.String(), s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setupLink returns the one-time setup link the instance printed.
func (s *servedInstance) setupLink(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`请在浏览器打开 (http://\S+/admin/setup\?token=\w+) `).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no setup link in:\n%s", s.stdout.String())
	}
	return m[1]
}

// mapEnv is the environment of a run: only the given variables are set.
func mapEnv(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		if k == metricsTokenVar {
			return testMetricsToken
		}
		return ""
	}
}

// testMetricsToken is the server.metrics_token of served test programs
// (testEnv and mapEnv set it unless the test does), which metricsGet sends.
const (
	testMetricsToken = "metrics-test-token-0123456789"
	metricsTokenVar  = "FAZHIBOT_SERVER_METRICS_TOKEN"
)

// metricsGet fetches base's /metrics with testMetricsToken.
func metricsGet(base string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	return http.DefaultClient.Do(req)
}

// withVars returns a copy of base with the given variables set (an empty
// value unsets one).
func withVars(base map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// runCommand runs one command of the program to its end with stdin and
// returns its standard output; it fails t on an error.
func runCommand(t *testing.T, getenv func(string) string, stdin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, getenv, strings.NewReader(stdin), &stdout, &stderr); err != nil {
		t.Fatalf("fazhibot %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// uniqueTag returns a short random tag for names (users, schemas, keys)
// that must not collide with other tests sharing a database.
func uniqueTag() string {
	return strings.ToLower(rand.Text()[:10])
}

// copyReport copies the report at src to a temporary directory under the
// same file name (the report ID) and returns the copy's path.
func copyReport(t *testing.T, src string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// askReply is the JSON API's answer to POST /api/v1/ask.
type askReply struct {
	Answered bool   `json:"answered"`
	Reply    string `json:"reply"`
	Hits     []struct {
		ReportID string `json:"report_id"`
	} `json:"hits"`
}

// askAPI asks the instance at base one question through the JSON API.
func askAPI(ctx context.Context, client *http.Client, base, token, user, text string) (askReply, int, error) {
	body, _ := json.Marshal(map[string]string{"user": user, "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/ask", bytes.NewReader(body))
	if err != nil {
		return askReply{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return askReply{}, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return askReply{}, resp.StatusCode, err
	}
	var got askReply
	if err := json.Unmarshal(raw, &got); err != nil {
		return askReply{}, resp.StatusCode, fmt.Errorf("decoding %q: %w", raw, err)
	}
	return got, resp.StatusCode, nil
}

// mustAsk is askAPI that fails t unless the answer is a 200.
func mustAsk(t *testing.T, base, token, user, text string) askReply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, status, err := askAPI(ctx, http.DefaultClient, base, token, user, text)
	if err != nil || status != http.StatusOK {
		t.Fatalf("ask %q at %s: status %d, %v", text, base, status, err)
	}
	return got
}

// metricValue returns the value of the unlabelled metric name at base's
// /metrics, "" when it is missing.
func metricValue(t *testing.T, base, name string) string {
	t.Helper()
	resp, err := metricsGet(base)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/metrics = %d", base, resp.StatusCode)
	}
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			return v
		}
	}
	return ""
}

// consoleToken logs in to the console at base as name with password
// through the log-in form and creates an API token of that account
// through the JSON API (with the session cookie and its CSRF token). It
// returns the token's secret, for "Authorization: Bearer".
func consoleToken(t *testing.T, base, name, password string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Get(base + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("log-in page without a form token:\n%s", page)
	}
	resp, err = c.PostForm(base+"/admin/login", url.Values{"csrf_token": {string(m[1])}, "next": {"/admin/"}, "name": {name}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A log-in lands on the console (its home page), not back on the form.
	if p := resp.Request.URL.Path; resp.StatusCode != http.StatusOK || !strings.HasPrefix(p, "/admin/") || strings.HasPrefix(p, "/admin/login") {
		t.Fatalf("log-in as %s: %d at %s", name, resp.StatusCode, resp.Request.URL)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	adminJSON(t, c, http.MethodGet, base+"/api/v1/admin/me", "", nil, http.StatusOK, &me)
	var tok struct {
		Secret string `json:"secret"`
	}
	adminJSON(t, c, http.MethodPost, base+"/api/v1/admin/tokens", me.CSRFToken, map[string]string{"name": "测试脚本"}, http.StatusCreated, &tok)
	if tok.Secret == "" {
		t.Fatal("token creation returned no secret")
	}
	return tok.Secret
}

// adminJSON sends a JSON request to the console's API with client, the
// CSRF token csrf (for a session) and body (nil for none), checks the
// status and decodes the answer into out (nil to skip).
func adminJSON(t *testing.T, client *http.Client, method, target, csrf string, body any, want int, out any) {
	t.Helper()
	consoleRequest(t, client, method, target, csrf, "", body, want, out)
}

// bearerJSON is adminJSON with an API token instead of a session.
func bearerJSON(t *testing.T, method, target, token string, body any, want int, out any) {
	t.Helper()
	consoleRequest(t, http.DefaultClient, method, target, "", token, body, want, out)
}

func consoleRequest(t *testing.T, client *http.Client, method, target, csrf, token string, body any, want int, out any) {
	t.Helper()
	var r io.Reader
	contentType := ""
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, target, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	roundTripJSON(t, client, req, want, out)
}

// roundTripJSON runs req, checks its status (200 or 201 when want is 0) and
// decodes the JSON answer into out (nil to skip).
func roundTripJSON(t *testing.T, client *http.Client, req *http.Request, want int, out any) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ok := resp.StatusCode == want || want == 0 && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated); !ok {
		t.Fatalf("%s %s = %d %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", req.Method, req.URL.Path, raw, err)
		}
	}
}

// previewJSON is the console API's answer to an upload.
type previewJSON struct {
	ID    string `json:"id"`
	Files []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Report *struct {
			ID         string `json:"id"`
			Department string `json:"department"`
			Year       int    `json:"year"`
			Passages   []struct {
				Text string `json:"text"`
			} `json:"passages"`
		} `json:"report"`
	} `json:"files"`
}

// uploadReports uploads the files at paths to the console API at base
// with an API token and returns the preview.
func uploadReports(t *testing.T, base, token string, paths ...string) previewJSON {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, err := mw.CreateFormFile("files", filepath.Base(p))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/admin/uploads", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	var p previewJSON
	roundTripJSON(t, http.DefaultClient, req, http.StatusOK, &p)
	return p
}

// postgresSchemaURL creates an empty schema in the shared test database,
// dropped at cleanup, and returns a URL that uses it. Without PostgreSQL
// the test is skipped (failed with CI=true).
func postgresSchemaURL(t *testing.T) string {
	t.Helper()
	url, _ := testenv.PostgresSchema(t, "")
	return url
}

// programRedisURL returns the URL of the shared Redis's database
// programRedisDB for served instances whose users' names all contain tag.
// At cleanup it deletes the keys naming tag (sessions, rate-limit
// counters), and only those. Without Redis the test is skipped (failed
// with CI=true).
func programRedisURL(t *testing.T, tag string) string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: sharedRedisAddr, DB: programRedisDB, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		requireOrSkipCI(t, fmt.Sprintf("the shared Redis at %s is unreachable: %v", sharedRedisAddr, err))
	}
	t.Cleanup(func() {
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, "*"+tag+"*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Logf("deleting the test's Redis keys: %v", err)
		}
	})
	return fmt.Sprintf("redis://%s/%d", sharedRedisAddr, programRedisDB)
}

// pollUntil polls cond every interval until it returns true or timeout
// passes; it returns how long that took and whether cond held.
func pollUntil(timeout, interval time.Duration, cond func() bool) (time.Duration, bool) {
	return testenv.Poll(timeout, interval, cond)
}
