package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
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

// TestUserPasswdEndsSessions, on SQLite and PostgreSQL: "user passwd" ends
// every console session of the account, keeps its API tokens, and leaves
// other accounts' sessions alone.
func TestUserPasswdEndsSessions(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "fazhibot.db") }},
		{"postgres", postgresSchemaURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"FAZHIBOT_DATABASE_URL": tc.url(t)})
			for _, name := range []string{"张管理", "李编辑"} {
				if err := run(t.Context(), []string{"user", "add", name}, getenv, strings.NewReader("first-password\n"), io.Discard, io.Discard); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := loadConfig("", getenv)
			if err != nil {
				t.Fatal(err)
			}
			db, err := openDB(t.Context(), cfg.Database)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			secret := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
			users := map[string]console.User{}
			for _, name := range []string{"张管理", "李编辑"} {
				u, err := db.UserByName(t.Context(), name)
				if err != nil {
					t.Fatal(err)
				}
				users[name] = u
				for i := range 2 {
					s := console.WebSession{IDHash: secret(fmt.Sprint(name, i)), UserID: u.ID, CSRFToken: "csrf", ExpiresAt: time.Now().Add(time.Hour)}
					if err := db.CreateWebSession(t.Context(), s); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := db.CreateToken(t.Context(), console.APIToken{UserID: u.ID, Name: "脚本", Hash: secret(name + "token")}, name); err != nil {
					t.Fatal(err)
				}
			}

			var stdout bytes.Buffer
			if err := run(t.Context(), []string{"user", "passwd", "李编辑"}, getenv, strings.NewReader("second-password\n"), &stdout, io.Discard); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout.String(), "所有控制台登录已退出") {
				t.Errorf("output %q does not say the sessions ended", stdout.String())
			}
			for _, tt := range []struct {
				name         string
				wantSessions bool
			}{
				{"李编辑", false},
				{"张管理", true},
			} {
				for i := range 2 {
					_, err := db.WebSession(t.Context(), secret(fmt.Sprint(tt.name, i)))
					if (err == nil) != tt.wantSessions {
						t.Errorf("session %d of %s after the password change: err %v, want working %v", i, tt.name, err, tt.wantSessions)
					}
				}
				if _, err := db.TokenByHash(t.Context(), secret(tt.name+"token")); err != nil {
					t.Errorf("token of %s after the password change: %v", tt.name, err)
				}
			}
		})
	}
}
