package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"fazhibot/bot"
	"fazhibot/storage/memstore"
)

// runEval runs a question set through the same dialogue citizens talk to,
// multi-turn questions included, with an in-process session store.
func runEval(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	live := fs.Bool("live", false, "评测已发布的版本(默认评测草稿)")
	half := fs.String("half", "", "只评测编号末位为奇数(odd)或偶数(even)的问题,用于区分调优集和留出集")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "用法: fazhibot eval [--live] 问题集.jsonl")
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	qs, err := bot.ReadQuestions(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	switch *half {
	case "":
	case "odd", "even":
		qs = bot.Half(qs, *half == "odd")
	default:
		fmt.Fprintln(e.stderr, "--half 应为 odd 或 even")
		return errUsage
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	base, err := a.baseFor(ctx, *live)
	if err != nil {
		return err
	}
	store := memstore.New(nil)
	defer store.Close()
	d, err := a.dialogue(fixed(base), store, nil, nil)
	if err != nil {
		return err
	}
	report := bot.Evaluate(ctx, d, qs)
	for _, m := range report.Misses {
		want := "不应引用报告作答"
		if len(m.Expected) > 0 {
			want = strings.Join(m.Expected, " / ")
		}
		fmt.Fprintf(e.stdout, "✗ %s [%s] 第%d轮: %s\n    期望: %s\n    回答: %s\n", m.ID, m.Kind, m.Turn, m.Question, want, firstLines(m.Reply, 2))
	}
	fmt.Fprintln(e.stdout, "\n准确率(按问题计),以及答错的轮次:误拒(报告有答案却未作答)、段落错误(引用的段落不含答案)、误答(不应作答却作答):")
	for _, k := range report.Kinds {
		fmt.Fprintf(e.stdout, "  %-9s %3d/%-3d %5.1f%%  误拒 %d  段落错误 %d  误答 %d\n", k.Kind, k.OK, k.Total, 100*k.Accuracy(),
			k.FalseRefusals, k.WrongPassages, k.FalseAnswers)
	}
	fmt.Fprintf(e.stdout, "  %-9s %3d/%-3d %5.1f%%\n", "全部", report.OK, report.Total, 100*float64(report.OK)/float64(max(report.Total, 1)))
	return ctx.Err()
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " ⏎ ")
}
