package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"fazhibot/console"
	"fazhibot/knowledge"
)

const kbImportUsage = "用法: fazhibot kb import [--id 编号] [--year 年度] [--dept 部门] 文件…"

// runKBImport parses every file first and saves them all in one
// transaction, so a broken file leaves the knowledge base as it was.
func runKBImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("kb import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	id := fs.String("id", "", "报告编号(只导入一个文件时可用;默认取文件名去掉扩展名)")
	year := fs.String("year", "", "报告年度,如 2021(文件中写明的年度以此为准;适用于本次导入的所有文件)")
	dept := fs.String("dept", "", "发布部门,如 江津区司法局(文件中写明的部门以此为准;适用于本次导入的所有文件)")
	by := fs.String("by", cliActor, "记录导入人")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, kbImportUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, kbImportUsage)
		return errUsage
	}
	if *id != "" && len(files) > 1 {
		return fmt.Errorf("--id 只能用于导入单个文件,现在有 %d 个文件(未导入任何报告)", len(files))
	}
	if *id != "" {
		if err := knowledge.CheckReportID(knowledge.ReportID(*id)); err != nil {
			return fmt.Errorf("--id: %w(未导入任何报告)", err)
		}
	}
	var st knowledge.Stated
	var err error
	if st.Year, err = knowledge.ParseYear(*year); err != nil {
		return fmt.Errorf("--year: %w(未导入任何报告)", err)
	}
	st.Department = *dept
	if err := (knowledge.Stated{Department: st.Department}).Check(); err != nil {
		return fmt.Errorf("--dept: %w(未导入任何报告)", err)
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	reports := make([]*knowledge.Report, 0, len(files))
	for i, file := range files {
		data, err := readReportFile(file)
		if err != nil {
			return fmt.Errorf("%w(未导入任何报告)", err)
		}
		r, err := a.parseStated(ctx, filepath.Base(file), data, st)
		if errors.Is(err, knowledge.ErrNoYear) {
			return fmt.Errorf("%w;请用 --year 写明年度,如 --year 2021(未导入任何报告)", err)
		}
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
	if err := a.db.SaveReports(ctx, *by, reports...); errors.Is(err, console.ErrInvalid) {
		return fmt.Errorf("报告内容无效,数据库拒绝保存(%v)(未导入任何报告)", err)
	} else if err != nil {
		return fmt.Errorf("保存报告失败: %w(未导入任何报告)", err)
	}
	for _, r := range reports {
		fmt.Fprintf(e.stdout, "已导入 %s: %s(%s %d年度,%d 段)\n", r.ID, r.Title, r.Department, r.Year, len(r.Passages))
	}
	fmt.Fprintln(e.stdout, "报告已保存到草稿。可用 fazhibot ask 测试,确认无误后用 fazhibot kb publish 发布。")
	return nil
}

// readReportFile reads one file to import; its errors name the file and
// say in Chinese what is wrong.
func readReportFile(file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("找不到文件 %s", file)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("没有权限读取文件 %s", file)
	case err != nil:
		if info, serr := os.Stat(file); serr == nil && info.IsDir() {
			return nil, fmt.Errorf("%s 是目录,请给出其中的报告文件", file)
		}
		return nil, fmt.Errorf("读取文件 %s 失败: %w", file, err)
	}
	return data, nil
}
