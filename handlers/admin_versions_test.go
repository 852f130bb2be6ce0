package handlers

import (
	"errors"
	"fazhibot/console"
	"fazhibot/internal/testenv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for creating test schemas

	"fazhibot/knowledge"
	"fazhibot/publishing"
	"fazhibot/storage/postgres"
	"fazhibot/storage/sqldb"
)

// openPostgres opens a fresh schema of the test database, dropped at
// cleanup. It skips t when PostgreSQL is unreachable, unless CI=true.
func openPostgres(t *testing.T) *sqldb.DB {
	t.Helper()
	url, _ := testenv.PostgresSchema(t, "")
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestAdminApprovalFlow walks a change from upload to the citizens with
// approval required, on SQLite and on PostgreSQL: staff cannot publish or
// approve, they submit; an admin rejects one submission and approves the
// next, which goes live through the Published hook; an admin restores the
// first version.
func TestAdminApprovalFlow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *sqldb.DB
	}{
		{"sqlite", openTestDB},
		{"postgres", openPostgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newConsoleEnv(t, withDB(tc.open(t)), withApproval(ApprovalRequired))
			api := func(method, path string, body any, who testAccount, want int) *versionResult {
				t.Helper()
				rec := e.mustDo(request{method: method, path: adminAPIPrefix + path, json: body, bearer: who.token}, want)
				if want >= 300 {
					return nil
				}
				res := apiJSON[versionResult](t, rec)
				return &res
			}
			const question = "21年江津一共收到多少件行政复议申请"
			liveAnswers := func() bool {
				b, _ := e.srv.admin.liveBase()
				a, err := b.Answer(t.Context(), knowledge.Query{Text: question})
				return err == nil && a.Answered && strings.Contains(a.Text, "186件")
			}

			// Staff put a new report into the draft.
			rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token,
				multi: uploadFiles(t, "jj-sfj-2021.txt")}, http.StatusOK)
			p := apiJSON[uploadPreview](t, rec)
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token, json: previewSave{}}, http.StatusOK)
			if liveAnswers() {
				t.Fatal("the live base answers from the draft")
			}

			// Staff may neither publish nor approve.
			rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/publish", bearer: e.staff.token,
				json: versionSummary{Summary: "导入司法局报告"}}, http.StatusForbidden)
			if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "请提交审核") {
				t.Errorf("staff publish: %q", msg)
			}
			first := api("POST", "versions/submit", versionSummary{Summary: "导入司法局报告"}, e.staff, http.StatusCreated)
			if first.Version.Status != string(console.StatusPending) || first.Version.Live || first.Version.CreatedBy != staffName {
				t.Fatalf("submitted %+v", first.Version)
			}
			api("POST", fmt.Sprintf("versions/%d/approve", first.Version.ID), nil, e.staff, http.StatusForbidden)
			api("POST", fmt.Sprintf("versions/%d/reject", first.Version.ID), versionReject{Reason: "x"}, e.staff, http.StatusForbidden)

			// An admin rejects it (a reason is required), staff resubmit,
			// the admin approves.
			api("POST", fmt.Sprintf("versions/%d/reject", first.Version.ID), versionReject{}, e.admin, http.StatusBadRequest)
			rejected := api("POST", fmt.Sprintf("versions/%d/reject", first.Version.ID), versionReject{Reason: "请核对数字"}, e.admin, http.StatusOK)
			if rejected.Version.Status != string(console.StatusRejected) || rejected.Version.RejectedBy != adminName || rejected.Version.RejectReason != "请核对数字" {
				t.Errorf("rejected %+v", rejected.Version)
			}
			rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + fmt.Sprintf("versions/%d/approve", first.Version.ID), bearer: e.admin.token}, http.StatusConflict)
			if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "不在待审核状态") {
				t.Errorf("approving a rejected version: %q", msg)
			}
			second := api("POST", "versions/submit", versionSummary{Summary: "导入司法局报告（已核对）"}, e.staff, http.StatusCreated)
			if len(e.publishedIDs()) != 0 {
				t.Fatalf("Published called before any approval: %v", e.publishedIDs())
			}
			// The pending version shows what approving it changes.
			pending := apiJSON[versionPage](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + fmt.Sprintf("versions/%d", second.Version.ID),
				bearer: e.admin.token}, http.StatusOK))
			if pending.Changes.BaseVersion != 1 || pending.Changes.Counts != (publishing.Counts{ReportsAdded: 1}) ||
				len(pending.Changes.Reports) != 1 || pending.Changes.Reports[0].ID != "jj-sfj-2021" || pending.Changes.Reports[0].Kind != "added" {
				t.Errorf("pending version's changes: %+v", pending.Changes)
			}
			approved := api("POST", fmt.Sprintf("versions/%d/approve", second.Version.ID), nil, e.admin, http.StatusOK)
			if approved.Version.Status != string(console.StatusPublished) || !approved.Version.Live || approved.Version.ApprovedBy != adminName || approved.Warning != "" {
				t.Errorf("approved %+v", approved)
			}
			if ids := e.publishedIDs(); !slices.Equal(ids, []console.VersionID{console.VersionID(second.Version.ID)}) {
				t.Errorf("Published hook got %v, want [%d]", ids, second.Version.ID)
			}
			if !liveAnswers() {
				t.Error("after approval the live base does not answer from the new report")
			}

			// The admin restores version 1: live again, and the draft too.
			restored := api("POST", "versions/1/restore", nil, e.admin, http.StatusCreated)
			if restored.Version.RestoredFrom != 1 || !restored.Version.Live || restored.Version.Summary != console.RestoreSummary(1) {
				t.Errorf("restored %+v", restored.Version)
			}
			if liveAnswers() {
				t.Error("after restoring version 1 the live base still answers from the new report")
			}
			if ids := e.reportIDs(); !slices.Equal(ids, []string{liveReport}) {
				t.Errorf("draft after restore: %v", ids)
			}
			// The restored report keeps its importer, not the restorer.
			if list, err := e.db.ListReports(t.Context()); err != nil || len(list) != 1 || list[0].ImportedBy != console.SeedActor {
				t.Errorf("reports after restore: %+v, %v; want imported by %q", list, err, console.SeedActor)
			}
			api("POST", fmt.Sprintf("versions/%d/restore", first.Version.ID), nil, e.admin, http.StatusBadRequest)
			api("POST", "versions/999/restore", nil, e.admin, http.StatusNotFound)

			list := apiJSON[struct {
				Versions []versionView `json:"versions"`
				Approval string        `json:"approval"`
			}](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "versions", bearer: e.staff.token}, http.StatusOK))
			var statuses []string
			for _, v := range list.Versions {
				statuses = append(statuses, fmt.Sprintf("%d:%s:%v", v.ID, v.Status, v.Live))
			}
			want := []string{"4:published:true", "3:published:false", "2:rejected:false", "1:published:false"}
			if !slices.Equal(statuses, want) || list.Approval != ApprovalRequired {
				t.Errorf("versions %v (%s), want %v", statuses, list.Approval, want)
			}

			// Every step is in the audit log under the actor's name.
			audit := strings.Join(e.auditActions(), "\n")
			for _, step := range []string{
				staffName + " report.import", staffName + " version.submit", adminName + " version.reject",
				adminName + " version.approve", adminName + " version.restore",
			} {
				if !strings.Contains(audit, step) {
					t.Errorf("audit lacks %q:\n%s", step, audit)
				}
			}

			// The versions page shows the pending and rejected states
			// in Chinese, and admins their buttons.
			page := e.mustDo(request{method: "GET", path: adminPrefix + "versions", as: e.sessionFor(e.admin)}, http.StatusOK).Body.String()
			for _, want := range []string{"已驳回", "请核对数字", "当前线上", "恢复自版本 1", "恢复此版本",
				"草稿与当前线上版本相同，没有需要发布的改动。"} {
				if !strings.Contains(page, want) {
					t.Errorf("versions page lacks %q", want)
				}
			}
		})
	}
}

// TestAdminPublishPages posts the publish form as an admin: the Published
// hook runs, and a failing hook becomes a warning, not an error.
func TestAdminPublishPages(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, withApproval(ApprovalRequired))
	s := e.sessionFor(e.admin)
	e.changeDraft()
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "versions/publish", as: s, form: url.Values{"summary": {"例行发布"}}}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != adminPrefix+"versions?ok=published" {
		t.Errorf("Location %q", loc)
	}
	if e.liveVersion() != 2 {
		t.Errorf("live version %d, want 2", e.liveVersion())
	}

	rec = e.mustDo(request{method: "POST", path: adminPrefix + "versions/publish", as: s, form: url.Values{"summary": {" "}}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "请填写变更说明") {
		t.Errorf("blank summary page:\n%s", clip(rec.Body.String()))
	}

	e.mu.Lock()
	e.publishFn = func(console.VersionID) error { return errors.New("redis down") }
	e.mu.Unlock()
	e.changeDraft()
	rec = e.mustDo(request{method: "POST", path: adminPrefix + "versions/publish", as: s, form: url.Values{"summary": {"再次发布"}}}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != adminPrefix+"versions?ok=reload" {
		t.Errorf("Location %q", loc)
	}
	page := e.mustDo(request{method: "GET", path: adminPrefix + "versions?ok=reload", as: s}, http.StatusOK).Body.String()
	if !strings.Contains(page, "重新加载知识库失败") {
		t.Error("the page does not warn about the failed reload")
	}
	e.changeDraft()
	res := apiJSON[versionResult](t, e.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/publish", bearer: e.admin.token,
		json: versionSummary{Summary: "第三次"}}, http.StatusCreated))
	if !res.Version.Live || !strings.Contains(res.Warning, "重新加载知识库失败") {
		t.Errorf("API publish with a failing hook: %+v", res)
	}

	// An empty draft cannot be published.
	e2 := newConsoleEnv(t)
	e2.mustDo(request{method: "DELETE", path: adminAPIPrefix + "reports/" + liveReport, bearer: e2.admin.token}, http.StatusOK)
	rec = e2.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/publish", bearer: e2.admin.token, json: versionSummary{Summary: "空"}}, http.StatusBadRequest)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "草稿中没有任何报告或 FAQ") {
		t.Errorf("empty draft: %q", msg)
	}
}
