// Package testenv is the test kit shared by the packages' tests: where the
// real servers the tests talk to are, the rule for a missing one (skip
// locally, fail under CI), a fresh PostgreSQL schema per test, and polling.
// It is imported by tests only.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

const (
	// PostgresAddr is where the shared PostgreSQL test server listens.
	PostgresAddr = "127.0.0.1:5432"
	// PostgresURL is the shared test database (trust authentication).
	// Tests of several packages use it at once, so each works in a schema
	// of its own (PostgresSchema).
	PostgresURL = "postgres://postgres@" + PostgresAddr + "/test?sslmode=disable"
	// RedisAddr is where the shared Redis listens. Tests use a unique key
	// prefix each and delete only their own keys.
	RedisAddr = "127.0.0.1:6379"
)

// RequireOrSkip skips t because of reason, unless the environment
// variable CI is "true", where a missing dependency is a failure.
func RequireOrSkip(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true, so this is a failure, not a skip)", reason)
	}
	t.Skipf("%s; skipping (with CI=true this fails instead)", reason)
}

// Postgres connects to the shared test database outside any schema,
// closed when t ends. Without PostgreSQL, t is skipped (failed under CI).
func Postgres(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		RequireOrSkip(t, fmt.Sprintf("PostgreSQL at %s is unreachable: %v", PostgresURL, err))
	}
	return db
}

// PostgresSchema creates an empty schema in the shared test database,
// dropped when t ends, and returns a connection URL that uses it (with
// the server address replaced by addr when addr is not empty, for a proxy
// in front of it) and the schema's name. Without PostgreSQL, t is skipped
// (failed under CI).
func PostgresSchema(t testing.TB, addr string) (url, schema string) {
	t.Helper()
	db := Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema = "t_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The test's context is done during cleanup.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	url = PostgresURL + "&search_path=" + schema
	if addr != "" {
		url = strings.Replace(url, PostgresAddr, addr, 1)
	}
	return url, schema
}

// Poll calls cond every interval until it returns true or timeout has
// passed, and returns how long it waited and whether cond held.
func Poll(timeout, interval time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for {
		if cond() {
			return time.Since(start), true
		}
		if time.Since(start) >= timeout {
			return time.Since(start), false
		}
		time.Sleep(interval)
	}
}
