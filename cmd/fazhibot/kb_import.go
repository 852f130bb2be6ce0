package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"fazhibot/knowledge"
)

// runKBImport parses every file first and saves them all in one
// transaction, so a broken file leaves the knowledge base as it was.
func runKBImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("kb import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	id := fs.String("id", "", "报告编号(只导入一个文件时可用;默认取文件名去掉扩展名)")
	by := fs.String("by", cliActor, "记录导入人")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "用法: fazhibot kb import [--id ID] 文件…")
		return errUsage
	}
	if *id != "" && len(files) > 1 {
		return fmt.Errorf("--id 只能用于导入单个文件,现在有 %d 个文件", len(files))
	}
	if *id != "" {
		if err := knowledge.CheckReportID(knowledge.ReportID(*id)); err != nil {
			return fmt.Errorf("--id: %w(未导入任何报告)", err)
		}
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	reports := make([]*knowledge.Report, 0, len(files))
	for i, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("读取 %s: %w(未导入任何报告)", file, err)
		}
		r, err := a.parse(ctx, filepath.Base(file), data)
		if err != nil {
			return fmt.Errorf("%w(未导入任何报告)", err)
		}
		if *id != "" {
			r.ID = knowledge.ReportID(*id)
		} else if err := knowledge.CheckReportID(r.ID); err != nil {
			return fmt.Errorf("%s: %w(报告编号取自文件名去掉扩展名,请改名或用 --id 指定)(未导入任何报告)", file, err)
		}
		reports = append(reports, r)
		if len(files) > 1 {
			fmt.Fprintf(e.stderr, "[%d/%d] 已解析 %s: %s %d年度,%d 段\n", i+1, len(files), file, r.Department, r.Year, len(r.Passages))
		}
	}
	if err := a.db.SaveReports(ctx, *by, reports...); err != nil {
		return fmt.Errorf("保存报告: %w(未导入任何报告)", err)
	}
	for _, r := range reports {
		fmt.Fprintf(e.stdout, "已导入 %s: %s(%s %d年度,%d 段)\n", r.ID, r.Title, r.Department, r.Year, len(r.Passages))
	}
	fmt.Fprintln(e.stdout, "报告已保存到草稿。可用 fazhibot ask 测试,确认无误后用 fazhibot kb publish 发布。")
	return nil
}
