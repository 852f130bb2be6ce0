package main

// Fault tests of the whole program: "fazhibot serve" started through run,
// driven over loopback HTTP under a steady load while a dependency goes
// away and comes back. Redis is a private redis-server the test kills and
// restarts on the same port; PostgreSQL is the shared server behind the
// test's own TCP proxy (tcpproxy_test.go), which the test cuts and
// restores, in a schema of the test's own.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fazhibot/internal/testenv"
	"fazhibot/internal/wechatclient"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test's own view of the database
)

const (
	// faultQuestion is answered by the bundled report with faultFigure.
	faultQuestion = "生态环境局2020年罚款多少"
	faultFigure   = "316.79万元"
	// faultFollowUp refines faultQuestion to 2021, answered by the sample
	// report jj-sthjj-2021 with faultFollowFigure, only from the session.
	faultFollowUp     = "那2021年呢"
	faultFollowFigure = "412.36万元"
	// faultDeadline is WeChat's: a passive reply after 5 s is dropped.
	faultDeadline = 5 * time.Second
	// faultPostgresURL is the shared test database (DEVELOPERS.md).
	faultPostgresURL = testenv.PostgresURL
)

// faultProgram is one "fazhibot serve" running in the test's process.
type faultProgram struct {
	base           string // http://127.0.0.1:port
	stdout, stderr *syncBuffer
}

// faultServe runs "serve" with getenv (listening on 127.0.0.1:0) and waits
// for the address it prints. At cleanup it cancels the run and waits for
// run to return nil.
func faultServe(t *testing.T, getenv func(string) string) *faultProgram {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &faultProgram{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), p.stdout, p.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v; stderr:\n%s", err, faultTail(p.stderr.String(), 40))
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop within 20 s of cancellation")
		}
	})
	addr := regexp.MustCompile(`fazhibot 已启动: (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(p.stdout.String()); m != nil {
			p.base = m[1]
			return p
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("serve ended early: %v; stderr:\n%s", err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address; stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		}
	}
}

// faultCLI runs one command of the program to its end.
func faultCLI(t *testing.T, getenv func(string) string, args ...string) {
	t.Helper()
	var stdout, stderr strings.Builder
	if err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("fazhibot %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
}

// faultTail returns the last n lines of s.
func faultTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// faultAESKey returns a fresh EncodingAESKey: 32 random bytes in 43
// base64 characters.
func faultAESKey() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(key), "=")
}

// faultTag is a short random tag for user names.
func faultTag() string { return strings.ToLower(rand.Text()[:8]) }

// faultReadiness is the body of GET /readyz.
type faultReadiness struct {
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
}

// faultReadyz asks the program whether it is ready.
func faultReadyz(client *http.Client, base string) (int, faultReadiness, error) {
	var rd faultReadiness
	resp, err := client.Get(base + "/readyz")
	if err != nil {
		return 0, rd, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, rd, err
	}
	if err := json.Unmarshal(body, &rd); err != nil {
		return resp.StatusCode, rd, fmt.Errorf("/readyz body %q: %w", body, err)
	}
	return resp.StatusCode, rd, nil
}

// faultMetric returns the value of one series ("name" or
// `name{label="v"}`) at base's /metrics; ok is false when it is missing.
func faultMetric(t *testing.T, base, series string) (v float64, ok bool) {
	t.Helper()
	resp, err := metricsGet(base)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	for line := range strings.Lines(string(body)) {
		if rest, found := strings.CutPrefix(strings.TrimSpace(line), series+" "); found {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("metric %s: %q: %v", series, rest, err)
			}
			return v, true
		}
	}
	return 0, false
}

// faultLogLine returns the first JSON log line of stderr at level with a
// message containing msg.
func faultLogLine(stderr, level, msg string) (map[string]any, bool) {
	for line := range strings.Lines(stderr) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec["level"] == level && strings.Contains(fmt.Sprint(rec["msg"]), msg) {
			return rec, true
		}
	}
	return nil, false
}

// faultWeChat plays WeChat's servers against a program's callback.
type faultWeChat struct {
	url  string
	wx   *wechatclient.Client
	http *http.Client
	ids  atomic.Int64
}

func newFaultWeChat(t *testing.T, base, token, appID, aesKey string) *faultWeChat {
	t.Helper()
	wx, err := wechatclient.New(token, appID, aesKey)
	if err != nil {
		t.Fatal(err)
	}
	w := &faultWeChat{url: base + "/wechat", wx: wx, http: &http.Client{Timeout: 15 * time.Second}}
	w.ids.Store(time.Now().UnixNano() / 1000) // distinct MsgIds per test
	t.Cleanup(w.http.CloseIdleConnections)
	return w
}

// say sends one text message from user with a MsgId of its own and returns
// the reply's text. It fails unless the answer is a 200 with a non-empty
// text reply to user within WeChat's deadline. It is safe for concurrent
// use.
func (w *faultWeChat) say(user, text string) (string, time.Duration, error) {
	req, err := wxRequest(w.wx, w.url, wxCall{user: user, text: text, msgID: w.ids.Add(1), at: time.Now()})
	if err != nil {
		return "", 0, err
	}
	r, elapsed, err := wxRoundTrip(w.wx, w.http, req)
	switch {
	case err != nil:
		return "", elapsed, fmt.Errorf("%s %q: %w", user, text, err)
	case elapsed >= faultDeadline:
		return r.Content, elapsed, fmt.Errorf("%s %q: reply after %v, past WeChat's deadline", user, text, elapsed)
	case r.ToUserName != user || r.MsgType != "text" || strings.TrimSpace(r.Content) == "":
		return r.Content, elapsed, fmt.Errorf("%s %q: reply %+v is not a text reply to the user", user, text, r)
	}
	return r.Content, elapsed, nil
}

// faultLoad runs workers until stop is called; each failure is recorded.
type faultLoad struct {
	stopc    chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
	mu       sync.Mutex
	failures []string
}

func newFaultLoad(t *testing.T) *faultLoad {
	l := &faultLoad{stopc: make(chan struct{})}
	t.Cleanup(l.stop) // also when the test ends early
	return l
}

// start runs work(worker, n) for n = 0, 1, … on workers goroutines.
func (l *faultLoad) start(workers int, work func(worker, n int)) {
	for w := range workers {
		l.wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-l.stopc:
					return
				default:
				}
				work(w, n)
			}
		})
	}
}

func (l *faultLoad) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, fmt.Sprintf(format, args...))
}

// stop stops the workers and waits for them.
func (l *faultLoad) stop() {
	l.once.Do(func() { close(l.stopc) })
	l.wg.Wait()
}

// check reports the failures, at most ten of them.
func (l *faultLoad) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.failures {
		if i == 10 {
			t.Errorf("… and %d more failures", len(l.failures)-10)
			break
		}
		t.Error(f)
	}
}

// faultSleepUntil sleeps until at.
func faultSleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

// TestRedisOutageUnderLoad serves WeChat (safe mode) with sessions, dedupe
// and rate limits in a private Redis, sends conversations from 8 citizens
// at a time (a fresh OpenID per conversation, a MsgId per message), kills
// Redis for 3 s under that load and starts it again on the same port.
func TestRedisOutageUnderLoad(t *testing.T) {
	rs := newPrivateRedis(t)
	token, appID, aesKey := "faultToken"+faultTag(), "wxfault"+faultTag(), faultAESKey()
	getenv := testEnv(t, map[string]string{
		"FAZHIBOT_REDIS_URL":      "redis://" + rs.addr() + "/0",
		"FAZHIBOT_WECHAT_TOKEN":   token,
		"FAZHIBOT_WECHAT_APP_ID":  appID,
		"FAZHIBOT_WECHAT_AES_KEY": aesKey,
	})
	// The follow-up needs the 2021 report next to the bundled 2020 one.
	faultCLI(t, getenv, "kb", "import", "../../knowledge/testdata/reports/jj-sthjj-2021.txt")
	faultCLI(t, getenv, "kb", "publish", "-m", "故障测试: 生态环境局2021年报告")
	p := faultServe(t, getenv)
	wc := newFaultWeChat(t, p.base, token, appID, aesKey)
	probe := &http.Client{Timeout: 5 * time.Second}
	tag := faultTag()

	// One conversation: the question, the follow-up that only a session
	// can resolve, and now and then small talk in between.
	type conversation struct {
		start, end time.Time
		followed   bool          // the follow-up was answered from the session
		slowest    time.Duration // the longest round trip of its messages
	}
	var (
		mu       sync.Mutex
		convs    []conversation
		messages atomic.Int64
	)
	load := newFaultLoad(t)
	load.start(8, func(w, n int) {
		user := fmt.Sprintf("oFault%s%d_%d", tag, w, n)
		c := conversation{start: time.Now()}
		turns := []string{faultQuestion, faultFollowUp}
		if n%3 == 1 {
			turns = []string{faultQuestion, "你好", faultFollowUp}
		}
		var replies []string
		for _, text := range turns {
			r, elapsed, err := wc.say(user, text)
			messages.Add(1)
			c.slowest = max(c.slowest, elapsed)
			if err != nil {
				load.fail("%v", err)
				time.Sleep(50 * time.Millisecond)
				return
			}
			replies = append(replies, r)
		}
		c.end = time.Now()
		if !strings.Contains(replies[0], faultFigure) {
			load.fail("%s %q: %q lacks %s (a whole question is answered also without Redis)", user, faultQuestion, replies[0], faultFigure)
		}
		c.followed = strings.Contains(replies[len(replies)-1], faultFollowFigure)
		mu.Lock()
		convs = append(convs, c)
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	})

	start := time.Now()
	faultSleepUntil(start.Add(3 * time.Second))
	killing := time.Now()
	rs.stop()
	killed := time.Now()

	// Ready but degraded while Redis is away, polled every half second.
	for at := killed.Add(250 * time.Millisecond); at.Before(killed.Add(3 * time.Second)); at = at.Add(500 * time.Millisecond) {
		faultSleepUntil(at)
		status, rd, err := faultReadyz(probe, p.base)
		if err != nil || status != http.StatusOK || !rd.Ready || !strings.HasPrefix(rd.Checks["redis"], "degraded") {
			t.Errorf("/readyz %v into the outage = %d %+v, %v; want 200, ready, redis degraded", time.Since(killed).Round(time.Millisecond), status, rd, err)
		}
	}

	faultSleepUntil(killed.Add(3 * time.Second))
	restarting := time.Now()
	rs.start() // on the same port; returns once it answers PING
	restarted := time.Now()
	faultSleepUntil(restarted.Add(3 * time.Second))
	load.stop()
	load.check(t)

	// The program is back when its first conversation after the restart
	// was followed up from a session: go-redis stops dialling after
	// repeated failures and probes the server once a second, so this lags
	// the restart by up to about a second.
	recovered := time.Time{}
	for _, c := range convs {
		if c.start.After(restarted) && c.followed && (recovered.IsZero() || c.end.Before(recovered)) {
			recovered = c.end
		}
	}
	if recovered.IsZero() {
		t.Fatalf("no conversation was followed up from a session in the 3 s after Redis came back")
	}
	if lag := recovered.Sub(restarted); lag > 2500*time.Millisecond {
		t.Errorf("sessions resumed %v after Redis came back, want within 2.5 s", lag)
	}

	var before, during, recovering, after, duringFollowed int
	var slowest [3]time.Duration // before, during, after the outage
	for _, c := range convs {
		switch {
		case c.end.Before(killing):
			before++
			slowest[0] = max(slowest[0], c.slowest)
			if !c.followed {
				t.Errorf("a conversation before the outage (%v–%v) lost its session", c.start.Sub(start), c.end.Sub(start))
			}
		case c.start.After(killed) && c.end.Before(restarting):
			during++
			slowest[1] = max(slowest[1], c.slowest)
			if c.followed {
				duringFollowed++
			}
		case c.start.After(recovered):
			after++
			slowest[2] = max(slowest[2], c.slowest)
			if !c.followed {
				t.Errorf("a conversation after the recovery (%v–%v, sessions back at %v) lost its session",
					c.start.Sub(start), c.end.Sub(start), recovered.Sub(start))
			}
		case c.start.After(restarted):
			recovering++
		}
	}
	t.Logf("%d messages in %d conversations: %d before the outage, %d during it (%d followed up from a session), "+
		"%d while reconnecting, %d after sessions resumed %v after the restart; slowest reply before/during/after: %v/%v/%v",
		messages.Load(), len(convs), before, during, duringFollowed, recovering, after, recovered.Sub(restarted).Round(time.Millisecond),
		slowest[0].Round(time.Millisecond), slowest[1].Round(time.Millisecond), slowest[2].Round(time.Millisecond))
	if before == 0 || during == 0 || after == 0 {
		t.Errorf("conversations before/during/after the outage: %d/%d/%d, want some in each", before, during, after)
	}
	if duringFollowed != 0 {
		t.Errorf("%d conversations during the outage were followed up from a session: Redis was not down", duringFollowed)
	}

	// A fresh citizen after the recovery gets the follow-up from the session.
	user := "oFaultFresh" + tag
	for _, s := range []struct{ say, want string }{{faultQuestion, faultFigure}, {faultFollowUp, faultFollowFigure}} {
		r, _, err := wc.say(user, s.say)
		if err != nil || !strings.Contains(r, s.want) {
			t.Errorf("after the recovery, %q = %q, %v; want %s", s.say, r, err, s.want)
		}
	}

	status, rd, err := faultReadyz(probe, p.base)
	if err != nil || status != http.StatusOK || rd.Checks["redis"] != "ok" {
		t.Errorf("/readyz after the recovery = %d %+v, %v; want 200, redis ok", status, rd, err)
	}
	if v, ok := faultMetric(t, p.base, `fazhibot_dependency_errors_total{dependency="redis"}`); !ok || v <= 0 {
		t.Errorf(`fazhibot_dependency_errors_total{dependency="redis"} = %v (present: %v), want > 0`, v, ok)
	}
	// The callback warns when its dedupe store fails. The bot's own warning
	// goes to bot.Options.ErrorLog, which serve does not set (app.dialogue),
	// so it is only noted here, not required.
	stderr := p.stderr.String()
	if rec, ok := faultLogLine(stderr, "WARN", "reply cache claim failed; answering without dedupe"); !ok {
		t.Errorf("no warning about the failing reply cache on stderr:\n%s", faultTail(stderr, 20))
	} else if e := fmt.Sprint(rec["err"]); !strings.Contains(e, "redis") {
		t.Errorf("the reply-cache warning's err %q does not name Redis", e)
	}
	if _, ok := faultLogLine(stderr, "WARN", "bot: store unavailable"); !ok {
		t.Log("note: the bot's own store warning does not reach serve's log (app.dialogue sets no bot.Options.ErrorLog)")
	}
}

// faultPostgres connects to the shared test database outside any schema,
// skipping t (failing it with CI=true) when PostgreSQL is unreachable.
func faultPostgres(t *testing.T) *sql.DB {
	return testenv.Postgres(t)
}

// faultAsk asks one question through the JSON API and checks the answer:
// 200, answered with want, within WeChat's deadline (the API has the same
// reply timeout).
func faultAsk(client *http.Client, base, token, user, text, want string) error {
	body, _ := json.Marshal(map[string]string{"user": user, "text": text})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/ask", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ask %q: %w", text, err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("ask %q: %w", text, err)
	}
	var got struct {
		Answered bool   `json:"answered"`
		Reply    string `json:"reply"`
	}
	switch err := json.Unmarshal(raw, &got); {
	case resp.StatusCode != http.StatusOK || err != nil:
		return fmt.Errorf("ask %q: %d %s", text, resp.StatusCode, raw)
	case !got.Answered || !strings.Contains(got.Reply, want):
		return fmt.Errorf("ask %q: %+v, want an answer with %s", text, got, want)
	case elapsed >= faultDeadline:
		return fmt.Errorf("ask %q: answered after %v", text, elapsed)
	}
	return nil
}

// TestDatabaseOutageUnderLoad serves on PostgreSQL through the test's TCP
// proxy, asks through the JSON API from 4 clients at a time, and cuts the
// database off for 10 s under that load. Answers never need the database;
// the query log waits in memory and must all be written after recovery.
func TestDatabaseOutageUnderLoad(t *testing.T) {
	admin := faultPostgres(t)
	proxy := newTCPProxy(t, testenv.PostgresAddr)
	dbURL, schema := testenv.PostgresSchema(t, proxy.Addr())
	apiToken := "fault-api-" + faultTag()
	getenv := testEnv(t, map[string]string{
		"FAZHIBOT_DATABASE_URL":        dbURL,
		"FAZHIBOT_LOGS_FLUSH_INTERVAL": "200ms",
		"FAZHIBOT_API_TOKENS":          apiToken,
	})
	p := faultServe(t, getenv)
	probe := &http.Client{Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 15 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	tag := faultTag()

	var asked atomic.Int64 // asks the program answered, each one exchange to log
	load := newFaultLoad(t)
	load.start(4, func(w, n int) {
		// A user per ask: the rate limit (20 a minute) is not under test.
		err := faultAsk(client, p.base, apiToken, fmt.Sprintf("fault-db-%s-%d-%d", tag, w, n), faultQuestion, faultFigure)
		asked.Add(1)
		if err != nil {
			load.fail("%v", err)
		}
		time.Sleep(20 * time.Millisecond)
	})

	start := time.Now()
	faultSleepUntil(start.Add(2 * time.Second))
	if status, rd, err := faultReadyz(probe, p.base); err != nil || status != http.StatusOK || rd.Checks["database"] != "ok" {
		t.Fatalf("/readyz before the outage = %d %+v, %v", status, rd, err)
	}
	proxy.Cut()
	cut := time.Now()
	askedAtCut := asked.Load()

	// Still ready, the database degraded, while it is away: answers do
	// not need it. Polled every half second.
	polls := 0
	for at := cut.Add(250 * time.Millisecond); at.Before(cut.Add(10 * time.Second)); at = at.Add(500 * time.Millisecond) {
		faultSleepUntil(at)
		status, rd, err := faultReadyz(probe, p.base)
		if polls == 0 {
			t.Logf("/readyz in the outage: %d %v", status, rd.Checks)
		}
		polls++
		if err != nil || status != http.StatusOK || !rd.Ready || !strings.HasPrefix(rd.Checks["database"], "degraded") {
			t.Errorf("/readyz %v into the outage = %d %+v, %v; want 200, database degraded", time.Since(cut).Round(time.Millisecond), status, rd, err)
		}
	}
	faultSleepUntil(cut.Add(10 * time.Second))
	askedInOutage := asked.Load() - askedAtCut
	proxy.Restore()
	restored := time.Now()

	// The database is ok again once it answers.
	var readyAfter time.Duration
	for {
		status, rd, err := faultReadyz(probe, p.base)
		if err == nil && status == http.StatusOK && rd.Checks["database"] == "ok" {
			readyAfter = time.Since(restored)
			break
		}
		if time.Since(restored) > 10*time.Second {
			t.Fatalf("/readyz 10 s after the recovery = %d %+v, %v", status, rd, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	faultSleepUntil(restored.Add(2 * time.Second))
	load.stop()
	load.check(t)
	n := asked.Load()
	if askedInOutage == 0 {
		t.Fatal("no asks were answered during the outage")
	}

	// Every exchange reaches the query log, exactly once.
	var logged int64
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := admin.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+schema+`.query_logs WHERE channel = 'api'`).Scan(&logged)
		cancel()
		if err != nil {
			t.Fatalf("counting the query log: %v", err)
		}
		if logged >= n || time.Since(restored) > 15*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if logged != n {
		t.Errorf("the query log holds %d exchanges 15 s after the recovery, want the %d asks answered", logged, n)
	}
	loggedAfter := time.Since(restored)
	if v, _ := faultMetric(t, p.base, "fazhibot_log_written_total"); v != float64(n) {
		t.Errorf("fazhibot_log_written_total = %v, want %d", v, n)
	}
	if v, _ := faultMetric(t, p.base, "fazhibot_log_dropped_total"); v != 0 {
		t.Errorf("fazhibot_log_dropped_total = %v, want 0", v)
	}
	if v, ok := faultMetric(t, p.base, `fazhibot_dependency_errors_total{dependency="database"}`); !ok || v <= 0 {
		t.Errorf(`fazhibot_dependency_errors_total{dependency="database"} = %v (present: %v), want > 0`, v, ok)
	}
	if _, ok := faultLogLine(p.stderr.String(), "WARN", "writing the query log failed; will retry"); !ok {
		t.Errorf("no warning about the failing query log on stderr:\n%s", faultTail(p.stderr.String(), 20))
	}
	t.Logf("%d asks (%d during the 10 s outage, %d /readyz polls ready and degraded); database ok %v and all logged %v after the recovery",
		n, askedInOutage, polls, readyAfter.Round(time.Millisecond), loggedAfter.Round(time.Millisecond))
}
