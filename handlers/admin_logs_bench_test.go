package handlers

// BenchmarkLogPages1M measures the query-log pages of the staff console
// through the real handler (routing, session cookie, store, templates)
// with one million records in the query log, on SQLite and, when it
// answers, on a fresh schema of the PostgreSQL test database:
//
//	go test ./handlers -run '^$' -bench LogPages1M -benchtime 100x -timeout 60m
//
// It is a benchmark only, so the normal "go test" run never seeds. Seeding
// goes through InsertLogs in batches of 2000 (rollups included), as
// storage/sqldb's BenchmarkLogs1M does with the same generator, and takes
// a few minutes per database; FAZHIBOT_BENCH_PAGES_SQLITE=/path/logs.db
// and FAZHIBOT_BENCH_PAGES_PG_SCHEMA=name keep the seeded database for
// later runs (drop the schema by hand afterwards). The draft holds 60
// reports of 80 passages, which the records' hits name, and the daily
// PurgeLogs runs before measuring, as in production. Each sub-benchmark
// requests one page as an admin and reports the 95th percentile of its
// response time as p95-ms; the goal is at most 200 ms.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fazhibot/accounts"
	"fazhibot/console"
	"fazhibot/internal/testenv"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fazhibot/knowledge"
	"fazhibot/storage/postgres"
	"fazhibot/storage/sqldb"
	"fazhibot/storage/sqlite"
)

func BenchmarkLogPages1M(b *testing.B) {
	const records = 1_000_000
	for _, target := range []struct {
		name string
		open func(b *testing.B) *sqldb.DB
	}{
		{"sqlite", benchPagesSQLite},
		{"postgres", benchPagesPostgres},
	} {
		b.Run(target.name, func(b *testing.B) {
			db := target.open(b)
			ctx := b.Context()
			end := time.Date(2026, 6, 30, 0, 0, 0, 0, console.LogZone())
			var have int
			if err := db.EachLog(ctx, console.LogFilter{From: end.AddDate(0, 0, -1), Limit: 1}, func(console.LogRecord) error {
				have = 1
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			if have == 0 {
				start := time.Now()
				benchSeedLogs(b, db, records, end)
				b.Logf("%s: seeded %d records in %v", target.name, records, time.Since(start).Round(time.Second))
			}
			if _, err := db.PurgeLogs(ctx, end.AddDate(0, 0, -200)); err != nil {
				b.Fatal(err)
			}
			benchPages(b, db, end)
		})
	}
}

// benchPagesSQLite opens a new SQLite file, or the one named by
// FAZHIBOT_BENCH_PAGES_SQLITE, kept for later runs.
func benchPagesSQLite(b *testing.B) *sqldb.DB {
	path := os.Getenv("FAZHIBOT_BENCH_PAGES_SQLITE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "logs.db")
	}
	db, err := sqlite.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// benchPagesPostgres opens a new schema of the PostgreSQL test database
// (or the one named by FAZHIBOT_BENCH_PAGES_PG_SCHEMA, kept), or skips.
func benchPagesPostgres(b *testing.B) *sqldb.DB {
	const base = testenv.PostgresURL
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		b.Skipf("PostgreSQL unreachable: %v", err)
	}
	schema := os.Getenv("FAZHIBOT_BENCH_PAGES_PG_SCHEMA")
	if schema == "" {
		suffix := make([]byte, 8)
		rand.Read(suffix)
		schema = "bench_pages_" + hex.EncodeToString(suffix)
		b.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	}
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		b.Fatal(err)
	}
	db, err := postgres.Open(b.Context(), base+"&search_path="+schema)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// The generator's vocabulary, as in storage/sqldb's benchmark: a few
// popular questions, a long tail, six departments.
var (
	benchDepts    = []string{"江津区司法局", "江津区生态环境局", "江津区市场监督管理局", "江津区人力资源和社会保障局", "江津区交通运输委员会", "江津区住房和城乡建设委员会"}
	benchSubjects = []string{"行政复议", "行政处罚", "罚款", "社保", "营业执照", "执法检查", "普法宣传", "法律顾问", "信访", "行政诉讼", "规范性文件", "权责清单", "双随机", "公平竞争审查", "法治培训"}
	benchAsks     = []string{"怎么申请", "有多少件", "是多少", "怎么办理", "在哪里办", "有哪些", "情况如何", "去年怎么样"}
)

// benchSeedLogs inserts n records spread over the 180 days before end, in
// time order, through InsertLogs, and 60 draft reports for their hits.
func benchSeedLogs(b *testing.B, db *sqldb.DB, n int, end time.Time) {
	var reports []*knowledge.Report
	for i := range 60 {
		r := &knowledge.Report{ID: knowledge.ReportID(fmt.Sprintf("report-%02d", i)), Department: benchDepts[i%len(benchDepts)],
			Year: 2019 + i%6, Format: knowledge.FormatText}
		r.Title = fmt.Sprintf("%s关于%d年度法治政府建设情况的报告", r.Department, r.Year)
		for seq := range 80 {
			r.Passages = append(r.Passages, knowledge.Passage{Seq: seq, Path: []string{"一、主要工作", fmt.Sprintf("（%d）第%d项工作", seq/10+1, seq/10+1)},
				Text: fmt.Sprintf("第%d段：全年办理行政复议案件%d件。", seq, seq*3)})
		}
		reports = append(reports, r)
	}
	if err := db.SaveReports(b.Context(), console.SeedActor, reports...); err != nil {
		b.Fatal(err)
	}

	rng := mrand.New(mrand.NewPCG(1, 2))
	zipf := func(max int) int { // a heavy head and a long tail
		return int(math.Floor(math.Pow(rng.Float64(), 3) * float64(max)))
	}
	const days = 180
	first := end.AddDate(0, 0, -days)
	span := end.Sub(first)
	times := make([]time.Duration, n)
	for i := range times {
		times[i] = time.Duration(rng.Int64N(int64(span)))
	}
	slices.Sort(times)
	reply := ""
	for len(reply) < 900 {
		reply += "江津区司法局全年办理行政复议案件186件，依法纠错12件，纠错率6.5%。"
	}
	const batchSize = 2000
	batch := make([]console.LogRecord, 0, batchSize)
	var recent []string // recent question exchanges, for feedback
	for i := range n {
		r := console.LogRecord{
			Time: first.Add(times[i]), Exchange: fmt.Sprintf("%016x", i+1), Channel: "wechat",
			User: fmt.Sprintf("%032x", rng.IntN(50000)), Kind: "text",
			Latency: time.Duration(math.Exp(rng.NormFloat64()*0.6+4.3)) * time.Millisecond, // ~75ms median
		}
		if rng.IntN(10) == 0 {
			r.Channel = "api"
		}
		switch k := rng.IntN(100); {
		case k < 72: // a question
			subject := benchSubjects[zipf(len(benchSubjects))]
			r.Text = subject + benchAsks[zipf(len(benchAsks))]
			if rng.IntN(100) < 40 {
				r.Department = benchDepts[zipf(len(benchDepts))]
				r.Text = r.Department + r.Text
			}
			if rng.IntN(100) < 30 {
				r.Year = 2019 + rng.IntN(6)
				r.Text = fmt.Sprintf("%d年%s", r.Year, r.Text)
			}
			if rng.IntN(100) < 25 { // the long tail: one-off wordings
				r.Text += fmt.Sprintf("，我的编号是%d", rng.IntN(1_000_000))
			}
			r.Question, r.Intent, r.FollowUp = true, "answer", "new"
			r.Terms = []string{subject, "江津"}
			r.Answered = rng.IntN(100) < 75
			if !r.Answered {
				r.Intent, r.Reason = "not_covered", knowledge.ReasonLowConfidence
			}
			for h := range 1 + rng.IntN(5) {
				r.Hits = append(r.Hits, console.LogHit{
					Report: knowledge.ReportID(fmt.Sprintf("report-%02d", zipf(60))), Seq: zipf(80),
					Score: 10 - float64(h), Confidence: 0.8,
				})
			}
			r.Reply = reply
			recent = append(recent, r.Exchange)
			if len(recent) > 1000 {
				recent = recent[500:]
			}
		case k < 77 && len(recent) > 0: // feedback on a recent answer
			r.Intent, r.Text = "feedback", "满意"
			r.Gives, r.RefersTo = console.FeedbackSatisfied, recent[rng.IntN(len(recent))]
			if rng.IntN(100) < 30 {
				r.Text, r.Gives = "不满意", console.FeedbackUnsatisfied
			}
			r.Reply = "感谢您的评价。"
		default:
			r.Intent, r.Text, r.Reply = "greeting", "你好", "您好，我是江津发布法治小助手。"
		}
		batch = append(batch, r)
		if len(batch) == batchSize || i == n-1 {
			if err := db.InsertLogs(b.Context(), batch); err != nil {
				b.Fatalf("InsertLogs: %v", err)
			}
			batch = batch[:0]
		}
	}
}

// benchServer returns a Server with the console on db and the cookie of
// an admin's new session.
func benchServer(b *testing.B, db *sqldb.DB) (*Server, *http.Cookie) {
	ctx := b.Context()
	const name = "bench-admin"
	u, err := db.UserByName(ctx, name)
	if errors.Is(err, console.ErrNotFound) {
		hash, herr := bcrypt.GenerateFromPassword([]byte(accounts.Generate()), bcrypt.MinCost)
		if herr != nil {
			b.Fatal(herr)
		}
		u, err = db.CreateUser(ctx, console.User{Name: name, Role: console.RoleAdmin, PasswordHash: string(hash)}, setupActor)
	}
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{
		Responder: &fakeResponder{},
		Replies:   &fakeCache{},
		Logger:    slog.New(slog.DiscardHandler),
		Console: ConsoleOptions{
			DB:    db,
			Parse: testParse,
			Draft: func(context.Context) (*knowledge.Base, error) { return nil, errors.New("not used by the log pages") },
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	secret := accounts.RandomSecret(32)
	if err := db.CreateWebSession(ctx, console.WebSession{IDHash: accounts.HashSecret(secret), UserID: u.ID, CSRFToken: accounts.RandomSecret(32),
		ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	return srv, &http.Cookie{Name: srv.admin.cookieName(), Value: secret}
}

// benchPages times the pages as sub-benchmarks.
func benchPages(b *testing.B, db *sqldb.DB, end time.Time) {
	srv, cookie := benchServer(b, db)
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	last := end.AddDate(0, 0, -1).Format(logDateLayout) // the last seeded day
	month := "from=" + end.AddDate(0, 0, -30).Format(logDateLayout) + "&to=" + last
	half := "from=" + end.AddDate(0, 0, -180).Format(logDateLayout) + "&to=" + last
	dept := url.QueryEscape(benchDepts[5])
	// The second page of a filtered list, as its next link gives it.
	nextOf := func(path string) string {
		rec := get(path)
		i := strings.Index(rec.Body.String(), `" rel="next">`)
		if rec.Code != http.StatusOK || i < 0 {
			b.Fatalf("%s: %d, no next link", path, rec.Code)
		}
		body := rec.Body.String()[:i]
		return strings.ReplaceAll(body[strings.LastIndex(body, `"`)+1:], "&amp;", "&")
	}
	pages := []struct {
		name, path string
		rows       int // rows the list must show, or -1
	}{
		{"list/first-page-30-days", logListPath + "?" + month, logPageSize},
		{"list/first-page-180-days", logListPath + "?" + half, logPageSize},
		{"list/unanswered-dept-30-days", logListPath + "?" + month + "&answer=unanswered&dept=" + dept, logPageSize},
		{"list/unanswered-dept-page-2", nextOf(logListPath + "?" + month + "&answer=unanswered&dept=" + dept), logPageSize},
		{"list/no-verdict-30-days", logListPath + "?" + month + "&feedback=none", logPageSize},
		{"list/unsatisfied-api-30-days", logListPath + "?" + month + "&feedback=unsatisfied&channel=api", -1},
		{"list/report-30-days", logListPath + "?" + month + "&report=report-59", -1},
		{"list/text-common-30-days", logListPath + "?" + month + "&q=" + url.QueryEscape("行政复议"), logPageSize},
		{"list/text-rare-30-days", logListPath + "?" + month + "&q=" + url.QueryEscape("编号是12345"), -1},
		{"list/text-none-30-days", logListPath + "?" + month + "&q=" + url.QueryEscape("没有这样的问题"), 0},
		{"detail", logsPath + "/500000", -1},
		{"dashboard/30-days", logsPath + "?" + month, -1},
		{"dashboard/180-days", logsPath + "?" + half, -1},
		{"unanswered/30-days", unansweredPath + "?" + month, -1},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			rec := get(p.path)
			if rec.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", p.path, rec.Code, clip(rec.Body.String()))
			}
			if n := len(listedIDs(rec.Body.String())); p.rows >= 0 && n != p.rows {
				b.Fatalf("%s: %d rows, want %d", p.path, n, p.rows)
			}
			var took []time.Duration
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				req.AddCookie(cookie)
				start := time.Now()
				srv.ServeHTTP(discardRecorder{httptest.NewRecorder()}, req)
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			p95 := took[min(len(took)-1, int(math.Ceil(0.95*float64(len(took))))-1)]
			b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// discardRecorder is a ResponseRecorder that drops the body.
type discardRecorder struct{ *httptest.ResponseRecorder }

func (d discardRecorder) Write(p []byte) (int, error) { return io.Discard.Write(p) }

func (d discardRecorder) WriteString(s string) (int, error) { return len(s), nil }
