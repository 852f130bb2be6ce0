package main

import (
	"context"
	"fmt"
)

// runKB dispatches the knowledge-base subcommands.
func runKB(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"import": runKBImport,
		"list":   runKBList,
		"show":   runKBShow,
		"rm":     runKBRemove,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		fmt.Fprintln(e.stderr, "用法: fazhibot kb import [--id ID] 文件… | kb list | kb show ID | kb rm ID")
		return errUsage
	}
	return sub[args[0]](ctx, e, args[1:])
}
