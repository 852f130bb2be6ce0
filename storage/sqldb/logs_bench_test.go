package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fazhibot/console"
	"fazhibot/internal/testenv"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"fazhibot/knowledge"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// BenchmarkLogs1M measures what the staff pages ask of the query log with
// one million records in it, on SQLite and, when it answers, on the
// PostgreSQL test database:
//
//	go test ./storage/sqldb -run '^$' -bench Logs1M -benchtime 100x -timeout 30m
//
// Seeding goes through InsertLogs in batches of 2000 (rollups included) and
// takes a few minutes per database; FAZHIBOT_BENCH_SQLITE=/path/logs.db
// and FAZHIBOT_BENCH_PG_SCHEMA=name keep the seeded database for later
// runs (drop the schema by hand afterwards). Before measuring, the
// benchmark runs the daily PurgeLogs, which maintains the tables (VACUUM
// ANALYZE on PostgreSQL), as RunRetention does in production. Each sub-benchmark reports the 95th
// percentile of its calls as p95-ms; the goal is at most 200 ms.
func BenchmarkLogs1M(b *testing.B) {
	const records = 1_000_000
	targets := []struct {
		name string
		open func(b *testing.B) *DB
	}{
		{"sqlite", benchSQLite},
		{"postgres", benchPostgres},
	}
	for _, target := range targets {
		b.Run(target.name, func(b *testing.B) {
			db := target.open(b)
			end := time.Date(2026, 6, 30, 0, 0, 0, 0, console.LogZone())
			var have int
			if err := db.read.QueryRow(`SELECT COUNT(*) FROM query_logs`).Scan(&have); err != nil {
				b.Fatal(err)
			}
			if have != records {
				start := time.Now()
				seedLogs(b, db, records, end)
				b.Logf("%s: seeded %d records in %v", target.name, records, time.Since(start).Round(time.Second))
			}
			// The daily purge, with nothing to purge, maintains the tables
			// as in production.
			if _, err := db.PurgeLogs(b.Context(), end.AddDate(0, 0, -200)); err != nil {
				b.Fatal(err)
			}
			benchQueries(b, db, end)
		})
	}
}

// benchSQLite opens a new SQLite file like storage/sqlite.Open, or the
// file named by FAZHIBOT_BENCH_SQLITE, which is seeded once and kept for
// later runs.
func benchSQLite(b *testing.B) *DB {
	path := os.Getenv("FAZHIBOT_BENCH_SQLITE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "logs.db")
	}
	const params = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	write, err := sql.Open("sqlite", path+"?"+params+"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", path+"?"+params+"&_pragma=query_only(1)")
	if err != nil {
		b.Fatal(err)
	}
	db, err := New(b.Context(), Config{Dialect: SQLite, Write: write, Read: read})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// benchPostgres opens a new schema of the PostgreSQL test database, or
// skips.
func benchPostgres(b *testing.B) *DB {
	const url = testenv.PostgresURL
	admin, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		b.Skipf("PostgreSQL unreachable: %v", err)
	}
	schema := os.Getenv("FAZHIBOT_BENCH_PG_SCHEMA") // kept for later runs
	if schema == "" {
		suffix := make([]byte, 8)
		rand.Read(suffix)
		schema = "bench_" + hex.EncodeToString(suffix)
		b.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	}
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		b.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(url + "&search_path=" + schema)
	if err != nil {
		b.Fatal(err)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(10)
	db, err := New(b.Context(), Config{Dialect: PostgreSQL, Write: pool})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// Fixture vocabulary of the benchmark: made-up but shaped like the real
// traffic (a few popular questions, a long tail, 30 departments).
var (
	benchDepts    = []string{"江津区司法局", "江津区生态环境局", "江津区市场监督管理局", "江津区人力资源和社会保障局", "江津区交通运输委员会", "江津区住房和城乡建设委员会"}
	benchSubjects = []string{"行政复议", "行政处罚", "罚款", "社保", "营业执照", "执法检查", "普法宣传", "法律顾问", "信访", "行政诉讼", "规范性文件", "权责清单", "双随机", "公平竞争审查", "法治培训"}
	benchAsks     = []string{"怎么申请", "有多少件", "是多少", "怎么办理", "在哪里办", "有哪些", "情况如何", "去年怎么样"}
)

// seedLogs inserts n records spread over the 180 days before end, in time
// order, through InsertLogs.
func seedLogs(b *testing.B, db *DB, n int, end time.Time) {
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
		at := first.Add(times[i])
		r := console.LogRecord{
			Time: at, Exchange: fmt.Sprintf("%016x", i+1), Channel: "wechat",
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

// benchQueries runs the staff pages' queries as sub-benchmarks.
func benchQueries(b *testing.B, db *DB, end time.Time) {
	ctx := b.Context()
	month := end.AddDate(0, 0, -30)
	var user string
	if err := db.read.QueryRowContext(ctx, `SELECT user_hash FROM query_logs ORDER BY id DESC LIMIT 1`).Scan(&user); err != nil {
		b.Fatal(err)
	}
	var cursor string
	page := console.LogFilter{From: month}
	for range 10 { // the 11th page of the last 30 days
		p, err := db.Logs(ctx, page)
		if err != nil {
			b.Fatal(err)
		}
		page.After = p.Next
	}
	cursor = page.After
	next := func(f console.LogFilter) string { // the cursor of the second page of f
		p, err := db.Logs(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		return p.Next
	}
	lists := []struct {
		name string
		f    console.LogFilter
	}{
		{"first-page", console.LogFilter{}},
		{"30-days", console.LogFilter{From: month, To: end}},
		{"page-11", console.LogFilter{From: month, After: cursor}},
		{"unanswered-30-days", console.LogFilter{From: month, Answer: console.OnlyUnanswered}},
		{"unanswered-page-2", console.LogFilter{From: month, Answer: console.OnlyUnanswered, After: next(console.LogFilter{From: month, Answer: console.OnlyUnanswered})}},
		{"department-page-2", console.LogFilter{Department: benchDepts[5], After: next(console.LogFilter{Department: benchDepts[5]})}},
		{"text-common-page-2", console.LogFilter{From: month, Text: "行政复议", After: next(console.LogFilter{From: month, Text: "行政复议"})}},
		{"answered", console.LogFilter{Answer: console.OnlyAnswered}},
		{"unsatisfied", console.LogFilter{Feedback: console.FeedbackUnsatisfied}},
		{"department-30-days", console.LogFilter{From: month, Department: benchDepts[5]}},
		{"report", console.LogFilter{Report: "report-59"}},
		{"channel-api", console.LogFilter{Channel: "api"}},
		{"user", console.LogFilter{User: user}},
		{"dept-unanswered-30-days", console.LogFilter{From: month, Department: benchDepts[5], Answer: console.OnlyUnanswered}},
		{"text-common-30-days", console.LogFilter{From: month, Text: "行政复议"}},
		{"text-rare-30-days", console.LogFilter{From: month, Text: "编号是12345"}},
		{"text-none-30-days", console.LogFilter{From: month, Text: "没有这样的问题"}},
		{"text-none-all-time", console.LogFilter{Text: "没有这样的问题"}},
		{"old-range", console.LogFilter{From: end.AddDate(0, 0, -170), To: end.AddDate(0, 0, -160)}},
	}
	for _, l := range lists {
		b.Run("Logs/"+l.name, func(b *testing.B) {
			timed(b, func() error { _, err := db.Logs(ctx, l.f); return err })
		})
	}
	b.Run("Dashboard/30-days", func(b *testing.B) {
		timed(b, func() error { _, err := db.Dashboard(ctx, month, end.Add(-time.Second)); return err })
	})
	b.Run("Dashboard/7-days", func(b *testing.B) {
		timed(b, func() error { _, err := db.Dashboard(ctx, end.AddDate(0, 0, -7), end.Add(-time.Second)); return err })
	})
	b.Run("Dashboard/180-days", func(b *testing.B) {
		timed(b, func() error { _, err := db.Dashboard(ctx, end.AddDate(0, 0, -180), end.Add(-time.Second)); return err })
	})
	b.Run("TopUnanswered/30-days-100", func(b *testing.B) {
		timed(b, func() error { _, err := db.TopUnanswered(ctx, month, end, 100); return err })
	})
	b.Run("Log/detail", func(b *testing.B) {
		timed(b, func() error { _, err := db.Log(ctx, 500_000); return err })
	})
}

// timed runs fn b.N times and reports the 95th percentile of its duration.
func timed(b *testing.B, fn func() error) {
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	p95 := took[min(len(took)-1, int(math.Ceil(0.95*float64(len(took))))-1)]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
}
