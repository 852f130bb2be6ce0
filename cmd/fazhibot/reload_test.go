package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fazhibot/knowledge"
)

// TestServingLibraryKeepsSnapshots: serve's library keeps the published
// version's index under knowledge.cache_dir, and a restart reads it
// instead of building the index again.
func TestServingLibraryKeepsSnapshots(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	cfg, err := loadConfig("", testEnv(t, map[string]string{"FAZHIBOT_KNOWLEDGE_CACHE_DIR": cache}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg) // seeds and publishes version 1
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var log syncBuffer
	logger := slog.New(slog.NewJSONHandler(&log, nil))
	start := func() *knowledge.Base {
		t.Helper()
		lib := a.servingLibrary(logger)
		r := &kbReloader{db: a.db, lib: lib, interval: time.Hour, log: logger}
		if err := r.check(ctx); err != nil {
			t.Fatal(err)
		}
		b, _ := lib.Current()
		return b
	}
	if b := start(); b.FromSnapshot() {
		t.Error("the first start read a snapshot")
	}
	if _, err := os.Stat(filepath.Join(cache, "index", "kb-1.idx")); err != nil {
		t.Fatalf("no snapshot under knowledge.cache_dir: %v", err)
	}
	if b := start(); !b.FromSnapshot() {
		t.Errorf("the restart built the index again; log:\n%s", log.String())
	}
	if !strings.Contains(log.String(), `"from_snapshot":true`) {
		t.Errorf("the reloader does not say it read a snapshot; log:\n%s", log.String())
	}
}
