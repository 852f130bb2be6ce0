package sqlite

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"fazhibot/knowledge"
)

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kb.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
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

func save(t *testing.T, db *DB, reports ...*knowledge.Report) {
	t.Helper()
	if err := db.SaveReports(t.Context(), "测试员", reports...); err != nil {
		t.Fatalf("SaveReports: %v", err)
	}
}

func reportsOf(t *testing.T, db *DB) []*knowledge.Report {
	t.Helper()
	reports, err := db.Reports(t.Context())
	if err != nil {
		t.Fatalf("Reports: %v", err)
	}
	return reports
}

func listOf(t *testing.T, db *DB) []ReportSummary {
	t.Helper()
	list, err := db.ListReports(t.Context())
	if err != nil {
		t.Fatalf("ListReports: %v", err)
	}
	return list
}

// passageRows counts the stored passages of a report, bypassing the API.
func passageRows(t *testing.T, db *DB, id knowledge.ReportID) int {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(t.Context(),
		`SELECT COUNT(*) FROM passages WHERE report_id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRoundTrip(t *testing.T) {
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
						Text:     "一是加强执法人员培训，\"持证上岗\"率达100%；二是<规范>执法文书 & 程序。\n第二行。",
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
			db, _ := openTemp(t)
			before := time.Now().UTC()
			save(t, db, tt.report)
			after := time.Now().UTC()

			got, err := db.Report(t.Context(), tt.report.ID)
			if err != nil {
				t.Fatalf("Report: %v", err)
			}
			if !reflect.DeepEqual(got, tt.report) {
				t.Errorf("Report:\n got %#v\nwant %#v", got, tt.report)
			}
			if all := reportsOf(t, db); !reflect.DeepEqual(all, []*knowledge.Report{tt.report}) {
				t.Errorf("Reports: got %#v", all)
			}

			list := listOf(t, db)
			if len(list) != 1 {
				t.Fatalf("ListReports: got %d summaries, want 1", len(list))
			}
			s := list[0]
			at := s.ImportedAt
			s.ImportedAt = time.Time{}
			want := ReportSummary{ID: tt.report.ID, Title: tt.report.Title, Department: tt.report.Department,
				Year: tt.report.Year, Passages: len(tt.report.Passages), ImportedBy: "测试员"}
			if s != want {
				t.Errorf("ListReports: got %+v, want %+v", s, want)
			}
			if at.Before(before.Truncate(time.Microsecond)) || at.After(after) || at.Location() != time.UTC {
				t.Errorf("ImportedAt %v not in [%v, %v] UTC", at, before, after)
			}
		})
	}
}

func TestReportsOrder(t *testing.T) {
	db, _ := openTemp(t)
	b, a, c := fictional("b", 2, "乙"), fictional("a", 3, "甲"), fictional("c", 1, "丙")
	// Passages given out of order come back ordered by Seq.
	c.Passages = append(c.Passages, knowledge.Passage{Seq: -1, Text: "前言"})
	save(t, db, b, a, c)
	c.Passages = []knowledge.Passage{c.Passages[1], c.Passages[0]}

	if got, want := reportsOf(t, db), []*knowledge.Report{a, b, c}; !reflect.DeepEqual(got, want) {
		t.Errorf("Reports: got %#v, want %#v", got, want)
	}
	var ids []knowledge.ReportID
	for _, s := range listOf(t, db) {
		ids = append(ids, s.ID)
	}
	if want := []knowledge.ReportID{"a", "b", "c"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ListReports IDs: got %v, want %v", ids, want)
	}
}

func TestSaveReplaces(t *testing.T) {
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
			db, _ := openTemp(t)
			other := fictional("other", 2, "其他")
			save(t, db, fictional("r", tt.first, "旧版"), other)

			v2 := fictional("r", tt.second, "新版")
			v2.Department = "江津区新示例局"
			if err := db.SaveReports(t.Context(), "管理员", v2); err != nil {
				t.Fatal(err)
			}

			if got, want := reportsOf(t, db), []*knowledge.Report{other, v2}; !reflect.DeepEqual(got, want) {
				t.Errorf("Reports: got %#v, want %#v", got, want)
			}
			if n := passageRows(t, db, "r"); n != tt.second {
				t.Errorf("stored passages: got %d, want %d", n, tt.second)
			}
			if s := listOf(t, db)[1]; s.Passages != tt.second || s.ImportedBy != "管理员" || s.Department != "江津区新示例局" {
				t.Errorf("ListReports: got %+v", s)
			}
		})
	}
}

func TestSaveSameIDTwiceInOneCall(t *testing.T) {
	db, _ := openTemp(t)
	last := fictional("r", 2, "后")
	save(t, db, fictional("r", 4, "前"), last)
	if got := reportsOf(t, db); !reflect.DeepEqual(got, []*knowledge.Report{last}) {
		t.Errorf("Reports: got %#v, want only the later report", got)
	}
}

func TestFailedSaveChangesNothing(t *testing.T) {
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
			db, _ := openTemp(t)
			save(t, db, fictional("a", 3, "甲"), fictional("b", 2, "乙"))
			reports, list := reportsOf(t, db), listOf(t, db)

			if err := db.SaveReports(t.Context(), "测试员", tt.batch...); err == nil {
				t.Fatal("SaveReports succeeded, want an error")
			}

			if got := reportsOf(t, db); !reflect.DeepEqual(got, reports) {
				t.Errorf("Reports after failed save:\n got %#v\nwant %#v", got, reports)
			}
			if got := listOf(t, db); !reflect.DeepEqual(got, list) {
				t.Errorf("ListReports after failed save:\n got %+v\nwant %+v", got, list)
			}
			for _, id := range []knowledge.ReportID{"new", "dup", ""} {
				if n := passageRows(t, db, id); n != 0 {
					t.Errorf("%d leftover passages of %q", n, id)
				}
			}
		})
	}
}

func TestDeleteReport(t *testing.T) {
	tests := []struct {
		name    string
		id      knowledge.ReportID
		wantErr error
		left    []knowledge.ReportID
	}{
		{"existing", "a", nil, []knowledge.ReportID{"b"}},
		{"missing", "zzz", ErrNotFound, []knowledge.ReportID{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTemp(t)
			save(t, db, fictional("a", 3, "甲"), fictional("b", 2, "乙"))

			err := db.DeleteReport(t.Context(), tt.id)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("DeleteReport: got %v, want %v", err, tt.wantErr)
			}
			var ids []knowledge.ReportID
			for _, r := range reportsOf(t, db) {
				ids = append(ids, r.ID)
			}
			if !reflect.DeepEqual(ids, tt.left) {
				t.Errorf("left: got %v, want %v", ids, tt.left)
			}
			if n := passageRows(t, db, tt.id); n != 0 {
				t.Errorf("%d passages of %q survived", n, tt.id)
			}
			if n := passageRows(t, db, "b"); n != 2 {
				t.Errorf("passages of b: got %d, want 2", n)
			}
			if _, err := db.Report(t.Context(), tt.id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Report after delete: got %v, want ErrNotFound", err)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	db, _ := openTemp(t)
	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"new database", func() error { return nil }, true},
		{"after save", func() error { return db.SaveReports(t.Context(), "测试员", fictional("a", 1, "甲")) }, false},
		{"after delete", func() error { return db.DeleteReport(t.Context(), "a") }, true},
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

func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "kb.db")
	want := []*knowledge.Report{fictional("a", 2, "甲")}
	for i := range 3 {
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		if i == 0 {
			save(t, db, want...)
		}
		if got := reportsOf(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("Open #%d: Reports = %#v", i+1, got)
		}
		var mode string
		var applied int
		if err := db.read.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("Open #%d: journal_mode = %q, %v; want wal", i+1, mode, err)
		}
		if err := db.read.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if list, _ := listMigrations(); applied != len(list) {
			t.Errorf("Open #%d: %d migrations recorded, want %d", i+1, applied, len(list))
		}
		if err := db.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	newer := filepath.Join(t.TempDir(), "newer.db")
	db, err := Open(t.Context(), newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', '')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, path := range []string{"", ":memory:", filepath.Join(t.TempDir(), "kb.db?mode=ro"), newer} {
		if db, err := Open(t.Context(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestConcurrentSaves(t *testing.T) {
	tests := []struct {
		name    string
		handles int // *DB values on the same file, like separate processes
	}{
		{"one handle", 1},
		{"two handles", 2},
	}
	const writers, rounds = 8, 10
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kb.db")
			var dbs []*DB
			for range tt.handles {
				db, err := Open(t.Context(), path)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				dbs = append(dbs, db)
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
			for _, got := range reports {
				// Every report must be exactly one saved version.
				list := listOf(t, dbs[0])
				var by string
				for _, s := range list {
					if s.ID == got.ID {
						by = s.ImportedBy
					}
				}
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
				if !reflect.DeepEqual(got, want) {
					t.Errorf("report %s is not one consistent version:\n got %#v\nwant %#v", got.ID, got, want)
				}
			}
		})
	}
}
