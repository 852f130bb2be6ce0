package sqldbtest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/storage/sqldb"
)

// sha256Hex is how the HTTP layer hashes token secrets and session IDs.
func sha256Hex(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func createUser(t *testing.T, db *sqldb.DB, name string, role console.Role) console.User {
	t.Helper()
	u, err := db.CreateUser(t.Context(), console.User{Name: name, Role: role, PasswordHash: "hash-of-" + name}, "安装程序")
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func userOf(t *testing.T, db *sqldb.DB, id console.UserID) console.User {
	t.Helper()
	u, err := db.UserByID(t.Context(), id)
	if err != nil {
		t.Fatalf("UserByID(%d): %v", id, err)
	}
	return u
}

func usersOf(t *testing.T, db *sqldb.DB) []console.User {
	t.Helper()
	list, err := db.Users(t.Context())
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	return list
}

func testUsers(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	if n, err := db.CountUsers(ctx); n != 0 || err != nil {
		t.Errorf("CountUsers of a new database = %d, %v", n, err)
	}
	if n, err := db.CountAdmins(ctx); n != 0 || err != nil {
		t.Errorf("CountAdmins of a new database = %d, %v", n, err)
	}
	if list := usersOf(t, db); list != nil {
		t.Errorf("Users of a new database: %v", list)
	}

	before := time.Now()
	admin, err := db.CreateUser(ctx, console.User{Name: "张管理", Role: console.RoleAdmin, PasswordHash: "$2a$10$admin"}, "安装程序")
	wantErr(t, "CreateUser", err, nil)
	inRange(t, "CreatedAt", admin.CreatedAt, before, time.Now())
	wantEqual(t, "CreateUser", admin, console.User{ID: 1, Name: "张管理", Role: console.RoleAdmin,
		PasswordHash: "$2a$10$admin", CreatedAt: admin.CreatedAt})
	staff, err := db.CreateUser(ctx, console.User{ID: 77, Name: "李编辑", Role: console.RoleStaff,
		PasswordHash: "$2a$10$staff", CreatedAt: time.Unix(1, 0)}, "张管理")
	wantErr(t, "CreateUser", err, nil)
	if staff.ID != 2 || staff.CreatedAt.Before(admin.CreatedAt) {
		t.Errorf("second user: %+v", staff)
	}

	byName, err := db.UserByName(ctx, "李编辑")
	wantErr(t, "UserByName", err, nil)
	wantEqual(t, "UserByName", byName, staff)
	wantEqual(t, "UserByID", userOf(t, db, 1), admin)
	wantEqual(t, "Users", usersOf(t, db), []console.User{admin, staff})

	steps := []struct {
		name string
		do   func() error
		edit func(u *console.User) // the expected change to staff
	}{
		{"SetPasswordHash", func() error { return db.SetPasswordHash(ctx, staff.ID, "$2a$10$new", "", "李编辑") },
			func(u *console.User) { u.PasswordHash = "$2a$10$new" }},
		{"SetRole", func() error { return db.SetRole(ctx, staff.ID, console.RoleAdmin, "张管理") },
			func(u *console.User) { u.Role = console.RoleAdmin }},
		{"DisableUser", func() error { return db.DisableUser(ctx, staff.ID, "张管理") },
			func(u *console.User) { u.Disabled = true }},
		{"DisableUser again", func() error { return db.DisableUser(ctx, staff.ID, "张管理") },
			func(u *console.User) {}},
		{"EnableUser", func() error { return db.EnableUser(ctx, staff.ID, "张管理") },
			func(u *console.User) { u.Disabled = false }},
		{"EnableUser again", func() error { return db.EnableUser(ctx, staff.ID, "张管理") },
			func(u *console.User) {}},
	}
	want := staff
	for _, step := range steps {
		wantErr(t, step.name, step.do(), nil)
		step.edit(&want)
		wantEqual(t, step.name+": UserByID", userOf(t, db, staff.ID), want)
		wantEqual(t, step.name+": admin", userOf(t, db, admin.ID), admin)
		if n, err := db.CountUsers(ctx); n != 2 || err != nil {
			t.Errorf("%s: CountUsers = %d, %v", step.name, n, err)
		}
		admins := 1 // 张管理, and the other account when it is an enabled admin
		if want.Role == console.RoleAdmin && !want.Disabled {
			admins++
		}
		if n, err := db.CountAdmins(ctx); n != admins || err != nil {
			t.Errorf("%s: CountAdmins = %d, %v; want %d", step.name, n, err, admins)
		}
	}

	changes := changesOf(t, db)
	wantEqual(t, "audit", changes, []change{
		{"安装程序", console.ActionUserCreate, "user:1", "admin"},
		{"张管理", console.ActionUserCreate, "user:2", "staff"},
		{"李编辑", console.ActionUserPassword, "user:2", ""},
		{"张管理", console.ActionUserRole, "user:2", "admin"},
		{"张管理", console.ActionUserDisable, "user:2", ""},
		{"张管理", console.ActionUserEnable, "user:2", ""},
	})
}

func testUserErrors(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	admin := createUser(t, db, "张管理", console.RoleAdmin)
	users, audit := usersOf(t, db), auditOf(t, db)
	create := func(name string, role console.Role, hash string) func() error {
		return func() error {
			_, err := db.CreateUser(ctx, console.User{Name: name, Role: role, PasswordHash: hash}, "张管理")
			return err
		}
	}
	tests := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"duplicate name", create("张管理", console.RoleStaff, "h"), console.ErrExists},
		{"blank name", create(" ", console.RoleStaff, "h"), console.ErrInvalid},
		{"name with spaces", create(" 王五", console.RoleStaff, "h"), console.ErrInvalid},
		{"unknown role", create("王五", "root", "h"), console.ErrInvalid},
		{"no password hash", create("王五", console.RoleStaff, ""), console.ErrInvalid},
		{"UserByName missing", func() error { _, err := db.UserByName(ctx, "王五"); return err }, console.ErrNotFound},
		{"UserByID missing", func() error { _, err := db.UserByID(ctx, 99); return err }, console.ErrNotFound},
		{"SetPasswordHash missing", func() error { return db.SetPasswordHash(ctx, 99, "h", "", "张管理") }, console.ErrNotFound},
		{"SetPasswordHash empty", func() error { return db.SetPasswordHash(ctx, admin.ID, "", "", "张管理") }, console.ErrInvalid},
		{"SetRole missing", func() error { return db.SetRole(ctx, 99, console.RoleStaff, "张管理") }, console.ErrNotFound},
		{"SetRole unknown", func() error { return db.SetRole(ctx, admin.ID, "root", "张管理") }, console.ErrInvalid},
		{"DisableUser missing", func() error { return db.DisableUser(ctx, 99, "张管理") }, console.ErrNotFound},
		{"EnableUser missing", func() error { return db.EnableUser(ctx, 99, "张管理") }, console.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.name, tt.do(), tt.wantErr)
			wantEqual(t, "Users", usersOf(t, db), users)
			wantEqual(t, "Audit", auditOf(t, db), audit)
		})
	}
}

func testLastAdmin(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	a := createUser(t, db, "张管理", console.RoleAdmin)
	s := createUser(t, db, "李编辑", console.RoleStaff)
	steps := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"demote the only admin", func() error { return db.SetRole(ctx, a.ID, console.RoleStaff, "张管理") }, console.ErrInvalid},
		{"disable the only admin", func() error { return db.DisableUser(ctx, a.ID, "张管理") }, console.ErrInvalid},
		{"disable staff", func() error { return db.DisableUser(ctx, s.ID, "张管理") }, nil},
		{"promote disabled staff", func() error { return db.SetRole(ctx, s.ID, console.RoleAdmin, "张管理") }, nil},
		{"a disabled admin does not count", func() error { return db.DisableUser(ctx, a.ID, "张管理") }, console.ErrInvalid},
		{"enable the second admin", func() error { return db.EnableUser(ctx, s.ID, "张管理") }, nil},
		{"now the first may go", func() error { return db.DisableUser(ctx, a.ID, "李编辑") }, nil},
		{"demote the last enabled admin", func() error { return db.SetRole(ctx, s.ID, console.RoleStaff, "李编辑") }, console.ErrInvalid},
		{"keep admin role", func() error { return db.SetRole(ctx, s.ID, console.RoleAdmin, "李编辑") }, nil},
	}
	for _, step := range steps {
		wantErr(t, step.name, step.do(), step.wantErr)
	}
	got := usersOf(t, db)
	if got[0].Role != console.RoleAdmin || !got[0].Disabled || got[1].Role != console.RoleAdmin || got[1].Disabled {
		t.Errorf("Users: %+v", got)
	}
}

func testTokens(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	createUser(t, db, "张管理", console.RoleAdmin)
	u := createUser(t, db, "李编辑", console.RoleStaff)
	hash1, hash2 := sha256Hex("secret-1"), sha256Hex("secret-2")

	before := time.Now()
	tok, err := db.CreateToken(ctx, console.APIToken{ID: 50, UserID: u.ID, Name: "导入脚本", Hash: hash1}, "李编辑")
	wantErr(t, "CreateToken", err, nil)
	inRange(t, "CreatedAt", tok.CreatedAt, before, time.Now())
	wantEqual(t, "CreateToken", tok, console.APIToken{ID: 1, UserID: u.ID, Name: "导入脚本", Hash: hash1, CreatedAt: tok.CreatedAt})
	got, err := db.TokenByHash(ctx, hash1)
	wantErr(t, "TokenByHash", err, nil)
	wantEqual(t, "TokenByHash", got, tok)

	tests := []struct {
		name    string
		token   console.APIToken
		wantErr error
	}{
		{"duplicate hash", console.APIToken{UserID: u.ID, Name: "又一个", Hash: hash1}, console.ErrExists},
		{"upper-case hash", console.APIToken{UserID: u.ID, Name: "大写", Hash: strings.ToUpper(hash2)}, console.ErrInvalid},
		{"short hash", console.APIToken{UserID: u.ID, Name: "短", Hash: hash2[:40]}, console.ErrInvalid},
		{"secret instead of hash", console.APIToken{UserID: u.ID, Name: "明文", Hash: "secret-2"}, console.ErrInvalid},
		{"blank name", console.APIToken{UserID: u.ID, Name: " ", Hash: hash2}, console.ErrInvalid},
		{"unknown user", console.APIToken{UserID: 99, Name: "无主", Hash: hash2}, console.ErrNotFound},
	}
	for _, tt := range tests {
		_, err := db.CreateToken(ctx, tt.token, "李编辑")
		wantErr(t, "CreateToken: "+tt.name, err, tt.wantErr)
	}
	tok2, err := db.CreateToken(ctx, console.APIToken{UserID: u.ID, Name: "报表", Hash: hash2}, "李编辑")
	wantErr(t, "CreateToken", err, nil)
	list, err := db.Tokens(ctx, u.ID)
	wantErr(t, "Tokens", err, nil)
	wantEqual(t, "Tokens", list, []console.APIToken{tok, tok2})
	if list, err := db.Tokens(ctx, 1); list != nil || err != nil {
		t.Errorf("Tokens of a user without tokens: %v, %v", list, err)
	}

	// TouchToken only moves forward.
	used := time.Date(2025, 3, 1, 8, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	wantUsed := used.UTC().Truncate(time.Microsecond)
	wantErr(t, "TouchToken", db.TouchToken(ctx, tok.ID, used), nil)
	wantErr(t, "TouchToken earlier", db.TouchToken(ctx, tok.ID, used.Add(-time.Hour)), nil)
	wantErr(t, "TouchToken missing", db.TouchToken(ctx, 99, used), console.ErrNotFound)
	got, _ = db.TokenByHash(ctx, hash1)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(wantUsed) || got.LastUsedAt.Location() != time.UTC {
		t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, wantUsed)
	}

	// Revoked tokens are not returned.
	wantErr(t, "RevokeToken", db.RevokeToken(ctx, tok.ID, "张管理"), nil)
	_, err = db.TokenByHash(ctx, hash1)
	wantErr(t, "TokenByHash of a revoked token", err, console.ErrNotFound)
	wantErr(t, "RevokeToken again", db.RevokeToken(ctx, tok.ID, "张管理"), nil)
	wantErr(t, "RevokeToken missing", db.RevokeToken(ctx, 99, "张管理"), console.ErrNotFound)
	list, _ = db.Tokens(ctx, u.ID)
	if len(list) != 2 || list[0].RevokedAt == nil || list[1].RevokedAt != nil {
		t.Errorf("Tokens after revoke: %+v", list)
	}
	_, err = db.TokenByHash(ctx, sha256Hex("never issued"))
	wantErr(t, "TokenByHash unknown", err, console.ErrNotFound)

	// Disabling an account revokes its tokens for good.
	wantErr(t, "DisableUser", db.DisableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.TokenByHash(ctx, hash2)
	wantErr(t, "TokenByHash of a disabled user", err, console.ErrNotFound)
	wantErr(t, "EnableUser", db.EnableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.TokenByHash(ctx, hash2)
	wantErr(t, "TokenByHash after enabling", err, console.ErrNotFound)

	var tokenChanges []change
	for _, c := range changesOf(t, db) {
		if strings.HasPrefix(string(c.Action), "token.") {
			tokenChanges = append(tokenChanges, c)
		}
	}
	wantEqual(t, "audit", tokenChanges, []change{
		{"李编辑", console.ActionTokenCreate, "token:1", "导入脚本"},
		{"李编辑", console.ActionTokenCreate, "token:2", "报表"},
		{"张管理", console.ActionTokenRevoke, "token:1", ""},
		{"张管理", console.ActionTokenRevoke, "token:2", console.TokenRevokedByDisable},
	})
}

func testWebSessions(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	createUser(t, db, "张管理", console.RoleAdmin)
	u := createUser(t, db, "李编辑", console.RoleStaff)
	now := time.Now()
	valid := console.WebSession{IDHash: sha256Hex("cookie-1"), UserID: u.ID, CSRFToken: "csrf-1",
		ExpiresAt: now.Add(time.Hour)}
	expired := console.WebSession{IDHash: sha256Hex("cookie-2"), UserID: u.ID, CSRFToken: "csrf-2",
		CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}

	wantErr(t, "CreateWebSession", db.CreateWebSession(ctx, valid), nil)
	wantErr(t, "CreateWebSession expired", db.CreateWebSession(ctx, expired), nil)
	got, err := db.WebSession(ctx, valid.IDHash)
	wantErr(t, "WebSession", err, nil)
	inRange(t, "CreatedAt", got.CreatedAt, now, time.Now())
	want := valid
	want.CreatedAt, want.ExpiresAt = got.CreatedAt, valid.ExpiresAt.UTC().Truncate(time.Microsecond)
	wantEqual(t, "WebSession", got, want)
	_, err = db.WebSession(ctx, expired.IDHash)
	wantErr(t, "WebSession expired", err, console.ErrNotFound)
	_, err = db.WebSession(ctx, sha256Hex("cookie-3"))
	wantErr(t, "WebSession missing", err, console.ErrNotFound)

	tests := []struct {
		name    string
		edit    func(s *console.WebSession)
		wantErr error
	}{
		{"duplicate", func(s *console.WebSession) {}, console.ErrExists},
		{"unknown user", func(s *console.WebSession) { s.IDHash, s.UserID = "other", 99 }, console.ErrNotFound},
		{"no ID hash", func(s *console.WebSession) { s.IDHash = "" }, console.ErrInvalid},
		{"no CSRF token", func(s *console.WebSession) { s.IDHash, s.CSRFToken = "other", "" }, console.ErrInvalid},
		{"no expiry", func(s *console.WebSession) { s.IDHash, s.ExpiresAt = "other", time.Time{} }, console.ErrInvalid},
	}
	for _, tt := range tests {
		s := valid
		tt.edit(&s)
		wantErr(t, "CreateWebSession: "+tt.name, db.CreateWebSession(ctx, s), tt.wantErr)
	}

	n, err := db.DeleteExpiredWebSessions(ctx)
	if n != 1 || err != nil {
		t.Errorf("DeleteExpiredWebSessions = %d, %v; want 1", n, err)
	}
	if n, err := db.DeleteExpiredWebSessions(ctx); n != 0 || err != nil {
		t.Errorf("DeleteExpiredWebSessions again = %d, %v; want 0", n, err)
	}
	if _, err := db.WebSession(ctx, valid.IDHash); err != nil {
		t.Errorf("valid session gone: %v", err)
	}

	wantErr(t, "DeleteWebSession", db.DeleteWebSession(ctx, valid.IDHash), nil)
	_, err = db.WebSession(ctx, valid.IDHash)
	wantErr(t, "WebSession after delete", err, console.ErrNotFound)
	wantErr(t, "DeleteWebSession again", db.DeleteWebSession(ctx, valid.IDHash), nil)

	// Disabling an account ends its sessions for good.
	other := console.WebSession{IDHash: sha256Hex("cookie-4"), UserID: u.ID, CSRFToken: "csrf-4", ExpiresAt: now.Add(time.Hour)}
	wantErr(t, "CreateWebSession", db.CreateWebSession(ctx, other), nil)
	wantErr(t, "DisableUser", db.DisableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.WebSession(ctx, other.IDHash)
	wantErr(t, "WebSession of a disabled user", err, console.ErrNotFound)
	wantErr(t, "EnableUser", db.EnableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.WebSession(ctx, other.IDHash)
	wantErr(t, "WebSession after enabling", err, console.ErrNotFound)

	var sessionChanges []change
	for _, c := range changesOf(t, db) {
		if strings.HasPrefix(string(c.Action), "session.") {
			sessionChanges = append(sessionChanges, c)
		}
	}
	wantEqual(t, "audit", sessionChanges, []change{
		{"李编辑", console.ActionSessionCreate, "user:2", ""},
		{"李编辑", console.ActionSessionCreate, "user:2", ""},
		{"李编辑", console.ActionSessionDelete, "user:2", ""},
		{"李编辑", console.ActionSessionCreate, "user:2", ""},
	})
}
