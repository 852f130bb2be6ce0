package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fazhibot/bot"
	"fazhibot/knowledge"
	"fazhibot/storage/memstore"
)

// TestLoginFloodKeepsCallbackFast is a behaviour test under load, on
// loopback: while 100 goroutines post log-ins with random names (each from
// an address of its own, as a distributed attacker would, so that only the
// cap on concurrent password checks stands in the way), citizens' WeChat
// messages are still answered within 1 s at the 95th percentile. Password
// checks run at the production bcrypt cost. It sends a bounded number of
// messages (about three seconds of flooding).
func TestLoginFloodKeepsCallbackFast(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const (
		attackers = 100
		messages  = 40
		gap       = 50 * time.Millisecond
		maxP95    = time.Second
	)
	srv, err := New(Options{
		Token:  testToken,
		Now:    func() time.Time { return testNow },
		Logger: slog.New(slog.DiscardHandler),
		Responder: &fakeResponder{fn: func(_ context.Context, m bot.Message) bot.Reply {
			// About a millisecond of CPU, like a real answer.
			b := make([]byte, 1024)
			for range 500 {
				s := sha256.Sum256(b)
				b[0] = s[0]
			}
			return bot.Reply{Text: "答复：" + m.Text}
		}},
		Replies: memstore.New(nil),
		Console: ConsoleOptions{
			DB:    openTestDB(t),
			Parse: testParse,
			Draft: func(context.Context) (*knowledge.Base, error) { return nil, nil },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.admin.accounts.Cost(); got != bcrypt.DefaultCost {
		t.Fatalf("password cost %d, want the production %d", got, bcrypt.DefaultCost)
	}
	// Every log-in comes from an address of its own.
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == adminLoginPath {
			i := n.Add(1)
			r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", i>>16&255, i>>8&255, i&255)
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()

	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	floodClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: attackers}, Timeout: 10 * time.Second}
	defer floodClient.CloseIdleConnections()
	var statusMu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range attackers {
		wg.Go(func() {
			for ctx.Err() == nil {
				form := url.Values{"name": {rand.Text()[:8]}, "password": {rand.Text()}, csrfField: {"forged"}}
				req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+adminLoginPath, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(&http.Cookie{Name: loginCookie, Value: "forged"})
				resp, err := floodClient.Do(req)
				if err != nil {
					continue // cancelled at the end
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				statusMu.Lock()
				statuses[resp.StatusCode]++
				statusMu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // the flood at full strength

	wxClient := &http.Client{Timeout: 10 * time.Second}
	defer wxClient.CloseIdleConnections()
	var took []time.Duration
	for i := range messages {
		body := bytes.Replace(fixture(t, "text.xml"), []byte("24890000000000001"), fmt.Appendf(nil, "%d", 24890000000100000+i), 1)
		r := wxRequest{body: body}.build(t)
		req, _ := http.NewRequest("POST", ts.URL+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/xml")
		start := time.Now()
		resp, err := wxClient.Do(req)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		reply, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took = append(took, time.Since(start))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(reply), "答复") {
			t.Fatalf("message %d: %d %q", i, resp.StatusCode, reply)
		}
		time.Sleep(gap)
	}
	stop()
	wg.Wait()

	slices.Sort(took)
	p50, p95, worst := took[len(took)/2], took[len(took)*95/100], took[len(took)-1]
	t.Logf("callback during the flood: p50 %v, p95 %v, max %v; log-in answers %v", p50, p95, worst, statuses)
	if p95 > maxP95 {
		t.Errorf("callback p95 %v during a log-in flood, want at most %v", p95, maxP95)
	}
	// The flood was real: some passwords were checked (401), and the rest
	// were refused (429) rather than queued for bcrypt.
	if statuses[http.StatusUnauthorized] == 0 || statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("log-in answers %v: want both checked (401) and refused (429) attempts", statuses)
	}
	for code := range statuses {
		if code >= 500 {
			t.Errorf("log-in answered %d %d times", code, statuses[code])
		}
	}
}
