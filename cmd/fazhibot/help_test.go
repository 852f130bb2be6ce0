package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpExitsZero: every command and subcommand answers -h and --help
// with its usage on standard output and success, without running (no
// password prompt, no health request, no database) and without needing
// a valid configuration.
func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{}, {"-c", "/nonexistent/fazhibot.yaml"},
		{"serve"}, {"ask"}, {"ask", "--json"}, {"chat"}, {"eval"}, {"health"}, {"bench"},
		{"kb"}, {"kb", "import"}, {"kb", "list"}, {"kb", "show"}, {"kb", "rm"}, {"kb", "publish"}, {"kb", "versions"}, {"kb", "restore"},
		{"wechat"}, {"wechat", "menu"}, {"wechat", "menu", "push"}, {"wechat", "menu", "show"},
		{"user"}, {"user", "add"}, {"user", "list"}, {"user", "passwd"},
		{"logs"}, {"logs", "list"}, {"logs", "export"}, {"logs", "purge"},
	}
	// A configuration that fails validation: help must not load it.
	getenv := testEnv(t, map[string]string{"FAZHIBOT_DATABASE_URL": "mysql://nowhere"})
	for _, cmd := range commands {
		for _, flag := range []string{"--help", "-h", "-help"} {
			args := append(append([]string{}, cmd...), flag)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				if err := run(context.Background(), args, getenv, strings.NewReader("password-1234\n"), &stdout, &stderr); err != nil {
					t.Fatalf("error %v; stderr:\n%s", err, stderr.String())
				}
				out := stdout.String()
				if !strings.HasPrefix(out, "用法") || stderr.Len() != 0 {
					t.Errorf("stdout %q, stderr %q; want the usage on stdout only", out, stderr.String())
				}
				if len(cmd) > 0 && cmd[0] != "-c" && !strings.Contains(out, "fazhibot "+cmd[0]) {
					t.Errorf("usage does not show the command %q:\n%s", cmd[0], out)
				}
			})
		}
	}
	// "help" and no command at all show the list of commands.
	for _, args := range [][]string{{"help"}, nil} {
		if out := runCommand(t, getenv, "", args...); !strings.Contains(out, "kb") || !strings.Contains(out, "fazhibot <命令> --help") {
			t.Errorf("fazhibot %v:\n%s", args, out)
		}
	}
	// An unknown flag is still a usage error.
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--nope"}, getenv, strings.NewReader(""), &stdout, &stderr); err == nil || !strings.Contains(stderr.String(), "用法") {
		t.Errorf("unknown flag: %v, stderr %q", err, stderr.String())
	}
}

// TestKBErrorsInChinese: publishing an unchanged draft, restoring a
// version that does not exist and importing a missing file say so in
// Chinese, without the store's English.
func TestKBErrorsInChinese(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"kb", "publish", "-m", "没有改动"}, "草稿与当前线上版本完全相同,没有需要发布的改动,未产生新版本"},
		{[]string{"kb", "restore", "99"}, "没有版本 99"},
		{[]string{"kb", "restore", "第一版"}, "版本号 \"第一版\" 无效"},
		{[]string{"kb", "restore", "0"}, "版本号 \"0\" 无效"},
		{[]string{"kb", "import", "/nonexistent/jj-x-2021.txt"}, "找不到文件 /nonexistent/jj-x-2021.txt(未导入任何报告)"},
		{[]string{"kb", "import", t.TempDir()}, "是目录"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, getenv, strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sqldb") || strings.Contains(err.Error(), "no such file") {
				t.Errorf("error %q shows the store's or the system's English", err)
			}
		})
	}
	if out := runCommand(t, getenv, "", "kb", "versions"); strings.Count(out, "\n") != 2 {
		t.Errorf("a refused publish made a version:\n%s", out)
	}
}
