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
	// usage is printed, to standard output, for "fazhibot <command> …
	// --help" (or -h) instead of running the command: its forms,
	// subcommands and options.
	usage string
	run   func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":  {"启动服务(微信回调、接口、健康检查)", serveUsage, runServe},
		"ask":    {"提一个问题,查看机器人的回答", askUsage, runAsk},
		"chat":   {"在终端里与机器人对话", chatUsage, runChat},
		"eval":   {"用问题集评测回答质量", evalUsage, runEval},
		"kb":     {"管理知识库: import | list | show | rm | publish | versions | restore", kbUsage, runKB},
		"health": {"检查本机服务是否正常(供 Docker 健康检查使用)", healthUsage, runHealth},
		"wechat": {"公众号自定义菜单: menu push | show", wechatUsage, runWeChat},
		"bench":  {"回调压测: 与标准库基准对比吞吐和延迟", benchUsage, runBench},
		"user":   {"管理控制台账号: add | list | passwd", userUsage, runUser},
		"logs":   {"问答日志: list | export | purge", logsUsage, runLogs},
	}
}

// The usages of the commands whose own files do not define one.
const (
	serveUsage = "用法: fazhibot serve(配置文件用全局选项 -c 指定: fazhibot -c 配置文件 serve)\n" +
		"启动服务:微信回调、问答接口 /api/v1/ask、管理控制台 /admin/、/healthz、/readyz。\n" +
		"监听地址、数据库、Redis、公众号等见配置文件(示例见 configs/config.example.yaml)或 FAZHIBOT_ 环境变量。"
	chatUsage = "用法: fazhibot chat [--live]\n" +
		"在终端里与机器人对话(可以追问、翻页、看详情),输入问题后回车,输入\"退出\"或按 Ctrl-D 结束。\n" +
		"  --live  用已发布的版本对话(默认用草稿)"
	evalUsage = "用法: fazhibot eval [--live] [--half odd|even] 问题集.jsonl\n" +
		"用问题集(格式同 questions.jsonl,含多轮问题)评测回答质量,按类别给出准确率并列出答错的问题。\n" +
		"  --live            评测已发布的版本(默认评测草稿)\n" +
		"  --half odd|even   只评测编号末位为奇数或偶数的问题(调优集与留出集)"
	healthUsage = "用法: fazhibot health\n" +
		"请求本机服务(配置项 server.listen 的端口)的 /healthz:3 秒内返回 200 时输出 ok,否则以状态码 1 退出。"
	benchUsage = "用法: fazhibot bench [-n 5000] [-c 32] [-mode plain|aes|both] [-questions 问题集.jsonl] [-cpuprofile 文件] [-memprofile 文件]\n" +
		"回调压测:在本进程内启动服务,与标准库基准对比吞吐和延迟。\n" +
		"  -n 数量         每种模式发送的消息数(含重试)\n" +
		"  -c 数量         并发连接数\n" +
		"  -mode 模式      plain(明文)、aes(安全模式)或 both(两种都测)\n" +
		"  -questions 文件 问题集(JSON Lines,格式同 fazhibot eval)\n" +
		"  -cpuprofile 文件 把 CPU 剖析写入此文件,供 go tool pprof 分析\n" +
		"  -memprofile 文件 把内存分配剖析写入此文件,供 go tool pprof 分析"
	userUsage = "用法:\n" +
		"  fazhibot user add 用户名 [--role staff|admin]   创建控制台账号(密码从标准输入读一行;为空则自动生成)\n" +
		"  fazhibot user list                           列出账号\n" +
		"  fazhibot user passwd 用户名                  重设密码(新密码从标准输入读一行;为空则自动生成)"
)

// helpRequested reports whether args ask for help: -h, -help or --help
// before any "--".
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// run is the whole program: it parses the global flags, loads the
// configuration and runs one command. It reads the environment only
// through getenv.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fazhibot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("c", "", "配置文件路径(YAML);不指定时使用默认配置和环境变量")
	fs.Usage = func() {} // usage is printed below, where it belongs
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return nil
	} else if err != nil {
		usage(stderr)
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
	// Help never runs the command, nor needs a valid configuration.
	if helpRequested(fs.Args()[1:]) {
		fmt.Fprintln(stdout, cmd.usage)
		return nil
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
	for _, name := range commandNames() {
		fmt.Fprintf(w, "  %-6s %s\n", name, commands()[name].summary)
	}
	fmt.Fprintln(w, "\n选项:\n  -c 配置文件  配置文件路径(YAML);不指定时使用默认配置和 FAZHIBOT_ 环境变量")
	fmt.Fprintln(w, "\n每个命令的用法: fazhibot <命令> --help")
}

// commandNames lists the commands in the order usage shows them.
func commandNames() []string {
	return []string{"serve", "ask", "chat", "eval", "kb", "health", "wechat", "bench", "user", "logs"}
}
