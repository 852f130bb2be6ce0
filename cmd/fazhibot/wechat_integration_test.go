package main

// Integration tests of the WeChat callback as serve wires it: the sample
// reports imported and published through the command line into SQLite, the
// live knowledge base, the Dialogue with Redis sessions and rate limit, and
// handlers.Server with the same Redis store as its ReplyCache, driven over
// loopback HTTP with signed (and encrypted) WeChat XML.

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fazhibot/internal/testenv"
	"fazhibot/internal/wechatclient"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"fazhibot/bot"
	"fazhibot/configs"
	"fazhibot/handlers"
	"fazhibot/knowledge"
	"fazhibot/storage/redisstore"
)

const (
	itToken  = "fazhibotIntegrationToken"
	itAppID  = "wxfazhibotintegr01"
	itAESKey = "AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dw"

	// sharedRedisAddr is the Redis every engineer's tests share; each test
	// uses a key prefix of its own and deletes only its keys.
	sharedRedisAddr = "127.0.0.1:6379"

	// itMoreSuffix ends a reply that 更多 continues (as package bot renders it).
	itMoreSuffix = "\n……\n回复\"更多\"继续"
	// itRateLimited is the bot's reply to a message over the rate limit.
	itRateLimited = "您发送得太快了,请稍等片刻再提问。"
	// itDeadline is WeChat's: a passive reply after 5 s is dropped.
	itDeadline = 5 * time.Second
)

// longPassage returns the body of the one passage of jj-slj-2023 that no reply
// can hold: about 6 KB of figures separated by commas only.
func longPassage() string {
	var b strings.Builder
	b.WriteString("全区山坪塘整治工程情况如下")
	for i := 1; b.Len() < 6000; i++ {
		fmt.Fprintf(&b, ",第%d批山坪塘整治工程完成投资%d.%02d万元惠及农户%d户", i, 300+i*7, i*37%100, 1000+i*13)
	}
	return b.String() + "。"
}

// longReport is a fictional report (江津区水利局, 2023) holding longPassage.
func longReport() string {
	return "重庆市江津区水利局2023年度法治政府建设情况报告\n\n" +
		"2023年,区水利局坚持依法治水,现将有关情况报告如下:\n\n" +
		"一、2023年推进法治政府建设的主要举措和成效\n\n(一)推进水利工程依法建设\n\n" + longPassage() + "\n\n" +
		"(二)加强水行政执法\n\n全年开展水行政执法检查86次,立案查处水事违法案件12件。\n"
}

// kbFixture is a temporary SQLite database into which the sample reports
// (knowledge/testdata/reports/jj-*) and longReport were imported and
// published with `fazhibot kb import` and `kb publish`, and its live base.
type kbFixture struct {
	getenv func(string) string
	base   *knowledge.Base
}

func newKBFixture(t testing.TB) *kbFixture {
	t.Helper()
	dir := t.TempDir()
	long := filepath.Join(dir, "jj-slj-2023.txt")
	if err := os.WriteFile(long, []byte(longReport()), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../knowledge/testdata/reports/jj-*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample reports: %v", err)
	}
	env := map[string]string{
		"FAZHIBOT_DATABASE_URL":       "sqlite:" + filepath.Join(dir, "fazhibot.db"),
		"FAZHIBOT_KNOWLEDGE_DICT_DIR": "../../configs/jieba",
	}
	fx := &kbFixture{getenv: func(k string) string { return env[k] }}
	fx.run(t, append([]string{"kb", "import"}, append(files, long)...)...)
	fx.run(t, "kb", "publish", "-m", "集成测试: 导入样例报告")
	a := fx.openApp(t, nil)
	if fx.base, err = a.liveBase(context.Background()); err != nil {
		t.Fatal(err)
	}
	if reports, _ := fx.base.Size(); reports != len(files)+1 {
		t.Fatalf("live base holds %d reports, want %d", reports, len(files)+1)
	}
	return fx
}

// run runs the fazhibot command line on the fixture's database.
func (fx *kbFixture) run(t testing.TB, args ...string) {
	t.Helper()
	var stdout, stderr strings.Builder
	if err := run(context.Background(), args, fx.getenv, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("fazhibot %s: %v\n%s", strings.Join(args[:2], " "), err, stderr.String())
	}
}

// openApp opens the fixture's database with its configuration, changed by
// edit when set; it is closed when t ends.
func (fx *kbFixture) openApp(t testing.TB, edit func(*configs.Config)) *app {
	t.Helper()
	cfg, err := loadConfig("", fx.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := openApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// dialogue is the Dialogue serve builds over the live base, with store as
// session store and rate limiter, and a rate limit of rateLimit messages a
// minute (the configured default when negative).
func (fx *kbFixture) dialogue(t testing.TB, store sessionStore, rateLimit int) *bot.Dialogue {
	t.Helper()
	a := fx.openApp(t, func(c *configs.Config) {
		if rateLimit >= 0 {
			c.Redis.RateLimit = rateLimit
		}
	})
	d, err := a.dialogue(fixed(fx.base), store, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// requireOrSkipCI skips t for reason, unless CI=true makes a missing
// dependency a failure.
func requireOrSkipCI(t testing.TB, reason string) {
	t.Helper()
	testenv.RequireOrSkip(t, reason)
}

// keyPrefix returns a Redis key prefix unique to this run of t.
func redisKeyPrefix(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, t.Name())
	return "fazhibot-test:cmd:" + name + ":" + rand.Text()[:10] + ":"
}

// openRedisStore opens a redisstore on addr under a prefix of t's own.
// When t ends it deletes the keys under the prefix (if Redis is up) and
// closes the store.
func openRedisStore(t testing.TB, addr string) *redisstore.Store {
	t.Helper()
	prefix := redisKeyPrefix(t)
	s, err := redisstore.Open(context.Background(), "redis://"+addr+"/0", redisstore.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		s.Close()
	})
	return s
}

// sharedStore is a store on the shared Redis, skipping (or, on CI,
// failing) t when it does not answer.
func sharedStore(t testing.TB) *redisstore.Store {
	t.Helper()
	s := openRedisStore(t, sharedRedisAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		requireOrSkipCI(t, fmt.Sprintf("the shared Redis at %s is unreachable: %v", sharedRedisAddr, err))
	}
	return s
}

// privateRedis is a redis-server of the test's own on a free port, which
// the test may kill and start again on the same port.
type privateRedis struct {
	t    testing.TB
	port string
	dir  string
	cmd  *exec.Cmd
}

func newPrivateRedis(t testing.TB) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		requireOrSkipCI(t, "redis-server is not installed: "+err.Error())
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	r := &privateRedis{t: t, port: port, dir: t.TempDir()}
	t.Cleanup(r.stop)
	r.start()
	return r
}

func (r *privateRedis) addr() string { return "127.0.0.1:" + r.port }

// start starts the server and waits until it answers PING.
func (r *privateRedis) start() {
	t := r.t
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
	}
	log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	t.Fatalf("redis-server on port %s did not answer: %v\n%s", r.port, err, log)
}

// stop kills the server, if it runs, and waits for it to exit.
func (r *privateRedis) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// countingResponder counts the calls of the Responder it wraps. With gate
// set, each call signals started and waits for gate to close first.
type countingResponder struct {
	next    handlers.Responder
	calls   atomic.Int32
	gate    chan struct{}
	started chan struct{}
}

func (c *countingResponder) Respond(ctx context.Context, m bot.Message) bot.Reply {
	c.calls.Add(1)
	if c.gate != nil {
		c.started <- struct{}{}
		select {
		case <-c.gate:
		case <-ctx.Done():
		}
	}
	return c.next.Respond(ctx, m)
}

// countingCache counts the Claim calls of the ReplyCache it wraps.
type countingCache struct {
	handlers.ReplyCache
	claims atomic.Int32
}

func (c *countingCache) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	defer c.claims.Add(1)
	return c.ReplyCache.Claim(ctx, key, ttl)
}

// wxCallback is a handlers.Server on a loopback httptest server, with the
// client that signs for it.
type wxCallback struct {
	url   string
	wx    *wechatclient.Client
	http  *http.Client
	ids   atomic.Int64
	users atomic.Int64
	now   func() time.Time
}

// newCallback serves the WeChat callback with the integration test's token
// and AppID, answered by r and deduplicated by replies, in safe mode when
// safe is set.
func newCallback(t testing.TB, r handlers.Responder, replies handlers.ReplyCache, safe bool) *wxCallback {
	t.Helper()
	key := ""
	if safe {
		key = itAESKey
	}
	h, err := handlers.New(handlers.Options{
		AppID: itAppID, Token: itToken, EncodingAESKey: key,
		Logger:    slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})),
		Responder: r, Replies: replies,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	wx, err := wechatclient.New(itToken, itAppID, key)
	if err != nil {
		t.Fatal(err)
	}
	cb := &wxCallback{url: srv.URL + handlers.DefaultWeChatPath, wx: wx, http: srv.Client(), now: time.Now}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	cb.ids.Store(int64(binary.BigEndian.Uint64(seed[:]) >> 12)) // distinct MsgIds per callback
	return cb
}

// citizen returns a new citizen of cb with an OpenID of its own.
func (cb *wxCallback) citizen(t *testing.T) *wxCitizen {
	return &wxCitizen{t: t, cb: cb, user: fmt.Sprintf("oCitizen%s%04d", strings.ToLower(rand.Text()[:12]), cb.users.Add(1))}
}

// send sends one message and returns the reply and the round-trip time.
// It is safe for concurrent use.
func (cb *wxCallback) send(user, text string, msgID int64) (wechatclient.Reply, time.Duration, error) {
	req, err := wxRequest(cb.wx, cb.url, wxCall{user: user, text: text, msgID: msgID, at: cb.now()})
	if err != nil {
		return wechatclient.Reply{}, 0, err
	}
	r, d, err := wxRoundTrip(cb.wx, cb.http, req)
	switch {
	case err != nil:
		return r, d, fmt.Errorf("%q: %w", text, err)
	case r.ToUserName != user || r.FromUserName != "gh_jiangjinfabu" || r.MsgType != "text":
		return r, d, fmt.Errorf("%q: reply %+v is not a text reply to %s", text, r, user)
	case len(r.Content) > knowledge.MaxReplyBytes || !utf8.ValidString(r.Content):
		return r, d, fmt.Errorf("%q: reply of %d bytes (valid UTF-8: %v)", text, len(r.Content), utf8.ValidString(r.Content))
	}
	return r, d, nil
}

// post is send on t's goroutine: a failure ends t.
func (cb *wxCallback) post(t testing.TB, user, text string, msgID int64) (wechatclient.Reply, time.Duration) {
	t.Helper()
	r, d, err := cb.send(user, text, msgID)
	if err != nil {
		t.Fatal(err)
	}
	return r, d
}

// wxCitizen is one WeChat user talking to a callback, a message ID each.
type wxCitizen struct {
	t    *testing.T
	cb   *wxCallback
	user string
}

func (c *wxCitizen) say(text string) string {
	c.t.Helper()
	r, _ := c.cb.post(c.t, c.user, text, c.cb.ids.Add(1))
	return r.Content
}

// convStep is one message of a conversation and what its reply must show.
type convStep struct {
	say       string
	contains  []string
	prefix    string
	notExpect string
}

func (s convStep) check(t *testing.T, reply string) {
	t.Helper()
	for _, want := range s.contains {
		if !strings.Contains(reply, want) {
			t.Errorf("%q: reply lacks %q:\n%s", s.say, want, reply)
		}
	}
	if !strings.HasPrefix(reply, s.prefix) {
		t.Errorf("%q: reply does not start with %q:\n%s", s.say, s.prefix, reply)
	}
	if s.notExpect != "" && strings.Contains(reply, s.notExpect) {
		t.Errorf("%q: reply contains %q:\n%s", s.say, s.notExpect, reply)
	}
}

func TestWeChatIntegration(t *testing.T) {
	fx := newKBFixture(t)
	store := sharedStore(t)
	d := fx.dialogue(t, store, 0)

	t.Run("questions in plaintext and safe mode", func(t *testing.T) {
		questions := []convStep{
			{say: "生态环境局2020年罚款多少", contains: []string{"316.79万元", "【江津区生态环境局·2020年度法治政府建设报告】"}},
			{say: "住建委2021年帮农民工追回多少工资", contains: []string{"2417万元"}},
			{say: "环保局20年下了几份处罚决定", contains: []string{"30件"}},
			{say: "你好", prefix: "您好!"},
			{say: "明天江津天气怎么样", contains: []string{"没有找到与您的问题相符的内容", "12345"}},
		}
		for _, mode := range []struct {
			name string
			safe bool
		}{{"plaintext", false}, {"safe mode", true}} {
			t.Run(mode.name, func(t *testing.T) {
				cr := &countingResponder{next: d}
				cb := newCallback(t, cr, store, mode.safe)
				for _, q := range questions {
					q.check(t, cb.citizen(t).say(q.say))
				}
				if got := cr.calls.Load(); got != int32(len(questions)) {
					t.Errorf("Respond called %d times for %d messages", got, len(questions))
				}
			})
		}
	})

	t.Run("published vector", func(t *testing.T) {
		// The example's own callback: its token, key and AppID, and a clock
		// 90 s after its timestamp.
		now := time.Unix(1409659813, 0).Add(90 * time.Second)
		cr := &countingResponder{next: d}
		h, err := handlers.New(handlers.Options{
			AppID: vectorAppID, Token: vectorToken, EncodingAESKey: vectorAESKey,
			Now:       func() time.Time { return now },
			Responder: cr, Replies: store,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		q := url.Values{"msg_signature": {vectorMsgSig}, "timestamp": {vectorTimestamp}, "nonce": {vectorNonce}, "encrypt_type": {"aes"}}
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/wechat?"+q.Encode(), strings.NewReader(string(vectorBody())))
		if err != nil {
			t.Fatal(err)
		}
		wx, err := wechatclient.New(vectorToken, vectorAppID, vectorAESKey)
		if err != nil {
			t.Fatal(err)
		}
		r, _, err := wxRoundTrip(wx, srv.Client(), req)
		if err != nil {
			t.Fatal(err)
		}
		// The reply is what the bot says to "hello" (a greeting), encrypted
		// for the example's AppID and signed (open checks both).
		if r.ToUserName != "mycreate" || r.FromUserName != vectorAppID || !strings.HasPrefix(r.Content, "您好!") {
			t.Errorf("reply %+v", r)
		}
		if got := cr.calls.Load(); got != 1 {
			t.Errorf("Respond called %d times", got)
		}
		// A bit flipped in the ciphertext breaks msg_signature: 403.
		bad := strings.Replace(string(vectorBody()), "RypEvHKD8QQ", "RypEvHKD8QR", 1)
		req, _ = http.NewRequest(http.MethodPost, srv.URL+"/wechat?"+q.Encode(), strings.NewReader(bad))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("tampered vector: status %d, want 403", resp.StatusCode)
		}
	})

	t.Run("retry answered once", func(t *testing.T) {
		for _, mode := range []struct {
			name string
			safe bool
		}{{"plaintext", false}, {"safe mode", true}} {
			t.Run(mode.name, func(t *testing.T) {
				cr := &countingResponder{next: d, gate: make(chan struct{}), started: make(chan struct{}, 1)}
				cache := &countingCache{ReplyCache: store}
				cb := newCallback(t, cr, cache, mode.safe)
				user := cb.citizen(t).user
				id := cb.ids.Add(1)
				const question = "生态环境局2020年罚款多少"

				var wg sync.WaitGroup
				replies := make([]wechatclient.Reply, 2)
				errs := make([]error, 2)
				wg.Go(func() { replies[0], _, errs[0] = cb.send(user, question, id) })
				select { // the first delivery is in the Responder
				case <-cr.started:
				case <-time.After(10 * time.Second):
					t.Fatal("the first delivery never reached the Responder")
				}
				wg.Go(func() { replies[1], _, errs[1] = cb.send(user, question, id) })
				// The retry lost its claim and waits for the first reply.
				for deadline := time.Now().Add(10 * time.Second); cache.claims.Load() < 2; time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatal("the retry never claimed the message")
					}
				}
				close(cr.gate)
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				later, _ := cb.post(t, user, question, id) // WeChat's retry after the reply

				if !strings.Contains(replies[0].Content, "316.79万元") {
					t.Fatalf("first reply: %q", replies[0].Content)
				}
				for i, r := range []wechatclient.Reply{replies[1], later} {
					if r.Content != replies[0].Content {
						t.Errorf("retry %d answered %q, want the first reply %q", i+1, r.Content, replies[0].Content)
					}
				}
				if got, claims := cr.calls.Load(), cache.claims.Load(); got != 1 || claims != 3 {
					t.Errorf("Respond called %d times for one message delivered three times (%d claims)", got, claims)
				}
			})
		}
	})

	t.Run("conversation", func(t *testing.T) {
		cr := &countingResponder{next: d}
		cb := newCallback(t, cr, store, true)
		steps := []convStep{
			// Follow-up: the year changes, the topic stays.
			{say: "生态环境局2020年罚款多少", contains: []string{"316.79万元"}},
			{say: "那2021年呢", contains: []string{"412.36万元", "【江津区生态环境局·2021年度法治政府建设报告】"}},
			{say: "详情", contains: []string{"随机抽查排污单位312家次", "412.36万元"}, notExpect: "回复\"详情\""},
			// Paging through the ranked hits.
			{say: "区政府2022年行政复议收了多少件申请", contains: []string{"312件"}},
			{say: "更多", prefix: "第2条相关内容:\n"},
			{say: "更多", prefix: "第3条相关内容:\n"},
			// A fresh start; then not covered: numbered suggestions, and a
			// digit asks one.
			{say: "重置", prefix: "好的,之前的对话已清除"},
			{say: "明天江津天气怎么样", contains: []string{"您可以试着这样问:\n1. 生态环境局2020年罚款多少\n", "回复数字即可查看。"}},
			{say: "1", contains: []string{"316.79万元"}},
			{say: "详情", contains: []string{"“零容忍”", "316.79万元"}},
		}
		c := cb.citizen(t)
		for _, s := range steps {
			s.check(t, c.say(s.say))
		}
		if got := cr.calls.Load(); got != int32(len(steps)) {
			t.Errorf("Respond called %d times for %d messages", got, len(steps))
		}
	})

	t.Run("long passage split", func(t *testing.T) {
		cb := newCallback(t, d, store, false)
		c := cb.citizen(t)
		if r := c.say("水利局2023年山坪塘整治投资多少"); !strings.Contains(r, "江津区水利局·2023年度") {
			t.Fatalf("question: %q", r)
		}
		var bodies []string
		for r := c.say("详情"); ; r = c.say("更多") {
			body, more := strings.CutSuffix(r, itMoreSuffix)
			bodies = append(bodies, body)
			if !more {
				break
			}
			if len(bodies) > 10 {
				t.Fatal("详情 and 更多 never end")
			}
		}
		if len(bodies) < 3 {
			t.Fatalf("the passage of %d bytes came in %d replies", len(longPassage()), len(bodies))
		}
		if whole := strings.Join(bodies, ""); !strings.Contains(whole, longPassage()) {
			t.Errorf("the replies do not add up to the passage:\n%s", whole)
		}
		for i := 1; i < len(bodies); i++ {
			last, _ := utf8.DecodeLastRuneInString(bodies[i-1])
			next, _ := utf8.DecodeRuneInString(bodies[i])
			if inFigure(last) && inFigure(next) {
				t.Errorf("replies %d and %d cut a number: …%s | %s…", i, i+1, bodies[i-1][len(bodies[i-1])-8:], bodies[i][:8])
			}
		}
		if r := c.say("更多"); strings.Contains(r, "山坪塘") {
			t.Errorf("更多 after the last part repeats the passage: %q", r)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		limited := fx.dialogue(t, store, 3)
		cb := newCallback(t, limited, store, false)
		c := cb.citizen(t)
		for i, s := range []convStep{
			{say: "你好", prefix: "您好!"},
			{say: "生态环境局2020年罚款多少", contains: []string{"316.79万元"}},
			{say: "那2021年呢", contains: []string{"412.36万元"}},
		} {
			if r := c.say(s.say); r == itRateLimited {
				t.Fatalf("message %d refused: %q", i+1, r)
			} else {
				s.check(t, r)
			}
		}
		if r := c.say("生态环境局2020年罚款多少"); r != itRateLimited {
			t.Errorf("4th message in a minute: %q, want %q", r, itRateLimited)
		}
		// The limit is per citizen.
		if r := cb.citizen(t).say("生态环境局2020年罚款多少"); !strings.Contains(r, "316.79万元") {
			t.Errorf("another citizen: %q", r)
		}
	})

	t.Run("redis outage", func(t *testing.T) {
		rs := newPrivateRedis(t)
		private := openRedisStore(t, rs.addr())
		cb := newCallback(t, fx.dialogue(t, private, -1), private, false)
		before := cb.citizen(t)
		(convStep{say: "生态环境局2020年罚款多少", contains: []string{"316.79万元"}}).check(t, before.say("生态环境局2020年罚款多少"))

		rs.stop()
		for _, s := range []convStep{
			// Without its session the follow-up cannot be read as one.
			{say: "那2021年呢", notExpect: "412.36万元"},
			// A whole question is still answered, statelessly.
			{say: "生态环境局2021年罚款多少", contains: []string{"412.36万元"}},
		} {
			r, elapsed := cb.post(t, before.user, s.say, cb.ids.Add(1))
			s.check(t, r.Content)
			if elapsed >= itDeadline {
				t.Errorf("%q with Redis down took %v, past WeChat's deadline", s.say, elapsed)
			}
		}

		rs.start()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for private.Ping(ctx) != nil {
			if ctx.Err() != nil {
				t.Fatal("the store did not reconnect to the restarted Redis")
			}
			time.Sleep(50 * time.Millisecond)
		}
		after := cb.citizen(t)
		for _, s := range []convStep{
			{say: "生态环境局2020年罚款多少", contains: []string{"316.79万元"}},
			{say: "那2021年呢", contains: []string{"412.36万元"}},
		} {
			s.check(t, after.say(s.say))
		}
	})
}

// inFigure reports whether r can be part of a figure such as 316.79.
func inFigure(r rune) bool { return r >= '0' && r <= '9' || r == '.' || r == '%' }
