package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"fazhibot/knowledge"
	"fazhibot/storage/sqlite"
)

func runKBList(ctx context.Context, e *env, args []string) error {
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.db.ListReports(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号\t部门\t年度\t段落数\t导入时间\t导入人\t标题")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.Department, r.Year, r.Passages, r.ImportedAt.Local().Format("2006-01-02 15:04"), r.ImportedBy, r.Title)
	}
	return tw.Flush()
}

// runKBShow prints a report's metadata and its section tree: each heading
// once, and under it the passages with their keywords.
func runKBShow(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "用法: fazhibot kb show 报告编号")
		return errUsage
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.db.Report(ctx, knowledge.ReportID(args[0]))
	if errors.Is(err, sqlite.ErrNotFound) {
		return fmt.Errorf("没有编号为 %s 的报告", args[0])
	}
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "编号: %s\n标题: %s\n部门: %s\n年度: %d\n", r.ID, r.Title, r.Department, r.Year)
	for _, kv := range [][2]string{{"发布日期", r.PublishDate}, {"文号", r.DocNumber}, {"来源", r.SourceURL}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "%s: %s\n", kv[0], kv[1])
		}
	}
	fmt.Fprintf(w, "格式: %s,共 %d 段\n\n", r.Format, len(r.Passages))
	var open []string // headings printed so far, outermost first
	for _, p := range r.Passages {
		common := 0
		for common < len(open) && common < len(p.Path)-1 && open[common] == p.Path[common] {
			common++
		}
		for i := common; i < len(p.Path)-1; i++ {
			fmt.Fprintf(w, "%s%s\n", strings.Repeat("  ", i), p.Path[i])
		}
		open = append(open[:common], p.Path[common:max(common, len(p.Path)-1)]...)
		depth := max(len(p.Path)-1, 0)
		indent := strings.Repeat("  ", depth)
		label := "(正文)"
		if len(p.Path) > 0 {
			label = p.Path[len(p.Path)-1]
		}
		fmt.Fprintf(w, "%s[#%d] %s\n%s    %s\n%s    关键词: %s\n", indent, p.Seq, label, indent, p.Text, indent, strings.Join(p.Keywords, "、"))
	}
	return nil
}

func runKBRemove(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "用法: fazhibot kb rm 报告编号")
		return errUsage
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	err = a.db.DeleteReportBy(ctx, knowledge.ReportID(args[0]), cliActor)
	if errors.Is(err, sqlite.ErrNotFound) {
		return fmt.Errorf("没有编号为 %s 的报告", args[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已删除报告 %s\n", args[0])
	return nil
}
