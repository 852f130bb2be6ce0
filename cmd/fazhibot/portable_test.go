package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryRunsAlone copies the built binary alone into an empty
// directory and asks it a question there: the dictionaries, term lists
// and bundled report all come from inside the binary.
func TestBinaryRunsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "fazhibot")
	goBuild(t, bin, nil, "./cmd/fazhibot")
	home := filepath.Join(dir, "home")
	ask := exec.Command(bin, "ask", "生态环境局2020年罚款多少")
	ask.Dir = dir
	// Nothing of the source tree or of the developer's environment.
	ask.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
	out, err := ask.CombinedOutput()
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "316.79万元") {
		t.Errorf("reply %s", out)
	}
	matches, _ := filepath.Glob(filepath.Join(home, ".cache", "fazhibot", "jieba-*", "jieba.dict.utf8"))
	if len(matches) != 1 {
		t.Errorf("dictionaries installed: %v, want one copy in the user's cache", matches)
	}
}
