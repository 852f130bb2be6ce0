package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestImageLayout proves that the Docker image's layout works without
// Docker: it builds the release binary with the exact flags of the
// Dockerfile, puts it alone into an unrelated directory laid out like the
// image, and starts it there with the image's config (paths rewritten
// under that directory). The dictionaries come from the binary and land in
// the cache on the data volume.
func TestImageLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release binary")
	}
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=1) go build (.+) -o /out/fazhibot (\./cmd/fazhibot)$`).FindStringSubmatch(string(dockerfile))
	if m == nil {
		t.Fatal("no release build line in the Dockerfile")
	}
	flags := shellFields(m[2])
	root := t.TempDir()
	bin := filepath.Join(root, "usr/local/bin/fazhibot")
	goBuild(t, bin, []string{m[1]}, append(flags, m[3])...)
	// The image: binary, config, data volume.
	if strings.Contains(string(dockerfile), "configs/jieba") {
		t.Error("the Dockerfile still copies the dictionaries; the binary carries them")
	}
	data := filepath.Join(root, "var/lib/fazhibot")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile("../../configs/docker.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfgText := strings.ReplaceAll(string(cfg), "/var/lib/fazhibot", data)
	if cfgText == string(cfg) {
		t.Fatal("docker.yaml does not name the data path")
	}
	cfgPath := filepath.Join(root, "etc/fazhibot/config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", cfgPath, "serve")
	cmd.Dir = data // the image's WORKDIR: nothing of the repository is here
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + data, "FAZHIBOT_SERVER_LISTEN=127.0.0.1:0", "FAZHIBOT_API_TOKENS=image-test"}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatalf("the binary did not start; stderr:\n%s", stderr.String())
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/ask", strings.NewReader(`{"user":"img","text":"生态环境局2020年罚款多少"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer image-test")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "316.79万元") {
		t.Errorf("answer from the image layout: %s", body)
	}
	if _, err := os.Stat(filepath.Join(data, "fazhibot.db")); err != nil {
		t.Errorf("the database is not on the data volume: %v", err)
	}
	if dicts, _ := filepath.Glob(filepath.Join(data, "cache", "jieba-*", "jieba.dict.utf8")); len(dicts) != 1 {
		t.Errorf("the dictionaries were not written to the cache on the data volume: %q", dicts)
	}
	cancel()
	_ = cmd.Wait()
}

// shellFields splits s at spaces outside double quotes and drops the
// quotes, as the shell does for -ldflags="-s -w".
func shellFields(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, started := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, started = !quoted, true
		case r == ' ' && !quoted:
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

// goBuild builds the binary out from the repository root with go build
// args (flags, then the package), adding env to the environment.
func goBuild(t *testing.T, out string, env []string, args ...string) {
	t.Helper()
	flags, pkg := args[:len(args)-1], args[len(args)-1]
	build := exec.Command("go", append(append(append([]string{"build"}, flags...), "-o", out), pkg)...)
	build.Dir = "../.."
	build.Env = append(os.Environ(), env...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, out)
	}
}
