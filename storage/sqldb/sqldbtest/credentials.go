package sqldbtest

import (
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/storage/sqldb"
)

// testCredentialChanges: a password change ends the account's other
// sessions (all of them from the command line) and keeps its tokens;
// disabling an account ends its sessions and revokes its tokens for good,
// so enabling it again brings none back; other accounts are untouched, and
// a refused change ends nothing.
func testCredentialChanges(t *testing.T, h harness) {
	type creds struct{ current, other, otherUser, token, otherUserToken bool }
	tests := []struct {
		name    string
		change  func(db *sqldb.DB, admin, staff console.User, current string) error
		wantErr error
		want    creds // which credentials still work afterwards
	}{
		{"password change in the console keeps the current session",
			func(db *sqldb.DB, _, staff console.User, current string) error {
				return db.SetPasswordHash(t.Context(), staff.ID, "$2a$10$new", current, staff.Name)
			}, nil, creds{current: true, otherUser: true, token: true, otherUserToken: true}},
		{"password change from the command line ends every session",
			func(db *sqldb.DB, _, staff console.User, _ string) error {
				return db.SetPasswordHash(t.Context(), staff.ID, "$2a$10$new", "", "命令行")
			}, nil, creds{otherUser: true, token: true, otherUserToken: true}},
		{"refused password change ends nothing",
			func(db *sqldb.DB, _, staff console.User, current string) error {
				return db.SetPasswordHash(t.Context(), staff.ID, "", current, staff.Name)
			}, console.ErrInvalid, creds{true, true, true, true, true}},
		{"disable",
			func(db *sqldb.DB, admin, staff console.User, _ string) error {
				return db.DisableUser(t.Context(), staff.ID, admin.Name)
			}, nil, creds{otherUser: true, otherUserToken: true}},
		{"disable and enable again",
			func(db *sqldb.DB, admin, staff console.User, _ string) error {
				if err := db.DisableUser(t.Context(), staff.ID, admin.Name); err != nil {
					return err
				}
				return db.EnableUser(t.Context(), staff.ID, admin.Name)
			}, nil, creds{otherUser: true, otherUserToken: true}},
		{"enable of an enabled account ends nothing",
			func(db *sqldb.DB, admin, staff console.User, _ string) error {
				return db.EnableUser(t.Context(), staff.ID, admin.Name)
			}, nil, creds{true, true, true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			ctx := t.Context()
			admin := createUser(t, db, "张管理", console.RoleAdmin)
			staff := createUser(t, db, "李编辑", console.RoleStaff)
			session := func(u console.User, cookie string) string {
				s := console.WebSession{IDHash: sha256Hex(cookie), UserID: u.ID, CSRFToken: "csrf-" + cookie,
					ExpiresAt: time.Now().Add(time.Hour)}
				wantErr(t, "CreateWebSession", db.CreateWebSession(ctx, s), nil)
				return s.IDHash
			}
			token := func(u console.User, secret string) string {
				_, err := db.CreateToken(ctx, console.APIToken{UserID: u.ID, Name: secret, Hash: sha256Hex(secret)}, u.Name)
				wantErr(t, "CreateToken", err, nil)
				return sha256Hex(secret)
			}
			current, other, otherUser := session(staff, "staff-1"), session(staff, "staff-2"), session(admin, "admin-1")
			tok, otherUserTok := token(staff, "staff-token"), token(admin, "admin-token")

			wantErr(t, "change", tt.change(db, admin, staff, current), tt.wantErr)

			sessionOK := func(hash string) bool { _, err := db.WebSession(ctx, hash); return err == nil }
			tokenOK := func(hash string) bool { _, err := db.TokenByHash(ctx, hash); return err == nil }
			got := creds{sessionOK(current), sessionOK(other), sessionOK(otherUser), tokenOK(tok), tokenOK(otherUserTok)}
			wantEqual(t, "credentials that still work", got, tt.want)

			// A log-in that races a disable cannot start a session.
			if userOf(t, db, staff.ID).Disabled {
				late := console.WebSession{IDHash: sha256Hex("late"), UserID: staff.ID, CSRFToken: "csrf", ExpiresAt: time.Now().Add(time.Hour)}
				wantErr(t, "CreateWebSession of a disabled account", db.CreateWebSession(ctx, late), console.ErrInvalid)
			}
		})
	}
}
