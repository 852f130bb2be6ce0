package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write
// while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv is the environment of a run in a temporary directory, with the
// repository's dictionaries.
func testEnv(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	env := map[string]string{
		"FAZHIBOT_DATABASE_URL":       "sqlite:" + filepath.Join(t.TempDir(), "fazhibot.db"),
		"FAZHIBOT_KNOWLEDGE_DICT_DIR": "../../configs/jieba",
		"FAZHIBOT_SERVER_LISTEN":      "127.0.0.1:0",
		metricsTokenVar:               testMetricsToken,
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// TestServeEndToEnd starts the whole program on port 0 with the embedded
// defaults (SQLite, in-process sessions, bundled report) and talks to it
// through every door: health, the JSON API and a signed WeChat message.
func TestServeEndToEnd(t *testing.T) {
	const token, apiToken = "wechat-test-token", "api-test-token"
	getenv := testEnv(t, map[string]string{
		"FAZHIBOT_WECHAT_TOKEN": token,
		"FAZHIBOT_API_TOKENS":   apiToken,
	})
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v; stderr:\n%s", err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15 s of cancellation")
		}
	})

	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; {
		if m := addr.FindStringSubmatch(stdout.String()); m != nil {
			base = "http://" + m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v; stderr:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address; stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	t.Run("healthz", func(t *testing.T) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /healthz = %d", resp.StatusCode)
		}
	})

	t.Run("api ask", func(t *testing.T) {
		body := `{"user":"e2e","text":"生态环境局2020年罚款多少"}`
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/ask", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+apiToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct {
			Answered bool   `json:"answered"`
			Reply    string `json:"reply"`
			Hits     []struct {
				ReportID string `json:"report_id"`
			} `json:"hits"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !got.Answered || !strings.Contains(got.Reply, "316.79万元") {
			t.Fatalf("status %d, answer %+v", resp.StatusCode, got)
		}
		if len(got.Hits) == 0 || got.Hits[0].ReportID != "jj-sthjj-2020" {
			t.Errorf("hits %+v, want the bundled report first", got.Hits)
		}
	})

	t.Run("readiness, metrics and the query log", func(t *testing.T) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"database":"ok"`) || !strings.Contains(string(body), "版本 1") {
			t.Fatalf("GET /readyz = %d %s", resp.StatusCode, body)
		}
		// The API ask above was logged: the writer flushes within a second.
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := metricsGet(base)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			text := string(body)
			if !strings.Contains(text, `fazhibot_messages_total{channel="api",kind="text",outcome="answer"} 1`) ||
				!strings.Contains(text, "fazhibot_knowledge_version 1") {
				t.Fatalf("metrics lack the API exchange or the version:\n%s", text)
			}
			if strings.Contains(text, "fazhibot_log_written_total 1") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the exchange was not written to the query log:\n%s", text)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("wechat text message", func(t *testing.T) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		const nonce = "e2enonce"
		parts := []string{token, ts, nonce}
		sort.Strings(parts)
		sum := sha1.Sum([]byte(strings.Join(parts, "")))
		url := fmt.Sprintf("%s/wechat?signature=%s&timestamp=%s&nonce=%s&openid=oE2E", base, hex.EncodeToString(sum[:]), ts, nonce)
		msg := `<xml><ToUserName><![CDATA[gh_jiangjin]]></ToUserName><FromUserName><![CDATA[oE2E]]></FromUserName>` +
			`<CreateTime>` + ts + `</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
			`<Content><![CDATA[环保局2020年罚了多少钱]]></Content><MsgId>1234567890123</MsgId></xml>`
		resp, err := http.Post(url, "text/xml", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		reply, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(reply), "316.79万元") || !strings.Contains(string(reply), "oE2E") {
			t.Fatalf("status %d, reply:\n%s", resp.StatusCode, reply)
		}
	})

	t.Run("admin console", func(t *testing.T) {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(base + "/admin/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/login?next=") {
			t.Fatalf("GET /admin/ = %d, Location %q; want a redirect to the log-in page", resp.StatusCode, loc)
		}
		resp, err = noFollow.Get(base + "/api/v1/admin/me")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /api/v1/admin/me = %d, want 401", resp.StatusCode)
		}

		// No account yet: serve printed the one-time setup link.
		m := regexp.MustCompile(`首次使用:请在浏览器打开 (http://\S+/admin/setup\?token=(\w+)) 创建管理员账号`).FindStringSubmatch(stdout.String())
		if m == nil {
			t.Fatalf("no setup link in:\n%s", stdout.String())
		}
		form := url.Values{"token": {m[2]}, "name": {"站长"}, "password": {"e2e-password"}, "password2": {"e2e-password"}}
		resp, err = noFollow.PostForm(base+"/admin/setup", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
			t.Fatalf("setup: %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
		resp, err = noFollow.PostForm(base+"/admin/setup", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("second setup: %d, want 403", resp.StatusCode)
		}
	})
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error or stderr
	}{
		{"unknown command", []string{"fly"}, nil, "未知命令"},
		{"bad config value", []string{"ask", "你好"}, map[string]string{"FAZHIBOT_DATABASE_URL": "mysql://x"}, "database.url"},
		{"missing config file", []string{"-c", "/nonexistent/fazhibot.yaml", "ask", "x"}, nil, "读取配置文件"},
		{"import of a broken file", []string{"kb", "import", "../../knowledge/testdata/reports/bad-notzip.docx"}, nil, "bad-notzip.docx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, testEnv(t, tt.env), strings.NewReader(""), &stdout, &stderr)
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			if msg := err.Error() + stderr.String(); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q / stderr %q lacks %q", err, stderr.String(), tt.want)
			}
		})
	}
}

// TestImportKeepsKnowledgeBaseOnFailure imports good files, then a batch
// with one broken file: nothing of the batch may appear.
func TestImportKeepsKnowledgeBaseOnFailure(t *testing.T) {
	getenv := testEnv(t, nil)
	runOK := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("fazhibot %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}
	runOK("kb", "import", "../../knowledge/testdata/reports/jj-sfj-2021.txt")
	before := runOK("kb", "list")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"kb", "import",
		"../../knowledge/testdata/reports/jj-sthjj-2021.txt",
		"../../knowledge/testdata/reports/bad-empty.txt"}, getenv, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "bad-empty.txt") || !strings.Contains(err.Error(), "未导入任何报告") {
		t.Fatalf("import error = %v, want one naming bad-empty.txt and saying nothing was imported", err)
	}
	if after := runOK("kb", "list"); after != before {
		t.Errorf("knowledge base changed by a failed import:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if !strings.Contains(before, "jj-sfj-2021") || !strings.Contains(before, "jj-sthjj-2020") {
		t.Errorf("list lacks the imported or the bundled report:\n%s", before)
	}
	show := runOK("kb", "show", "jj-sfj-2021")
	for _, want := range []string{"部门: 江津区司法局", "年度: 2021", "关键词:", "行政复议"} {
		if !strings.Contains(show, want) {
			t.Errorf("kb show lacks %q", want)
		}
	}
	out := runOK("ask", "--json", "司法局2021年收到多少件行政复议申请")
	var ans struct {
		Answered bool
		Reply    string
		Hits     []struct {
			ReportID string   `json:"report_id"`
			Section  string   `json:"section"`
			Score    float64  `json:"score"`
			Matched  []string `json:"matched"`
		}
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("ask --json: %v\n%s", err, out)
	}
	if !ans.Answered || !strings.Contains(ans.Reply, "186件") || ans.Hits[0].ReportID != "jj-sfj-2021" || ans.Hits[0].Section == "" || len(ans.Hits[0].Matched) == 0 {
		t.Errorf("ask --json = %+v", ans)
	}
	runOK("kb", "rm", "jj-sfj-2021")
	if strings.Contains(runOK("kb", "list"), "jj-sfj-2021") {
		t.Error("kb rm left the report listed")
	}
}
