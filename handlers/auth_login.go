package handlers

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fazhibot/storage/sqldb"
)

const (
	// maxLoginFailures failed log-ins per name and address within
	// loginWindow block further attempts until the oldest failure ages out.
	maxLoginFailures = 5
	loginWindow      = 15 * time.Minute
	// maxThrottleKeys bounds the throttle's memory; beyond it, the oldest
	// keys are dropped.
	maxThrottleKeys = 10000
	// loginCookie carries the log-in form's CSRF token (double submit),
	// since there is no session yet.
	loginCookie = "fazhibot_login"
)

// loginPage is the data of login.html.
type loginPage struct {
	Next   string
	Name   string
	Notice string
}

// handleLoginPage shows the log-in form, or goes on to next for a visitor
// who is logged in already.
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	next := localNext(r.URL.Query().Get("next"))
	if _, err := s.sessionActor(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	notice := ""
	if r.URL.Query().Get("ok") == "logout" {
		notice = "您已退出登录。"
	}
	s.renderLogin(w, r, http.StatusOK, loginPage{Next: next, Notice: notice}, "")
}

// renderLogin renders the log-in form with a fresh form token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, data loginPage, errMsg string) {
	token := randomToken(24)
	http.SetCookie(w, s.admin.loginCookieFor(token, int(time.Hour/time.Second)))
	s.renderPage(w, r, status, "login.html", &pageData{Title: "登录", CSRF: token, Error: errMsg, Data: data})
}

// handleLogin checks a name and password and starts a session. Failures
// count per name and client address; maxLoginFailures within loginWindow
// are answered with 429 until the oldest ages out.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := parseForm(r); err != nil {
		s.respondError(w, r, err)
		return
	}
	c, err := r.Cookie(s.admin.loginCookieName())
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) != 1 {
		s.respondError(w, r, errCSRF(errors.New("log-in form token mismatch")))
		return
	}
	data := loginPage{Next: localNext(r.PostFormValue("next")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	password := r.PostFormValue("password")
	key := strings.ToLower(data.Name) + "\x00" + clientIP(r)
	if wait := s.admin.throttle.blocked(key); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		s.log.Warn("log-in throttled", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusTooManyRequests, data,
			fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试。", int(wait.Minutes())+1))
		return
	}
	u, err := s.admin.db.UserByName(r.Context(), data.Name)
	if err != nil && !errors.Is(err, sqldb.ErrNotFound) {
		s.respondError(w, r, err)
		return
	}
	ok := false
	if err == nil {
		ok = bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil && !u.Disabled
	} else {
		_ = bcrypt.CompareHashAndPassword(s.admin.dummyHash(), []byte(password))
	}
	if !ok {
		s.admin.throttle.fail(key)
		s.log.Warn("log-in failed", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, data, "用户名或密码错误，或账号已停用。")
		return
	}
	s.admin.throttle.reset(key)
	if err := s.startSession(w, r, u); err != nil {
		s.respondError(w, r, err)
		return
	}
	http.SetCookie(w, s.admin.loginCookieFor("", -1))
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// startSession stores a new session of u and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u sqldb.User) error {
	if n, err := s.admin.db.DeleteExpiredWebSessions(r.Context()); err != nil {
		s.log.Warn("deleting expired sessions failed", "err", err)
	} else if n > 0 {
		s.log.Info("expired sessions deleted", "count", n)
	}
	id := randomToken(32)
	now := time.Now()
	err := s.admin.db.CreateWebSession(r.Context(), sqldb.WebSession{
		IDHash:    sha256Hex(id),
		UserID:    u.ID,
		CSRFToken: randomToken(32),
		CreatedAt: now,
		ExpiresAt: now.Add(s.admin.sessionTTL),
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, s.admin.sessionCookieFor(id, int(s.admin.sessionTTL/time.Second)))
	s.log.Info("logged in", "user", u.ID)
	return nil
}

// handleLogout ends the session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, a *actor) error {
	if a.sessionHash == "" {
		return errInvalidRequest("访问令牌无需退出登录", nil)
	}
	if err := s.admin.db.DeleteWebSession(r.Context(), a.sessionHash); err != nil {
		return err
	}
	http.SetCookie(w, s.admin.sessionCookieFor("", -1))
	http.Redirect(w, r, adminLoginPath+"?ok=logout", http.StatusSeeOther)
	return nil
}

func (c *console) loginCookieName() string {
	if c.secure {
		return "__Host-" + loginCookie
	}
	return loginCookie
}

func (c *console) loginCookieFor(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: c.loginCookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	}
}

// clientIP is the address the request came from. Forwarding headers are
// not trusted: behind a reverse proxy every client shares the proxy's
// address, and the log-in throttle is then effectively per name.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginThrottle counts failed log-ins per key in memory: it is per
// instance, and forgotten on restart. It is safe for concurrent use.
type loginThrottle struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time // failure times within the window, oldest first
}

func newLoginThrottle(limit int, window time.Duration, now func() time.Time) *loginThrottle {
	return &loginThrottle{limit: limit, window: window, now: now, fails: map[string][]time.Time{}}
}

// blocked returns how long key must wait before its next attempt, or 0.
func (t *loginThrottle) blocked(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	times := t.recent(key, now)
	if len(times) < t.limit {
		return 0
	}
	return times[len(times)-t.limit].Add(t.window).Sub(now)
}

// fail records a failed attempt of key.
func (t *loginThrottle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if _, known := t.fails[key]; !known && len(t.fails) >= maxThrottleKeys {
		t.sweep(now)
	}
	t.fails[key] = append(t.recent(key, now), now)
}

// reset forgets key's failures after a successful log-in.
func (t *loginThrottle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

// recent returns key's failures within the window, dropping older ones.
func (t *loginThrottle) recent(key string, now time.Time) []time.Time {
	times := t.fails[key]
	i := 0
	for i < len(times) && !times[i].Add(t.window).After(now) {
		i++
	}
	if i == len(times) {
		delete(t.fails, key)
		return nil
	}
	times = times[i:]
	t.fails[key] = times
	return times
}

// sweep drops every key without recent failures and, if the map is still
// full, every key: under such a flood the throttle forgets rather than
// growing without bound.
func (t *loginThrottle) sweep(now time.Time) {
	for key := range t.fails {
		t.recent(key, now)
	}
	if len(t.fails) >= maxThrottleKeys {
		clear(t.fails)
	}
}
