// Command fazhibot is the chat bot of the WeChat official account "江津发布".
// It answers citizens' questions about Jiangjin district's yearly
// rule-of-law reports, and gives staff a command line to manage them.
//
// Usage:
//
//	fazhibot [-c config.yaml] <command> [arguments]
//
// Run "fazhibot help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"

	"fazhibot/configs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis logs dial failures through a process-wide logger, in plain
	// text on stderr; route them into the JSON logs instead. This is
	// process state, so it is set here, never in run.
	redis.SetLogger(redisLogger{slog.New(slog.NewJSONHandler(os.Stderr, nil))})
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "错误:", err)
		}
		os.Exit(1)
	}
}

// redisLogger adapts go-redis' logger to slog, at Warn: it reports
// connection trouble.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "msg", fmt.Sprintf(format, v...))
}

// errUsage reports a usage error whose message was already printed.
var errUsage = errors.New("usage")

// env is what every command receives: its I/O and its configuration.
type env struct {
	cfg    configs.Config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand: it gets the arguments after its name.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":  {"启动服务(微信回调、接口、健康检查)", runServe},
		"ask":    {"提一个问题,查看机器人的回答", runAsk},
		"chat":   {"在终端里与机器人对话", runChat},
		"eval":   {"用问题集评测回答质量", runEval},
		"kb":     {"管理知识库: import | list | show | rm | publish | versions | restore", runKB},
		"health": {"检查本机服务是否正常(供 Docker 健康检查使用)", runHealth},
		"wechat": {"公众号自定义菜单: menu push | menu show", runWeChat},
		"bench":  {"回调压测: 与标准库基准对比吞吐和延迟", runBench},
		"user":   {"管理控制台账号: add | list | passwd", runUser},
		"logs":   {"问答日志: list | export | purge", runLogs},
	}
}

// run is the whole program: it parses the global flags, loads the
// configuration and runs one command. It reads the environment only
// through getenv.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fazhibot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("c", "", "配置文件路径(YAML);不指定时使用默认配置和环境变量")
	fs.Usage = func() { usage(stderr) }
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 || fs.Arg(0) == "help" {
		usage(stdout)
		return nil
	}
	cmd, ok := commands()[fs.Arg(0)]
	if !ok {
		fmt.Fprintf(stderr, "未知命令 %q\n", fs.Arg(0))
		usage(stderr)
		return errUsage
	}
	cfg, err := loadConfig(*configPath, getenv)
	if err != nil {
		return err
	}
	return cmd.run(ctx, &env{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}, fs.Args()[1:])
}

func loadConfig(path string, getenv func(string) string) (configs.Config, error) {
	var r io.Reader
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return configs.Config{}, fmt.Errorf("读取配置文件: %w", err)
		}
		defer f.Close()
		r = f
	}
	cfg, err := configs.Load(r, getenv)
	if err != nil {
		return configs.Config{}, err
	}
	return cfg, cfg.Validate()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "用法: fazhibot [-c 配置文件] <命令> [参数]")
	fmt.Fprintln(w, "\n命令:")
	for _, name := range []string{"serve", "ask", "chat", "eval", "kb", "health", "wechat", "bench", "user", "logs"} {
		fmt.Fprintf(w, "  %-6s %s\n", name, commands()[name].summary)
	}
}
