package handlers

import (
	"fazhibot/accounts"
	"net/http"
	"strings"
	"testing"
)

// TestAPIAskAcceptsConsoleTokens: POST /api/v1/ask accepts the API token
// of an enabled console account, as the README promises, and refuses it
// once it is revoked or its account is disabled; the use is recorded.
func TestAPIAskAcceptsConsoleTokens(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	ask := func(token string) int {
		t.Helper()
		r := e.build(request{method: "POST", path: apiAskPath, body: `{"user":"u1","text":"行政复议多少件"}`,
			contentType: "application/json", bearer: token})
		rec := serve(e.srv, r)
		if rec.Code != http.StatusOK && !strings.Contains(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%d without a Bearer challenge: %q", rec.Code, rec.Body.String())
		}
		return rec.Code
	}
	steps := []struct {
		name  string
		setup func()
		token string
		want  int
	}{
		{"staff token", nil, e.staff.token, http.StatusOK},
		{"admin token", nil, e.admin.token, http.StatusOK},
		{"unknown token", nil, accounts.TokenPrefix + accounts.RandomSecret(32), http.StatusUnauthorized},
		{"revoked token", func() {
			e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "tokens/" + itoa(e.staff.spareToken), bearer: e.staff.token}, http.StatusOK)
		}, e.staff.spareTokenSecret, http.StatusUnauthorized},
		{"token of a disabled account", func() {
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/disable", bearer: e.admin.token}, http.StatusOK)
		}, e.staff.token, http.StatusUnauthorized},
		{"after enabling the account again", func() {
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "users/" + itoa(e.staff.user.ID) + "/enable", bearer: e.admin.token}, http.StatusOK)
		}, e.staff.token, http.StatusUnauthorized},
	}
	for _, st := range steps {
		if st.setup != nil {
			st.setup()
		}
		if got := ask(st.token); got != st.want {
			t.Errorf("%s: %d, want %d", st.name, got, st.want)
		}
	}
	toks, err := e.db.Tokens(t.Context(), e.admin.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if toks[0].LastUsedAt == nil {
		t.Errorf("the admin token's use on /api/v1/ask was not recorded: %+v", toks[0])
	}
}
