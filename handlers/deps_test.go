package handlers

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestNoStorageDependencies: the HTTP layer reaches its stores only through
// the interfaces of console, bot and notify; it never imports a database or
// Redis package (DEVELOPERS.md's arrows). It asks the go tool, so it runs
// wherever the tests are built.
func TestNoStorageDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "fazhibot/handlers").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "fazhibot/console") {
		t.Fatalf("go list -deps printed no fazhibot/console; output:\n%s", out)
	}
	for _, forbidden := range []string{
		"fazhibot/storage/sqldb", "fazhibot/storage/sqlite", "fazhibot/storage/postgres",
		"fazhibot/storage/redisstore", "github.com/redis/go-redis/v9", "database/sql",
	} {
		if slices.Contains(deps, forbidden) {
			t.Errorf("handlers depends on %s", forbidden)
		}
	}
}
