package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"fazhibot/bot"
	"fazhibot/handlers"
	"fazhibot/knowledge"
	"fazhibot/storage/memstore"
	"fazhibot/storage/redisstore"
)

// The HTTP server's timeouts: slow clients cannot pin connections, and a
// reply that takes WeChat's full five seconds still gets written.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 10 * time.Second
)

// sessionStore is what serve needs of the session store: the bot's and the
// callback's interfaces, Ping for readiness, and Close.
type sessionStore interface {
	handlers.ReplyCache
	Session(ctx context.Context, user string) ([]byte, error)
	SaveSession(ctx context.Context, user string, data []byte, ttl time.Duration) error
	DeleteSession(ctx context.Context, user string) error
	Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error)
	Ping(ctx context.Context) error
	Close() error
}

// runServe runs the HTTP server until ctx is done, then drains in-flight
// requests and the query log.
func runServe(ctx context.Context, e *env, args []string) error {
	if len(args) != 0 {
		fmt.Fprintln(e.stderr, "用法: fazhibot serve(监听地址等见配置文件)")
		return errUsage
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	defer limitMemory(e.cfg.Server.MemoryLimitMB, logger)()
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	store, err := openSessionStore(ctx, e.cfg.Redis.URL)
	if err != nil {
		return err
	}
	defer store.Close()

	lib := a.servingLibrary(logger)
	reloader := &kbReloader{db: a.db, lib: lib, interval: e.cfg.Knowledge.ReloadInterval, log: logger}
	if n, ok := store.(notifier); ok {
		reloader.notify = n
	}
	if err := reloader.check(ctx); err != nil {
		return err
	}
	// background owns the goroutines that use the database and Redis (the
	// reloader, the retention purge): however serve returns, they are
	// stopped and waited for before the stores close (deferred above).
	bg, stopBackground := context.WithCancel(context.Background())
	var background sync.WaitGroup
	defer func() {
		stopBackground()
		background.Wait()
	}()
	background.Go(func() { reloader.run(bg) })

	queryLog, err := startQueryLog(bg, &background, a, logger)
	if err != nil {
		return err
	}
	defer func() { // on the error paths; after the drain below, a no-op
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		queryLog.close(ctx)
	}()
	m := newMetrics(gauges{
		kbVersion:  func() float64 { _, v := lib.Current(); return float64(v) },
		logBuffer:  queryLog.buffered,
		logDropped: queryLog.dropped,
		logWritten: queryLog.written,
	})
	queryLog.onError = m.databaseError
	later, err := newNotifier(a, store, logger)
	if err != nil {
		return err
	}
	if later != nil {
		defer later.Close()
		a.notifier = botNotifier{later}
	}
	d, err := a.dialogue(func() bot.Knowledge { b, _ := lib.Current(); return b }, store, teeLogger{m, queryLog}, logger)
	if err != nil {
		return err
	}
	setupToken, err := setupTokenFor(ctx, a.db)
	if err != nil {
		return err
	}
	// /metrics goes to its own listener when server.metrics_listen is set;
	// else it is on the main port only with server.metrics_token.
	var mainMetrics http.Handler
	if e.cfg.Server.MetricsListen == "" && e.cfg.Server.MetricsToken != "" {
		mainMetrics = m.handler()
	}
	h, err := handlers.New(handlers.Options{
		WeChatPath:     e.cfg.WeChat.Path,
		AppID:          e.cfg.WeChat.AppID,
		Token:          e.cfg.WeChat.Token,
		EncodingAESKey: e.cfg.WeChat.AESKey,
		APITokens:      e.cfg.API.Tokens,
		ReplyTimeout:   e.cfg.WeChat.ReplyTimeout,
		Logger:         logger,
		Responder:      d,
		Replies:        store,
		Console:        withNotify(consoleOptions(a, lib, reloader, setupToken), later),
		Ready:          readiness(a, lib, store, e.cfg.Redis.URL != "", logger),
		Metrics:        mainMetrics,
		MetricsToken:   e.cfg.Server.MetricsToken,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", e.cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("监听 %s: %w", e.cfg.Server.Listen, err)
	}
	var metricsSrv *http.Server // the separate /metrics listener, if configured
	var metricsLn net.Listener
	if addr := e.cfg.Server.MetricsListen; addr != "" {
		if metricsLn, err = net.Listen("tcp", addr); err != nil {
			ln.Close()
			return fmt.Errorf("配置项 server.metrics_listen: 监听 %s: %w", addr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", handlers.MetricsHandler(m.handler(), e.cfg.Server.MetricsToken))
		metricsSrv = &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	printBanner(e.stdout, e, ln.Addr(), lib, setupToken)
	printMetricsBanner(e.stdout, e, metricsLn)

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	servers := []*http.Server{srv}
	if metricsSrv != nil {
		go func() { errc <- metricsSrv.Serve(metricsLn) }()
		servers = append(servers, metricsSrv)
	}
	running := len(servers) // Serve calls that will send on errc
	var errs []error
	select {
	case err := <-errc: // a listener failed: stop the other too
		running--
		errs = append(errs, err)
	case <-ctx.Done():
	}
	fmt.Fprintln(e.stdout, "正在停止服务……")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, s := range servers {
		errs = append(errs, s.Shutdown(sctx))
	}
	for range running {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	stopBackground()
	background.Wait()
	errs = append(errs, queryLog.close(sctx)) // after the last reply was logged
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("停止服务: %w", err)
	}
	return nil
}

// printBanner tells the operator where everything is.
func printBanner(w io.Writer, e *env, addr net.Addr, lib *knowledge.Library, setupToken string) {
	base, version := lib.Current()
	reports, passages := base.Size()
	fmt.Fprintf(w, "fazhibot 已启动: http://%s (知识库版本 %d: %d 份报告、%d 段)\n", addr, version, reports, passages)
	console := consoleBase(addr)
	fmt.Fprintf(w, "管理控制台: %s/admin/\n", console)
	if setupToken != "" {
		fmt.Fprintf(w, "首次使用:请在浏览器打开 %s/admin/setup?token=%s 创建管理员账号(链接只能使用一次,服务重启后失效)\n", console, setupToken)
	}
	if e.cfg.WeChat.Token == "" {
		fmt.Fprintln(w, "未配置 wechat.token,微信回调未启用;可用 fazhibot chat 或 /api/v1/ask 试用。")
	} else {
		fmt.Fprintf(w, "微信回调地址: %s\n", e.cfg.WeChat.Path)
	}
}

// printMetricsBanner tells the operator where /metrics is served, if
// anywhere.
func printMetricsBanner(w io.Writer, e *env, metricsLn net.Listener) {
	switch {
	case metricsLn != nil && e.cfg.Server.MetricsToken != "":
		fmt.Fprintf(w, "监控指标: http://%s/metrics(需要 server.metrics_token 令牌)\n", metricsLn.Addr())
	case metricsLn != nil:
		fmt.Fprintf(w, "监控指标: http://%s/metrics\n", metricsLn.Addr())
	case e.cfg.Server.MetricsToken != "":
		fmt.Fprintln(w, "监控指标: 主端口的 /metrics(需要 server.metrics_token 令牌)")
	default:
		fmt.Fprintln(w, "未配置 server.metrics_listen 或 server.metrics_token,不提供 /metrics 监控指标。")
	}
}

// openSessionStore returns the Redis store for url, or the in-process
// store when url is empty.
func openSessionStore(ctx context.Context, url string) (sessionStore, error) {
	if url == "" {
		return memstore.New(nil), nil
	}
	s, err := redisstore.Open(ctx, url, redisstore.Options{})
	if err != nil {
		return nil, fmt.Errorf("配置项 redis.url: %w", err)
	}
	return s, nil
}

// readiness reports the server ready when it can answer citizens: the
// knowledge base is loaded. Answers need neither the database nor Redis,
// so their outages are "degraded", not "not ready" (a load balancer would
// otherwise pull instances that still answer): without the database the
// console is unavailable and the query log waits in memory; without Redis
// the bot answers statelessly. The probe is public, so it names no error
// details; they go to the log.
func readiness(a *app, lib *knowledge.Library, store sessionStore, redis bool, logger *slog.Logger) func(context.Context) handlers.Readiness {
	return func(ctx context.Context) handlers.Readiness {
		r := handlers.Readiness{Ready: true, Checks: map[string]string{}}
		if b, v := lib.Current(); b == nil {
			r.Ready, r.Checks["knowledge"] = false, "down: 知识库尚未加载"
		} else {
			r.Checks["knowledge"] = fmt.Sprintf("ok: 版本 %d", v)
		}
		if err := a.db.Ping(ctx); err != nil {
			r.Checks["database"] = "degraded: 控制台暂不可用,问答日志暂存内存"
			logger.Warn("readiness: database unreachable", "err", err)
		} else {
			r.Checks["database"] = "ok"
		}
		switch err := store.Ping(ctx); {
		case !redis:
			r.Checks["redis"] = "ok: 未配置,使用进程内存储"
		case err != nil:
			r.Checks["redis"] = "degraded"
			logger.Warn("readiness: redis unreachable", "err", err)
		default:
			r.Checks["redis"] = "ok"
		}
		return r
	}
}
