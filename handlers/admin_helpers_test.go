package handlers

// Test helpers for the staff console: a Server on a real SQLite (or
// PostgreSQL) sqldb.DB holding the bundled report as live version 1, an
// admin and a staff account with API tokens, and request builders for
// pages (session cookie and CSRF token) and the JSON API.

import (
	"bytes"
	"context"
	"encoding/json"
	"fazhibot/accounts"
	"fazhibot/console"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fazhibot/configs"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
	"fazhibot/storage/sqlite"
)

// testDictDir holds the jieba dictionaries.
const testDictDir = "../configs/jieba"

// Segmenters take about a second to build, so the tests share one for
// parsing and one Library (which keeps its segmenter while the dictionary
// words stay the same) for every draft and live base.
var (
	testSegmenter = sync.OnceValues(func() (*knowledge.Segmenter, error) {
		return knowledge.NewSegmenter(testDictDir, nil)
	})
	testLibrary = sync.OnceValue(func() *knowledge.Library {
		return knowledge.NewLibrary(knowledge.LibraryOptions{DictDir: testDictDir})
	})
)

// testParse is the console's Parse as cmd/fazhibot wires it, with the
// default limits.
func testParse(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error) {
	r, err := knowledge.ParseStated(ctx, name, data, knowledge.Limits{}, st)
	if err != nil {
		return nil, err
	}
	seg, err := testSegmenter()
	if err != nil {
		return nil, err
	}
	knowledge.AssignKeywords(r, seg)
	return r, nil
}

// The accounts every console environment has.
const (
	adminName     = "管理员甲"
	adminPassword = "admin-password-1"
	staffName     = "编辑乙"
	staffPassword = "staff-password-1"
	liveReport    = "jj-sthjj-2020"
)

// testAccount is a seeded account with a valid API token and a second
// one to revoke.
type testAccount struct {
	user             console.User
	password         string
	token            string
	spareToken       console.TokenID
	spareTokenSecret string
}

// consoleEnv is a Server with the console on a fresh database.
type consoleEnv struct {
	t     *testing.T
	srv   *Server
	db    *sqldb.DB
	admin testAccount
	staff testAccount
	logs  *bytes.Buffer

	mu        sync.Mutex
	live      *knowledge.Base
	version   int64
	published []console.VersionID
	publishFn func(console.VersionID) error // overrides the hook's result
}

// envConfig adjusts a consoleEnv before the Server is made.
type envConfig struct {
	db       *sqldb.DB // nil: a fresh SQLite file
	noUsers  bool
	console  func(*ConsoleOptions)
	approval string
	now      func() time.Time // the Server's clock; nil: time.Now
}

func withApproval(mode string) func(*envConfig) {
	return func(c *envConfig) { c.approval = mode }
}

func withoutUsers(c *envConfig) { c.noUsers = true }

func withConsole(edit func(*ConsoleOptions)) func(*envConfig) {
	return func(c *envConfig) { c.console = edit }
}

func withNow(now func() time.Time) func(*envConfig) {
	return func(c *envConfig) { c.now = now }
}

func withDB(db *sqldb.DB) func(*envConfig) {
	return func(c *envConfig) { c.db = db }
}

// openTestDB opens a fresh SQLite database in t's temporary directory.
func openTestDB(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newConsoleEnv seeds a database with the default term lists and the
// bundled report, published as version 1 and served as the live base,
// creates the accounts, and returns the Server.
func newConsoleEnv(t *testing.T, opts ...func(*envConfig)) *consoleEnv {
	t.Helper()
	cfg := envConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	db := cfg.db
	if db == nil {
		db = openTestDB(t)
	}
	ctx := t.Context()
	files, err := knowledge.ReadTermFiles(configs.DefaultTerms())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SeedTermFiles(ctx, files); err != nil {
		t.Fatal(err)
	}
	rep, err := testParse(ctx, liveReport+".txt", fixture(t, "reports/"+liveReport+".txt"), knowledge.Stated{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveReports(ctx, console.SeedActor, rep); err != nil {
		t.Fatal(err)
	}
	v, err := db.Publish(ctx, console.SeedActor, "首次启动")
	if err != nil {
		t.Fatal(err)
	}
	e := &consoleEnv{t: t, db: db, logs: &bytes.Buffer{}}
	if err := e.load(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if !cfg.noUsers {
		e.admin = e.createAccount(adminName, adminPassword, console.RoleAdmin)
		e.staff = e.createAccount(staffName, staffPassword, console.RoleStaff)
	}
	copts := ConsoleOptions{
		DB:       db,
		Approval: cfg.approval,
		Parse:    testParse,
		Draft: func(ctx context.Context) (*knowledge.Base, error) {
			c, err := db.Draft(ctx)
			if err != nil {
				return nil, err
			}
			return testLibrary().Load(c, 0)
		},
		Live: func() (*knowledge.Base, int64) {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.live, e.version
		},
		Published: func(ctx context.Context, id console.VersionID) error {
			e.mu.Lock()
			e.published = append(e.published, id)
			fn := e.publishFn
			e.mu.Unlock()
			if fn != nil {
				return fn(id)
			}
			return e.load(ctx, id)
		},
	}
	if cfg.console != nil {
		cfg.console(&copts)
	}
	if copts.Accounts == nil && copts.DB != nil {
		copts.Accounts = accounts.NewService(copts.DB, bcrypt.MinCost, nil)
	}
	srv, err := New(Options{
		Responder: &fakeResponder{},
		Replies:   &fakeCache{},
		Logger:    slog.New(slog.NewTextHandler(&syncWriter{w: e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Console:   copts,
		Now:       cfg.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", e.logText())
		}
	})
	return e
}

// syncWriter serialises writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (e *consoleEnv) logText() string {
	return e.logs.String()
}

// load builds version id as the live base, as the reloader does.
func (e *consoleEnv) load(ctx context.Context, id console.VersionID) error {
	c, err := e.db.LoadVersion(ctx, id)
	if err != nil {
		return err
	}
	b, err := testLibrary().Load(c, int64(id))
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.live, e.version = b, int64(id)
	return nil
}

// publishedIDs returns the versions the Published hook was called with.
func (e *consoleEnv) publishedIDs() []console.VersionID {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]console.VersionID(nil), e.published...)
}

// changeDraft edits a passage of the draft, so that it differs from the
// live version and can be published or submitted.
func (e *consoleEnv) changeDraft() {
	e.t.Helper()
	ctx := e.t.Context()
	p, err := e.db.Passage(ctx, liveReport, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.UpdatePassage(ctx, liveReport, 1, p.Text+"（草稿修改）", p.Keywords, 0, staffName); err != nil {
		e.t.Fatal(err)
	}
}

// liveVersion returns the version the live base was built from.
func (e *consoleEnv) liveVersion() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version
}

// createAccount stores an account with two API tokens.
func (e *consoleEnv) createAccount(name, password string, role console.Role) testAccount {
	e.t.Helper()
	ctx := e.t.Context()
	hash, err := accounts.Hash(password, bcrypt.MinCost)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.db.CreateUser(ctx, console.User{Name: name, Role: role, PasswordHash: hash}, setupActor)
	if err != nil {
		e.t.Fatal(err)
	}
	a := testAccount{user: u, password: password, token: accounts.TokenPrefix + accounts.RandomSecret(32), spareTokenSecret: accounts.TokenPrefix + accounts.RandomSecret(32)}
	if _, err := e.db.CreateToken(ctx, console.APIToken{UserID: u.ID, Name: "测试脚本", Hash: accounts.HashSecret(a.token)}, name); err != nil {
		e.t.Fatal(err)
	}
	spare, err := e.db.CreateToken(ctx, console.APIToken{UserID: u.ID, Name: "备用", Hash: accounts.HashSecret(a.spareTokenSecret)}, name)
	if err != nil {
		e.t.Fatal(err)
	}
	a.spareToken = spare.ID
	return a
}

// session is a logged-in browser: its cookie and the page's CSRF token.
type session struct {
	cookie string
	csrf   string
}

// sessionFor stores a session of a directly, as a log-in would.
func (e *consoleEnv) sessionFor(a testAccount) *session {
	e.t.Helper()
	s := &session{cookie: accounts.RandomSecret(32), csrf: accounts.RandomSecret(32)}
	err := e.db.CreateWebSession(e.t.Context(), console.WebSession{IDHash: accounts.HashSecret(s.cookie), UserID: a.user.ID,
		CSRFToken: s.csrf, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// request is one console request. Exactly one of json, form, multi and
// body is set (or none).
type request struct {
	method, path string
	json         any
	form         url.Values
	multi        *multipartBody
	body         string
	contentType  string

	as     *session // sends the cookie; with form/multi the CSRF field, with json/body the header
	bearer string   // sends Authorization: Bearer
	noCSRF bool     // leaves the CSRF token out
	csrf   string   // sends this CSRF token instead of the session's
	remote string   // RemoteAddr
	// cookies are sent besides the session's, such as those a previous
	// response set.
	cookies []*http.Cookie
}

// multipartBody is a multipart form: fields and files.
type multipartBody struct {
	fields map[string]string
	files  []multipartFile
}

type multipartFile struct {
	field, name string
	data        []byte
}

func (e *consoleEnv) build(r request) *http.Request {
	e.t.Helper()
	var body io.Reader
	ct := r.contentType
	csrf := ""
	if r.as != nil && !r.noCSRF {
		csrf = r.as.csrf
		if r.csrf != "" {
			csrf = r.csrf
		}
	}
	switch {
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			e.t.Fatal(err)
		}
		body, ct = bytes.NewReader(b), "application/json"
	case r.form != nil:
		form := url.Values{}
		for k, v := range r.form {
			form[k] = v
		}
		if csrf != "" {
			form.Set(csrfField, csrf)
		}
		body, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case r.multi != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if csrf != "" {
			_ = mw.WriteField(csrfField, csrf)
		}
		for k, v := range r.multi.fields {
			_ = mw.WriteField(k, v)
		}
		for _, f := range r.multi.files {
			w, err := mw.CreateFormFile(f.field, f.name)
			if err != nil {
				e.t.Fatal(err)
			}
			_, _ = w.Write(f.data)
		}
		_ = mw.Close()
		body, ct = &buf, mw.FormDataContentType()
	case r.body != "":
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if r.as != nil {
		req.AddCookie(&http.Cookie{Name: e.srv.admin.cookieName(), Value: r.as.cookie})
		if csrf != "" && r.form == nil && r.multi == nil && !safeMethod(r.method) {
			req.Header.Set(csrfHeader, csrf)
		}
	}
	for _, c := range r.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.remote != "" {
		req.RemoteAddr = r.remote
	}
	return req
}

// do serves r.
func (e *consoleEnv) do(r request) *httptest.ResponseRecorder {
	e.t.Helper()
	return serve(e.srv, e.build(r))
}

// mustDo serves r and fails unless the status is want.
func (e *consoleEnv) mustDo(r request, want int) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := e.do(r)
	if rec.Code != want {
		e.t.Fatalf("%s %s = %d, want %d; body:\n%s", r.method, r.path, rec.Code, want, clip(rec.Body.String()))
	}
	return rec
}

// clip shortens a body for failure messages.
func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// apiJSON decodes a JSON response into T (unknown fields allowed).
func apiJSON[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q, body %q", ct, clip(rec.Body.String()))
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", clip(rec.Body.String()), err)
	}
	return v
}

// reportFile returns a testdata report as an upload.
func reportFile(t testing.TB, name string) multipartFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "reports", name))
	if err != nil {
		t.Fatal(err)
	}
	return multipartFile{field: "files", name: name, data: data}
}

// uploadFiles is a multipart body with the named testdata reports.
func uploadFiles(t testing.TB, names ...string) *multipartBody {
	m := &multipartBody{}
	for _, n := range names {
		m.files = append(m.files, reportFile(t, n))
	}
	return m
}

// reportIDs lists the draft's report IDs.
func (e *consoleEnv) reportIDs() []string {
	e.t.Helper()
	sums, err := e.db.ListReports(e.t.Context())
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, s := range sums {
		ids = append(ids, string(s.ID))
	}
	return ids
}

// auditActions lists the audit log's (actor, action) pairs, oldest first.
func (e *consoleEnv) auditActions() []string {
	e.t.Helper()
	entries, err := e.db.Audit(e.t.Context(), 1000, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, fmt.Sprintf("%s %s", entries[i].Actor, entries[i].Action))
	}
	return out
}
