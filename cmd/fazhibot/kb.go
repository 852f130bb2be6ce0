package main

import (
	"context"
	"fmt"
)

// kbUsage is the usage of the kb command.
const kbUsage = `用法:
  fazhibot kb import [--id 编号] [--year 年度] [--dept 部门] [--by 导入人] 文件…
                                  把报告导入草稿(.txt .html .docx .md);任何一个文件有问题,全部不导入
      --id 编号    报告编号(只导入一个文件时可用;默认取文件名去掉扩展名)
      --year 年度  报告年度,如 2021;文件中找不到年度(或写错)时用它,适用于本次导入的所有文件
      --dept 部门  发布部门,如 江津区司法局;同上
  fazhibot kb list                列出草稿中的报告
  fazhibot kb show 编号           查看一份报告的章节、段落和关键词
  fazhibot kb rm 编号             从草稿中删除一份报告
  fazhibot kb publish -m "说明"   把草稿发布为新版本
  fazhibot kb versions            列出所有版本
  fazhibot kb restore 版本号      恢复到以前的某个版本(作为新版本上线)`

// runKB dispatches the knowledge-base subcommands.
func runKB(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"import":   runKBImport,
		"list":     runKBList,
		"show":     runKBShow,
		"rm":       runKBRemove,
		"publish":  runKBPublish,
		"versions": runKBVersions,
		"restore":  runKBRestore,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		fmt.Fprintln(e.stderr, kbUsage)
		return errUsage
	}
	return sub[args[0]](ctx, e, args[1:])
}
