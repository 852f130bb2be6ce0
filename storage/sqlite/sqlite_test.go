package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
	"fazhibot/storage/sqldb/sqldbtest"
	"fazhibot/storage/sqlite"
)

func TestContract(t *testing.T) {
	sqldbtest.Run(t, sqldbtest.Target{
		NewLocation: func(t *testing.T) string { return filepath.Join(t.TempDir(), "kb.db") },
		Open:        sqlite.Open,
	})
}

// raw opens the file without the store, for inspecting and tampering.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenSetsUpTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "kb.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != sqldb.SQLite {
		t.Errorf("Dialect = %v", db.Dialect())
	}
	var mode string
	if err := raw(t, path).QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var applied int
	if err := raw(t, path).QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil || int64(applied) != sqldb.LatestSchemaVersion() {
		t.Errorf("%d migrations recorded, %v; want %d", applied, err, sqldb.LatestSchemaVersion())
	}
}

func TestOpenErrors(t *testing.T) {
	newer := filepath.Join(t.TempDir(), "newer.db")
	db, err := sqlite.Open(t.Context(), newer)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := raw(t, newer).Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', '')`); err != nil {
		t.Fatal(err)
	}
	notADatabase := filepath.Join(t.TempDir(), "text.db")
	if err := os.WriteFile(notADatabase, []byte("这不是数据库文件，只是一段足够长的普通文字，用来冒充数据库。"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"", ":memory:", filepath.Join(t.TempDir(), "kb.db?mode=ro"), newer, notADatabase} {
		if db, err := sqlite.Open(t.Context(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// TestUpgradeFromReportsOnly opens a file made by the first release, with
// only migration 0001 applied, as deployments have it.
func TestUpgradeFromReportsOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kb.db")
	old := raw(t, path)
	schema, err := os.ReadFile("../sqldb/migrations/0001_reports.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		string(schema),
		`INSERT INTO schema_migrations VALUES (1, '0001_reports.sql', '2024-05-01T08:00:00.000000Z')`,
		`INSERT INTO reports VALUES ('r', '旧报告', '江津区示例局', 2023, '', '', '', 'txt', '2024-05-02T09:00:00.000000Z', '老管理员')`,
		`INSERT INTO passages VALUES ('r', 0, '[]', '旧段落', '["旧"]')`,
	} {
		if _, err := old.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Passage(t.Context(), "r", 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rev != 1 || p.UpdatedBy != "老管理员" || p.UpdatedAt.Format("2006-01-02 15:04") != "2024-05-02 09:00" || p.Text != "旧段落" {
		t.Errorf("upgraded passage: %+v", p)
	}
	p2, err := db.UpdatePassage(t.Context(), "r", 0, "新段落", nil, 1, "编辑甲")
	if err != nil || p2.Rev <= 1 {
		t.Fatalf("UpdatePassage after upgrade: %+v, %v", p2, err)
	}
	if _, err := db.UpdatePassage(t.Context(), "r", 0, "冲突", nil, 1, "编辑乙"); !errors.Is(err, console.ErrConflict) {
		t.Errorf("UpdatePassage with the pre-upgrade revision: %v, want ErrConflict", err)
	}
}

// TestCompatibility keeps the names cmd/fazhibot uses working.
func TestCompatibility(t *testing.T) {
	var db *sqlite.DB
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var open func(context.Context, string) (*sqlite.DB, error) = sqlite.Open
	_ = open
	_, err = db.Report(t.Context(), knowledge.ReportID("missing"))
	if !errors.Is(err, sqlite.ErrNotFound) || sqlite.ErrNotFound != console.ErrNotFound {
		t.Errorf("Report: %v, want sqlite.ErrNotFound", err)
	}
	var list []sqlite.ReportSummary
	list, err = db.ListReports(t.Context())
	if list != nil || err != nil {
		t.Errorf("ListReports: %v, %v", list, err)
	}
}
