package handlers

import (
	"context"
	"errors"
	"fazhibot/console"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// userView is an account as the console shows it (never its hash).
type userView struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	RoleText  string    `json:"role_text"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled"`
}

func userOf(u console.User) userView {
	return userView{ID: int64(u.ID), Name: u.Name, Role: string(u.Role), RoleText: roleText(u.Role), CreatedAt: u.CreatedAt, Disabled: u.Disabled}
}

// tokenView is an API token as the console shows it (never its secret or
// hash).
type tokenView struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func tokenOf(t console.APIToken) tokenView {
	return tokenView{ID: int64(t.ID), UserID: int64(t.UserID), Name: t.Name, CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt}
}

// usersPage is the data of users.html.
type usersPage struct {
	Me       userView
	MyTokens []tokenView
	// Users are every account with its tokens; admins only.
	Users []userRow
	// Secret is a generated password or a new token's secret, shown once.
	Secret *shownSecret
}

// userRow is an account and its tokens.
type userRow struct {
	userView
	Tokens []tokenView
}

// shownSecret is a secret the page shows once.
type shownSecret struct {
	What, Name, Value string
}

// tokens returns the tokens of account id.
func (c *consoleServer) tokens(ctx context.Context, id console.UserID) ([]tokenView, error) {
	list, err := c.db.Tokens(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []tokenView{}
	for _, t := range list {
		out = append(out, tokenOf(t))
	}
	return out, nil
}

// usersData gathers the users page for a.
func (c *consoleServer) usersData(ctx context.Context, a *actor) (usersPage, error) {
	page := usersPage{Me: userOf(a.user)}
	var err error
	if page.MyTokens, err = c.tokens(ctx, a.user.ID); err != nil {
		return page, err
	}
	if !a.admin() {
		return page, nil
	}
	users, err := c.db.Users(ctx)
	if err != nil {
		return page, err
	}
	for _, u := range users {
		row := userRow{userView: userOf(u)}
		if row.Tokens, err = c.tokens(ctx, u.ID); err != nil {
			return page, err
		}
		page.Users = append(page.Users, row)
	}
	return page, nil
}

// errLastAdmin words the store's refusal to leave no enabled admin.
func errLastAdmin(err error) error {
	if errors.Is(err, console.ErrInvalid) {
		return errInvalidRequest("至少要保留一个启用的管理员账号。", err)
	}
	return notFound(err, "找不到该账号。")
}

// createUser creates an account; an empty password is generated and
// returned, to be shown once.
func (c *consoleServer) createUser(ctx context.Context, a *actor, name, role, password string) (console.User, string, error) {
	u, generated, err := c.accounts.CreateUser(ctx, a.consoleActor(), name, console.Role(strings.TrimSpace(role)), password)
	if errors.Is(err, console.ErrExists) {
		return u, "", errConflict("用户名 "+strings.TrimSpace(name)+" 已被使用（包括已停用的账号）。", err)
	}
	return u, generated, err
}

// userAction runs an admin's action on account {id}.
func (c *consoleServer) userAction(ctx context.Context, a *actor, r *http.Request, action, role string) (console.User, error) {
	if !a.admin() {
		return console.User{}, errAdminOnly()
	}
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return console.User{}, errPageNotFound("找不到该账号。", err)
	}
	id := console.UserID(n)
	switch action {
	case "role":
		err = errLastAdmin(c.accounts.SetRole(ctx, a.consoleActor(), id, console.Role(strings.TrimSpace(role))))
	case "disable":
		err = errLastAdmin(c.accounts.Disable(ctx, a.consoleActor(), id))
	case "enable":
		err = notFound(c.accounts.Enable(ctx, a.consoleActor(), id), "找不到该账号。")
	}
	if err != nil {
		return console.User{}, err
	}
	u, err := c.db.UserByID(ctx, id)
	return u, notFound(err, "找不到该账号。")
}

// changePassword replaces a's own password after checking the current one,
// and ends every other session of a's account: the one a uses stays, or
// none when a authenticated with an API token. API tokens stay valid.
func (c *consoleServer) changePassword(ctx context.Context, a *actor, current, password, again string) error {
	return c.accounts.ChangePassword(ctx, a.user, a.sessionHash, current, password, again)
}

// createToken makes an API token for a and returns it with its secret,
// which is not stored and cannot be shown again.
func (c *consoleServer) createToken(ctx context.Context, a *actor, name string) (tokenView, string, error) {
	t, secret, err := c.accounts.CreateToken(ctx, a.consoleActor(), name)
	if err != nil {
		return tokenView{}, "", err
	}
	return tokenOf(t), secret, nil
}

// revokeToken revokes token {id}: one's own, or anyone's for admins.
// Another account's token is "not found" for staff.
func (c *consoleServer) revokeToken(ctx context.Context, a *actor, r *http.Request) (console.TokenID, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, errPageNotFound("找不到该令牌。", err)
	}
	id := console.TokenID(n)
	return id, notFound(c.accounts.RevokeToken(ctx, a.consoleActor(), id), "找不到该令牌。")
}

func (s *Server) pageUsers(w http.ResponseWriter, r *http.Request, a *actor) error {
	return s.renderUsers(w, r, a, http.StatusOK, s.takeSecret(w, r), "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, a *actor, status int, secret *shownSecret, errMsg string) error {
	data, err := s.admin.usersData(r.Context(), a)
	if err != nil {
		return err
	}
	data.Secret = secret
	p := s.newPage(r, a, "users", "用户与令牌")
	p.Error, p.Data = errMsg, data
	s.renderPage(w, r, status, "users.html", p)
	return nil
}

// usersFormError shows a form error on the users page.
func (s *Server) usersFormError(w http.ResponseWriter, r *http.Request, a *actor, err error) error {
	status, ok := formErrorStatus(err)
	if !ok {
		return err
	}
	return s.renderUsers(w, r, a, status, nil, userMessage(err))
}

func (s *Server) pageUserCreate(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errAdminOnly()
	}
	u, generated, err := s.admin.createUser(r.Context(), a, r.PostFormValue("name"), r.PostFormValue("role"), r.PostFormValue("password"))
	if err != nil {
		return s.usersFormError(w, r, a, err)
	}
	if generated == "" {
		return redirectOK(w, r, adminPrefix+"users", "created")
	}
	return s.redirectWithSecret(w, r, shownSecret{What: "初始密码", Name: u.Name, Value: generated}, "created")
}

func (s *Server) pageUserAction(action string) adminFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor) error {
		if !a.admin() {
			return errAdminOnly()
		}
		if _, err := s.admin.userAction(r.Context(), a, r, action, r.PostFormValue("role")); err != nil {
			return s.usersFormError(w, r, a, err)
		}
		ok := map[string]string{"role": "role", "disable": "disabled", "enable": "enabled"}[action]
		return redirectOK(w, r, adminPrefix+"users", ok)
	}
}

func (s *Server) pagePassword(w http.ResponseWriter, r *http.Request, a *actor) error {
	err := s.admin.changePassword(r.Context(), a, r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("password2"))
	if err != nil {
		return s.usersFormError(w, r, a, err)
	}
	return redirectOK(w, r, adminPrefix+"users", "password")
}

func (s *Server) pageTokenCreate(w http.ResponseWriter, r *http.Request, a *actor) error {
	t, secret, err := s.admin.createToken(r.Context(), a, r.PostFormValue("name"))
	if err != nil {
		return s.usersFormError(w, r, a, err)
	}
	return s.redirectWithSecret(w, r, shownSecret{What: "访问令牌", Name: t.Name, Value: secret}, "token")
}

func (s *Server) pageTokenRevoke(w http.ResponseWriter, r *http.Request, a *actor) error {
	if _, err := s.admin.revokeToken(r.Context(), a, r); err != nil {
		return err
	}
	return redirectOK(w, r, adminPrefix+"users", "revoked")
}

// meView answers GET /me: who is calling, and the CSRF token a script
// using the session cookie sends as X-CSRF-Token.
type meView struct {
	User       userView `json:"user"`
	CSRFToken  string   `json:"csrf_token,omitempty"`
	Approval   string   `json:"approval"`
	CanPublish bool     `json:"can_publish"`
}

func (s *Server) apiMe(w http.ResponseWriter, _ *http.Request, a *actor) error {
	return writeJSON(w, http.StatusOK, meView{User: userOf(a.user), CSRFToken: a.csrf, Approval: s.admin.approval, CanPublish: s.admin.canPublish(a)})
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errAdminOnly()
	}
	users, err := s.admin.db.Users(r.Context())
	if err != nil {
		return err
	}
	out := []userView{}
	for _, u := range users {
		out = append(out, userOf(u))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

// userCreate is the body of POST /users.
type userCreate struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// Password is the initial password; empty generates one, returned once.
	Password string `json:"password"`
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errAdminOnly()
	}
	var req userCreate
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	u, generated, err := s.admin.createUser(r.Context(), a, req.Name, req.Role, req.Password)
	if err != nil {
		return err
	}
	out := map[string]any{"user": userOf(u)}
	if generated != "" {
		out["password"] = generated
	}
	return writeJSON(w, http.StatusCreated, out)
}

// userRole is the body of PUT /users/{id}/role.
type userRole struct {
	Role string `json:"role"`
}

func (s *Server) apiUserAction(action string) adminFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor) error {
		if !a.admin() {
			return errAdminOnly()
		}
		var req userRole
		if action == "role" {
			if err := decodeJSONBody(r, &req); err != nil {
				return err
			}
		}
		u, err := s.admin.userAction(r.Context(), a, r, action, req.Role)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"user": userOf(u)})
	}
}

// passwordChange is the body of PUT /me/password.
type passwordChange struct {
	Current  string `json:"current"`
	Password string `json:"password"`
}

func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req passwordChange
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	if err := s.admin.changePassword(r.Context(), a, req.Current, req.Password, req.Password); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"changed": true})
}

func (s *Server) apiTokenList(w http.ResponseWriter, r *http.Request, a *actor) error {
	id := a.user.ID
	if v := r.URL.Query().Get("user"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errInvalidRequest("user 参数应为账号编号", err)
		}
		if console.UserID(n) != a.user.ID && !a.admin() {
			return errAdminOnly()
		}
		id = console.UserID(n)
	}
	list, err := s.admin.tokens(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
}

// tokenCreate is the body of POST /tokens.
type tokenCreate struct {
	Name string `json:"name"`
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req tokenCreate
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	t, secret, err := s.admin.createToken(r.Context(), a, req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request, a *actor) error {
	id, err := s.admin.revokeToken(r.Context(), a, r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int64{"revoked": int64(id)})
}
