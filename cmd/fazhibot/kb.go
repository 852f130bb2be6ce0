package main

import (
	"context"
	"fmt"
)

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
		fmt.Fprintln(e.stderr, "用法: fazhibot kb import [--id ID] 文件… | list | show ID | rm ID | publish -m 说明 | versions | restore 版本号")
		return errUsage
	}
	return sub[args[0]](ctx, e, args[1:])
}
