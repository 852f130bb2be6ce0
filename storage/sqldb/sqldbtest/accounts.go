package sqldbtest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"fazhibot/storage/sqldb"
)

// sha256Hex is how the HTTP layer hashes token secrets and session IDs.
func sha256Hex(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func createUser(t *testing.T, db *sqldb.DB, name string, role sqldb.Role) sqldb.User {
	t.Helper()
	u, err := db.CreateUser(t.Context(), sqldb.User{Name: name, Role: role, PasswordHash: "hash-of-" + name}, "安装程序")
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func userOf(t *testing.T, db *sqldb.DB, id sqldb.UserID) sqldb.User {
	t.Helper()
	u, err := db.UserByID(t.Context(), id)
	if err != nil {
		t.Fatalf("UserByID(%d): %v", id, err)
	}
	return u
}

func usersOf(t *testing.T, db *sqldb.DB) []sqldb.User {
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
	admin, err := db.CreateUser(ctx, sqldb.User{Name: "张管理", Role: sqldb.RoleAdmin, PasswordHash: "$2a$10$admin"}, "安装程序")
	wantErr(t, "CreateUser", err, nil)
	inRange(t, "CreatedAt", admin.CreatedAt, before, time.Now())
	wantEqual(t, "CreateUser", admin, sqldb.User{ID: 1, Name: "张管理", Role: sqldb.RoleAdmin,
		PasswordHash: "$2a$10$admin", CreatedAt: admin.CreatedAt})
	staff, err := db.CreateUser(ctx, sqldb.User{ID: 77, Name: "李编辑", Role: sqldb.RoleStaff,
		PasswordHash: "$2a$10$staff", CreatedAt: time.Unix(1, 0)}, "张管理")
	wantErr(t, "CreateUser", err, nil)
	if staff.ID != 2 || staff.CreatedAt.Before(admin.CreatedAt) {
		t.Errorf("second user: %+v", staff)
	}

	byName, err := db.UserByName(ctx, "李编辑")
	wantErr(t, "UserByName", err, nil)
	wantEqual(t, "UserByName", byName, staff)
	wantEqual(t, "UserByID", userOf(t, db, 1), admin)
	wantEqual(t, "Users", usersOf(t, db), []sqldb.User{admin, staff})

	steps := []struct {
		name string
		do   func() error
		edit func(u *sqldb.User) // the expected change to staff
	}{
		{"SetPasswordHash", func() error { return db.SetPasswordHash(ctx, staff.ID, "$2a$10$new", "", "李编辑") },
			func(u *sqldb.User) { u.PasswordHash = "$2a$10$new" }},
		{"SetRole", func() error { return db.SetRole(ctx, staff.ID, sqldb.RoleAdmin, "张管理") },
			func(u *sqldb.User) { u.Role = sqldb.RoleAdmin }},
		{"DisableUser", func() error { return db.DisableUser(ctx, staff.ID, "张管理") },
			func(u *sqldb.User) { u.Disabled = true }},
		{"DisableUser again", func() error { return db.DisableUser(ctx, staff.ID, "张管理") },
			func(u *sqldb.User) {}},
		{"EnableUser", func() error { return db.EnableUser(ctx, staff.ID, "张管理") },
			func(u *sqldb.User) { u.Disabled = false }},
		{"EnableUser again", func() error { return db.EnableUser(ctx, staff.ID, "张管理") },
			func(u *sqldb.User) {}},
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
		if want.Role == sqldb.RoleAdmin && !want.Disabled {
			admins++
		}
		if n, err := db.CountAdmins(ctx); n != admins || err != nil {
			t.Errorf("%s: CountAdmins = %d, %v; want %d", step.name, n, err, admins)
		}
	}

	changes := changesOf(t, db)
	wantEqual(t, "audit", changes, []change{
		{"安装程序", sqldb.ActionUserCreate, "user:1", "admin"},
		{"张管理", sqldb.ActionUserCreate, "user:2", "staff"},
		{"李编辑", sqldb.ActionUserPassword, "user:2", ""},
		{"张管理", sqldb.ActionUserRole, "user:2", "admin"},
		{"张管理", sqldb.ActionUserDisable, "user:2", ""},
		{"张管理", sqldb.ActionUserEnable, "user:2", ""},
	})
}

func testUserErrors(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	admin := createUser(t, db, "张管理", sqldb.RoleAdmin)
	users, audit := usersOf(t, db), auditOf(t, db)
	create := func(name string, role sqldb.Role, hash string) func() error {
		return func() error {
			_, err := db.CreateUser(ctx, sqldb.User{Name: name, Role: role, PasswordHash: hash}, "张管理")
			return err
		}
	}
	tests := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"duplicate name", create("张管理", sqldb.RoleStaff, "h"), sqldb.ErrExists},
		{"blank name", create(" ", sqldb.RoleStaff, "h"), sqldb.ErrInvalid},
		{"name with spaces", create(" 王五", sqldb.RoleStaff, "h"), sqldb.ErrInvalid},
		{"unknown role", create("王五", "root", "h"), sqldb.ErrInvalid},
		{"no password hash", create("王五", sqldb.RoleStaff, ""), sqldb.ErrInvalid},
		{"UserByName missing", func() error { _, err := db.UserByName(ctx, "王五"); return err }, sqldb.ErrNotFound},
		{"UserByID missing", func() error { _, err := db.UserByID(ctx, 99); return err }, sqldb.ErrNotFound},
		{"SetPasswordHash missing", func() error { return db.SetPasswordHash(ctx, 99, "h", "", "张管理") }, sqldb.ErrNotFound},
		{"SetPasswordHash empty", func() error { return db.SetPasswordHash(ctx, admin.ID, "", "", "张管理") }, sqldb.ErrInvalid},
		{"SetRole missing", func() error { return db.SetRole(ctx, 99, sqldb.RoleStaff, "张管理") }, sqldb.ErrNotFound},
		{"SetRole unknown", func() error { return db.SetRole(ctx, admin.ID, "root", "张管理") }, sqldb.ErrInvalid},
		{"DisableUser missing", func() error { return db.DisableUser(ctx, 99, "张管理") }, sqldb.ErrNotFound},
		{"EnableUser missing", func() error { return db.EnableUser(ctx, 99, "张管理") }, sqldb.ErrNotFound},
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
	a := createUser(t, db, "张管理", sqldb.RoleAdmin)
	s := createUser(t, db, "李编辑", sqldb.RoleStaff)
	steps := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"demote the only admin", func() error { return db.SetRole(ctx, a.ID, sqldb.RoleStaff, "张管理") }, sqldb.ErrInvalid},
		{"disable the only admin", func() error { return db.DisableUser(ctx, a.ID, "张管理") }, sqldb.ErrInvalid},
		{"disable staff", func() error { return db.DisableUser(ctx, s.ID, "张管理") }, nil},
		{"promote disabled staff", func() error { return db.SetRole(ctx, s.ID, sqldb.RoleAdmin, "张管理") }, nil},
		{"a disabled admin does not count", func() error { return db.DisableUser(ctx, a.ID, "张管理") }, sqldb.ErrInvalid},
		{"enable the second admin", func() error { return db.EnableUser(ctx, s.ID, "张管理") }, nil},
		{"now the first may go", func() error { return db.DisableUser(ctx, a.ID, "李编辑") }, nil},
		{"demote the last enabled admin", func() error { return db.SetRole(ctx, s.ID, sqldb.RoleStaff, "李编辑") }, sqldb.ErrInvalid},
		{"keep admin role", func() error { return db.SetRole(ctx, s.ID, sqldb.RoleAdmin, "李编辑") }, nil},
	}
	for _, step := range steps {
		wantErr(t, step.name, step.do(), step.wantErr)
	}
	got := usersOf(t, db)
	if got[0].Role != sqldb.RoleAdmin || !got[0].Disabled || got[1].Role != sqldb.RoleAdmin || got[1].Disabled {
		t.Errorf("Users: %+v", got)
	}
}

func testTokens(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	createUser(t, db, "张管理", sqldb.RoleAdmin)
	u := createUser(t, db, "李编辑", sqldb.RoleStaff)
	hash1, hash2 := sha256Hex("secret-1"), sha256Hex("secret-2")

	before := time.Now()
	tok, err := db.CreateToken(ctx, sqldb.APIToken{ID: 50, UserID: u.ID, Name: "导入脚本", Hash: hash1}, "李编辑")
	wantErr(t, "CreateToken", err, nil)
	inRange(t, "CreatedAt", tok.CreatedAt, before, time.Now())
	wantEqual(t, "CreateToken", tok, sqldb.APIToken{ID: 1, UserID: u.ID, Name: "导入脚本", Hash: hash1, CreatedAt: tok.CreatedAt})
	got, err := db.TokenByHash(ctx, hash1)
	wantErr(t, "TokenByHash", err, nil)
	wantEqual(t, "TokenByHash", got, tok)

	tests := []struct {
		name    string
		token   sqldb.APIToken
		wantErr error
	}{
		{"duplicate hash", sqldb.APIToken{UserID: u.ID, Name: "又一个", Hash: hash1}, sqldb.ErrExists},
		{"upper-case hash", sqldb.APIToken{UserID: u.ID, Name: "大写", Hash: strings.ToUpper(hash2)}, sqldb.ErrInvalid},
		{"short hash", sqldb.APIToken{UserID: u.ID, Name: "短", Hash: hash2[:40]}, sqldb.ErrInvalid},
		{"secret instead of hash", sqldb.APIToken{UserID: u.ID, Name: "明文", Hash: "secret-2"}, sqldb.ErrInvalid},
		{"blank name", sqldb.APIToken{UserID: u.ID, Name: " ", Hash: hash2}, sqldb.ErrInvalid},
		{"unknown user", sqldb.APIToken{UserID: 99, Name: "无主", Hash: hash2}, sqldb.ErrNotFound},
	}
	for _, tt := range tests {
		_, err := db.CreateToken(ctx, tt.token, "李编辑")
		wantErr(t, "CreateToken: "+tt.name, err, tt.wantErr)
	}
	tok2, err := db.CreateToken(ctx, sqldb.APIToken{UserID: u.ID, Name: "报表", Hash: hash2}, "李编辑")
	wantErr(t, "CreateToken", err, nil)
	list, err := db.Tokens(ctx, u.ID)
	wantErr(t, "Tokens", err, nil)
	wantEqual(t, "Tokens", list, []sqldb.APIToken{tok, tok2})
	if list, err := db.Tokens(ctx, 1); list != nil || err != nil {
		t.Errorf("Tokens of a user without tokens: %v, %v", list, err)
	}

	// TouchToken only moves forward.
	used := time.Date(2025, 3, 1, 8, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	wantUsed := used.UTC().Truncate(time.Microsecond)
	wantErr(t, "TouchToken", db.TouchToken(ctx, tok.ID, used), nil)
	wantErr(t, "TouchToken earlier", db.TouchToken(ctx, tok.ID, used.Add(-time.Hour)), nil)
	wantErr(t, "TouchToken missing", db.TouchToken(ctx, 99, used), sqldb.ErrNotFound)
	got, _ = db.TokenByHash(ctx, hash1)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(wantUsed) || got.LastUsedAt.Location() != time.UTC {
		t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, wantUsed)
	}

	// Revoked tokens are not returned.
	wantErr(t, "RevokeToken", db.RevokeToken(ctx, tok.ID, "张管理"), nil)
	_, err = db.TokenByHash(ctx, hash1)
	wantErr(t, "TokenByHash of a revoked token", err, sqldb.ErrNotFound)
	wantErr(t, "RevokeToken again", db.RevokeToken(ctx, tok.ID, "张管理"), nil)
	wantErr(t, "RevokeToken missing", db.RevokeToken(ctx, 99, "张管理"), sqldb.ErrNotFound)
	list, _ = db.Tokens(ctx, u.ID)
	if len(list) != 2 || list[0].RevokedAt == nil || list[1].RevokedAt != nil {
		t.Errorf("Tokens after revoke: %+v", list)
	}
	_, err = db.TokenByHash(ctx, sha256Hex("never issued"))
	wantErr(t, "TokenByHash unknown", err, sqldb.ErrNotFound)

	// Disabling an account revokes its tokens for good.
	wantErr(t, "DisableUser", db.DisableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.TokenByHash(ctx, hash2)
	wantErr(t, "TokenByHash of a disabled user", err, sqldb.ErrNotFound)
	wantErr(t, "EnableUser", db.EnableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.TokenByHash(ctx, hash2)
	wantErr(t, "TokenByHash after enabling", err, sqldb.ErrNotFound)

	var tokenChanges []change
	for _, c := range changesOf(t, db) {
		if strings.HasPrefix(string(c.Action), "token.") {
			tokenChanges = append(tokenChanges, c)
		}
	}
	wantEqual(t, "audit", tokenChanges, []change{
		{"李编辑", sqldb.ActionTokenCreate, "token:1", "导入脚本"},
		{"李编辑", sqldb.ActionTokenCreate, "token:2", "报表"},
		{"张管理", sqldb.ActionTokenRevoke, "token:1", ""},
		{"张管理", sqldb.ActionTokenRevoke, "token:2", sqldb.TokenRevokedByDisable},
	})
}

func testWebSessions(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	createUser(t, db, "张管理", sqldb.RoleAdmin)
	u := createUser(t, db, "李编辑", sqldb.RoleStaff)
	now := time.Now()
	valid := sqldb.WebSession{IDHash: sha256Hex("cookie-1"), UserID: u.ID, CSRFToken: "csrf-1",
		ExpiresAt: now.Add(time.Hour)}
	expired := sqldb.WebSession{IDHash: sha256Hex("cookie-2"), UserID: u.ID, CSRFToken: "csrf-2",
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
	wantErr(t, "WebSession expired", err, sqldb.ErrNotFound)
	_, err = db.WebSession(ctx, sha256Hex("cookie-3"))
	wantErr(t, "WebSession missing", err, sqldb.ErrNotFound)

	tests := []struct {
		name    string
		edit    func(s *sqldb.WebSession)
		wantErr error
	}{
		{"duplicate", func(s *sqldb.WebSession) {}, sqldb.ErrExists},
		{"unknown user", func(s *sqldb.WebSession) { s.IDHash, s.UserID = "other", 99 }, sqldb.ErrNotFound},
		{"no ID hash", func(s *sqldb.WebSession) { s.IDHash = "" }, sqldb.ErrInvalid},
		{"no CSRF token", func(s *sqldb.WebSession) { s.IDHash, s.CSRFToken = "other", "" }, sqldb.ErrInvalid},
		{"no expiry", func(s *sqldb.WebSession) { s.IDHash, s.ExpiresAt = "other", time.Time{} }, sqldb.ErrInvalid},
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
	wantErr(t, "WebSession after delete", err, sqldb.ErrNotFound)
	wantErr(t, "DeleteWebSession again", db.DeleteWebSession(ctx, valid.IDHash), nil)

	// Disabling an account ends its sessions for good.
	other := sqldb.WebSession{IDHash: sha256Hex("cookie-4"), UserID: u.ID, CSRFToken: "csrf-4", ExpiresAt: now.Add(time.Hour)}
	wantErr(t, "CreateWebSession", db.CreateWebSession(ctx, other), nil)
	wantErr(t, "DisableUser", db.DisableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.WebSession(ctx, other.IDHash)
	wantErr(t, "WebSession of a disabled user", err, sqldb.ErrNotFound)
	wantErr(t, "EnableUser", db.EnableUser(ctx, u.ID, "张管理"), nil)
	_, err = db.WebSession(ctx, other.IDHash)
	wantErr(t, "WebSession after enabling", err, sqldb.ErrNotFound)

	var sessionChanges []change
	for _, c := range changesOf(t, db) {
		if strings.HasPrefix(string(c.Action), "session.") {
			sessionChanges = append(sessionChanges, c)
		}
	}
	wantEqual(t, "audit", sessionChanges, []change{
		{"李编辑", sqldb.ActionSessionCreate, "user:2", ""},
		{"李编辑", sqldb.ActionSessionCreate, "user:2", ""},
		{"李编辑", sqldb.ActionSessionDelete, "user:2", ""},
		{"李编辑", sqldb.ActionSessionCreate, "user:2", ""},
	})
}
