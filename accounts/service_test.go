package accounts_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"fazhibot/accounts"
	"fazhibot/console"
	"fazhibot/storage/sqlite"
)

// newService returns a Service over a fresh SQLite database with one admin
// ("管理员") and one staff account ("工作人员"), and the two as actors.
func newService(t *testing.T) (s *accounts.Service, admin, staff console.Actor) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fz.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s = accounts.NewService(db, bcrypt.MinCost, nil)
	root := console.Actor{Name: "测试", Role: console.RoleAdmin}
	a, _, err := s.CreateUser(ctx, root, "管理员", console.RoleAdmin, "管理员的密码123")
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := s.CreateUser(ctx, root, "工作人员", console.RoleStaff, "工作人员的密码1")
	if err != nil {
		t.Fatal(err)
	}
	return s, console.Actor{ID: a.ID, Name: a.Name, Role: a.Role}, console.Actor{ID: st.ID, Name: st.Name, Role: st.Role}
}

// TestServiceRules: who may do what with accounts, whoever asks.
func TestServiceRules(t *testing.T) {
	ctx := context.Background()
	s, admin, staff := newService(t)
	isRule := func(err error) bool { _, ok := errors.AsType[accounts.RuleError](err); return ok }
	tests := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"staff create", func() error {
			_, _, err := s.CreateUser(ctx, staff, "新人", console.RoleStaff, "")
			return err
		}, func(err error) bool { return err == console.ErrNotAllowed }},
		{"bad name", func() error {
			_, _, err := s.CreateUser(ctx, admin, "有 空格", console.RoleStaff, "")
			return err
		}, isRule},
		{"bad role", func() error {
			_, _, err := s.CreateUser(ctx, admin, "新人", "root", "")
			return err
		}, isRule},
		{"short password", func() error {
			_, _, err := s.CreateUser(ctx, admin, "新人", console.RoleStaff, "短")
			return err
		}, isRule},
		{"taken name", func() error {
			_, _, err := s.CreateUser(ctx, admin, "工作人员", console.RoleStaff, "")
			return err
		}, func(err error) bool { return errors.Is(err, console.ErrExists) }},
		{"staff sets a role", func() error { return s.SetRole(ctx, staff, staff.ID, console.RoleAdmin) },
			func(err error) bool { return err == console.ErrNotAllowed }},
		{"last admin demoted", func() error { return s.SetRole(ctx, admin, admin.ID, console.RoleStaff) },
			func(err error) bool { return errors.Is(err, console.ErrInvalid) }},
		{"own account disabled", func() error { return s.Disable(ctx, admin, admin.ID) }, isRule},
		{"staff disables", func() error { return s.Disable(ctx, staff, admin.ID) },
			func(err error) bool { return err == console.ErrNotAllowed }},
		{"staff resets a password", func() error {
			_, err := s.ResetPassword(ctx, staff, "管理员", "新的密码12345")
			return err
		}, func(err error) bool { return err == console.ErrNotAllowed }},
		{"unknown account reset", func() error {
			_, err := s.ResetPassword(ctx, admin, "没有这个人", "新的密码12345")
			return err
		}, func(err error) bool { return errors.Is(err, console.ErrNotFound) }},
		{"token without a name", func() error {
			_, _, err := s.CreateToken(ctx, staff, "  ")
			return err
		}, isRule},
	}
	for _, tt := range tests {
		if err := tt.do(); !tt.want(err) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

// TestServiceTokens: a token's secret authenticates its account until it
// is revoked; staff revoke only their own, and a disabled account's
// tokens stop working.
func TestServiceTokens(t *testing.T) {
	ctx := context.Background()
	s, admin, staff := newService(t)
	tok, secret, err := s.CreateToken(ctx, staff, "导入脚本")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, accounts.TokenPrefix) || tok.Hash != accounts.HashSecret(secret) {
		t.Fatalf("secret %q, stored hash %q", secret, tok.Hash)
	}
	got, u, err := s.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || u.ID != staff.ID {
		t.Fatalf("Authenticate = %d, %d, %v; want token %d of account %d", got.ID, u.ID, err, tok.ID, staff.ID)
	}
	if _, _, err := s.Authenticate(ctx, secret+"x"); !errors.Is(err, console.ErrNotFound) {
		t.Errorf("a wrong secret: err = %v, want ErrNotFound", err)
	}

	adminTok, _, err := s.CreateToken(ctx, admin, "管理脚本")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, staff, adminTok.ID); !errors.Is(err, console.ErrNotFound) {
		t.Errorf("staff revoking an admin's token: err = %v, want ErrNotFound", err)
	}
	if err := s.Disable(ctx, admin, staff.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, secret); !errors.Is(err, console.ErrNotFound) {
		t.Errorf("a disabled account's token: err = %v, want ErrNotFound", err)
	}
}

// TestServicePasswords: changing one's own password needs the current
// one and a matching confirmation; the first admin's stored hash matches
// its password.
func TestServicePasswords(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newService(t)
	u, err := s.ResetPassword(ctx, admin, "工作人员", "重置后的密码99")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangePassword(ctx, u, "", "不对的密码00000", "新密码新密码123", "新密码新密码123"); err == nil {
		t.Fatal("a wrong current password was accepted")
	}
	// u is the account as read before the reset: its hash is the old one.
	if err := s.ChangePassword(ctx, u, "", "工作人员的密码1", "新密码新密码123", "不一致的确认"); err == nil {
		t.Fatal("a mismatched confirmation was accepted")
	}
	if err := s.ChangePassword(ctx, u, "", "工作人员的密码1", "新密码新密码123", "新密码新密码123"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	first, err := s.CreateFirstAdmin(ctx, "设置链接", "第二位管理员", "第二位管理员密码", "第二位管理员密码")
	if err != nil || first.Role != console.RoleAdmin {
		t.Fatalf("CreateFirstAdmin = %+v, %v", first, err)
	}
	if !accounts.Matches(first.PasswordHash, "第二位管理员密码") {
		t.Error("the stored hash does not match the password")
	}
}
