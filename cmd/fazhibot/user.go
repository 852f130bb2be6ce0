package main

import (
	"bufio"
	"context"
	"errors"
	"fazhibot/accounts"
	"fazhibot/console"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// runUser manages the staff console's accounts from the server's shell,
// for the first admin without the setup link and for lost passwords.
func runUser(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"add":    runUserAdd,
		"list":   runUserList,
		"passwd": runUserPasswd,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		fmt.Fprintln(e.stderr, "用法: fazhibot user add 用户名 [--role staff|admin] | user list | user passwd 用户名")
		return errUsage
	}
	return sub[args[0]](ctx, e, args[1:])
}

// runUserAdd creates an account. The password is read from stdin (one
// line); an empty line or no input generates one, printed once.
func runUserAdd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	role := fs.String("role", string(console.RoleStaff), "角色: staff(工作人员)或 admin(管理员)")
	usage := func() error {
		fmt.Fprintln(e.stderr, "用法: fazhibot user add 用户名 [--role staff|admin](密码从标准输入读一行;为空则自动生成)")
		return errUsage
	}
	name, err := nameAndFlags(fs, args)
	if err != nil {
		return usage()
	}
	r := console.Role(*role)
	if r != console.RoleStaff && r != console.RoleAdmin {
		fmt.Fprintf(e.stderr, "角色 %q 无效,应为 staff 或 admin\n", *role)
		return usage()
	}
	password, generated, err := readPassword(e)
	if err != nil {
		return err
	}
	if err := accounts.CheckPassword(password); err != nil {
		return err
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, _, err := accounts.NewService(a.db, 0, nil).CreateUser(ctx, cliAdmin(), name, r, password)
	switch {
	case errors.Is(err, console.ErrExists):
		return fmt.Errorf("用户名 %s 已被使用", name)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "已创建账号 %s(%s,编号 %d)\n", u.Name, roleName(u.Role), u.ID)
	if generated {
		fmt.Fprintf(e.stdout, "初始密码: %s\n(只显示这一次,请妥善保管;登录后可在“用户与令牌”页修改)\n", password)
	}
	return nil
}

// runUserPasswd sets an account's password, read as for user add, and
// ends every console session of the account; its API tokens stay valid.
func runUserPasswd(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "用法: fazhibot user passwd 用户名(新密码从标准输入读一行;为空则自动生成)")
		return errUsage
	}
	password, generated, err := readPassword(e)
	if err != nil {
		return err
	}
	if err := accounts.CheckPassword(password); err != nil {
		return err
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := accounts.NewService(a.db, 0, nil).ResetPassword(ctx, cliAdmin(), args[0], password)
	if errors.Is(err, console.ErrNotFound) {
		return fmt.Errorf("没有名为 %s 的账号", args[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已修改 %s 的密码,该账号的所有控制台登录已退出(API 令牌不受影响)\n", u.Name)
	if generated {
		fmt.Fprintf(e.stdout, "新密码: %s\n(只显示这一次,请妥善保管)\n", password)
	}
	if u.Disabled {
		fmt.Fprintln(e.stdout, "注意:该账号已停用,需由管理员在“用户与令牌”页启用后才能登录。")
	}
	return nil
}

// runUserList lists the accounts.
func runUserList(ctx context.Context, e *env, args []string) error {
	if len(args) != 0 {
		fmt.Fprintln(e.stderr, "用法: fazhibot user list")
		return errUsage
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := a.db.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号\t用户名\t角色\t状态\t创建时间")
	for _, u := range users {
		status := "正常"
		if u.Disabled {
			status = "已停用"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Name, roleName(u.Role), status, u.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// nameAndFlags parses "NAME [flags]" as well as "[flags] NAME".
func nameAndFlags(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", errUsage
	}
	name := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() != 0 {
		return "", errUsage
	}
	return name, nil
}

// readPassword reads one line from stdin; an empty line or no input
// means a generated password (generated is then true).
func readPassword(e *env) (password string, generated bool, err error) {
	fmt.Fprintln(e.stderr, "请输入密码(一行,至少 8 个字符;直接回车则自动生成):")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("读取密码: %w", err)
	}
	if password = strings.TrimRight(line, "\r\n"); password == "" {
		return accounts.Generate(), true, nil
	}
	return password, false, nil
}

func roleName(r console.Role) string {
	if r == console.RoleAdmin {
		return "管理员"
	}
	return "工作人员"
}
