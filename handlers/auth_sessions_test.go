package handlers

import (
	"net/http"
	"net/url"
	"testing"

	"fazhibot/storage/sqldb"
)

// TestAdminCredentialChangesEndSessions, on SQLite and PostgreSQL: a
// password change ends every other session of the account (all of them
// when made with an API token) and keeps its tokens; disabling an account
// ends its sessions and revokes its tokens for good, so that enabling it
// again brings none of them back. Other accounts are untouched.
func TestAdminCredentialChangesEndSessions(t *testing.T) {
	t.Parallel()
	const newPassword = "staff-password-2"
	type works struct{ current, other, token, otherAccount bool }
	tests := []struct {
		name   string
		change func(e *consoleEnv, current *session)
		want   works
		// newLogin: the password that logs in afterwards ("" for none).
		newLogin string
	}{
		{"PUT /me/password with a session", func(e *consoleEnv, current *session) {
			e.mustDo(request{method: "PUT", path: adminAPIPrefix + "me/password", as: current,
				json: passwordChange{Current: staffPassword, Password: newPassword}}, http.StatusOK)
		}, works{current: true, token: true, otherAccount: true}, newPassword},
		{"password form of the console", func(e *consoleEnv, current *session) {
			e.mustDo(request{method: "POST", path: adminPrefix + "account/password", as: current,
				form: url.Values{"current": {staffPassword}, "password": {newPassword}, "password2": {newPassword}}}, http.StatusSeeOther)
		}, works{current: true, token: true, otherAccount: true}, newPassword},
		{"PUT /me/password with an API token", func(e *consoleEnv, _ *session) {
			e.mustDo(request{method: "PUT", path: adminAPIPrefix + "me/password", bearer: e.staff.token,
				json: passwordChange{Current: staffPassword, Password: newPassword}}, http.StatusOK)
		}, works{token: true, otherAccount: true}, newPassword},
		{"wrong current password changes nothing", func(e *consoleEnv, current *session) {
			e.mustDo(request{method: "PUT", path: adminAPIPrefix + "me/password", as: current,
				json: passwordChange{Current: "wrong-password", Password: newPassword}}, http.StatusBadRequest)
		}, works{true, true, true, true}, staffPassword},
		{"disable", func(e *consoleEnv, _ *session) {
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/disable", bearer: e.admin.token}, http.StatusOK)
		}, works{otherAccount: true}, ""},
		{"disable and enable again", func(e *consoleEnv, _ *session) {
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/disable", bearer: e.admin.token}, http.StatusOK)
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/enable", bearer: e.admin.token}, http.StatusOK)
		}, works{otherAccount: true}, staffPassword},
	}
	for _, db := range []struct {
		name string
		open func(t *testing.T) *sqldb.DB
	}{
		{"sqlite", openTestDB},
		{"postgres", openPostgres},
	} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					e := newConsoleEnv(t, withDB(db.open(t)))
					current := e.sessionOf(e.postLogin(staffName, staffPassword, "", ""))
					other := e.sessionOf(e.postLogin(staffName, staffPassword, "", ""))
					adminSession := e.sessionFor(e.admin)

					tt.change(e, current)

					ok := func(r request) bool {
						r.method, r.path = "GET", adminAPIPrefix+"me"
						switch rec := e.do(r); rec.Code {
						case http.StatusOK:
							return true
						case http.StatusUnauthorized:
							return false
						default:
							t.Fatalf("GET /me = %d\n%s", rec.Code, clip(rec.Body.String()))
							return false
						}
					}
					got := works{ok(request{as: current}), ok(request{as: other}), ok(request{bearer: e.staff.token}), ok(request{as: adminSession})}
					if got != tt.want {
						t.Errorf("still working afterwards: %+v, want %+v", got, tt.want)
					}
					if tt.newLogin != "" {
						s := e.sessionOf(e.postLogin(staffName, tt.newLogin, "", ""))
						e.mustDo(request{method: "GET", path: adminPrefix + "reports", as: s}, http.StatusOK)
					}
				})
			}
		})
	}
}
