package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
)

const (
	// TokenPrefix starts every API token secret, so that a leaked one is
	// easy to recognise.
	TokenPrefix = "fzb_"
	// MaxTokenNameRunes bounds a token's name (what it is for).
	MaxTokenNameRunes = 50
	// touchEvery is how often a token's use is recorded at most: the API
	// may be asked often.
	touchEvery = time.Minute
)

// errRole is the rule a role other than staff or admin breaks.
const errRole = RuleError("角色应为 staff（工作人员）或 admin（管理员）")

// Store is what a Service needs of the database; *sqldb.DB implements it.
type Store interface {
	console.Accounts
	console.Tokens
}

// Service applies the account rules for whoever asks — the console's
// pages, its API or the command line: only admins manage accounts, nobody
// disables their own account, names and passwords follow CheckName and
// CheckPassword, staff see and revoke only their own API tokens. The store
// records every change in the audit log under the actor's name, and
// refuses to leave no enabled admin (console.ErrInvalid).
//
// Errors are console.ErrNotAllowed (unwrapped) for a role that may not
// act, a RuleError (in Chinese) for input that breaks a rule, or the
// store's, wrapping console.ErrNotFound, ErrExists or ErrInvalid. A
// Service is safe for concurrent use when its Store is.
type Service struct {
	store Store
	cost  int
	log   *slog.Logger
}

// NewService returns a Service over store that hashes new passwords at
// bcrypt cost (DefaultCost if 0) and logs failures to record a token's
// use to log (slog.Default if nil).
func NewService(store Store, cost int, log *slog.Logger) *Service {
	if cost == 0 {
		cost = DefaultCost
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, cost: cost, log: log}
}

// Cost is the bcrypt cost of the password hashes s makes.
func (s *Service) Cost() int { return s.cost }

// CreateUser creates an account with name, role and password. An empty
// password is generated and returned as generated, to be shown once.
// Only admins may create accounts.
func (s *Service) CreateUser(ctx context.Context, a console.Actor, name string, role console.Role,
	password string) (u console.User, generated string, err error) {
	if !a.Admin() {
		return console.User{}, "", console.ErrNotAllowed
	}
	if name, err = CheckName(name); err != nil {
		return console.User{}, "", err
	}
	if !role.Valid() {
		return console.User{}, "", errRole
	}
	if password == "" {
		password = Generate()
		generated = password
	}
	u, err = s.create(ctx, a.Name, console.User{Name: name, Role: role}, password)
	return u, generated, err
}

// CreateFirstAdmin creates an admin account with name and password (and
// its confirmation again) on behalf of by, who holds the one-time setup
// link rather than an account. The caller checks that the link is open.
func (s *Service) CreateFirstAdmin(ctx context.Context, by, name, password, again string) (console.User, error) {
	name, err := CheckName(name)
	if err != nil {
		return console.User{}, err
	}
	if err := CheckNewPassword(password, again); err != nil {
		return console.User{}, err
	}
	return s.create(ctx, by, console.User{Name: name, Role: console.RoleAdmin}, password)
}

// create stores u, whose name and role are checked, with the hash of
// password (checked by Hash), on behalf of by.
func (s *Service) create(ctx context.Context, by string, u console.User, password string) (console.User, error) {
	hash, err := Hash(password, s.cost)
	if err != nil {
		return console.User{}, err
	}
	u.PasswordHash = hash
	return s.store.CreateUser(ctx, u, by)
}

// SetRole gives account id role. Only admins may; the store refuses to
// demote the last enabled admin.
func (s *Service) SetRole(ctx context.Context, a console.Actor, id console.UserID, role console.Role) error {
	if !a.Admin() {
		return console.ErrNotAllowed
	}
	if !role.Valid() {
		return errRole
	}
	return s.store.SetRole(ctx, id, role, a.Name)
}

// Disable disables account id, ending its sessions and revoking its
// tokens. Only admins may, and not their own account; the store refuses
// to disable the last enabled admin.
func (s *Service) Disable(ctx context.Context, a console.Actor, id console.UserID) error {
	if !a.Admin() {
		return console.ErrNotAllowed
	}
	if a.ID != 0 && id == a.ID {
		return RuleError("不能停用自己的账号。")
	}
	return s.store.DisableUser(ctx, id, a.Name)
}

// Enable enables account id again. Only admins may.
func (s *Service) Enable(ctx context.Context, a console.Actor, id console.UserID) error {
	if !a.Admin() {
		return console.ErrNotAllowed
	}
	return s.store.EnableUser(ctx, id, a.Name)
}

// ChangePassword replaces u's own password after checking current, and
// ends every other web session of the account except keepSession (the
// hash of the session making the change; "" ends them all). API tokens
// stay valid.
func (s *Service) ChangePassword(ctx context.Context, u console.User, keepSession, current, password, again string) error {
	if !Matches(u.PasswordHash, current) {
		return RuleError("当前密码不正确。")
	}
	if err := CheckNewPassword(password, again); err != nil {
		return err
	}
	hash, err := Hash(password, s.cost)
	if err != nil {
		return err
	}
	return s.store.SetPasswordHash(ctx, u.ID, hash, keepSession, u.Name)
}

// ResetPassword sets the password of the account named name, ending all
// its web sessions. Only admins may (the command line acts as one). It
// returns the account, or an error wrapping console.ErrNotFound.
func (s *Service) ResetPassword(ctx context.Context, a console.Actor, name, password string) (console.User, error) {
	if !a.Admin() {
		return console.User{}, console.ErrNotAllowed
	}
	hash, err := Hash(password, s.cost)
	if err != nil {
		return console.User{}, err
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		return console.User{}, err
	}
	return u, s.store.SetPasswordHash(ctx, u.ID, hash, "", a.Name)
}

// CreateToken makes an API token for a's account, named by what it is
// for, and returns it with its secret, which is not stored and cannot be
// shown again.
func (s *Service) CreateToken(ctx context.Context, a console.Actor, name string) (console.APIToken, string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return console.APIToken{}, "", RuleError("请填写令牌用途（如：导入脚本）")
	case utf8.RuneCountInString(name) > MaxTokenNameRunes:
		return console.APIToken{}, "", RuleError(fmt.Sprintf("令牌用途不能超过 %d 个字", MaxTokenNameRunes))
	case !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0:
		return console.APIToken{}, "", RuleError("令牌用途含有无效字符")
	}
	secret := TokenPrefix + RandomSecret(32)
	t, err := s.store.CreateToken(ctx, console.APIToken{UserID: a.ID, Name: name, Hash: HashSecret(secret)}, a.Name)
	if err != nil {
		return console.APIToken{}, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes token id: admins any, staff only their own; another
// account's token is console.ErrNotFound to staff, as a missing one is.
func (s *Service) RevokeToken(ctx context.Context, a console.Actor, id console.TokenID) error {
	if !a.Admin() {
		mine, err := s.store.Tokens(ctx, a.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(mine, func(t console.APIToken) bool { return t.ID == id }) {
			return fmt.Errorf("token %d of another account: %w", id, console.ErrNotFound)
		}
	}
	return s.store.RevokeToken(ctx, id, a.Name)
}

// Authenticate returns the valid API token whose secret is secret and its
// account, or an error wrapping console.ErrNotFound when there is no such
// token or its account is disabled. The token's use is recorded at most
// once a minute; failing to record it is logged, not returned.
func (s *Service) Authenticate(ctx context.Context, secret string) (console.APIToken, console.User, error) {
	t, err := s.store.TokenByHash(ctx, HashSecret(secret))
	if err != nil {
		return console.APIToken{}, console.User{}, err
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err == nil && u.Disabled {
		err = fmt.Errorf("token %d of disabled account %d: %w", t.ID, u.ID, console.ErrNotFound)
	}
	if err != nil {
		return console.APIToken{}, console.User{}, err
	}
	if now := time.Now(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > touchEvery {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("recording a token's use failed", "token", t.ID, "err", err)
		}
	}
	return t, u, nil
}

// HashSecret is how web session IDs and API token secrets are stored and
// looked up: the SHA-256 of the secret in lowercase hex.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// RandomSecret returns n random bytes in unpadded base64url.
func RandomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}
