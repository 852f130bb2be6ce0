package knowledge_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"fazhibot/knowledge"
)

func TestInstallDicts(t *testing.T) {
	src := os.DirFS("../configs/jieba")
	root := filepath.Join(t.TempDir(), "cache")
	dir, err := knowledge.InstallDicts(src, root)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := knowledge.NewSegmenter(dir, []string{"行政复议"})
	if err != nil {
		t.Fatalf("segmenter over the installed dictionaries: %v", err)
	}
	if got := strings.Join(seg.Words("申请行政复议"), "/"); !strings.Contains(got, "行政复议") {
		t.Errorf("words %q", got)
	}
	seg.Close()

	// Installed once: a second call finds the directory and writes nothing.
	before, _ := os.Stat(filepath.Join(dir, "jieba.dict.utf8"))
	again, err := knowledge.InstallDicts(src, root)
	if err != nil || again != dir {
		t.Fatalf("second install: %q, %v; want %q", again, err, dir)
	}
	after, _ := os.Stat(filepath.Join(dir, "jieba.dict.utf8"))
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("the second install rewrote the dictionaries")
	}

	// Other dictionaries get a directory of their own; nothing is left
	// half-written in the root.
	other := fstest.MapFS{}
	for _, name := range []string{"jieba.dict.utf8", "hmm_model.utf8", "user.dict.utf8", "idf.utf8", "stop_words.utf8"} {
		other[name] = &fstest.MapFile{Data: []byte(name + " 1 n\n")}
	}
	otherDir, err := knowledge.InstallDicts(other, root)
	if err != nil || otherDir == dir {
		t.Errorf("changed dictionaries: %q, %v", otherDir, err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 2 {
		t.Errorf("cache root holds %d entries, want the two installed directories", len(entries))
	}

	// A missing dictionary or an unwritable root is a clear error.
	delete(other, "idf.utf8")
	if _, err := knowledge.InstallDicts(other, filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "idf.utf8") {
		t.Errorf("missing file: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := knowledge.InstallDicts(src, filepath.Join(file, "sub")); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("unwritable root: %v", err)
	}
}
