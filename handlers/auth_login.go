package handlers

import (
	"context"
	"crypto/subtle"
	"errors"
	"fazhibot/accounts"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fazhibot/console"
)

// loginCookie carries the log-in form's CSRF token (double submit), since
// there is no session yet.
const loginCookie = "fazhibot_login"

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
	token := accounts.RandomSecret(24)
	http.SetCookie(w, s.admin.loginCookieFor(token, int(time.Hour/time.Second)))
	s.renderPage(w, r, status, "login.html", &pageData{Title: "登录", CSRF: token, Error: errMsg, Data: data})
}

// handleLogin checks a name and password and starts a session. Failures
// count per name and client address and per address (see loginThrottle);
// past either limit, attempts are answered with 429 until the oldest
// failure ages out. Password checks run a few at a time: an attempt that
// finds none free within passwordCheckWait is answered with 429 at once,
// so a flood of log-ins cannot take the CPU the citizens' replies need.
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
	addr := clientIP(r)
	throttle := s.admin.throttle
	if wait := throttle.blocked(data.Name, addr); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		s.log.Warn("log-in throttled", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusTooManyRequests, data,
			fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试。", int(wait.Minutes())+1))
		return
	}
	release, ok := throttle.acquire(r.Context())
	if !ok {
		w.Header().Set("Retry-After", "5")
		s.log.Warn("log-in refused: password checks busy", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusTooManyRequests, data, "登录请求过多，系统繁忙，请稍后再试。")
		return
	}
	u, ok, err := s.checkLogin(r.Context(), data.Name, password)
	release()
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	if !ok {
		throttle.fail(data.Name, addr)
		s.log.Warn("log-in failed", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, data, "用户名或密码错误，或账号已停用。")
		return
	}
	throttle.succeed(data.Name, addr)
	if err := s.startSession(w, r, u); err != nil {
		s.respondError(w, r, err)
		return
	}
	http.SetCookie(w, s.admin.loginCookieFor("", -1))
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// checkLogin reports whether password is that of the enabled account name.
// An unknown name costs the same bcrypt comparison as a known one. The
// error is a database failure.
func (s *Server) checkLogin(ctx context.Context, name, password string) (console.User, bool, error) {
	u, err := s.admin.db.UserByName(ctx, name)
	if errors.Is(err, console.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(s.admin.dummyHash(), []byte(password))
		return console.User{}, false, nil
	}
	if err != nil {
		return console.User{}, false, err
	}
	ok := bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil && !u.Disabled
	return u, ok, nil
}

// startSession stores a new session of u and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u console.User) error {
	if n, err := s.admin.db.DeleteExpiredWebSessions(r.Context()); err != nil {
		s.log.Warn("deleting expired sessions failed", "err", err)
	} else if n > 0 {
		s.log.Info("expired sessions deleted", "count", n)
	}
	id := accounts.RandomSecret(32)
	now := time.Now()
	err := s.admin.db.CreateWebSession(r.Context(), console.WebSession{
		IDHash:    accounts.HashSecret(id),
		UserID:    u.ID,
		CSRFToken: accounts.RandomSecret(32),
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

func (c *consoleServer) loginCookieName() string {
	if c.secure {
		return "__Host-" + loginCookie
	}
	return loginCookie
}

func (c *consoleServer) loginCookieFor(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: c.loginCookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	}
}
