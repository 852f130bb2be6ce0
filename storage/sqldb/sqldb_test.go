package sqldb

import (
	"testing"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		query   string
		want    string
	}{
		{"sqlite keeps ?", SQLite, `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = ? AND c = ?`},
		{"postgres numbers", PostgreSQL, `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{"no placeholders", PostgreSQL, `SELECT 1`, `SELECT 1`},
		{"string literal", PostgreSQL, `SELECT '?', ? FROM t WHERE s = 'a''?b' AND x = ?`, `SELECT '?', $1 FROM t WHERE s = 'a''?b' AND x = $2`},
		{"quoted identifier", PostgreSQL, `SELECT "a?" FROM t WHERE b = ?`, `SELECT "a?" FROM t WHERE b = $1`},
		{"line comment", PostgreSQL, "SELECT ? -- why?\nFROM t WHERE b = ?", "SELECT $1 -- why?\nFROM t WHERE b = $2"},
		{"comment at the end", PostgreSQL, "SELECT ? -- why?", "SELECT $1 -- why?"},
		{"unterminated literal", PostgreSQL, `SELECT ?, 'x?`, `SELECT $1, 'x?`},
		{"ten and more", PostgreSQL, `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.dialect.rebind(tt.query); got != tt.want {
				t.Errorf("rebind(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

// TestMigrationsNumbered keeps the migrations numbered 1, 2, 3 … so that
// later tasks append the next number.
func TestMigrationsNumbered(t *testing.T) {
	list, err := listMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range list {
		if m.version != int64(i+1) {
			t.Errorf("migration %d is %s, want version %d", i, m.name, i+1)
		}
	}
	if got := LatestSchemaVersion(); got != int64(len(list)) {
		t.Errorf("LatestSchemaVersion = %d, want %d", got, len(list))
	}
}

func TestDialectString(t *testing.T) {
	for d, want := range map[Dialect]string{SQLite: "sqlite", PostgreSQL: "postgres", 0: "Dialect(0)"} {
		if got := d.String(); got != want {
			t.Errorf("Dialect(%d).String() = %q, want %q", d, got, want)
		}
	}
}
