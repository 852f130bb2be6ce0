package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/logexport"
	"fazhibot/storage/logwriter"
	"fazhibot/storage/sqldb"
)

// logsUsage is the usage of the logs command.
const logsUsage = `用法:
  fazhibot logs list   [筛选条件] [--limit 50]
  fazhibot logs export [筛选条件] [--limit N] [-o 文件.csv]
  fazhibot logs purge  [--days 天数 | --before 日期]

筛选条件:
  --from 日期  --to 日期(含当天,日期如 2026-01-31)
  --answered | --unanswered  --feedback 满意|不满意
  --q 文本  --report 报告ID  --dept 部门  --channel wechat|api|cli|eval  --user 用户化名`

// runLogs dispatches the query-log subcommands.
func runLogs(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"list":   runLogsList,
		"export": runLogsExport,
		"purge":  runLogsPurge,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		fmt.Fprintln(e.stderr, logsUsage)
		return errUsage
	}
	return sub[args[0]](ctx, e, args[1:])
}

// logFlags are the filters list and export share.
type logFlags struct {
	from, to             string
	answered, unanswered bool
	feedback             string
	text                 string
	report               string
	dept                 string
	channel              string
	user                 string
	limit                int
}

func (lf *logFlags) register(fs *flag.FlagSet, limit int, limitHelp string) {
	fs.StringVar(&lf.from, "from", "", "起始日期(含),如 2026-01-01")
	fs.StringVar(&lf.to, "to", "", "截止日期(含当天),如 2026-01-31")
	fs.BoolVar(&lf.answered, "answered", false, "只看已回答的")
	fs.BoolVar(&lf.unanswered, "unanswered", false, "只看未回答的问题")
	fs.StringVar(&lf.feedback, "feedback", "", "只看收到该评价的: 满意 或 不满意")
	fs.StringVar(&lf.text, "q", "", "消息中包含的文字")
	fs.StringVar(&lf.report, "report", "", "最佳命中段落所在的报告 ID")
	fs.StringVar(&lf.dept, "dept", "", "回答所针对的部门全称")
	fs.StringVar(&lf.channel, "channel", "", "渠道: wechat、api、cli 或 eval")
	fs.StringVar(&lf.user, "user", "", "用户化名(日志中的用户列)")
	fs.IntVar(&lf.limit, "limit", limit, limitHelp)
}

// parseDay parses a date of the command line as midnight in the query
// log's time zone.
func parseDay(flagName, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, console.LogZone())
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s 的日期 %q 无效,应如 2026-01-31", flagName, s)
	}
	return t, nil
}

// filter returns the sqldb filter of the flags.
func (lf *logFlags) filter() (console.LogFilter, error) {
	f := console.LogFilter{Text: lf.text, Report: knowledge.ReportID(lf.report), Department: lf.dept,
		Channel: lf.channel, User: lf.user}
	var err error
	if lf.from != "" {
		if f.From, err = parseDay("from", lf.from); err != nil {
			return f, err
		}
	}
	if lf.to != "" {
		if f.To, err = parseDay("to", lf.to); err != nil {
			return f, err
		}
		f.To = f.To.AddDate(0, 0, 1) // the whole day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, fmt.Errorf("--from %s 晚于 --to %s", lf.from, lf.to)
	}
	switch {
	case lf.answered && lf.unanswered:
		return f, errors.New("--answered 和 --unanswered 不能同时使用")
	case lf.answered:
		f.Answer = console.OnlyAnswered
	case lf.unanswered:
		f.Answer = console.OnlyUnanswered
	}
	switch lf.feedback {
	case "":
	case "满意", string(console.FeedbackSatisfied):
		f.Feedback = console.FeedbackSatisfied
	case "不满意", string(console.FeedbackUnsatisfied):
		f.Feedback = console.FeedbackUnsatisfied
	default:
		return f, fmt.Errorf("--feedback 应为 满意 或 不满意,实为 %q", lf.feedback)
	}
	if lf.limit < 0 {
		return f, fmt.Errorf("--limit 不能为负数,实为 %d", lf.limit)
	}
	f.Limit = lf.limit
	return f, nil
}

// parseLogFlags parses the arguments of list or export.
func parseLogFlags(e *env, name string, args []string, limit int, limitHelp string, extra func(*flag.FlagSet)) (console.LogFilter, error) {
	fs := flag.NewFlagSet("logs "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var lf logFlags
	lf.register(fs, limit, limitHelp)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, logsUsage)
		fmt.Fprintln(e.stderr, "\n参数:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return console.LogFilter{}, errUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(e.stderr, "多余的参数: %s\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return console.LogFilter{}, errUsage
	}
	return lf.filter()
}

// runLogsList prints the newest records the filters select.
func runLogsList(ctx context.Context, e *env, args []string) error {
	f, err := parseLogFlags(e, "list", args, console.DefaultLogLimit, fmt.Sprintf("最多显示多少条(1–%d)", console.MaxLogLimit), nil)
	if err != nil {
		return err
	}
	if f.Limit < 1 || f.Limit > console.MaxLogLimit {
		return fmt.Errorf("--limit 应在 1 到 %d 之间,实为 %d", console.MaxLogLimit, f.Limit)
	}
	db, err := openDB(ctx, e.cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	page, err := db.Logs(ctx, f)
	if err != nil {
		return fmt.Errorf("读取问答日志: %w", err)
	}
	if len(page.Records) == 0 {
		fmt.Fprintln(e.stdout, "没有符合条件的记录。")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号\t时间\t渠道\t用户\t消息\t结果\t评价\t最佳命中\t耗时")
	for _, r := range page.Records {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%dms\n", r.ID, logexport.Time(r.Time), logexport.Channel(r.Channel),
			shorten(r.User, 8), oneLine(shorten(r.Text, 30)), logexport.Outcome(r), logexport.Verdict(r.Feedback), bestHit(r), r.Latency.Milliseconds())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if page.Next != "" {
		fmt.Fprintf(e.stdout, "仅显示最新的 %d 条;还有更早的记录,可缩小筛选范围或加大 --limit。\n", len(page.Records))
	} else {
		fmt.Fprintf(e.stdout, "共 %d 条。\n", len(page.Records))
	}
	return nil
}

// writeCSV writes the records f selects to w as CSV for Excel and returns
// how many it wrote.
func writeCSV(ctx context.Context, db *sqldb.DB, f console.LogFilter, w io.Writer) (int, error) {
	return logexport.WriteCSV(w, func(fn func(console.LogRecord) error) error { return db.EachLog(ctx, f, fn) }, nil)
}

// runLogsExport writes the records the filters select as CSV.
func runLogsExport(ctx context.Context, e *env, args []string) error {
	var out string
	f, err := parseLogFlags(e, "export", args, 0, "最多导出多少条;0 表示全部", func(fs *flag.FlagSet) {
		fs.StringVar(&out, "o", "", "输出文件(CSV,UTF-8 带 BOM,可直接用 Excel 打开);不指定时输出到标准输出")
	})
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e.cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	if out == "" {
		_, err := writeCSV(ctx, db, f, e.stdout)
		if err != nil {
			return fmt.Errorf("导出问答日志: %w", err)
		}
		return nil
	}
	file, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("创建文件: %w", err)
	}
	n, err := writeCSV(ctx, db, f, file)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("导出问答日志: %w", err)
	}
	fmt.Fprintf(e.stdout, "已导出 %d 条记录到 %s。\n", n, out)
	return nil
}

// runLogsPurge deletes old records: those before --before, or older than
// --days whole days (by default logs.retention_days).
func runLogsPurge(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("logs purge", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	days := fs.Int("days", -1, "保留最近多少天(不含当天),更早的清除;默认为配置项 logs.retention_days")
	before := fs.String("before", "", "清除该日期(不含)之前的记录,如 2026-01-01")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, logsUsage)
		fmt.Fprintln(e.stderr, "\n参数:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	var cutoff time.Time
	switch {
	case *before != "" && *days >= 0:
		return errors.New("--days 和 --before 不能同时使用")
	case *before != "":
		t, err := parseDay("before", *before)
		if err != nil {
			return err
		}
		cutoff = t
	default:
		n := *days
		if n < 0 {
			n = e.cfg.Logs.RetentionDays
			if n == 0 {
				return errors.New("配置项 logs.retention_days 为 0(永久保留);如需清除请用 --days 或 --before 指定")
			}
		}
		cutoff = logwriter.RetentionCutoff(time.Now(), n)
	}
	db, err := openDB(ctx, e.cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.PurgeLogs(ctx, cutoff)
	if err != nil {
		return fmt.Errorf("清除问答日志(已清除 %d 条): %w", n, err)
	}
	fmt.Fprintf(e.stdout, "已清除 %s 之前的 %d 条问答记录(每日统计数字保留)。\n", cutoff.Format("2006-01-02"), n)
	return nil
}

func bestHit(r console.LogRecord) string {
	if len(r.Hits) == 0 {
		return "-"
	}
	return fmt.Sprintf("%s#%d", r.Hits[0].Report, r.Hits[0].Seq)
}

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
}
