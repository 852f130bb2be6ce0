package handlers

import (
	"crypto/subtle"
	"errors"
	"fazhibot/accounts"
	"net/http"
	"sync"
)

// setupActor is who the audit log names for the first admin account.
const setupActor = "首次设置"

// setupLink is the one-time link that creates the first admin account.
// It is safe for concurrent use.
type setupLink struct {
	mu    sync.Mutex
	token string // "" when there is no link
	used  bool
}

// valid reports, in constant time, whether token opens the link.
func (l *setupLink) valid(token string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.validLocked(token)
}

func (l *setupLink) validLocked(token string) bool {
	return l.token != "" && !l.used && subtle.ConstantTimeCompare([]byte(token), []byte(l.token)) == 1
}

// setupPage is the data of setup.html.
type setupPage struct {
	Token string
	Name  string
}

// errSetupClosed answers a setup link that is wrong, used, or no longer
// needed.
func errSetupClosed(cause error) error {
	return &httpError{status: http.StatusForbidden, msg: "该设置链接无效或已使用。如需新账号，请联系管理员，或在服务器上运行 fazhibot user add。", cause: cause}
}

// handleSetupPage shows the form that creates the first admin account.
func (s *Server) handleSetupPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if err := s.setupOpen(r, token); err != nil {
		s.respondError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.renderPage(w, r, http.StatusOK, "setup.html", &pageData{Title: "创建管理员账号", Data: setupPage{Token: token}})
}

// handleSetup creates the first admin account and logs it in; the link
// is used up.
func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := parseForm(r); err != nil {
		s.respondError(w, r, err)
		return
	}
	token := r.PostFormValue("token")
	l := s.admin.setup
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.validLocked(token) {
		s.respondError(w, r, errSetupClosed(errors.New("setup token wrong or used")))
		return
	}
	if n, err := s.admin.db.CountAdmins(r.Context()); err != nil || n > 0 {
		if err == nil {
			l.used = true
			err = errSetupClosed(errors.New("an admin exists"))
		}
		s.respondError(w, r, err)
		return
	}
	data := setupPage{Token: token, Name: r.PostFormValue("name")}
	u, err := s.admin.accounts.CreateFirstAdmin(r.Context(), setupActor, data.Name, r.PostFormValue("password"), r.PostFormValue("password2"))
	if _, isRule := errors.AsType[accounts.RuleError](err); isRule {
		w.Header().Set("Referrer-Policy", "no-referrer")
		s.renderPage(w, r, http.StatusBadRequest, "setup.html", &pageData{Title: "创建管理员账号", Error: userMessage(err), Data: data})
		return
	}
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	l.used = true
	s.log.Info("first admin account created", "user", u.ID)
	if err := s.startSession(w, r, u); err != nil {
		s.respondError(w, r, err)
		return
	}
	http.Redirect(w, r, adminHome+"?ok=welcome", http.StatusSeeOther)
}

// setupOpen returns nil when token opens the setup link and no enabled
// admin account exists yet (staff accounts made from the command line do
// not count); otherwise the link is refused (and used up once an admin
// exists, however it was made).
func (s *Server) setupOpen(r *http.Request, token string) error {
	l := s.admin.setup
	if !l.valid(token) {
		return errSetupClosed(errors.New("setup token wrong or used"))
	}
	n, err := s.admin.db.CountAdmins(r.Context())
	if err != nil {
		return err
	}
	if n > 0 {
		l.mu.Lock()
		l.used = true
		l.mu.Unlock()
		return errSetupClosed(errors.New("an admin exists"))
	}
	return nil
}
