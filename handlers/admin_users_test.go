package handlers

import (
	"fazhibot/accounts"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
)

func TestAdminCreateUser(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.admin)

	// No password: one is generated and shown once on the page.
	rec := e.followSecret(s, e.mustDo(request{method: "POST", path: adminPrefix + "users", as: s, form: url.Values{"name": {"新同事"}, "role": {"staff"}}}, http.StatusSeeOther))
	m := regexp.MustCompile(`id="secret">([^<]+)<`).FindStringSubmatch(rec.Body.String())
	if m == nil || !strings.Contains(rec.Body.String(), "只显示这一次") {
		t.Fatalf("no generated password on the page:\n%s", clip(rec.Body.String()))
	}
	if rec := e.postLogin("新同事", m[1], "", ""); rec.Code != http.StatusSeeOther {
		t.Errorf("log-in with the generated password: %d", rec.Code)
	}
	if page := e.mustDo(request{method: "GET", path: adminPrefix + "users", as: s}, http.StatusOK).Body.String(); strings.Contains(page, m[1]) {
		t.Error("the generated password is shown again")
	}

	// Through the API, with a password: none returned.
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "users", bearer: e.admin.token,
		json: userCreate{Name: "管理员丙", Role: "admin", Password: "password-123"}}, http.StatusCreated)
	got := apiJSON[map[string]any](t, rec)
	if _, has := got["password"]; has || !strings.Contains(rec.Body.String(), `"role":"admin"`) || strings.Contains(rec.Body.String(), "$2a$") {
		t.Errorf("created %s", rec.Body.String())
	}

	for _, tc := range []struct {
		name string
		body userCreate
		code int
		msg  string
	}{
		{"taken name", userCreate{Name: staffName, Role: "staff"}, 409, "已被使用"},
		{"blank name", userCreate{Name: " ", Role: "staff"}, 400, "请填写用户名"},
		{"name with a space", userCreate{Name: "张 三", Role: "staff"}, 400, "不能含有空格"},
		{"unknown role", userCreate{Name: "x", Role: "root"}, 400, "角色应为"},
		{"short password", userCreate{Name: "x", Role: "staff", Password: "short"}, 400, "至少需要 8 个字符"},
		{"password over 72 bytes", userCreate{Name: "x", Role: "staff", Password: strings.Repeat("密", 25)}, 400, "不能超过 72 字节"},
	} {
		rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "users", bearer: e.admin.token, json: tc.body}, tc.code)
		if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %q", tc.name, msg)
		}
	}
	rec = e.mustDo(request{method: "POST", path: adminPrefix + "users", as: s, form: url.Values{"name": {staffName}, "role": {"staff"}}}, http.StatusConflict)
	if !strings.Contains(rec.Body.String(), "已被使用") {
		t.Errorf("taken name page:\n%s", clip(rec.Body.String()))
	}

	users := apiJSON[map[string][]userView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "users", bearer: e.admin.token}, http.StatusOK))["users"]
	var names []string
	for _, u := range users {
		names = append(names, u.Name+":"+u.Role)
	}
	if want := adminName + ":admin," + staffName + ":staff,新同事:staff,管理员丙:admin"; strings.Join(names, ",") != want {
		t.Errorf("users %v, want %s", names, want)
	}
}

func TestAdminManageUsers(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	staffPath := func(action string) string {
		return fmt.Sprintf("%susers/%d/%s", adminAPIPrefix, e.staff.user.ID, action)
	}
	adminPath := func(action string) string {
		return fmt.Sprintf("%susers/%d/%s", adminAPIPrefix, e.admin.user.ID, action)
	}
	steps := []struct {
		name   string
		req    request
		status int
		msg    string // in the error
	}{
		{"promote staff", request{method: "PUT", path: staffPath("role"), json: userRole{Role: "admin"}}, 200, ""},
		{"demote again", request{method: "PUT", path: staffPath("role"), json: userRole{Role: "staff"}}, 200, ""},
		{"demote the only admin", request{method: "PUT", path: adminPath("role"), json: userRole{Role: "staff"}}, 400, "至少要保留一个启用的管理员账号"},
		{"disable oneself", request{method: "POST", path: adminPath("disable")}, 400, "不能停用自己的账号"},
		{"disable staff", request{method: "POST", path: staffPath("disable")}, 200, ""},
		{"enable staff", request{method: "POST", path: staffPath("enable")}, 200, ""},
		{"unknown account", request{method: "POST", path: adminAPIPrefix + "users/999/disable"}, 404, "找不到该账号"},
		{"bad role", request{method: "PUT", path: staffPath("role"), json: userRole{Role: "boss"}}, 400, "角色应为"},
	}
	for _, st := range steps {
		st.req.bearer = e.admin.token
		rec := e.mustDo(st.req, st.status)
		if st.msg != "" {
			if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, st.msg) {
				t.Errorf("%s: %q", st.name, msg)
			}
		}
	}
	// Disabling revoked the staff account's two tokens.
	want := []string{adminName + " user.role", adminName + " user.role", adminName + " user.disable",
		adminName + " token.revoke", adminName + " token.revoke", adminName + " user.enable"}
	got := e.auditActions()
	if tail := got[len(got)-len(want):]; strings.Join(tail, ",") != strings.Join(want, ",") {
		t.Errorf("audit ends with %v, want %v", tail, want)
	}

	// The same through the pages.
	s := e.sessionFor(e.admin)
	e.mustDo(request{method: "POST", path: fmt.Sprintf("%susers/%d/disable", adminPrefix, e.staff.user.ID), as: s, form: url.Values{}}, http.StatusSeeOther)
	if u, _ := e.db.UserByID(t.Context(), e.staff.user.ID); !u.Disabled {
		t.Error("the page did not disable the account")
	}
	rec := e.mustDo(request{method: "POST", path: fmt.Sprintf("%susers/%d/role", adminPrefix, e.admin.user.ID), as: s, form: url.Values{"role": {"staff"}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "至少要保留一个启用的管理员账号") {
		t.Errorf("last admin page:\n%s", clip(rec.Body.String()))
	}
	page := e.mustDo(request{method: "GET", path: adminPrefix + "users", as: s}, http.StatusOK).Body.String()
	for _, want := range []string{"所有账号", "已停用", "新建账号", staffName} {
		if !strings.Contains(page, want) {
			t.Errorf("users page lacks %q", want)
		}
	}
}

func TestAdminOwnPasswordAndTokens(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)

	rec := e.mustDo(request{method: "POST", path: adminPrefix + "account/password", as: s,
		form: url.Values{"current": {"wrong"}, "password": {"new-password-1"}, "password2": {"new-password-1"}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "当前密码不正确") {
		t.Errorf("wrong current password page:\n%s", clip(rec.Body.String()))
	}
	rec = e.mustDo(request{method: "POST", path: adminPrefix + "account/password", as: s,
		form: url.Values{"current": {staffPassword}, "password": {"new-password-1"}, "password2": {"new-password-2"}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "两次输入的密码不一致") {
		t.Errorf("mismatch page:\n%s", clip(rec.Body.String()))
	}
	e.mustDo(request{method: "POST", path: adminPrefix + "account/password", as: s,
		form: url.Values{"current": {staffPassword}, "password": {"new-password-1"}, "password2": {"new-password-1"}}}, http.StatusSeeOther)
	if rec := e.postLogin(staffName, staffPassword, "", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("old password still works: %d", rec.Code)
	}
	if rec := e.postLogin(staffName, "new-password-1", "", ""); rec.Code != http.StatusSeeOther {
		t.Errorf("new password: %d", rec.Code)
	}

	// A new token is shown once and works; the list never shows secrets.
	rec = e.followSecret(s, e.mustDo(request{method: "POST", path: adminPrefix + "tokens", as: s, form: url.Values{"name": {"导入脚本"}}}, http.StatusSeeOther))
	m := regexp.MustCompile(`id="secret">(fzb_[^<]+)<`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no token secret on the page:\n%s", clip(rec.Body.String()))
	}
	if me := apiJSON[meView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", bearer: m[1]}, http.StatusOK)); me.User.Name != staffName {
		t.Errorf("the new token is %+v", me.User)
	}
	list := e.mustDo(request{method: "GET", path: adminAPIPrefix + "tokens", bearer: e.staff.token}, http.StatusOK)
	if strings.Contains(list.Body.String(), m[1]) || strings.Contains(list.Body.String(), accounts.HashSecret(m[1])) {
		t.Error("the token list shows a secret or its hash")
	}
	toks := apiJSON[map[string][]tokenView](t, list)["tokens"]
	if len(toks) != 3 || toks[2].Name != "导入脚本" {
		t.Fatalf("tokens %+v", toks)
	}
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "tokens", bearer: e.staff.token, json: tokenCreate{Name: "另一个"}}, http.StatusCreated)
	if secret, _ := apiJSON[map[string]any](t, rec)["secret"].(string); !strings.HasPrefix(secret, accounts.TokenPrefix) {
		t.Errorf("API token secret %q", secret)
	}
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "tokens", bearer: e.staff.token, json: tokenCreate{Name: " "}}, http.StatusBadRequest)

	// Staff cannot see or revoke another account's tokens; admins can.
	adminSpare := itoa(e.admin.spareToken)
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "tokens/" + adminSpare, bearer: e.staff.token}, http.StatusNotFound)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "tokens?user=" + itoa(e.admin.user.ID), bearer: e.staff.token}, http.StatusForbidden)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", bearer: e.admin.spareTokenSecret}, http.StatusOK)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "tokens?user=" + itoa(e.staff.user.ID), bearer: e.admin.token}, http.StatusOK)
	tokID := toks[2].ID
	e.mustDo(request{method: "POST", path: adminPrefix + "tokens/" + fmt.Sprint(tokID) + "/revoke", as: e.sessionFor(e.admin), form: url.Values{}}, http.StatusSeeOther)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", bearer: m[1]}, http.StatusUnauthorized)
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "tokens/999", bearer: e.admin.token}, http.StatusNotFound)

	// API password change.
	e.mustDo(request{method: "PUT", path: adminAPIPrefix + "me/password", bearer: e.admin.token,
		json: passwordChange{Current: "nope", Password: "new-password-9"}}, http.StatusBadRequest)
	e.mustDo(request{method: "PUT", path: adminAPIPrefix + "me/password", bearer: e.admin.token,
		json: passwordChange{Current: adminPassword, Password: "new-password-9"}}, http.StatusOK)
}

func TestAdminAudit(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	e.changeDraft()
	for i := range 60 {
		if _, err := e.db.Submit(t.Context(), staffName, fmt.Sprintf("修改 %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	s := e.sessionFor(e.admin)
	first := e.mustDo(request{method: "GET", path: adminPrefix + "audit", as: s}, http.StatusOK).Body.String()
	if !strings.Contains(first, "第 1 页") || !strings.Contains(first, `href="/admin/audit?page=2"`) || strings.Contains(first, "较新") ||
		!strings.Contains(first, "登录") || !strings.Contains(first, "提交审核") {
		t.Errorf("page 1:\n%s", clip(first))
	}
	second := e.mustDo(request{method: "GET", path: adminPrefix + "audit?page=2", as: s}, http.StatusOK).Body.String()
	if !strings.Contains(second, "较新") || !strings.Contains(second, "初始化词表") {
		t.Errorf("page 2:\n%s", clip(second))
	}

	got := apiJSON[struct {
		Entries []auditView `json:"entries"`
		More    bool        `json:"more"`
	}](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "audit?limit=2&offset=1", bearer: e.admin.token}, http.StatusOK))
	if len(got.Entries) != 2 || !got.More || got.Entries[0].ID <= got.Entries[1].ID || got.Entries[1].Action != string(console.ActionVersionSubmit) ||
		got.Entries[1].ActionText != "提交审核" || got.Entries[1].Actor != staffName {
		t.Errorf("API audit %+v", got)
	}
	for _, q := range []string{"limit=0", "limit=501", "offset=-1", "limit=x"} {
		e.mustDo(request{method: "GET", path: adminAPIPrefix + "audit?" + q, bearer: e.admin.token}, http.StatusBadRequest)
	}
}

// TestAdminNav shows the admin-only entries to admins only.
func TestAdminNav(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	for _, tc := range []struct {
		who  testAccount
		want bool
	}{{e.staff, false}, {e.admin, true}} {
		page := e.mustDo(request{method: "GET", path: adminPrefix + "faq", as: e.sessionFor(tc.who)}, http.StatusOK).Body.String()
		for _, item := range []string{"报告", "FAQ", "词表", "命中测试", "回归测试", "版本", "用户与令牌"} {
			if !strings.Contains(page, ">"+item+"</a>") {
				t.Errorf("%s: nav lacks %s", tc.who.user.Name, item)
			}
		}
		for _, item := range []string{`href="/admin/audit">审计日志`, `href="/admin/logs">日志`} {
			if strings.Contains(page, item) != tc.want {
				t.Errorf("%s: nav has %s: %v, want %v", tc.who.user.Name, item, !tc.want, tc.want)
			}
		}
	}
}

// TestAdminRoutesWithoutConsole: without a DB the console's paths are
// unknown, and the WeChat path may not take them.
func TestAdminRoutesWithoutConsole(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	for _, path := range []string{"/admin/", "/admin/login", "/admin/reports"} {
		if rec := serve(srv, httptestGet(path)); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d without a console", path, rec.Code)
		}
	}
	if rec := serve(srv, httptestGet("/api/v1/admin/me")); rec.Code != http.StatusNotFound {
		t.Errorf("GET /api/v1/admin/me = %d without a console", rec.Code)
	}
	for _, p := range []string{"/admin", "/admin/wechat"} {
		if _, err := New(Options{WeChatPath: p, Token: testToken, Responder: &fakeResponder{}, Replies: &fakeCache{}}); err == nil || !strings.Contains(err.Error(), "staff console") {
			t.Errorf("WeChatPath %q: %v", p, err)
		}
	}
	if _, err := New(Options{Responder: &fakeResponder{}, Replies: &fakeCache{}, Console: ConsoleOptions{DB: openTestDB(t), Approval: "sometimes"}}); err == nil ||
		!strings.Contains(err.Error(), "Approval") || !strings.Contains(err.Error(), "Parse is required") || !strings.Contains(err.Error(), "Draft is required") {
		t.Errorf("invalid console options: %v", err)
	}
}

func httptestGet(path string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, path, nil)
	r.RequestURI = path
	return r
}

// followSecret follows the redirect of a POST that made a secret, with
// the cookies it set, as a browser would.
func (e *consoleEnv) followSecret(s *session, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	e.t.Helper()
	loc := rec.Header().Get("Location")
	if loc == "" {
		e.t.Fatalf("no redirect: %d %s", rec.Code, clip(rec.Body.String()))
	}
	return e.mustDo(request{method: "GET", path: loc, as: s, cookies: rec.Result().Cookies()}, http.StatusOK)
}

// TestTokenCreateRedirect creates a token from the page: the answer is a
// redirect (so refreshing cannot post again), the next page shows the
// secret once and clears its cookie, and the sealed cookie opens for no
// other session, after no tampering and not after it expires.
func TestTokenCreateRedirect(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)
	before, err := e.db.Tokens(t.Context(), e.staff.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post := e.mustDo(request{method: "POST", path: adminPrefix + "tokens", as: s, form: url.Values{"name": {"报表脚本"}}}, http.StatusSeeOther)
	if loc := post.Header().Get("Location"); loc != adminPrefix+"users?ok=token" {
		t.Errorf("Location %q", loc)
	}
	if strings.Contains(post.Body.String(), accounts.TokenPrefix) {
		t.Error("the POST's answer holds the secret")
	}
	var flash *http.Cookie
	for _, c := range post.Result().Cookies() {
		if c.Name == e.srv.admin.secretCookieName() {
			flash = c
		}
	}
	if flash == nil || !flash.HttpOnly || flash.Path != adminPrefix+"users" || flash.MaxAge <= 0 || strings.Contains(flash.Value, accounts.TokenPrefix) {
		t.Fatalf("flash cookie %+v", flash)
	}

	page := e.followSecret(s, post)
	m := regexp.MustCompile(`id="secret">(fzb_[^<]+)<`).FindStringSubmatch(page.Body.String())
	if m == nil || !strings.Contains(page.Body.String(), "令牌已创建") {
		t.Fatalf("no secret on the page after the redirect:\n%s", clip(page.Body.String()))
	}
	cleared := false
	for _, c := range page.Result().Cookies() {
		cleared = cleared || (c.Name == flash.Name && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("showing the secret does not clear its cookie")
	}
	if me := apiJSON[meView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", bearer: m[1]}, http.StatusOK)); me.User.Name != staffName {
		t.Errorf("the new token is %+v", me.User)
	}
	// Refreshing the page (without the cleared cookie) neither shows the
	// secret nor makes another token.
	again := e.getPage(s, adminPrefix+"users?ok=token")
	if strings.Contains(again, m[1]) || strings.Contains(again, `id="secret"`) {
		t.Error("the secret shows again on refresh")
	}
	after, err := e.db.Tokens(t.Context(), e.staff.user.ID)
	if err != nil || len(after) != len(before)+1 {
		t.Errorf("tokens %d → %d, %v", len(before), len(after), err)
	}

	// The sealed value opens only for its session, unaltered, in time.
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	sealed, err := sealSecret("session-a", shownSecret{What: "访问令牌", Name: "n", Value: "fzb_x"}, now)
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(sealed)
	tampered[len(tampered)/2] ^= 1
	for _, tc := range []struct {
		name, session, sealed string
		at                    time.Time
		ok                    bool
	}{
		{"same session", "session-a", sealed, now.Add(time.Minute), true},
		{"other session", "session-b", sealed, now.Add(time.Minute), false},
		{"expired", "session-a", sealed, now.Add(secretFlashTTL), false},
		{"tampered", "session-a", string(tampered), now, false},
		{"garbage", "session-a", "%%%", now, false},
	} {
		got, ok := openSecret(tc.session, tc.sealed, tc.at)
		if ok != tc.ok || (ok && got.Value != "fzb_x") {
			t.Errorf("%s: %+v, %v", tc.name, got, ok)
		}
	}
}
