package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"fazhibot/bot"
	"fazhibot/storage/memstore"
)

// runChat is a conversation in the terminal: each line is a message, and
// the bot answers as it would in WeChat, follow-ups included.
func runChat(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	live := fs.Bool("live", false, "用已发布的版本对话(默认用草稿)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "用法: fazhibot chat [--live](输入问题后回车,输入\"退出\"或按 Ctrl-D 结束)")
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
	fmt.Fprintln(e.stdout, "您好!我是江津法治政府建设报告问答机器人。请输入问题,输入\"帮助\"查看用法,输入\"退出\"结束。")
	in := bufio.NewScanner(e.stdin)
	for {
		fmt.Fprint(e.stdout, "> ")
		if !in.Scan() {
			fmt.Fprintln(e.stdout)
			return in.Err()
		}
		text := strings.TrimSpace(in.Text())
		switch text {
		case "":
			continue
		case "退出", "exit", "quit":
			return nil
		}
		r := d.Respond(ctx, bot.Message{Channel: bot.ChannelCLI, User: "terminal", Kind: bot.KindText, Text: text})
		fmt.Fprintln(e.stdout, r.PlainText())
		if ctx.Err() != nil {
			return nil
		}
	}
}
