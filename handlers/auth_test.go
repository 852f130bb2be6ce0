package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
)

// loginForm fetches the log-in page and returns its form token and the
// cookie that must come back with it.
func (e *consoleEnv) loginForm() (token string, cookie *http.Cookie) {
	e.t.Helper()
	rec := e.mustDo(request{method: "GET", path: adminLoginPath}, http.StatusOK)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		e.t.Fatalf("log-in page without a form token:\n%s", clip(rec.Body.String()))
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == e.srv.admin.loginCookieName() {
			return m[1], c
		}
	}
	e.t.Fatal("log-in page set no form cookie")
	return "", nil
}

// postLogin posts the log-in form from remote.
func (e *consoleEnv) postLogin(name, password, next, remote string) *httptest.ResponseRecorder {
	e.t.Helper()
	token, cookie := e.loginForm()
	form := url.Values{"name": {name}, "password": {password}, "next": {next}, csrfField: {token}}
	req := httptest.NewRequest("POST", adminLoginPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	if remote != "" {
		req.RemoteAddr = remote
	}
	return serve(e.srv, req)
}

// sessionCookieOf returns the session cookie a response set, or nil.
func (e *consoleEnv) sessionCookieOf(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == e.srv.admin.cookieName() && c.Value != "" {
			return c
		}
	}
	return nil
}

// sessionOf turns a log-in response into a session, reading the CSRF
// token from /api/v1/admin/me.
func (e *consoleEnv) sessionOf(rec *httptest.ResponseRecorder) *session {
	e.t.Helper()
	c := e.sessionCookieOf(rec)
	if c == nil {
		e.t.Fatalf("no session cookie; status %d", rec.Code)
	}
	s := &session{cookie: c.Value}
	me := apiJSON[meView](e.t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", as: s}, http.StatusOK))
	s.csrf = me.CSRFToken
	return s
}

func TestAdminLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user, password, next string
		disable                    bool
		wantStatus                 int
		wantLocation               string // for 303
		wantText                   string // in the page otherwise
	}{
		{"right password", staffName, staffPassword, "/admin/faq?x=1", false, 303, "/admin/faq?x=1", ""},
		{"no next", adminName, adminPassword, "", false, 303, "/admin/", ""},
		{"next off site", adminName, adminPassword, "https://evil.example/admin/", false, 303, "/admin/", ""},
		{"next protocol-relative", adminName, adminPassword, "//evil.example/admin/", false, 303, "/admin/", ""},
		{"next outside the console", adminName, adminPassword, "/api/v1/admin/me", false, 303, "/admin/", ""},
		{"wrong password", staffName, "wrong-password", "", false, 401, "", "用户名或密码错误"},
		{"unknown account", "无此人", staffPassword, "", false, 401, "", "用户名或密码错误"},
		{"disabled account", staffName, staffPassword, "", true, 401, "", "用户名或密码错误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newConsoleEnv(t)
			if tt.disable {
				if err := e.db.DisableUser(t.Context(), e.staff.user.ID, adminName); err != nil {
					t.Fatal(err)
				}
			}
			rec := e.postLogin(tt.user, tt.password, tt.next, "")
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tt.wantStatus, clip(rec.Body.String()))
			}
			if tt.wantStatus != http.StatusSeeOther {
				if !strings.Contains(rec.Body.String(), tt.wantText) {
					t.Errorf("page lacks %q", tt.wantText)
				}
				if e.sessionCookieOf(rec) != nil {
					t.Error("a failed log-in set a session cookie")
				}
				return
			}
			if loc := rec.Header().Get("Location"); loc != tt.wantLocation {
				t.Errorf("Location %q, want %q", loc, tt.wantLocation)
			}
			c := e.sessionCookieOf(rec)
			if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge != int(DefaultSessionTTL/time.Second) {
				t.Fatalf("session cookie %+v", c)
			}
			// Only the cookie's hash is stored.
			if _, err := e.db.WebSession(t.Context(), c.Value); err == nil {
				t.Error("the session is stored under the cookie's value")
			}
			s := e.sessionOf(rec)
			if s.csrf == "" {
				t.Error("no CSRF token for the session")
			}
			e.mustDo(request{method: "GET", path: adminPrefix + "reports", as: s}, http.StatusOK)
		})
	}
}

func TestAdminLoginRefusesForgedForms(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	form := url.Values{"name": {adminName}, "password": {adminPassword}}
	for _, tc := range []struct {
		name   string
		token  string
		cookie string
	}{
		{"no token, no cookie", "", ""},
		{"token without its cookie", "abc", ""},
		{"token and cookie differ", "abc", "abd"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(csrfField, tc.token)
		req := httptest.NewRequest("POST", adminLoginPath, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: loginCookie, Value: tc.cookie})
		}
		rec := serve(e.srv, req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF 校验失败") || e.sessionCookieOf(rec) != nil {
			t.Errorf("%s: %d\n%s", tc.name, rec.Code, clip(rec.Body.String()))
		}
	}
}

func TestAdminSecureCookies(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) { o.SecureCookies = true; o.SessionTTL = time.Hour }))
	rec := e.postLogin(adminName, adminPassword, "", "")
	c := e.sessionCookieOf(rec)
	if c == nil || c.Name != "__Host-fazhibot_admin" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 3600 {
		t.Fatalf("session cookie %+v", c)
	}
	s := e.sessionOf(rec)
	e.mustDo(request{method: "GET", path: adminPrefix + "users", as: s}, http.StatusOK)
}

func TestAdminLoginThrottle(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	const from, elsewhere = "198.51.100.7:4000", "203.0.113.9:5000"
	for i := range maxLoginFailures {
		if rec := e.postLogin(staffName, "wrong-password", "", from); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, rec.Code)
		}
	}
	// Blocked now, even with the right password, and told in Chinese.
	rec := e.postLogin(staffName, staffPassword, "", from)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "登录失败次数过多，请 15 分钟后再试") || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d Retry-After %q\n%s", maxLoginFailures, rec.Code, rec.Header().Get("Retry-After"), clip(rec.Body.String()))
	}
	if e.sessionCookieOf(rec) != nil {
		t.Error("a throttled log-in set a session cookie")
	}
	// The count is per name and address.
	if rec := e.postLogin(staffName, staffPassword, "", elsewhere); rec.Code != http.StatusSeeOther {
		t.Errorf("same name from another address: %d", rec.Code)
	}
	if rec := e.postLogin(adminName, adminPassword, "", from); rec.Code != http.StatusSeeOther {
		t.Errorf("another name from the same address: %d", rec.Code)
	}
}

func TestLoginThrottleWindow(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	th := newLoginThrottle(5, 15*time.Minute, func() time.Time { return now })
	const name, addr = "k", "192.0.2.1"
	steps := []struct {
		advance time.Duration
		fail    bool
		succeed bool
		want    time.Duration // blocked() after the step
	}{
		{0, true, false, 0},
		{time.Minute, true, false, 0},
		{time.Minute, true, false, 0},
		{time.Minute, true, false, 0},
		{time.Minute, true, false, 11 * time.Minute}, // 5th failure at +4m; the 1st ages out at +15m
		{10 * time.Minute, false, false, time.Minute},
		{time.Minute, false, false, 0}, // +15m: four failures in the window
		{0, true, false, time.Minute},  // and a fifth blocks until +16m
		{0, false, true, 0},            // a successful log-in forgets them
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		if st.fail {
			th.fail(name, addr)
		}
		if st.succeed {
			th.succeed(name, addr)
		}
		if got := th.blocked(name, addr); got != st.want {
			t.Errorf("step %d: blocked = %v, want %v", i, got, st.want)
		}
	}
	if got := th.blocked("other", addr); got != 0 {
		t.Errorf("another name blocked for %v", got)
	}
	if got := th.blocked("K", addr); got != 0 {
		t.Errorf("the same name in capitals blocked for %v after the success", got)
	}
}

// TestLoginThrottleAcrossNames: rotating names from one address is
// blocked after maxAddressFailures, however many names; other addresses
// are not; a success does not reset the address's count.
func TestLoginThrottleAcrossNames(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	th := newLoginThrottle(5, 15*time.Minute, func() time.Time { return now })
	const addr = "198.51.100.7"
	for i := range maxAddressFailures - 1 {
		th.fail(fmt.Sprint("name", i), addr)
	}
	th.succeed("name0", addr)
	if got := th.blocked("fresh", addr); got != 0 {
		t.Fatalf("blocked for %v after %d failures", got, maxAddressFailures-1)
	}
	th.fail("another", addr)
	tests := []struct {
		name, addr string
		want       time.Duration
	}{
		{"fresh", addr, 15 * time.Minute},
		{"name3", addr, 15 * time.Minute},
		{"fresh", "198.51.100.8", 0},
		{"fresh", "2001:db8:1:2::1", 0},
	}
	for _, tt := range tests {
		if got := th.blocked(tt.name, tt.addr); got != tt.want {
			t.Errorf("blocked(%s, %s) = %v, want %v", tt.name, tt.addr, got, tt.want)
		}
	}
	now = now.Add(15 * time.Minute)
	if got := th.blocked("fresh", addr); got != 0 {
		t.Errorf("still blocked for %v after the window", got)
	}
}

// TestLoginThrottleRefusesWhenFull: a flood of failures with distinct
// names and addresses fills the throttle; it then refuses attempts that
// need new entries instead of forgetting, so a locked name stays locked,
// and it takes new attempts again once failures age out.
func TestLoginThrottleRefusesWhenFull(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	th := newLoginThrottle(5, 15*time.Minute, func() time.Time { return now })
	th.maxKeys = 100
	const victim, attacker = "管理员", "203.0.113.9"
	for range 5 {
		th.fail(victim, attacker)
	}
	now = now.Add(time.Minute)
	for i := range 10 * th.maxKeys { // ten times what fits
		th.fail(fmt.Sprint("guess", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if n := len(th.fails); n > th.maxKeys {
		t.Fatalf("%d entries, bound %d", n, th.maxKeys)
	}
	tests := []struct {
		name, addr string
		want       time.Duration
	}{
		{victim, attacker, 14 * time.Minute},         // still locked
		{"new name", "192.0.2.50", 14 * time.Minute}, // refused: no room until the victim's failures age out
		{"guess0", "10.0.0.0", 0},                    // tracked already, within its limits
	}
	for _, tt := range tests {
		if got := th.blocked(tt.name, tt.addr); got != tt.want {
			t.Errorf("blocked(%s, %s) = %v, want %v", tt.name, tt.addr, got, tt.want)
		}
	}
	now = now.Add(15 * time.Minute)
	if got := th.blocked("new name", "192.0.2.50"); got != 0 {
		t.Errorf("a new attempt after the window: blocked for %v", got)
	}
}

// TestLoginPasswordChecksBounded: no more than maxPasswordChecks run at
// once; the next attempt is refused within about passwordCheckWait.
func TestLoginPasswordChecksBounded(t *testing.T) {
	th := newLoginThrottle(5, time.Minute, time.Now)
	var releases []func()
	for range maxPasswordChecks() {
		release, ok := th.acquire(t.Context())
		if !ok {
			t.Fatal("a free password check was refused")
		}
		releases = append(releases, release)
	}
	start := time.Now()
	if _, ok := th.acquire(t.Context()); ok {
		t.Fatalf("more than %d password checks at once", maxPasswordChecks())
	}
	if took := time.Since(start); took < passwordCheckWait || took > 10*passwordCheckWait {
		t.Errorf("refusal took %v, want about %v", took, passwordCheckWait)
	}
	releases[0]()
	if release, ok := th.acquire(t.Context()); !ok {
		t.Error("a released check was not given out again")
	} else {
		release()
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"192.0.2.1:4000", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:4000", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:4000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]:80", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if got := clientIP(r); got != tt.want {
			t.Errorf("clientIP(%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}

func TestAdminLogout(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionOf(e.postLogin(staffName, staffPassword, "", ""))
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "logout", form: url.Values{}, as: s}, http.StatusSeeOther)
	if c := rec.Result().Cookies(); len(c) == 0 || c[0].MaxAge >= 0 {
		t.Errorf("log-out did not delete the cookie: %+v", c)
	}
	rec = e.mustDo(request{method: "GET", path: adminPrefix + "reports", as: s}, http.StatusSeeOther)
	if !strings.HasPrefix(rec.Header().Get("Location"), adminLoginPath) {
		t.Errorf("after log-out: Location %q", rec.Header().Get("Location"))
	}
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", as: s}, http.StatusUnauthorized)
	got := e.auditActions()
	if want := []string{staffName + " session.create", staffName + " session.delete"}; strings.Join(got[len(got)-2:], ",") != strings.Join(want, ",") {
		t.Errorf("audit ends with %v, want %v", got[len(got)-2:], want)
	}
}

func TestAdminSetupLink(t *testing.T) {
	t.Parallel()
	const token = "setup-token-0123456789abcdef"
	e := newConsoleEnv(t, withoutUsers, withConsole(func(o *ConsoleOptions) { o.SetupToken = token }))
	setupForm := func(tok, name, pw, pw2 string) request {
		return request{method: "POST", path: adminPrefix + "setup",
			form: url.Values{"token": {tok}, "name": {name}, "password": {pw}, "password2": {pw2}}}
	}

	e.mustDo(request{method: "GET", path: adminPrefix + "setup?token=wrong-token-0123456789"}, http.StatusForbidden)
	e.mustDo(request{method: "GET", path: adminPrefix + "setup"}, http.StatusForbidden)
	rec := e.mustDo(request{method: "GET", path: adminPrefix + "setup?token=" + token}, http.StatusOK)
	if !strings.Contains(rec.Body.String(), "创建管理员账号") || rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("setup page:\n%s", clip(rec.Body.String()))
	}
	e.mustDo(setupForm("wrong-token-0123456789", "站长", "good-password", "good-password"), http.StatusForbidden)
	rec = e.mustDo(setupForm(token, "站长", "short", "short"), http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "密码至少需要 8 个字符") {
		t.Errorf("weak password page:\n%s", clip(rec.Body.String()))
	}
	rec = e.mustDo(setupForm(token, "站长", "good-password", "other-password"), http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "两次输入的密码不一致") {
		t.Errorf("mismatch page:\n%s", clip(rec.Body.String()))
	}

	rec = e.mustDo(setupForm(token, "站长", "good-password", "good-password"), http.StatusSeeOther)
	s := e.sessionOf(rec)
	me := apiJSON[meView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", as: s}, http.StatusOK))
	if me.User.Name != "站长" || me.User.Role != string(console.RoleAdmin) {
		t.Errorf("created %+v", me.User)
	}
	if rec := e.mustDo(request{method: "GET", path: adminPrefix + "reports?ok=welcome", as: s}, http.StatusOK); !strings.Contains(rec.Body.String(), "管理员账号已创建") {
		t.Error("no welcome notice")
	}

	// Used up: refused, whatever is posted.
	for _, r := range []request{
		{method: "GET", path: adminPrefix + "setup?token=" + token},
		setupForm(token, "第二个", "good-password", "good-password"),
	} {
		rec := e.mustDo(r, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), "该设置链接无效或已使用") {
			t.Errorf("%s after use:\n%s", r.method, clip(rec.Body.String()))
		}
	}
	if n, _ := e.db.CountUsers(t.Context()); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	if got := e.auditActions(); !strings.Contains(strings.Join(got, ","), setupActor+" user.create") {
		t.Errorf("audit lacks the setup: %v", got)
	}
}

func TestAdminSetupLinkRefusedOnceAccountsExist(t *testing.T) {
	t.Parallel()
	const token = "setup-token-0123456789abcdef"
	e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) { o.SetupToken = token }))
	e.mustDo(request{method: "GET", path: adminPrefix + "setup?token=" + token}, http.StatusForbidden)
	e.mustDo(request{method: "POST", path: adminPrefix + "setup",
		form: url.Values{"token": {token}, "name": {"x"}, "password": {"good-password"}, "password2": {"good-password"}}}, http.StatusForbidden)

	// No token configured: no link at all.
	e2 := newConsoleEnv(t, withoutUsers)
	e2.mustDo(request{method: "GET", path: adminPrefix + "setup?token="}, http.StatusForbidden)
}

// TestAdminSetupLinkWithOnlyStaff: a staff account made first (from the
// command line) leaves the console without an admin, so the setup link
// still creates one.
func TestAdminSetupLinkWithOnlyStaff(t *testing.T) {
	t.Parallel()
	const token = "setup-token-0123456789abcdef"
	e := newConsoleEnv(t, withoutUsers, withConsole(func(o *ConsoleOptions) { o.SetupToken = token }))
	if _, err := e.db.CreateUser(t.Context(), console.User{Name: "录入员", Role: console.RoleStaff, PasswordHash: "$2a$10$x"}, "命令行"); err != nil {
		t.Fatal(err)
	}
	e.mustDo(request{method: "GET", path: adminPrefix + "setup?token=" + token}, http.StatusOK)
	e.mustDo(request{method: "POST", path: adminPrefix + "setup",
		form: url.Values{"token": {token}, "name": {"站长"}, "password": {"good-password"}, "password2": {"good-password"}}}, http.StatusSeeOther)
	if n, err := e.db.CountAdmins(t.Context()); n != 1 || err != nil {
		t.Errorf("CountAdmins = %d, %v; want 1", n, err)
	}
	e.mustDo(request{method: "GET", path: adminPrefix + "setup?token=" + token}, http.StatusForbidden)
}

func TestAdminRevokedTokenStopsWorking(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	me := request{method: "GET", path: adminAPIPrefix + "me", bearer: e.staff.spareTokenSecret}
	got := apiJSON[meView](t, e.mustDo(me, http.StatusOK))
	if got.User.Name != staffName || got.CSRFToken != "" {
		t.Errorf("me with a token: %+v", got)
	}
	toks := apiJSON[map[string][]tokenView](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "tokens", bearer: e.staff.token}, http.StatusOK))["tokens"]
	if len(toks) != 2 || toks[1].LastUsedAt == nil {
		t.Errorf("tokens %+v: want two, the spare one used", toks)
	}
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "tokens/" + itoa(e.staff.spareToken), bearer: e.staff.token}, http.StatusOK)
	rec := e.mustDo(me, http.StatusUnauthorized)
	if !strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
	}
	// The other token still works; disabling the account stops it and
	// the account's sessions.
	s := e.sessionFor(e.staff)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", bearer: e.staff.token}, http.StatusOK)
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/disable", bearer: e.admin.token}, http.StatusOK)
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "me", bearer: e.staff.token}, http.StatusUnauthorized)
	e.mustDo(request{method: "GET", path: adminPrefix + "reports", as: s}, http.StatusSeeOther)
}

func itoa[T ~int64](v T) string { return strconv.FormatInt(int64(v), 10) }
