// Package sqldbtest is the contract test suite of package sqldb, run
// against every database it supports: storage/sqlite and storage/postgres
// call Run from their tests, so that both pass the same cases. It is
// imported only by tests.
package sqldbtest

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

// Target is a database technology under test.
type Target struct {
	// NewLocation returns where a new, empty database can be opened: a
	// file path, a connection URL. It removes the database at t's cleanup.
	NewLocation func(t *testing.T) string
	// Open opens the database at loc, like the technology's Open.
	Open func(ctx context.Context, loc string) (*sqldb.DB, error)
}

// Run runs every contract case as a parallel subtest of t.
func Run(t *testing.T, target Target) {
	cases := []struct {
		name string
		run  func(t *testing.T, h harness)
	}{
		// Reports (ported from the original storage/sqlite tests).
		{"ReportsRoundTrip", testReportsRoundTrip},
		{"ReportsOrder", testReportsOrder},
		{"SaveReplaces", testSaveReplaces},
		{"SaveSameIDTwiceInOneCall", testSaveSameIDTwiceInOneCall},
		{"FailedSaveChangesNothing", testFailedSaveChangesNothing},
		{"DeleteReport", testDeleteReport},
		{"Empty", testEmpty},
		{"ConcurrentSaves", testConcurrentSaves},
		{"BadInput", testBadInput},
		// Opening and migrations.
		{"Reopen", testReopen},
		{"ConcurrentOpens", testConcurrentOpens},
		// The draft workspace.
		{"UpdatePassage", testUpdatePassage},
		{"FAQ", testFAQ},
		{"FAQInvalid", testFAQInvalid},
		{"FAQConcurrentEdit", testFAQConcurrentEdit},
		{"TermFiles", testTermFiles},
		{"SeedTermFiles", testSeedTermFiles},
		{"Draft", testDraft},
		// Versions.
		{"Publish", testPublish},
		{"ApprovalFlow", testApprovalFlow},
		{"ApprovalErrors", testApprovalErrors},
		{"Restore", testRestore},
		{"ConcurrentPublish", testConcurrentPublish},
		// Accounts.
		{"Users", testUsers},
		{"UserErrors", testUserErrors},
		{"LastAdmin", testLastAdmin},
		{"Tokens", testTokens},
		{"WebSessions", testWebSessions},
		{"CredentialChanges", testCredentialChanges},
		// The audit log.
		{"Audit", testAudit},
		{"AuditNotWrittenOnFailure", testAuditNotWrittenOnFailure},
		// Searching the console.
		{"SearchPassages", testSearchPassages},
		{"SearchAudit", testSearchAudit},
	}
	cases = append(cases, logCases()...) // the query log, in logs.go
	cases = append(cases, notificationCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, harness{target})
		})
	}
}

// harness opens databases of a Target for one test.
type harness struct{ Target }

// fresh opens a new, empty database, closed at cleanup.
func (h harness) fresh(t *testing.T) *sqldb.DB {
	t.Helper()
	return h.open(t, h.NewLocation(t))
}

// open opens the database at loc, closed at cleanup.
func (h harness) open(t *testing.T, loc string) *sqldb.DB {
	t.Helper()
	db, err := h.Open(t.Context(), loc)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fixtures holds the term files of testdata.
//
//go:embed testdata
var fixtures embed.FS

func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// fictional returns a made-up report with n passages whose texts carry tag,
// so that tests can tell versions apart.
func fictional(id knowledge.ReportID, n int, tag string) *knowledge.Report {
	r := &knowledge.Report{
		ID:          id,
		Title:       "重庆市江津区示例局关于报送2022年度法治政府建设情况的报告（" + tag + "）",
		Department:  "江津区示例局",
		Year:        2022,
		PublishDate: "2023-01-15",
		DocNumber:   "津示〔2023〕1号",
		SourceURL:   "https://example.org/" + string(id),
		Format:      knowledge.FormatText,
	}
	for i := range n {
		r.Passages = append(r.Passages, knowledge.Passage{
			Seq:      i,
			Path:     []string{"一、主要工作", fmt.Sprintf("(%d)依法行政", i+1)},
			Text:     fmt.Sprintf("%s：第%d段，全年办理行政复议案件%d件。", tag, i, i*3),
			Keywords: []string{"行政复议", tag},
		})
	}
	return r
}

// faq returns a made-up FAQ entry without ID whose texts carry tag.
func faq(tag string) knowledge.FAQ {
	return knowledge.FAQ{
		Questions: []string{tag + "：行政复议怎么申请？", tag + "：复议去哪里办？"},
		Answer:    tag + "：可向江津区人民政府申请行政复议。",
	}
}

func save(t *testing.T, db *sqldb.DB, reports ...*knowledge.Report) {
	t.Helper()
	if err := db.SaveReports(t.Context(), "测试员", reports...); err != nil {
		t.Fatalf("SaveReports: %v", err)
	}
}

func reportsOf(t *testing.T, db *sqldb.DB) []*knowledge.Report {
	t.Helper()
	reports, err := db.Reports(t.Context())
	if err != nil {
		t.Fatalf("Reports: %v", err)
	}
	return reports
}

func listOf(t *testing.T, db *sqldb.DB) []console.ReportSummary {
	t.Helper()
	list, err := db.ListReports(t.Context())
	if err != nil {
		t.Fatalf("ListReports: %v", err)
	}
	return list
}

func draftOf(t *testing.T, db *sqldb.DB) *knowledge.Content {
	t.Helper()
	c, err := db.Draft(t.Context())
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	return c
}

func saveFAQ(t *testing.T, db *sqldb.DB, f knowledge.FAQ, rev int64) console.FAQEntry {
	t.Helper()
	e, err := db.SaveFAQ(t.Context(), f, rev, "编辑甲")
	if err != nil {
		t.Fatalf("SaveFAQ: %v", err)
	}
	return e
}

func saveTerms(t *testing.T, db *sqldb.DB, name, text string, rev int64) console.TermFile {
	t.Helper()
	f, err := db.SaveTermFile(t.Context(), name, text, rev, "编辑甲")
	if err != nil {
		t.Fatalf("SaveTermFile(%s): %v", name, err)
	}
	return f
}

// auditOf returns the whole audit log, newest first.
func auditOf(t *testing.T, db *sqldb.DB) []console.AuditEntry {
	t.Helper()
	list, err := db.Audit(t.Context(), 10000, 0)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	return list
}

// change is the comparable part of an audit entry.
type change struct {
	Actor  string
	Action console.Action
	Target string
	Detail string
}

// changesOf returns the audit log's changes, oldest first.
func changesOf(t *testing.T, db *sqldb.DB) []change {
	t.Helper()
	var list []change
	entries := auditOf(t, db)
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		list = append(list, change{e.Actor, e.Action, e.Target, e.Detail})
	}
	return list
}

// wantErr fails t unless err wraps want, or is nil when want is nil.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if (err == nil) != (want == nil) || !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// wantEqual fails t unless got and want are deeply equal.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

// inRange fails t unless at is in [before, after] (to the stored
// microsecond) and in UTC.
func inRange(t *testing.T, what string, at, before, after time.Time) {
	t.Helper()
	if at.Before(before.Truncate(time.Microsecond)) || at.After(after) || at.Location() != time.UTC {
		t.Errorf("%s = %v, not in [%v, %v] UTC", what, at, before, after)
	}
}
