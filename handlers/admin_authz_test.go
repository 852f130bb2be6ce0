package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// endpoint is one console route with a valid request for it.
type endpoint struct {
	name   string
	method string
	// path may hold placeholders that resolve fills in for the caller:
	// {pending} a submitted version, {faq} an FAQ entry, {staff} the staff
	// account's ID, {spare} the caller's spare token, {preview} an upload
	// preview of the caller.
	path string
	// body fills in the request's body for the caller.
	body func(t *testing.T, who testAccount) request
	// staff and admin are the statuses expected for each role.
	staff, admin int
}

// resolve fills in the placeholders of path for who.
func (e *consoleEnv) resolve(path string, who testAccount) string {
	e.t.Helper()
	ctx := e.t.Context()
	if strings.Contains(path, "versions/") { // something to publish or submit
		e.changeDraft()
	}
	if strings.Contains(path, "{pending}") {
		v, err := e.db.Submit(ctx, staffName, "待审核的修改")
		if err != nil {
			e.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{pending}", fmt.Sprint(v.ID))
	}
	if strings.Contains(path, "{faq}") {
		f, err := e.db.SaveFAQ(ctx, knowledge.FAQ{Questions: []string{"怎么申请行政复议"}, Answer: "请向区司法局提出申请。"}, 0, adminName)
		if err != nil {
			e.t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{faq}", url.PathEscape(string(f.ID)))
	}
	if strings.Contains(path, "{preview}") {
		rec := e.mustDo(request{method: http.MethodPost, path: adminAPIPrefix + "uploads", bearer: who.token,
			multi: uploadFiles(e.t, "jj-sfj-2021.txt")}, http.StatusOK)
		path = strings.ReplaceAll(path, "{preview}", apiJSON[uploadPreview](e.t, rec).ID)
	}
	path = strings.ReplaceAll(path, "{staff}", fmt.Sprint(e.staff.user.ID))
	path = strings.ReplaceAll(path, "{spare}", fmt.Sprint(who.spareToken))
	return path
}

func jsonBody(v any) func(*testing.T, testAccount) request {
	return func(*testing.T, testAccount) request { return request{json: v} }
}

// apiEndpoints is every route of the console's JSON API, with the
// statuses a staff member and an admin get when approval is required.
func apiEndpoints() []endpoint {
	const a = adminAPIPrefix
	const passage = a + "reports/" + liveReport + "/passages/3"
	return []endpoint{
		{"me", "GET", a + "me", nil, 200, 200},
		{"own password", "PUT", a + "me/password", func(_ *testing.T, who testAccount) request {
			return request{json: passwordChange{Current: who.password, Password: "a-new-password-9"}}
		}, 200, 200},
		{"list reports", "GET", a + "reports", nil, 200, 200},
		{"show report", "GET", a + "reports/" + liveReport, nil, 200, 200},
		{"delete report", "DELETE", a + "reports/" + liveReport, nil, 200, 200},
		{"show passage", "GET", passage, nil, 200, 200},
		{"edit passage", "PUT", passage, jsonBody(map[string]any{"text": "新的段落正文。", "keywords": []string{"执法"}, "rev": 0}), 200, 200},
		{"upload reports", "POST", a + "uploads", func(t *testing.T, _ testAccount) request {
			return request{multi: uploadFiles(t, "jj-sfj-2021.txt")}
		}, 200, 200},
		{"show preview", "GET", a + "uploads/{preview}", nil, 200, 200},
		{"save preview", "POST", a + "uploads/{preview}/save", jsonBody(previewSave{}), 200, 200},
		{"discard preview", "DELETE", a + "uploads/{preview}", nil, 200, 200},
		{"list FAQ", "GET", a + "faq", nil, 200, 200},
		{"create FAQ", "POST", a + "faq", jsonBody(faqEdit{Questions: []string{"热线是多少"}, Answer: "12345"}), 201, 201},
		{"show FAQ", "GET", a + "faq/{faq}", nil, 200, 200},
		{"edit FAQ", "PUT", a + "faq/{faq}", jsonBody(map[string]any{"questions": []string{"复议怎么申请"}, "answer": "向司法局申请。", "rev": 0}), 200, 200},
		{"delete FAQ", "DELETE", a + "faq/{faq}", nil, 200, 200},
		{"list terms", "GET", a + "terms", nil, 200, 200},
		{"show terms", "GET", a + "terms/" + knowledge.SynonymsFile, nil, 200, 200},
		{"edit terms", "PUT", a + "terms/" + knowledge.StopwordsFile, jsonBody(map[string]any{"text": "多少\n哪个\n", "rev": 0}), 200, 200},
		{"search", "GET", a + "search?q=" + url.QueryEscape("行政复议"), nil, 200, 200},
		{"hit test", "GET", a + "hittest?q=" + url.QueryEscape("生态环境局2020年罚款多少"), nil, 200, 200},
		{"regression", "POST", a + "regression", func(t *testing.T, _ testAccount) request {
			return request{body: string(fixture(t, "questions.jsonl")), contentType: "application/x-ndjson"}
		}, 200, 200},
		{"list versions", "GET", a + "versions", nil, 200, 200},
		{"publish", "POST", a + "versions/publish", jsonBody(versionSummary{Summary: "更新报告"}), 403, 201},
		{"submit", "POST", a + "versions/submit", jsonBody(versionSummary{Summary: "更新报告"}), 201, 201},
		{"approve", "POST", a + "versions/{pending}/approve", nil, 403, 200},
		{"reject", "POST", a + "versions/{pending}/reject", jsonBody(versionReject{Reason: "数字有误"}), 403, 200},
		{"restore", "POST", a + "versions/1/restore", nil, 403, 201},
		{"list users", "GET", a + "users", nil, 403, 200},
		{"create user", "POST", a + "users", jsonBody(userCreate{Name: "新同事", Role: "staff"}), 403, 201},
		{"change role", "PUT", a + "users/{staff}/role", jsonBody(userRole{Role: "admin"}), 403, 200},
		{"disable user", "POST", a + "users/{staff}/disable", nil, 403, 200},
		{"enable user", "POST", a + "users/{staff}/enable", nil, 403, 200},
		{"list tokens", "GET", a + "tokens", nil, 200, 200},
		{"create token", "POST", a + "tokens", jsonBody(tokenCreate{Name: "导入脚本"}), 201, 201},
		{"revoke token", "DELETE", a + "tokens/{spare}", nil, 200, 200},
		{"audit log", "GET", a + "audit", nil, 403, 200},
		{"query log", "GET", a + "logs", nil, 403, 200},
	}
}

// TestAdminAPIAuthorization sends every API request anonymously, with a
// wrong token, and with each role's bearer token; and for every
// state-changing one, with the admin's session cookie without and with
// the CSRF token.
func TestAdminAPIAuthorization(t *testing.T) {
	t.Parallel()
	anon := newConsoleEnv(t, withApproval(ApprovalRequired))
	for _, ep := range apiEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			req := func(e *consoleEnv, who testAccount) request {
				r := request{}
				if ep.body != nil {
					r = ep.body(t, who)
				}
				r.method, r.path = ep.method, e.resolve(ep.path, who)
				return r
			}

			// Anonymous and wrong tokens: 401 with a challenge, nothing done.
			for _, bearer := range []string{"", "fzb_not-a-token"} {
				r := req(anon, anon.admin)
				r.bearer = bearer
				rec := anon.do(r)
				if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("bearer %q: %d %s", bearer, rec.Code, clip(rec.Body.String()))
				}
				if body := apiJSON[errorBody](t, rec); body.Error == "" {
					t.Errorf("401 without a message")
				}
			}

			for _, tc := range []struct {
				role string
				who  func(e *consoleEnv) testAccount
				want int
			}{
				{"staff", func(e *consoleEnv) testAccount { return e.staff }, ep.staff},
				{"admin", func(e *consoleEnv) testAccount { return e.admin }, ep.admin},
			} {
				e := newConsoleEnv(t, withApproval(ApprovalRequired))
				who := tc.who(e)
				r := req(e, who)
				r.bearer = who.token
				rec := e.do(r)
				if rec.Code != tc.want {
					t.Fatalf("%s: %d, want %d; body %s", tc.role, rec.Code, tc.want, clip(rec.Body.String()))
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", tc.role, ct)
				}
				if rec.Code >= 400 {
					if body := apiJSON[errorBody](t, rec); body.Error == "" {
						t.Errorf("%s: %d without a message", tc.role, rec.Code)
					}
				}
			}

			if safeMethod(ep.method) {
				return
			}
			// The same request with the admin's session cookie needs the
			// CSRF token in X-CSRF-Token.
			e := newConsoleEnv(t, withApproval(ApprovalRequired))
			s := e.sessionFor(e.admin)
			for _, tc := range []struct {
				name string
				edit func(*request)
				want int
			}{
				{"no CSRF token", func(r *request) { r.noCSRF = true }, http.StatusForbidden},
				{"wrong CSRF token", func(r *request) { r.csrf = "wrong" }, http.StatusForbidden},
			} {
				r := req(e, e.admin)
				r.as = s
				tc.edit(&r)
				rec := e.do(r)
				if rec.Code != tc.want || !strings.Contains(apiJSON[errorBody](t, rec).Error, "CSRF") {
					t.Fatalf("cookie, %s: %d %s", tc.name, rec.Code, clip(rec.Body.String()))
				}
			}
			r := req(e, e.admin)
			r.as = s
			if rec := e.do(r); rec.Code != ep.admin {
				t.Fatalf("cookie with CSRF token: %d, want %d; %s", rec.Code, ep.admin, clip(rec.Body.String()))
			}
		})
	}
}

// pageEndpoint is one console page route.
type pageEndpoint struct {
	name   string
	method string
	path   string
	form   url.Values
	multi  func(t *testing.T) *multipartBody
	// staff and admin are the statuses expected for each role (303 is a
	// successful form post).
	staff, admin int
}

// pageEndpoints is every page route behind the log-in, with the statuses
// each role gets when approval is required.
func pageEndpoints() []pageEndpoint {
	const p = adminPrefix
	passage := p + "reports/" + liveReport + "/passages/3"
	return []pageEndpoint{
		{"home", "GET", p, nil, nil, 200, 200},
		{"reports", "GET", p + "reports", nil, nil, 200, 200},
		{"report", "GET", p + "reports/" + liveReport, nil, nil, 200, 200},
		{"delete report", "POST", p + "reports/" + liveReport + "/delete", url.Values{}, nil, 303, 303},
		{"passage", "GET", passage, nil, nil, 200, 200},
		{"edit passage", "POST", passage, url.Values{"text": {"新的正文。"}, "keywords": {"执法 罚款"}, "rev": {"0"}}, nil, 303, 303},
		{"upload", "POST", p + "uploads", nil, func(t *testing.T) *multipartBody { return uploadFiles(t, "jj-sfj-2021.txt") }, 303, 303},
		{"FAQ", "GET", p + "faq", nil, nil, 200, 200},
		{"new FAQ", "GET", p + "faq/new", nil, nil, 200, 200},
		{"create FAQ", "POST", p + "faq/new", url.Values{"questions": {"热线是多少"}, "answer": {"12345"}}, nil, 303, 303},
		{"edit FAQ", "GET", p + "faq/{faq}", nil, nil, 200, 200},
		{"save FAQ", "POST", p + "faq/{faq}", url.Values{"questions": {"复议怎么申请"}, "answer": {"向司法局申请。"}, "rev": {"0"}}, nil, 303, 303},
		{"delete FAQ", "POST", p + "faq/{faq}/delete", url.Values{"rev": {"0"}}, nil, 303, 303},
		{"terms", "GET", p + "terms", nil, nil, 200, 200},
		{"edit terms", "GET", p + "terms/" + knowledge.DictFile, nil, nil, 200, 200},
		{"save terms", "POST", p + "terms/" + knowledge.DictFile, url.Values{"text": {"行政复议\n"}, "rev": {"0"}}, nil, 303, 303},
		{"search", "GET", p + "search?q=" + url.QueryEscape("行政复议"), nil, nil, 200, 200},
		{"hit test", "GET", p + "hittest?q=" + url.QueryEscape("罚款多少"), nil, nil, 200, 200},
		{"regression", "GET", p + "regression", nil, nil, 200, 200},
		{"run regression", "POST", p + "regression", nil, func(t *testing.T) *multipartBody {
			return &multipartBody{files: []multipartFile{{"questions", "questions.jsonl", fixture(t, "questions.jsonl")}}}
		}, 200, 200},
		{"versions", "GET", p + "versions", nil, nil, 200, 200},
		{"publish", "POST", p + "versions/publish", url.Values{"summary": {"更新"}}, nil, 403, 303},
		{"submit", "POST", p + "versions/submit", url.Values{"summary": {"更新"}}, nil, 303, 303},
		{"approve", "POST", p + "versions/{pending}/approve", url.Values{}, nil, 403, 303},
		{"reject", "POST", p + "versions/{pending}/reject", url.Values{"reason": {"有误"}}, nil, 403, 303},
		{"restore", "POST", p + "versions/1/restore", url.Values{}, nil, 403, 303},
		{"users", "GET", p + "users", nil, nil, 200, 200},
		{"create user", "POST", p + "users", url.Values{"name": {"新同事"}, "role": {"staff"}, "password": {"password-123"}}, nil, 403, 303},
		{"change role", "POST", p + "users/{staff}/role", url.Values{"role": {"admin"}}, nil, 403, 303},
		{"disable user", "POST", p + "users/{staff}/disable", url.Values{}, nil, 403, 303},
		{"enable user", "POST", p + "users/{staff}/enable", url.Values{}, nil, 403, 303},
		{"own password", "POST", p + "account/password", nil, nil, 303, 303}, // form filled per role
		{"create token", "POST", p + "tokens", url.Values{"name": {"脚本"}}, nil, 303, 303},
		{"revoke token", "POST", p + "tokens/{spare}/revoke", url.Values{}, nil, 303, 303},
		{"audit log", "GET", p + "audit", nil, nil, 403, 200},
		{"query log", "GET", p + "logs", nil, nil, 403, 200},
		{"log out", "POST", p + "logout", url.Values{}, nil, 303, 303},
	}
}

// TestAdminPagesAuthorization requests every page anonymously (sent to the
// log-in page), as each role, and posts every form without and with a
// wrong CSRF token (403, Chinese page, nothing changed).
func TestAdminPagesAuthorization(t *testing.T) {
	t.Parallel()
	anon := newConsoleEnv(t, withApproval(ApprovalRequired))
	for _, ep := range pageEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			req := func(e *consoleEnv, who testAccount) request {
				r := request{method: ep.method, path: e.resolve(ep.path, who), form: ep.form}
				if ep.multi != nil {
					r.multi = ep.multi(t)
				}
				if ep.name == "own password" {
					r.form = url.Values{"current": {who.password}, "password": {"new-password-1"}, "password2": {"new-password-1"}}
				}
				return r
			}

			rec := anon.do(req(anon, anon.admin))
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, adminLoginPath+"?next=") {
				t.Fatalf("anonymous: %d Location %q", rec.Code, loc)
			}
			if ep.method == http.MethodGet && ep.path != adminPrefix {
				next, _ := url.QueryUnescape(strings.TrimPrefix(rec.Header().Get("Location"), adminLoginPath+"?next="))
				if !strings.HasPrefix(next, strings.SplitN(ep.path, "{", 2)[0]) {
					t.Errorf("anonymous: next %q, want the page", next)
				}
			}

			for _, tc := range []struct {
				role string
				who  func(e *consoleEnv) testAccount
				want int
			}{
				{"staff", func(e *consoleEnv) testAccount { return e.staff }, ep.staff},
				{"admin", func(e *consoleEnv) testAccount { return e.admin }, ep.admin},
			} {
				e := newConsoleEnv(t, withApproval(ApprovalRequired))
				who := tc.who(e)
				r := req(e, who)
				r.as = e.sessionFor(who)
				rec := e.do(r)
				if rec.Code != tc.want {
					t.Fatalf("%s: %d, want %d; body %s", tc.role, rec.Code, tc.want, clip(rec.Body.String()))
				}
				if rec.Code != http.StatusSeeOther && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
					t.Errorf("%s: Content-Type %q", tc.role, rec.Header().Get("Content-Type"))
				}
				if rec.Code == http.StatusForbidden && !strings.Contains(rec.Body.String(), "管理员") {
					t.Errorf("%s: 403 page does not say an admin is needed:\n%s", tc.role, clip(rec.Body.String()))
				}
			}

			if safeMethod(ep.method) {
				return
			}
			for _, tc := range []struct {
				name string
				edit func(*request)
			}{
				{"no CSRF token", func(r *request) { r.noCSRF = true }},
				{"wrong CSRF token", func(r *request) { r.csrf = "not-the-token" }},
			} {
				e := newConsoleEnv(t, withApproval(ApprovalRequired))
				r := req(e, e.admin)
				r.as = e.sessionFor(e.admin)
				tc.edit(&r)
				before := e.auditActions()
				rec := e.do(r)
				if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF 校验失败") ||
					!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
					t.Fatalf("%s: %d %q\n%s", tc.name, rec.Code, rec.Header().Get("Content-Type"), clip(rec.Body.String()))
				}
				if after := e.auditActions(); len(after) != len(before) {
					t.Errorf("%s: the refused post changed something: %v", tc.name, after[len(before):])
				}
			}
		})
	}
}

// TestAdminStaffPublishesWithoutApproval: with approval "none" staff
// publish directly and there is nothing to submit.
func TestAdminStaffPublishesWithoutApproval(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, withApproval(ApprovalNone))
	e.changeDraft()
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/publish", bearer: e.staff.token,
		json: versionSummary{Summary: "工作人员直接发布"}}, http.StatusCreated)
	got := apiJSON[versionResult](t, rec)
	if got.Version.Status != string(console.StatusPublished) || !got.Version.Live || got.Version.CreatedBy != staffName {
		t.Errorf("published %+v", got.Version)
	}
	if ids := e.publishedIDs(); len(ids) != 1 || int64(ids[0]) != got.Version.ID || e.liveVersion() != got.Version.ID {
		t.Errorf("Published hook got %v, live %d; want version %d", ids, e.liveVersion(), got.Version.ID)
	}
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/submit", bearer: e.staff.token,
		json: versionSummary{Summary: "提交"}}, http.StatusBadRequest)
	if msg := apiJSON[errorBody](t, rec).Error; msg != "当前设置无需审核，请直接发布。" {
		t.Errorf("submit without approval: %q", msg)
	}
}

// TestRouteAccess walks the console's route table: every route refuses a
// visitor who is not signed in, and every route declared for admins
// refuses a staff account with the refusal of its access, whatever the
// path's parameters.
func TestRouteAccess(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	staffSession := e.sessionFor(e.staff)
	params := strings.NewReplacer("{id}", "1", "{seq}", "0", "{name}", "dict.txt", "{$}", "")
	admins := 0
	for _, rt := range e.srv.consoleRoutes() {
		method, pattern, _ := strings.Cut(rt.pattern, " ")
		path := params.Replace(pattern)
		api := strings.HasPrefix(path, adminAPIPrefix)
		t.Run(rt.pattern, func(t *testing.T) {
			anon := e.do(request{method: method, path: path})
			if api && anon.Code != http.StatusUnauthorized || !api && anon.Code != http.StatusSeeOther && anon.Code != http.StatusForbidden {
				t.Errorf("not signed in: %d", anon.Code)
			}
			if rt.access == signedIn {
				return
			}
			admins++
			r := request{method: method, path: path, as: staffSession}
			if api {
				r = request{method: method, path: path, bearer: e.staff.token}
			}
			rec := e.do(r)
			want := userMessage(rt.access.refuse(&actor{}))
			if rec.Code != http.StatusForbidden || !strings.Contains(html.UnescapeString(rec.Body.String()), want) {
				t.Errorf("staff: %d %s, want 403 with %q", rec.Code, clip(rec.Body.String()), want)
			}
		})
	}
	if admins == 0 {
		t.Error("no route is declared for admins")
	}
}
