package postgres_test

import (
	"context"
	"database/sql"
	"fazhibot/internal/testenv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"fazhibot/storage/postgres"
	"fazhibot/storage/sqldb"
	"fazhibot/storage/sqldb/sqldbtest"
)

// testURL is the shared test database (DEVELOPERS.md). Other packages'
// tests use it at the same time, so every test works in its own schema.
const testURL = testenv.PostgresURL

// admin connects to the test database outside any test schema.
func admin(t *testing.T) *sql.DB {
	t.Helper()
	return testenv.Postgres(t)
}

// newSchema creates an empty schema, dropped at cleanup, and returns a
// connection URL that uses it.
func newSchema(t *testing.T) string {
	t.Helper()
	url, _ := testenv.PostgresSchema(t, "")
	return url
}

func TestContract(t *testing.T) {
	admin(t) // skip early when PostgreSQL is missing
	sqldbtest.Run(t, sqldbtest.Target{NewLocation: newSchema, Open: postgres.Open})
}

func TestOpenUsesTheSchema(t *testing.T) {
	url := newSchema(t)
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != sqldb.PostgreSQL {
		t.Errorf("Dialect = %v", db.Dialect())
	}
	var tables int
	if err := admin(t).QueryRowContext(t.Context(), `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = $1`, url[len(testURL)+len("&search_path="):]).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	// schema_migrations, reports, passages, id_counters, faqs, term_files,
	// kb_versions, users, api_tokens, web_sessions, audit_log; the query
	// log's query_logs, query_feedback, query_daily, query_latency_daily,
	// query_texts, query_text_daily, query_hits_daily, query_report_daily;
	// the unanswered queue's dismissed_questions; the later answers'
	// notifications
	if tables != 21 {
		t.Errorf("%d tables in the test schema, want 21", tables)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	newer := newSchema(t)
	db, err := postgres.Open(t.Context(), newer)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	schema := newer[len(testURL)+len("&search_path="):]
	if _, err := admin(t).ExecContext(t.Context(), `INSERT INTO `+schema+`.schema_migrations
		(version, name, applied_at) VALUES (9999, 'future.sql', '')`); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, url := range []string{
		newer,
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=x",
		"postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
		"postgres://postgres@127.0.0.1:5432/no_such_database_fazhibot?sslmode=disable",
	} {
		if db, err := postgres.Open(ctx, url); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
}
