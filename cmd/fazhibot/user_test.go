package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestUserCommands manages accounts from the command line: a password
// from stdin, a generated one, a duplicate name, a bad role, a weak
// password, a password reset, the list.
func TestUserCommands(t *testing.T) {
	getenv := testEnv(t, nil)
	type step struct {
		args    []string
		stdin   string
		wantOut string // in stdout, or in the error when wantErr
		wantErr bool
	}
	var generated string
	steps := []step{
		{[]string{"user", "add", "张管理", "--role", "admin"}, "first-password\n", "已创建账号 张管理(管理员,编号 1)", false},
		{[]string{"user", "add", "--role", "staff", "李编辑"}, "", "初始密码: ", false},
		{[]string{"user", "add", "张管理"}, "another-password\n", "已被使用", true},
		{[]string{"user", "add", "王五", "--role", "root"}, "another-password\n", "用法", true},
		{[]string{"user", "add", "王五"}, "short\n", "密码至少需要 8 个字符", true},
		{[]string{"user", "passwd", "李编辑"}, "reset-password\r\n", "已修改 李编辑 的密码", false},
		{[]string{"user", "passwd", "无此人"}, "reset-password\n", "没有名为 无此人 的账号", true},
		{[]string{"user", "list"}, "", "李编辑", false},
		{[]string{"user"}, "", "用法", true},
	}
	for _, st := range steps {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), st.args, getenv, strings.NewReader(st.stdin), &stdout, &stderr)
		if (err != nil) != st.wantErr {
			t.Fatalf("%v: err %v; stdout %q stderr %q", st.args, err, stdout.String(), stderr.String())
		}
		got := stdout.String()
		if err != nil {
			got = err.Error() + stderr.String()
		}
		if !strings.Contains(got, st.wantOut) {
			t.Errorf("%v: output %q lacks %q", st.args, got, st.wantOut)
		}
		if m := regexp.MustCompile(`初始密码: (\S+)`).FindStringSubmatch(stdout.String()); m != nil {
			generated = m[1]
		}
	}
	if len(generated) != 16 {
		t.Errorf("generated password %q", generated)
	}
}
