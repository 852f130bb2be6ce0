package main

// bench.go is `fazhibot bench`, the load test of the WeChat callback: the
// stack serve builds (knowledge base, dialogue, Redis sessions, dedupe and
// rate limit, the handlers package, slog at Info) on a loopback listener,
// driven by a client that plays WeChat's servers, and measured against a
// bare standard-library callback that does no work beyond WeChat's protocol.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fazhibot/internal/wechatclient"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fazhibot/bot"
	"fazhibot/handlers"
	"fazhibot/storage/memstore"
	"fazhibot/storage/redisstore"
)

// The targets of the load test (issue 13), printed as met or missed.
const (
	benchTargetRatio = 0.5                   // callback throughput / baseline throughput
	benchTargetP99   = 20 * time.Millisecond // callback p99 latency
	benchTargetSafe  = 0.85                  // safe-mode throughput / plaintext throughput
)

// The names of the callback's runs, as printed.
const (
	benchNamePlain = "明文模式"
	benchNameSafe  = "安全模式"
)

const (
	// benchQuestionsFile is the sample question set of the source tree;
	// bench falls back to benchBuiltinQuestions when it is not there.
	benchQuestionsFile = "knowledge/testdata/questions.jsonl"
	// benchRetryShare is the share of messages WeChat delivers twice.
	benchRetryShare = 0.03
	// benchFollowShare is the share of conversations that end with 详情 or 更多.
	benchFollowShare = 0.3
	// benchMaxWarmup bounds the unmeasured messages sent before each run.
	benchMaxWarmup = 200
)

// benchBuiltinQuestions are the conversations bench sends when no question
// set is at hand: the hot questions, which the bundled report answers, a
// follow-up, paging, small talk and a question no report covers.
func benchBuiltinQuestions() [][]string {
	var convs [][]string
	for _, q := range bot.DefaultHotQuestions() {
		convs = append(convs, []string{q})
	}
	return append(convs,
		[]string{"江津生态环境局2020年一共罚了多少钱?", "那2021年呢"},
		[]string{"生态环境局2020年罚款多少", "详情", "更多"},
		[]string{"你好", "环保局20年下了几份处罚决定"},
		[]string{"明天江津天气怎么样", "1"},
	)
}

func runBench(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	n := fs.Int("n", 5000, "每种模式发送的消息数(含重试)")
	c := fs.Int("c", 32, "并发连接数")
	mode := fs.String("mode", "both", "回调模式: plain(明文)、aes(安全模式)或 both(两种都测)")
	questions := fs.String("questions", benchQuestionsFile, "问题集(JSON Lines,格式同 fazhibot eval);默认文件不存在时使用内置问题")
	cpuprofile := fs.String("cpuprofile", "", "把整个压测(客户端与服务端)的 CPU 剖析写入此文件,供 go tool pprof 分析")
	memprofile := fs.String("memprofile", "", "压测结束后把整个压测的内存分配剖析(allocs)写入此文件,供 go tool pprof 分析")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法: fazhibot bench [-n 5000] [-c 32] [-mode plain|aes|both] [-questions 问题集.jsonl] [-cpuprofile 文件] [-memprofile 文件]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 || *n < 1 || *c < 1 {
		fs.Usage()
		return errUsage
	}
	var modes []string
	switch *mode {
	case "plain", "aes":
		modes = []string{*mode}
	case "both":
		modes = []string{"plain", "aes"}
	default:
		fmt.Fprintf(e.stderr, "未知模式 %q,应为 plain、aes 或 both\n", *mode)
		return errUsage
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "questions" })
	convs, source, err := loadBenchQuestions(*questions, explicit)
	if err != nil {
		return err
	}

	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	base, err := a.liveBase(ctx)
	if err != nil {
		return err
	}
	runID := rand.Text()[:8]
	var store sessionStore
	storeNote := ""
	var clearKeys func() // deletes the run's keys from Redis
	if e.cfg.Redis.URL == "" {
		fmt.Fprintln(e.stdout, "注意: 未配置 Redis(配置项 redis.url,环境变量 FAZHIBOT_REDIS_URL)。压测应在 Redis 上进行,"+
			"才能计入会话、去重和限流的网络开销;本次改用进程内存储(memstore),结果会偏乐观。")
		store = memstore.New(nil)
		storeNote = "进程内存储(memstore)"
	} else {
		prefix := "fazhibot:bench:" + runID + ":"
		rs, err := redisstore.Open(ctx, e.cfg.Redis.URL, redisstore.Options{KeyPrefix: prefix})
		if err != nil {
			return fmt.Errorf("配置项 redis.url: %w", err)
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = rs.Ping(pctx)
		cancel()
		if err != nil {
			rs.Close()
			return fmt.Errorf("压测需要可用的 Redis,连接失败: %w", err)
		}
		store = rs
		storeNote = "Redis " + redactRedisURL(e.cfg.Redis.URL) + ",键前缀 " + prefix
		// The run's keys go when it ends, so that runs do not leave a
		// shared Redis millions of keys to keep, expire and look up past.
		clearKeys = func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if n, err := rs.Clear(cctx); err != nil {
				fmt.Fprintf(e.stderr, "清理本次压测的 Redis 键(前缀 %s)失败,已删除 %d 个: %v\n", prefix, n, err)
			}
		}
	}
	defer store.Close()
	if clearKeys != nil {
		defer clearKeys() // before Close
	}
	// The query log counts what the bot made of the messages; the server
	// logs as serve does, as JSON at Info, into a discard writer, and its
	// warnings (a failing ReplyCache) are counted.
	var qlog benchQueryLog
	d, err := a.dialogue(fixed(base), store, &qlog, nil)
	if err != nil {
		return err
	}
	var warnings atomic.Int64
	logger := slog.New(countingHandler{slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}), &warnings})
	stack, err := newBenchStack(d, store, e.cfg.WeChat.ReplyTimeout, logger)
	if err != nil {
		return err
	}

	reports, passages := base.Size()
	fmt.Fprintf(e.stdout, "fazhibot 回调压测: 知识库 %d 份报告、%d 段;问题来自 %s(%d 组对话)\n", reports, passages, source, len(convs))
	fmt.Fprintf(e.stdout, "会话、去重与限流: %s;日志: slog JSON(Info 级)写入丢弃\n", storeNote)
	fmt.Fprintf(e.stdout, "每种模式 %d 条消息(约 %.0f%% 为重试),并发 %d,GOMAXPROCS %d\n\n", *n, benchRetryShare*100, *c, runtime.GOMAXPROCS(0))

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		// Count every allocation of the run: the default samples one per
		// 512 KiB, too few to tell a message's small allocations apart.
		defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
		runtime.MemProfileRate = 4096
		defer func() {
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintln(e.stderr, "fazhibot bench: memprofile:", err)
			}
		}()
	}
	client := benchHTTPClient(*c)
	defer client.CloseIdleConnections()
	targets := []benchTarget{{name: "基准", handler: baselineHandler(stack.plainWX.Token()), wx: stack.plainWX}}
	for _, m := range modes {
		if m == "plain" {
			targets = append(targets, benchTarget{name: benchNamePlain, handler: stack.plain, wx: stack.plainWX})
		} else {
			targets = append(targets, benchTarget{name: benchNameSafe, handler: stack.safe, wx: stack.safeWX})
		}
	}
	var ids atomic.Int64
	ids.Store(time.Now().UnixNano() / 1000)
	var results []benchResult
	for i, t := range targets {
		srv, addr, err := startBenchServer(t.handler)
		if err != nil {
			return err
		}
		t.url = "http://" + addr + handlers.DefaultWeChatPath
		warm := benchWorkload(convs, min(benchMaxWarmup, max(*n/10, 1)), uint64(i+1), "oBenchWarm"+runID+strconv.Itoa(i))
		driveBench(ctx, client, t, warm, *c, &ids)
		runtime.GC()
		before, warned := qlog.snapshot(), warnings.Load()
		res := driveBench(ctx, client, t, benchWorkload(convs, *n, 42, "oBench"+runID+strconv.Itoa(i)), *c, &ids)
		res.bot = qlog.snapshot().minus(before)
		res.warnings = warnings.Load() - warned
		results = append(results, res)
		shutdownBenchServer(srv)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	printBench(e.stdout, results)
	failed := 0
	var firstErr error
	for _, r := range results {
		failed += r.failures
		if firstErr == nil {
			firstErr = r.firstErr
		}
	}
	if failed > 0 {
		return fmt.Errorf("压测中有 %d 条消息没有得到正确回复,例如: %v", failed, firstErr)
	}
	return nil
}

// benchQueryLog is the bench's bot.QueryLogger: it counts the exchanges
// instead of storing them.
type benchQueryLog struct {
	messages, answered, rateLimited, busy, storeErrors atomic.Int64
}

// benchCounts is a snapshot of a benchQueryLog.
type benchCounts struct {
	messages, answered, rateLimited, busy, storeErrors int64
}

func (l *benchQueryLog) Log(_ context.Context, e bot.LogEntry) {
	l.messages.Add(1)
	if e.Answered {
		l.answered.Add(1)
	}
	switch e.Intent {
	case bot.IntentRateLimited:
		l.rateLimited.Add(1)
	case bot.IntentBusy:
		l.busy.Add(1)
	}
	if e.StoreError != "" {
		l.storeErrors.Add(1)
	}
}

func (l *benchQueryLog) snapshot() benchCounts {
	return benchCounts{l.messages.Load(), l.answered.Load(), l.rateLimited.Load(), l.busy.Load(), l.storeErrors.Load()}
}

func (c benchCounts) minus(o benchCounts) benchCounts {
	return benchCounts{c.messages - o.messages, c.answered - o.answered, c.rateLimited - o.rateLimited, c.busy - o.busy, c.storeErrors - o.storeErrors}
}

// countingHandler counts the records of level Warn and above that pass
// through it.
type countingHandler struct {
	slog.Handler
	warnings *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.warnings.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return countingHandler{h.Handler.WithAttrs(attrs), h.warnings}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{h.Handler.WithGroup(name), h.warnings}
}

// loadBenchQuestions reads the conversations of a question set. When the
// default file is missing it returns the built-in ones instead.
func loadBenchQuestions(path string, explicit bool) (convs [][]string, source string, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return benchBuiltinQuestions(), "内置问题", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("读取问题集: %w", err)
	}
	defer f.Close()
	qs, err := bot.ReadQuestions(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	for _, q := range qs {
		convs = append(convs, q.Turns)
	}
	if len(convs) == 0 {
		return nil, "", fmt.Errorf("%s: 问题集是空的", path)
	}
	return convs, path, nil
}

// redactRedisURL hides the password of a Redis URL.
func redactRedisURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(地址无法解析)"
	}
	return u.Redacted()
}

// benchStack is the WeChat callback as serve wires it, once in plaintext
// mode and once in safe mode, on one Dialogue and one ReplyCache, with a
// client for each that holds the credentials (made up for the run).
type benchStack struct {
	plain, safe     http.Handler
	plainWX, safeWX *wechatclient.Client
}

// newBenchStack builds both callbacks with a random token, AppID and
// EncodingAESKey.
func newBenchStack(r handlers.Responder, replies handlers.ReplyCache, replyTimeout time.Duration, logger *slog.Logger) (*benchStack, error) {
	token := "bench" + rand.Text()[:16]
	appID := "wxbench" + strings.ToLower(rand.Text()[:11])
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	encodingAESKey := strings.TrimSuffix(base64.StdEncoding.EncodeToString(key), "=")
	opts := handlers.Options{
		AppID:        appID,
		Token:        token,
		ReplyTimeout: replyTimeout,
		Logger:       logger,
		Responder:    r,
		Replies:      replies,
	}
	plain, err := handlers.New(opts)
	if err != nil {
		return nil, err
	}
	opts.EncodingAESKey = encodingAESKey
	safe, err := handlers.New(opts)
	if err != nil {
		return nil, err
	}
	plainWX, err := wechatclient.New(token, appID, "")
	if err != nil {
		return nil, err
	}
	safeWX, err := wechatclient.New(token, appID, encodingAESKey)
	if err != nil {
		return nil, err
	}
	return &benchStack{plain: plain, safe: safe, plainWX: plainWX, safeWX: safeWX}, nil
}

// baselineHandler is the floor the callback is measured against: what any
// WeChat callback must do, with the standard library only. It checks the
// signature in constant time, parses the XML and answers a fixed text reply:
// no timestamp window, no dedupe, no session, no search and no logging.
func baselineHandler(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		want := wechatclient.Signature(token, q.Get("timestamp"), q.Get("nonce"))
		if subtle.ConstantTimeCompare([]byte(want), []byte(q.Get("signature"))) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var m wechatclient.Message
		if err := xml.Unmarshal(body, &m); err != nil || m.FromUserName == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		reply, err := xml.Marshal(wechatclient.Reply{ToUserName: m.FromUserName, FromUserName: m.ToUserName, CreateTime: time.Now().Unix(), MsgType: "text", Content: "收到"})
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		_, _ = w.Write(reply)
	})
}

// benchTurn is one message of a simulated citizen.
type benchTurn struct {
	user  string
	text  string
	retry bool // WeChat delivers the message a second time after the reply
}

// benchWorkload returns conversations of n messages in all (retries
// included), each by a citizen of its own whose OpenID starts with
// users: the turns of a question-set entry in order, drawn with a PCG
// seeded with seed, sometimes followed by 详情 or 更多.
func benchWorkload(convs [][]string, n int, seed uint64, users string) [][]benchTurn {
	rng := mrand.New(mrand.NewPCG(seed, 20240601))
	var out [][]benchTurn
	for sent := 0; sent < n; {
		texts := slices.Clone(convs[rng.IntN(len(convs))])
		if rng.Float64() < benchFollowShare {
			texts = append(texts, []string{"详情", "更多"}[rng.IntN(2)])
		}
		user := fmt.Sprintf("%s%06d", users, len(out))
		var conv []benchTurn
		for _, text := range texts {
			if sent == n {
				break
			}
			t := benchTurn{user: user, text: text}
			sent++
			if sent < n && rng.Float64() < benchRetryShare {
				t.retry = true
				sent++
			}
			conv = append(conv, t)
		}
		out = append(out, conv)
	}
	return out
}

// benchTarget is one callback under load.
type benchTarget struct {
	name    string
	handler http.Handler
	url     string // where handler is served
	wx      *wechatclient.Client
}

// benchResult is what one run measured.
type benchResult struct {
	name      string
	requests  int
	failures  int   // errors, refusals, empty replies and retries answered differently
	firstErr  error // the first failure
	elapsed   time.Duration
	latencies []time.Duration // one per request, sorted
	bot       benchCounts     // what the bot logged (zero for the baseline)
	warnings  int64           // server log records at Warn and above
}

// throughput is requests per second of wall time.
func (r benchResult) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// percentile is the nearest-rank percentile p (0–100) of the latencies.
func (r benchResult) percentile(p float64) time.Duration {
	return nearestRank(r.latencies, p)
}

// nearestRank returns the nearest-rank percentile p of sorted.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// benchHTTPClient is a keep-alive client with a connection per worker and
// no proxy.
func benchHTTPClient(c int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        c,
			MaxIdleConnsPerHost: c,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
		Timeout: 10 * time.Second,
	}
}

// startBenchServer serves h on a free loopback port with serve's timeouts.
func startBenchServer(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("监听回环地址: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(slog.DiscardHandler, slog.LevelWarn),
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, ln.Addr().String(), nil
}

func shutdownBenchServer(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

// driveBench sends every conversation to t with c workers, each citizen's
// turns in order on one worker, and measures each request from sending to
// the last byte of the reply. Message IDs come from ids.
func driveBench(ctx context.Context, client *http.Client, t benchTarget, convs [][]benchTurn, c int, ids *atomic.Int64) benchResult {
	jobs := make(chan []benchTurn)
	var (
		mu  sync.Mutex
		res = benchResult{name: t.name}
		wg  sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		res.failures++
		if res.firstErr == nil {
			res.firstErr = err
		}
	}
	start := time.Now()
	for range c {
		wg.Go(func() {
			var lat []time.Duration
			for conv := range jobs {
				for _, turn := range conv {
					id := ids.Add(1)
					reply, d, err := t.send(ctx, client, turn, id)
					lat = append(lat, d)
					if err != nil {
						fail(err)
						continue
					}
					if turn.retry {
						again, d, err := t.send(ctx, client, turn, id)
						lat = append(lat, d)
						switch {
						case err != nil:
							fail(fmt.Errorf("重试: %w", err))
						case again != reply:
							fail(fmt.Errorf("重试的回复与首次不同: %q / %q", firstLines(reply, 1), firstLines(again, 1)))
						}
					}
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	for _, conv := range convs {
		if ctx.Err() != nil {
			break
		}
		jobs <- conv
	}
	close(jobs)
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests = len(res.latencies)
	slices.Sort(res.latencies)
	return res
}

// send delivers one text message as WeChat would and returns the reply's
// text and the request's round-trip time.
func (t benchTarget) send(ctx context.Context, client *http.Client, turn benchTurn, msgID int64) (string, time.Duration, error) {
	now := time.Now()
	msg := wechatclient.TextMessage("gh_jiangjinfabu", turn.user, now.Unix(), turn.text, msgID)
	query, body, err := t.wx.Seal(msg, strconv.FormatInt(now.Unix(), 10), strconv.FormatUint(uint64(mrand.Uint32()), 10))
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url+"?"+query.Encode(), bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "text/xml")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return "", time.Since(start), err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return "", d, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", d, fmt.Errorf("HTTP %d: %s", resp.StatusCode, firstLines(string(raw), 1))
	}
	r, err := t.wx.Open(raw)
	if err != nil {
		return "", d, err
	}
	if r.ToUserName != turn.user || r.Content == "" {
		return "", d, fmt.Errorf("回复给了 %q,内容 %q", r.ToUserName, firstLines(r.Content, 1))
	}
	return r.Content, d, nil
}

// printBench prints one line per run, what the bot made of the messages,
// and whether the targets were met.
func printBench(w io.Writer, results []benchResult) {
	rows := [][]string{{"模式", "消息数", "消息/秒", "p50(毫秒)", "p99(毫秒)", "吞吐/基准", "失败"}}
	base := results[0].throughput()
	ratio := func(r benchResult) float64 {
		if base == 0 {
			return 0
		}
		return r.throughput() / base
	}
	for i, r := range results {
		rel := "-"
		if i > 0 {
			rel = fmt.Sprintf("%.3f", ratio(r))
		}
		rows = append(rows, []string{r.name, strconv.Itoa(r.requests), fmt.Sprintf("%.1f", r.throughput()),
			fmt.Sprintf("%.2f", ms(r.percentile(50))), fmt.Sprintf("%.2f", ms(r.percentile(99))), rel, strconv.Itoa(r.failures)})
	}
	printTable(w, rows)
	fmt.Fprintln(w, "\n基准: 标准库实现,只验签、解析 XML、返回固定回复;不做时间窗检查、去重、会话、限流、知识库检索和日志。")
	met := map[bool]string{true: "达到", false: "未达到"}
	for _, r := range results[1:] {
		b := r.bot
		fmt.Fprintf(w, "%s: 机器人处理 %d 条(重试由缓存回答),其中引用报告作答 %d 条,限流 %d 条,超时 %d 条,会话存储故障 %d 条;服务端告警 %d 条\n",
			r.name, b.messages, b.answered, b.rateLimited, b.busy, b.storeErrors, r.warnings)
	}
	var plain, safe *benchResult
	for i, r := range results[1:] {
		p99 := r.percentile(99)
		fmt.Fprintf(w, "目标 %s: 吞吐/基准 %.3f(目标 ≥ %.1f)%s;p99 %.2f 毫秒(目标 ≤ %.0f 毫秒)%s\n",
			r.name, ratio(r), benchTargetRatio, met[ratio(r) >= benchTargetRatio], ms(p99), ms(benchTargetP99), met[p99 <= benchTargetP99])
		switch r.name {
		case benchNamePlain:
			plain = &results[1+i]
		case benchNameSafe:
			safe = &results[1+i]
		}
	}
	if plain != nil && safe != nil && plain.throughput() > 0 {
		rel := safe.throughput() / plain.throughput()
		fmt.Fprintf(w, "目标 安全模式/明文模式: 吞吐比 %.3f(目标 ≥ %.2f)%s\n", rel, benchTargetSafe, met[rel >= benchTargetSafe])
	}
}

// printTable prints rows in columns aligned for a terminal, where a CJK
// character takes two columns.
func printTable(w io.Writer, rows [][]string) {
	width := func(s string) int {
		n := 0
		for _, r := range s {
			if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 || r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6) {
				n += 2
			} else {
				n++
			}
		}
		return n
	}
	cols := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			cols[i] = max(cols[i], width(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", cols[i]-width(cell)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
