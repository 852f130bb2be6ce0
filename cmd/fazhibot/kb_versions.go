package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"fazhibot/storage/sqldb"
)

// runKBPublish publishes the draft as a new live version. Servers pick it
// up within knowledge.reload_interval (at once with Redis).
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
	v, err := a.db.Publish(ctx, cliActor, *summary)
	if err != nil {
		return fmt.Errorf("发布: %w", err)
	}
	fmt.Fprintf(e.stdout, "已发布版本 %d:%s\n", v.ID, v.Summary)
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
		status := map[sqldb.VersionStatus]string{sqldb.StatusPending: "待审核", sqldb.StatusPublished: "已发布", sqldb.StatusRejected: "已驳回"}[v.Status]
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
	if err != nil {
		return fmt.Errorf("版本号 %q 不是数字", args[0])
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.db.Restore(ctx, sqldb.VersionID(id), cliActor)
	if err != nil {
		return fmt.Errorf("恢复版本 %d: %w", id, err)
	}
	fmt.Fprintf(e.stdout, "已恢复:新版本 %d(%s)已上线,草稿也已恢复为该内容。\n", v.ID, v.Summary)
	return nil
}
