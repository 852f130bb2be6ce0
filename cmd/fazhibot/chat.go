package main

import (
	"context"
	"errors"
)

func runChat(ctx context.Context, e *env, args []string) error {
	return errors.New("chat: 尚未实现")
}
