package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"text/tabwriter"

	"fazhibot/console"
	"fazhibot/publishing"
	"fazhibot/storage/redisstore"
)

// runKBPublish publishes the draft as a new live version. Running servers
// load it at once when Redis is configured (the announcement), else within
// knowledge.reload_interval.
func runKBPublish(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("kb publish", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	summary := fs.String("m", "", "本次发布的变更说明")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, `用法: fazhibot kb publish -m "变更说明"`)
		return errUsage
	}
	if *summary == "" {
		return fmt.Errorf("请用 -m 写明本次发布的变更说明")
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, done, err := cliPublishing(ctx, e, a)
	if err != nil {
		return err
	}
	defer done()
	l, err := svc.Publish(ctx, cliAdmin(), *summary)
	switch {
	case errors.Is(err, console.ErrUnchanged):
		return errors.New("草稿与当前线上版本完全相同,没有需要发布的改动,未产生新版本。请先修改草稿(导入、修改或删除报告、FAQ、词表),再发布")
	case errors.Is(err, console.ErrInvalid):
		return errors.New("草稿中没有任何报告或 FAQ,无法发布。请先用 fazhibot kb import 导入报告")
	case err != nil:
		return fmt.Errorf("发布失败,未产生新版本: %w", err)
	}
	fmt.Fprintf(e.stdout, "已发布版本 %d:%s\n", l.Version.ID, l.Version.Summary)
	warnAnnounce(e, l)
	return nil
}

// runKBVersions lists the knowledge-base versions, newest first.
func runKBVersions(ctx context.Context, e *env, args []string) error {
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	vs, err := a.db.Versions(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "版本\t状态\t创建时间\t创建人\t说明")
	for _, v := range vs {
		status := map[console.VersionStatus]string{console.StatusPending: "待审核", console.StatusPublished: "已发布", console.StatusRejected: "已驳回"}[v.Status]
		if v.Live {
			status += "(当前)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", v.ID, status, v.CreatedAt.Local().Format("2006-01-02 15:04"), v.CreatedBy, v.Summary)
	}
	return tw.Flush()
}

// runKBRestore makes an earlier version live again, as a new version, and
// resets the draft to it.
func runKBRestore(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "用法: fazhibot kb restore 版本号")
		return errUsage
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("版本号 %q 无效,应为正整数(可用 fazhibot kb versions 查看)", args[0])
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, done, err := cliPublishing(ctx, e, a)
	if err != nil {
		return err
	}
	defer done()
	l, err := svc.Restore(ctx, cliAdmin(), console.VersionID(id))
	switch {
	case errors.Is(err, console.ErrNotFound):
		return fmt.Errorf("没有版本 %d。可用 fazhibot kb versions 查看所有版本", id)
	case errors.Is(err, console.ErrInvalid):
		return fmt.Errorf("版本 %d 没有发布过(待审核或已驳回),不能恢复。待审核的版本须经管理员在控制台批准后上线", id)
	case err != nil:
		return fmt.Errorf("恢复版本 %d 失败,线上版本和草稿都没有改变: %w", id, err)
	}
	fmt.Fprintf(e.stdout, "已恢复:新版本 %d(%s)已上线,草稿也已恢复为该内容。\n", l.Version.ID, l.Version.Summary)
	warnAnnounce(e, l)
	return nil
}

// cliAdmin is the command line as publishing sees it: whoever runs it on
// the server may do what an admin may.
func cliAdmin() console.Actor { return console.Actor{Name: cliActor, Role: console.RoleAdmin} }

// cliPublishing returns the publishing service of the command line, which
// announces on Redis when redis.url is set, and a func that releases the
// Redis connection.
func cliPublishing(ctx context.Context, e *env, a *app) (*publishing.Service, func(), error) {
	// A failed announcement reaches the operator through warnAnnounce.
	opts := publishing.Options{Store: a.db, Log: slog.New(slog.DiscardHandler)}
	done := func() {}
	if url := e.cfg.Redis.URL; url != "" {
		r, err := redisstore.Open(ctx, url, redisstore.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("配置项 redis.url: %w", err)
		}
		opts.Announcer, done = r, func() { r.Close() }
	}
	svc, err := publishing.New(opts)
	if err != nil {
		done()
		return nil, nil, err
	}
	return svc, done, nil
}

// warnAnnounce tells the operator when running servers could not be told
// about the new version.
func warnAnnounce(e *env, l publishing.Live) {
	if l.AnnounceErr != nil {
		fmt.Fprintf(e.stderr, "注意:未能通过 Redis 通知运行中的服务(%v),它们将在定期检查(knowledge.reload_interval)时加载版本 %d。\n", l.AnnounceErr, l.Version.ID)
	}
}
