package sqldbtest

import (
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

func testAudit(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	start := time.Now()
	admin := createUser(t, db, "张管理", console.RoleAdmin)
	save(t, db, fictional("a", 2, "甲"))
	if _, err := db.UpdatePassage(ctx, "a", 1, "改", nil, 0, "李编辑"); err != nil {
		t.Fatal(err)
	}
	e := saveFAQ(t, db, faq("一"), 0)
	saveTerms(t, db, knowledge.DictFile, "行政复议", 0)
	v, err := db.Submit(ctx, "李编辑", "请审核")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Approve(ctx, v.ID, "张管理"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPasswordHash(ctx, admin.ID, "$2a$10$secret-hash", "", "张管理"); err != nil {
		t.Fatal(err)
	}
	end := time.Now()

	want := []change{
		{"安装程序", console.ActionUserCreate, "user:1", "admin"},
		{"测试员", console.ActionReportImport, "report:a", fictional("a", 2, "甲").Title},
		{"李编辑", console.ActionPassageUpdate, "passage:a#1", ""},
		{"编辑甲", console.ActionFAQSave, "faq:" + string(e.ID), faq("一").Questions[0]},
		{"编辑甲", console.ActionTermsSave, "terms:dict.txt", console.TermsChange{Added: []string{"行政复议"}}.Detail()},
		{"李编辑", console.ActionVersionSubmit, "version:1", "请审核"},
		{"张管理", console.ActionVersionApprove, "version:1", ""},
		{"张管理", console.ActionUserPassword, "user:1", ""}, // never the hash
	}
	wantEqual(t, "changes", changesOf(t, db), want)

	all := auditOf(t, db)
	for i, entry := range all {
		inRange(t, "At", entry.At, start, end)
		if i > 0 && (entry.ID >= all[i-1].ID || entry.At.After(all[i-1].At)) {
			t.Errorf("entry %d (%d at %v) not older than entry %d (%d at %v)",
				i, entry.ID, entry.At, i-1, all[i-1].ID, all[i-1].At)
		}
	}

	pages := []struct {
		limit, offset int
		want          []console.AuditEntry
		wantErr       error
	}{
		{limit: 2, offset: 0, want: all[:2]},
		{limit: 3, offset: 1, want: all[1:4]},
		{limit: 100, offset: 6, want: all[6:]},
		{limit: 5, offset: len(all), want: nil},
		{limit: 0, offset: 0, wantErr: console.ErrInvalid},
		{limit: 1, offset: -1, wantErr: console.ErrInvalid},
	}
	for _, p := range pages {
		got, err := db.Audit(ctx, p.limit, p.offset)
		wantErr(t, "Audit", err, p.wantErr)
		wantEqual(t, "Audit page", got, p.want)
	}
}

func testAuditNotWrittenOnFailure(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	admin := createUser(t, db, "张管理", console.RoleAdmin)
	fillDraft(t, db, "原")
	pending, err := db.Submit(ctx, "李编辑", "待审")
	if err != nil {
		t.Fatal(err)
	}
	session := console.WebSession{IDHash: "s", UserID: admin.ID, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}
	if err := db.CreateWebSession(ctx, session); err != nil {
		t.Fatal(err)
	}
	entry, _ := db.FAQs(ctx)
	passage, _ := db.Passage(ctx, "a", 0)
	if _, err := db.UpdatePassage(ctx, "a", 0, "改", nil, 0, "李编辑"); err != nil {
		t.Fatal(err)
	}
	saveFAQ(t, db, entry[0].FAQ, 0)
	draft, versions, users, audit := draftOf(t, db), mustVersions(t, db), usersOf(t, db), auditOf(t, db)

	tests := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"SaveReports", func() error { return db.SaveReports(ctx, "李编辑", fictional("x", 1, "新"), nil) }, console.ErrInvalid},
		{"DeleteReportBy", func() error { return db.DeleteReportBy(ctx, "x", "李编辑") }, console.ErrNotFound},
		{"UpdatePassage", func() error {
			_, err := db.UpdatePassage(ctx, "a", 0, "冲突", nil, passage.Rev, "李编辑")
			return err
		}, console.ErrConflict},
		{"SaveFAQ", func() error { _, err := db.SaveFAQ(ctx, entry[0].FAQ, entry[0].Rev, "李编辑"); return err }, console.ErrConflict},
		{"DeleteFAQ", func() error { return db.DeleteFAQ(ctx, "faq-none", 0, "李编辑") }, console.ErrNotFound},
		{"SaveTermFile", func() error {
			_, err := db.SaveTermFile(ctx, knowledge.SynonymsFile, fixture(t, "synonyms-bad.txt"), 0, "李编辑")
			return err
		}, console.ErrInvalid},
		{"SeedTermFiles", func() error { return db.SeedTermFiles(ctx, map[string]string{"x.txt": ""}) }, console.ErrInvalid},
		{"Approve", func() error { _, err := db.Approve(ctx, 99, "张管理"); return err }, console.ErrNotFound},
		{"Reject", func() error { _, err := db.Reject(ctx, 99, "张管理", "不行"); return err }, console.ErrNotFound},
		{"Restore", func() error { _, err := db.Restore(ctx, pending.ID, "张管理"); return err }, console.ErrInvalid},
		{"CreateUser", func() error {
			_, err := db.CreateUser(ctx, console.User{Name: "张管理", Role: console.RoleStaff, PasswordHash: "h"}, "张管理")
			return err
		}, console.ErrExists},
		{"SetRole", func() error { return db.SetRole(ctx, admin.ID, console.RoleStaff, "张管理") }, console.ErrInvalid},
		{"DisableUser", func() error { return db.DisableUser(ctx, admin.ID, "张管理") }, console.ErrInvalid},
		{"CreateToken", func() error {
			_, err := db.CreateToken(ctx, console.APIToken{UserID: 99, Name: "x", Hash: sha256Hex("x")}, "张管理")
			return err
		}, console.ErrNotFound},
		{"RevokeToken", func() error { return db.RevokeToken(ctx, 99, "张管理") }, console.ErrNotFound},
		{"CreateWebSession", func() error { return db.CreateWebSession(ctx, session) }, console.ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.name, tt.do(), tt.wantErr)
			wantEqual(t, "Audit", auditOf(t, db), audit)
			wantEqual(t, "Draft", draftOf(t, db), draft)
			wantEqual(t, "Versions", mustVersions(t, db), versions)
			wantEqual(t, "Users", usersOf(t, db), users)
		})
	}
}

func mustVersions(t *testing.T, db *sqldb.DB) []console.Version {
	t.Helper()
	list, err := db.Versions(t.Context())
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	return list
}
