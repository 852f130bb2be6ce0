package sqldbtest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

func testReportsRoundTrip(t *testing.T, h harness) {
	tests := []struct {
		name   string
		report *knowledge.Report
	}{
		{
			name: "real-looking report",
			report: &knowledge.Report{
				ID:          "jj-sthjj-2020",
				Title:       "重庆市江津区生态环境局关于报送2020年度法治政府建设情况的报告",
				Department:  "江津区生态环境局",
				Year:        2020,
				PublishDate: "2021-02-18",
				Format:      knowledge.FormatText,
				Passages: []knowledge.Passage{
					{Seq: 0, Text: "根据《关于做好2020年度法治政府建设情况报告工作的通知》要求，现将我局2020年度法治政府建设情况报告如下："},
					{
						Seq:      1,
						Path:     []string{"一、主要工作", "(一)认真落实法治政府建设责任", "3."},
						Text:     "一是加强执法人员培训，\"持证上岗\"率达100%；二是<规范>执法文书 & 程序？\n第二行。'引号' ? $1",
						Keywords: []string{"执法人员", "培训", "持证上岗"},
					},
				},
			},
		},
		{name: "no passages", report: &knowledge.Report{ID: "empty", Title: "空报告", Year: 2021, Format: knowledge.FormatHTML}},
		{name: "many passages", report: fictional("jj-example-2022", 50, "版本一")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			before := time.Now()
			save(t, db, tt.report)
			after := time.Now()

			got, err := db.Report(t.Context(), tt.report.ID)
			if err != nil {
				t.Fatalf("Report: %v", err)
			}
			wantEqual(t, "Report", got, tt.report)
			wantEqual(t, "Reports", reportsOf(t, db), []*knowledge.Report{tt.report})

			list := listOf(t, db)
			if len(list) != 1 {
				t.Fatalf("ListReports: got %d summaries, want 1", len(list))
			}
			s := list[0]
			inRange(t, "ImportedAt", s.ImportedAt, before, after)
			s.ImportedAt = time.Time{}
			want := console.ReportSummary{ID: tt.report.ID, Title: tt.report.Title, Department: tt.report.Department,
				Year: tt.report.Year, Passages: len(tt.report.Passages), ImportedBy: "测试员"}
			wantEqual(t, "ListReports", s, want)

			wantEqual(t, "audit", changesOf(t, db), []change{
				{"测试员", console.ActionReportImport, "report:" + string(tt.report.ID), tt.report.Title},
			})
		})
	}
}

func testReportsOrder(t *testing.T, h harness) {
	db := h.fresh(t)
	b, a, c := fictional("b", 2, "乙"), fictional("a", 3, "甲"), fictional("c", 1, "丙")
	// Passages given out of order come back ordered by Seq.
	c.Passages = append(c.Passages, knowledge.Passage{Seq: -1, Text: "前言"})
	save(t, db, b, a, c)
	c.Passages = []knowledge.Passage{c.Passages[1], c.Passages[0]}

	wantEqual(t, "Reports", reportsOf(t, db), []*knowledge.Report{a, b, c})
	var ids []knowledge.ReportID
	for _, s := range listOf(t, db) {
		ids = append(ids, s.ID)
	}
	wantEqual(t, "ListReports IDs", ids, []knowledge.ReportID{"a", "b", "c"})
}

func testSaveReplaces(t *testing.T, h harness) {
	tests := []struct {
		name   string
		first  int // passages of the first version
		second int // passages of the second version
	}{
		{"fewer passages", 5, 2},
		{"more passages", 2, 7},
		{"no passages left", 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			other := fictional("other", 2, "其他")
			save(t, db, fictional("r", tt.first, "旧版"), other)

			v2 := fictional("r", tt.second, "新版")
			v2.Department = "江津区新示例局"
			if err := db.SaveReports(t.Context(), "管理员", v2); err != nil {
				t.Fatal(err)
			}

			wantEqual(t, "Reports", reportsOf(t, db), []*knowledge.Report{other, v2})
			// ListReports counts the stored passage rows.
			if s := listOf(t, db)[1]; s.Passages != tt.second || s.ImportedBy != "管理员" || s.Department != "江津区新示例局" {
				t.Errorf("ListReports: got %+v", s)
			}
			passages, err := db.Passages(t.Context(), "r")
			if err != nil || len(passages) != tt.second {
				t.Errorf("Passages: got %d, %v; want %d", len(passages), err, tt.second)
			}
		})
	}
}

func testSaveSameIDTwiceInOneCall(t *testing.T, h harness) {
	db := h.fresh(t)
	last := fictional("r", 2, "后")
	save(t, db, fictional("r", 4, "前"), last)
	wantEqual(t, "Reports", reportsOf(t, db), []*knowledge.Report{last})
	if s := listOf(t, db); len(s) != 1 || s[0].Passages != 2 {
		t.Errorf("ListReports: got %+v, want one report with 2 passages", s)
	}
}

func testFailedSaveChangesNothing(t *testing.T, h harness) {
	duplicateSeq := fictional("dup", 3, "重复")
	duplicateSeq.Passages[2].Seq = 1

	tests := []struct {
		name  string
		batch []*knowledge.Report
	}{
		{"duplicate passage seq last", []*knowledge.Report{fictional("a", 1, "新甲"), fictional("new", 2, "新"), duplicateSeq}},
		{"empty ID in the middle", []*knowledge.Report{fictional("a", 4, "新甲"), {Title: "无编号"}, fictional("b", 1, "新乙")}},
		{"nil report", []*knowledge.Report{fictional("b", 0, "新乙"), nil}},
		{"replacement with duplicate seq", []*knowledge.Report{fictional("new", 2, "新"), func() *knowledge.Report {
			r := fictional("a", 2, "坏甲")
			r.Passages[1].Seq = 0
			return r
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			save(t, db, fictional("a", 3, "甲"), fictional("b", 2, "乙"))
			reports, list, audit := reportsOf(t, db), listOf(t, db), auditOf(t, db)

			err := db.SaveReports(t.Context(), "测试员", tt.batch...)
			wantErr(t, "SaveReports", err, console.ErrInvalid)

			wantEqual(t, "Reports after failed save", reportsOf(t, db), reports)
			wantEqual(t, "ListReports after failed save", listOf(t, db), list)
			wantEqual(t, "Audit after failed save", auditOf(t, db), audit)
			for _, id := range []knowledge.ReportID{"new", "dup"} {
				if _, err := db.Passages(t.Context(), id); err == nil {
					t.Errorf("report %q was stored", id)
				}
			}
		})
	}
}

func testDeleteReport(t *testing.T, h harness) {
	tests := []struct {
		name    string
		id      knowledge.ReportID
		wantErr error
		left    []knowledge.ReportID
		audit   []change // besides the imports
	}{
		{"existing", "a", nil, []knowledge.ReportID{"b"},
			[]change{{"管理员", console.ActionReportDelete, "report:a", fictional("a", 3, "甲").Title}}},
		{"missing", "zzz", console.ErrNotFound, []knowledge.ReportID{"a", "b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			save(t, db, fictional("a", 3, "甲"), fictional("b", 2, "乙"))
			imports := changesOf(t, db)

			wantErr(t, "DeleteReportBy", db.DeleteReportBy(t.Context(), tt.id, "管理员"), tt.wantErr)

			var ids []knowledge.ReportID
			for _, r := range reportsOf(t, db) {
				ids = append(ids, r.ID)
			}
			wantEqual(t, "left", ids, tt.left)
			if _, err := db.Report(t.Context(), tt.id); err == nil {
				t.Errorf("Report(%q) after delete: no error", tt.id)
			}
			wantErr(t, "Passages after delete", func() error { _, err := db.Passages(t.Context(), tt.id); return err }(), console.ErrNotFound)
			if s := listOf(t, db); s[len(s)-1].ID != "b" || s[len(s)-1].Passages != 2 {
				t.Errorf("ListReports: got %+v, want b with 2 passages last", s)
			}
			wantEqual(t, "audit", changesOf(t, db), append(imports, tt.audit...))
		})
	}

	t.Run("without actor", func(t *testing.T) {
		db := h.fresh(t)
		save(t, db, fictional("a", 1, "甲"))
		wantErr(t, "DeleteReport", db.DeleteReport(t.Context(), "a"), nil)
		wantErr(t, "DeleteReport again", db.DeleteReport(t.Context(), "a"), console.ErrNotFound)
		if got := changesOf(t, db); got[len(got)-1] != (change{"", console.ActionReportDelete, "report:a", fictional("a", 1, "甲").Title}) {
			t.Errorf("last audit entry: %+v", got[len(got)-1])
		}
	})
}

func testEmpty(t *testing.T, h harness) {
	db := h.fresh(t)
	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"new database", func() error { return nil }, true},
		{"after save", func() error { return db.SaveReports(t.Context(), "测试员", fictional("a", 1, "甲")) }, false},
		{"after delete", func() error { return db.DeleteReportBy(t.Context(), "a", "测试员") }, true},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got, err := db.Empty(t.Context())
		if err != nil || got != step.want {
			t.Errorf("%s: Empty() = %v, %v; want %v", step.name, got, err, step.want)
		}
	}
}

func testConcurrentSaves(t *testing.T, h harness) {
	tests := []struct {
		name    string
		handles int // *DB values on the same database, like separate processes
	}{
		{"one handle", 1},
		{"two handles", 2},
	}
	const writers, rounds = 8, 10
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := h.NewLocation(t)
			var dbs []*sqldb.DB
			for range tt.handles {
				dbs = append(dbs, h.open(t, loc))
			}

			var wg sync.WaitGroup
			errs := make(chan error, writers*rounds*2)
			for w := range writers {
				db := dbs[w%len(dbs)]
				wg.Go(func() {
					for r := range rounds {
						tag := fmt.Sprintf("w%d-r%d", w, r)
						own := fictional(knowledge.ReportID(fmt.Sprintf("own-%d", w)), 1+r%3, tag)
						shared := fictional("shared", 1+(w+r)%4, tag)
						if err := db.SaveReports(t.Context(), tag, own, shared); err != nil {
							errs <- err
						}
						if _, err := db.Reports(t.Context()); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			reports := reportsOf(t, dbs[0])
			if len(reports) != writers+1 {
				t.Fatalf("got %d reports, want %d", len(reports), writers+1)
			}
			list := listOf(t, dbs[0])
			for i, got := range reports {
				// Every report must be exactly one saved version.
				by := list[i].ImportedBy
				var w, r int
				if _, err := fmt.Sscanf(by, "w%d-r%d", &w, &r); err != nil {
					t.Fatalf("report %s imported by %q", got.ID, by)
				}
				want := fictional("shared", 1+(w+r)%4, by)
				if got.ID != "shared" {
					want = fictional(got.ID, 1+r%3, by)
					if r != rounds-1 {
						t.Errorf("report %s: last save was round %d, want %d", got.ID, r, rounds-1)
					}
				}
				wantEqual(t, "report "+string(got.ID)+" is one consistent version", got, want)
			}
			if n := len(auditOf(t, dbs[0])); n != writers*rounds*2 {
				t.Errorf("%d audit entries, want %d", n, writers*rounds*2)
			}
		})
	}
}

func testReopen(t *testing.T, h harness) {
	loc := h.NewLocation(t)
	want := []*knowledge.Report{fictional("a", 2, "甲")}
	for i := range 3 {
		db, err := h.Open(t.Context(), loc)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		if i == 0 {
			save(t, db, want...)
		}
		wantEqual(t, fmt.Sprintf("Open #%d: Reports", i+1), reportsOf(t, db), want)
		if v, err := db.SchemaVersion(t.Context()); err != nil || v != sqldb.LatestSchemaVersion() || v < 5 {
			t.Errorf("Open #%d: SchemaVersion = %d, %v; want %d", i+1, v, err, sqldb.LatestSchemaVersion())
		}
		// Counters survive: version IDs continue.
		if i > 0 {
			text := fmt.Sprintf("第%d次打开时修改", i+1)
			if _, err := db.UpdatePassage(t.Context(), want[0].ID, 0, text, nil, 0, "编辑甲"); err != nil {
				t.Fatal(err)
			}
			want[0].Passages[0].Text, want[0].Passages[0].Keywords = text, nil
		}
		v, err := db.Publish(t.Context(), "管理员", fmt.Sprintf("第%d次", i+1))
		if err != nil || v.ID != console.VersionID(i+1) {
			t.Errorf("Open #%d: Publish = %d, %v; want ID %d", i+1, v.ID, err, i+1)
		}
		if n := len(auditOf(t, db)); n != 2+2*i { // the import or an edit, and a publish
			t.Errorf("Open #%d: %d audit entries, want %d", i+1, n, 2+2*i)
		}
		if err := db.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
}

func testConcurrentOpens(t *testing.T, h harness) {
	const n = 4
	loc := h.NewLocation(t)
	dbs := make([]*sqldb.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = h.Open(t.Context(), loc) })
	}
	wg.Wait()
	for i, db := range dbs {
		if errs[i] != nil {
			t.Errorf("Open #%d: %v", i+1, errs[i])
			continue
		}
		t.Cleanup(func() { db.Close() })
		if v, err := db.SchemaVersion(t.Context()); err != nil || v != sqldb.LatestSchemaVersion() {
			t.Errorf("Open #%d: SchemaVersion = %d, %v", i+1, v, err)
		}
	}
	if t.Failed() {
		return
	}
	// Every handle works on the one database.
	for i, db := range dbs {
		save(t, db, fictional(knowledge.ReportID(fmt.Sprintf("r%d", i)), 1, "并发"))
	}
	if got := reportsOf(t, dbs[0]); len(got) != n {
		t.Errorf("got %d reports, want %d", len(got), n)
	}
}

// testBadInput feeds IDs and filters with bad bytes, and report IDs that
// break knowledge.CheckReportID, to every kind of method: each is refused
// with ErrInvalid (never a database error), and nothing is stored.
func testBadInput(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	save(t, db, fictional("jj-example-2022", 2, "原样"))
	badIDs := []knowledge.ReportID{".", "..", "\xff\xfe", "a\x00b", "a/b", knowledge.ReportID(strings.Repeat("a", 3000)), ""}
	for _, id := range badIDs {
		err := db.SaveReports(ctx, "测试", fictional(id, 1, "坏编号"))
		if !errors.Is(err, console.ErrInvalid) {
			t.Errorf("SaveReports(ID %q) = %v, want ErrInvalid", id, err)
		}
		if id != "" && !errors.Is(err, knowledge.ErrBadReportID) {
			t.Errorf("SaveReports(ID %q) = %v, want ErrBadReportID", id, err)
		}
	}
	for _, bad := range []string{"a\x00b", "\x00", "\xff\xfe", "jj\xc3"} {
		calls := map[string]func() error{
			"Report":         func() error { _, err := db.Report(ctx, knowledge.ReportID(bad)); return err },
			"Passages":       func() error { _, err := db.Passages(ctx, knowledge.ReportID(bad)); return err },
			"Passage":        func() error { _, err := db.Passage(ctx, knowledge.ReportID(bad), 0); return err },
			"DeleteReportBy": func() error { return db.DeleteReportBy(ctx, knowledge.ReportID(bad), "测试") },
			"FAQ":            func() error { _, err := db.FAQ(ctx, knowledge.FAQID(bad)); return err },
			"DeleteFAQ":      func() error { return db.DeleteFAQ(ctx, knowledge.FAQID(bad), 0, "测试") },
			"TermFile":       func() error { _, err := db.TermFile(ctx, bad); return err },
			"Logs.Report":    func() error { _, err := db.Logs(ctx, console.LogFilter{Report: knowledge.ReportID(bad)}); return err },
			"Logs.Department": func() error {
				_, err := db.Logs(ctx, console.LogFilter{Department: bad})
				return err
			},
			"Logs.Channel": func() error { _, err := db.Logs(ctx, console.LogFilter{Channel: bad}); return err },
			"Logs.User":    func() error { _, err := db.Logs(ctx, console.LogFilter{User: bad}); return err },
			"UpdatePassage": func() error {
				_, err := db.UpdatePassage(ctx, "jj-example-2022", 0, "正文"+bad, nil, 0, "测试")
				return err
			},
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, console.ErrInvalid) {
				t.Errorf("%s(%q) = %v, want ErrInvalid", name, bad, err)
			}
		}
	}
	// A searched text is cleaned the way stored messages are, so it finds them.
	for _, bad := range []string{"a\x00b", "\xff\xfe"} {
		if _, err := db.Logs(ctx, console.LogFilter{Text: bad}); err != nil {
			t.Errorf("Logs(Text %q) = %v, want a search", bad, err)
		}
	}
	list := listOf(t, db)
	if len(list) != 1 || list[0].ID != "jj-example-2022" {
		t.Errorf("reports after the refused calls: %+v, want only jj-example-2022", list)
	}
	if got, err := db.Report(ctx, "jj-example-2022"); err != nil || got.Passages[0].Text != fictional("jj-example-2022", 2, "原样").Passages[0].Text {
		t.Errorf("Report after the refused calls = %v, %v; want it unchanged", got, err)
	}
}
