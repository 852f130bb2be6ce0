package handlers

import (
	"crypto/subtle"
	"errors"
	"fazhibot/accounts"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"fazhibot/console"
)

const (
	// sessionCookie names the console's session cookie; with Secure
	// cookies it gets the __Host- prefix, which browsers accept only from
	// HTTPS, with Path=/ and without Domain.
	sessionCookie = "fazhibot_admin"
	// csrfField and csrfHeader carry the session's CSRF token in forms and
	// in JSON API requests made with the session cookie.
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	// maxFormBytes bounds a form or JSON body; uploads have their own.
	maxFormBytes = 1 << 20
	// maxMultipartMemory is how much of a multipart body is kept in
	// memory; the rest goes to temporary files net/http removes.
	maxMultipartMemory = 8 << 20
)

// actor is the authenticated account behind a console request.
type actor struct {
	user console.User
	// csrf is the session's CSRF token; "" for a bearer token.
	csrf string
	// sessionHash identifies the session (the SHA-256 of its cookie) for
	// log-out; "" for a bearer token.
	sessionHash string
	// token is the bearer token's ID; 0 for a session.
	token console.TokenID
}

func (a *actor) admin() bool { return a.user.Role == console.RoleAdmin }

// name is what the audit log records as the actor.
func (a *actor) name() string { return a.user.Name }

// consoleActor is a as the console's services see it.
func (a *actor) consoleActor() console.Actor {
	return console.Actor{ID: a.user.ID, Name: a.user.Name, Role: a.user.Role}
}

// adminFunc is a console handler; the error it returns is answered by
// respondError (an HTML page under /admin/, JSON under /api/).
type adminFunc func(w http.ResponseWriter, r *http.Request, a *actor) error

// adminPage wraps a page handler: it needs a session cookie (anonymous
// visitors are sent to the log-in page), and a state-changing request needs
// the session's CSRF token in the form field csrf_token or the header
// X-CSRF-Token. limit bounds the request body.
func (s *Server) adminPage(limit int64, h adminFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.sessionActor(r)
		if err != nil {
			if errors.Is(err, errNoCredentials) {
				http.Redirect(w, r, loginURL(r), http.StatusSeeOther)
				return
			}
			s.respondError(w, r, err)
			return
		}
		s.serveAdmin(w, r, a, limit, h)
	}
}

// adminAPI wraps a JSON API handler: it needs a bearer API token or a
// session cookie, and with the cookie a state-changing request needs the
// CSRF token as for pages. Missing or invalid credentials are a 401.
func (s *Server) adminAPI(limit int64, h adminFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var a *actor
		var err error
		if r.Header.Get("Authorization") != "" {
			a, err = s.tokenActor(r)
		} else {
			a, err = s.sessionActor(r)
		}
		if errors.Is(err, errNoCredentials) {
			err = errUnauthorized(r.Header.Get("Authorization") != "", err)
		}
		if err != nil {
			s.respondError(w, r, err)
			return
		}
		s.serveAdmin(w, r, a, limit, h)
	}
}

// serveAdmin bounds the body, checks the CSRF token of state-changing
// session requests and runs h.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, a *actor, limit int64, h adminFunc) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	if a.sessionHash != "" && !safeMethod(r.Method) {
		if err := checkCSRF(r, a.csrf); err != nil {
			s.respondError(w, r, err)
			return
		}
	}
	if err := h(w, r, a); err != nil {
		s.respondError(w, r, err)
	}
}

// errNoCredentials: the request carries no session or token, or one that
// is not (or no longer) valid.
var errNoCredentials = errors.New("no valid credentials")

// sessionActor authenticates the session cookie. Errors wrap
// errNoCredentials, or are server errors.
func (s *Server) sessionActor(r *http.Request) (*actor, error) {
	c, err := r.Cookie(s.admin.cookieName())
	if err != nil || c.Value == "" {
		return nil, errNoCredentials
	}
	hash := accounts.HashSecret(c.Value)
	sess, err := s.admin.db.WebSession(r.Context(), hash)
	if errors.Is(err, console.ErrNotFound) {
		return nil, fmt.Errorf("%w: session expired or unknown", errNoCredentials)
	}
	if err != nil {
		return nil, err
	}
	u, err := s.admin.db.UserByID(r.Context(), sess.UserID)
	if errors.Is(err, console.ErrNotFound) || err == nil && u.Disabled {
		return nil, fmt.Errorf("%w: account gone or disabled", errNoCredentials)
	}
	if err != nil {
		return nil, err
	}
	return &actor{user: u, csrf: sess.CSRFToken, sessionHash: hash}, nil
}

// tokenActor authenticates the bearer API token and records its use.
// Errors wrap errNoCredentials, or are server errors.
func (s *Server) tokenActor(r *http.Request) (*actor, error) {
	secret, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, fmt.Errorf("%w: malformed Authorization header", errNoCredentials)
	}
	t, u, err := s.admin.accounts.Authenticate(r.Context(), secret)
	if errors.Is(err, console.ErrNotFound) {
		return nil, fmt.Errorf("%w: unknown or revoked token, or a disabled account", errNoCredentials)
	}
	if err != nil {
		return nil, err
	}
	return &actor{user: u, token: t.ID}, nil
}

// checkCSRF compares the request's CSRF token, from the header or else
// the form (multipart or urlencoded), with want in constant time.
func checkCSRF(r *http.Request, want string) error {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		if err := parseForm(r); err != nil {
			return err
		}
		got = r.PostFormValue(csrfField)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF(errors.New("missing or wrong CSRF token"))
	}
	return nil
}

// parseForm parses a urlencoded or multipart body once. A body over its
// limit is an *http.MaxBytesError (413); other failures are a 400.
func parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mediaType == "multipart/form-data" {
		err = r.ParseMultipartForm(maxMultipartMemory)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return nil
	}
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		return err
	}
	return errInvalidRequest("表单格式错误", err)
}

// safeMethod reports whether method does not change state.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// loginURL is the log-in page that returns to r's page afterwards.
func loginURL(r *http.Request) string {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, adminPrefix) {
		next = adminHome
	}
	return adminLoginPath + "?next=" + url.QueryEscape(next)
}

// localNext returns next when it is a console page of this site, else the
// console's home: never an open redirect.
func localNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.Scheme != "" || u.Host != "" || u.User != nil ||
		strings.HasPrefix(next, "//") || strings.Contains(next, `\`) ||
		!strings.HasPrefix(u.Path, adminPrefix) || strings.HasPrefix(u.Path, adminLoginPath) {
		return adminHome
	}
	return next
}

// cookieName is the session cookie's name.
func (c *consoleServer) cookieName() string {
	if c.secure {
		return "__Host-" + sessionCookie
	}
	return sessionCookie
}

// sessionCookieFor returns the cookie that carries a session ID; an
// empty value and maxAge -1 delete it.
func (c *consoleServer) sessionCookieFor(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     c.cookieName(),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   c.secure,
		SameSite: http.SameSiteLaxMode,
	}
}
