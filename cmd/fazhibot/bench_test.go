package main

// Benchmarks of the WeChat callback on the stack of the integration tests
// (sample reports in SQLite, Redis sessions, dedupe and rate limit, slog
// at Info into a discard writer), through httptest.NewRecorder, against the
// standard-library baseline of `fazhibot bench`. Each op is one message of
// the sample question set, asked in conversations of their own users, with
// 3% of the messages delivered twice; p50-ms and p99-ms are nearest-rank
// percentiles of the ServeHTTP times. Run them with
//
//	go test ./cmd/fazhibot -run '^$' -bench 'Callback|Baseline' -benchtime 2000x

import (
	"fazhibot/internal/wechatclient"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fazhibot/bot"
)

func BenchmarkCallbackPlain(b *testing.B) {
	stack := newBenchTestStack(b)
	benchHandler(b, stack.plain, stack.plainWX)
}

func BenchmarkCallbackAES(b *testing.B) {
	stack := newBenchTestStack(b)
	benchHandler(b, stack.safe, stack.safeWX)
}

func BenchmarkBaseline(b *testing.B) {
	wx, err := wechatclient.New("baselineToken", "wxbaseline", "")
	if err != nil {
		b.Fatal(err)
	}
	benchHandler(b, baselineHandler(wx.Token()), wx)
}

// newBenchTestStack builds the callbacks over the sample reports with the
// shared Redis, logging JSON at Info into a discard writer.
func newBenchTestStack(b *testing.B) *benchStack {
	b.Helper()
	fx := newKBFixture(b)
	store := sharedStore(b)
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	stack, err := newBenchStack(fx.dialogue(b, store, -1), store, 0, logger)
	if err != nil {
		b.Fatal(err)
	}
	return stack
}

// benchQuestionSet is the conversations of the sample question set.
func benchQuestionSet(b *testing.B) [][]string {
	b.Helper()
	f, err := os.Open("../../" + benchQuestionsFile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	qs, err := bot.ReadQuestions(f)
	if err != nil {
		b.Fatal(err)
	}
	convs := make([][]string, len(qs))
	for i, q := range qs {
		convs[i] = q.Turns
	}
	return convs
}

// benchHandler sends b.N messages to h, one at a time, each checked as
// WeChat's servers would read it; a retry must get the first reply again.
func benchHandler(b *testing.B, h http.Handler, wx *wechatclient.Client) {
	convs := benchQuestionSet(b)
	const batch = 2000 // messages per generated workload; each batch has new users
	var (
		turns   []benchTurn
		msgID   = time.Now().UnixNano() / 1000
		lat     []time.Duration
		batches int
	)
	serve := func(turn benchTurn, id int64) string {
		req, err := wxRequest(wx, "/wechat", wxCall{user: turn.user, text: turn.text, msgID: id, at: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(start))
		r, err := wxReadReply(wx, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
		if err != nil || r.ToUserName != turn.user || r.Content == "" {
			b.Fatalf("%q: reply %+v, %v", turn.text, r, err)
		}
		return r.Content
	}
	type sent struct {
		turn  benchTurn
		id    int64
		reply string
	}
	var retry *sent // the message to deliver again next
	start := time.Now()
	for b.Loop() {
		if retry != nil {
			if again := serve(retry.turn, retry.id); again != retry.reply {
				b.Fatalf("retry of %q answered %q, want %q", retry.turn.text, again, retry.reply)
			}
			retry = nil
			continue
		}
		if len(turns) == 0 {
			batches++
			for _, conv := range benchWorkload(convs, batch, uint64(batches), "oBenchTest"+strconv.Itoa(batches)+"x") {
				turns = append(turns, conv...)
			}
		}
		turn := turns[0]
		turns = turns[1:]
		msgID++
		reply := serve(turn, msgID)
		if turn.retry {
			retry = &sent{turn, msgID, reply}
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(ms(nearestRank(lat, 50)), "p50-ms")
	b.ReportMetric(ms(nearestRank(lat, 99)), "p99-ms")
}

// TestPrintBenchTargets: the report names issue 13's targets, the safe
// mode's among them.
func TestPrintBenchTargets(t *testing.T) {
	run := func(name string, n int, lat time.Duration) benchResult {
		r := benchResult{name: name, requests: n, elapsed: time.Second}
		for range n {
			r.latencies = append(r.latencies, lat)
		}
		return r
	}
	var out strings.Builder
	printBench(&out, []benchResult{run("基准", 1000, time.Millisecond), run(benchNamePlain, 600, 5*time.Millisecond), run(benchNameSafe, 540, 30*time.Millisecond)})
	for _, want := range []string{
		"目标 明文模式: 吞吐/基准 0.600(目标 ≥ 0.5)达到;p99 5.00 毫秒(目标 ≤ 20 毫秒)达到",
		"目标 安全模式: 吞吐/基准 0.540(目标 ≥ 0.5)达到;p99 30.00 毫秒(目标 ≤ 20 毫秒)未达到",
		"目标 安全模式/明文模式: 吞吐比 0.900(目标 ≥ 0.85)达到",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
