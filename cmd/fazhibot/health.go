package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// runHealth asks the local server for /healthz; the Docker healthcheck
// runs it. It exits non-zero unless the server answers 200 in 3 seconds.
func runHealth(ctx context.Context, e *env, args []string) error {
	_, port, err := net.SplitHostPort(e.cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("配置项 server.listen: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort("127.0.0.1", port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("健康检查失败: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("健康检查失败: HTTP %d", resp.StatusCode)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
