package main

import (
	"context"
	"net"
	"os"
	"testing"

	"fazhibot/configs"
	"fazhibot/console"
	"fazhibot/knowledge"
)

func TestConsoleBase(t *testing.T) {
	tests := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:80":     "http://localhost:80",
		"[::]:8080":      "http://localhost:8080",
		"[::1]:9000":     "http://[::1]:9000",
	}
	for in, want := range tests {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := consoleBase(addr); got != want {
			t.Errorf("consoleBase(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestConsoleWiring checks the console's dependencies on a real app: the
// draft index is cached until the draft changes, uploads are parsed with
// keywords, and the setup token exists only while there is no account.
func TestConsoleWiring(t *testing.T) {
	ctx := context.Background()
	e := &env{cfg: loadTestConfig(t)}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	drafts := &draftCache{db: a.db, lib: a.newLibrary()}
	b1, err := drafts.base(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := drafts.base(ctx); b2 != b1 {
		t.Error("the draft index was rebuilt without a change")
	}
	r, err := a.parse(ctx, "jj-sfj-2021.txt", readFile(t, "../../knowledge/testdata/reports/jj-sfj-2021.txt"))
	if err != nil || len(r.Passages) == 0 || len(r.Passages[1].Keywords) == 0 {
		t.Fatalf("parse: %v, %+v", err, r)
	}
	if err := a.db.SaveReports(ctx, "测试", r); err != nil {
		t.Fatal(err)
	}
	b3, err := drafts.base(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b3 == b1 {
		t.Fatal("the draft index was not rebuilt after a change")
	}
	if reports, _ := b3.Size(); reports != 2 {
		t.Errorf("draft index has %d reports, want 2", reports)
	}
	ans, err := b3.Answer(ctx, knowledge.Query{Text: "21年江津一共收到多少件行政复议申请"})
	if err != nil || !ans.Answered {
		t.Errorf("the draft index does not answer from the new report: %+v, %v", ans.Text, err)
	}

	// The segmenter is kept while the term lists stay, and a new
	// dictionary word gives the parser a new one.
	oldSeg := a.seg
	if _, err := a.parse(ctx, "jj-sfj-2021.txt", readFile(t, "../../knowledge/testdata/reports/jj-sfj-2021.txt")); err != nil {
		t.Fatal(err)
	}
	if a.seg != oldSeg || oldSeg == nil {
		t.Error("the parser made a new segmenter although the term lists did not change")
	}
	tf, err := a.db.TermFile(ctx, knowledge.DictFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.SaveTermFile(ctx, knowledge.DictFile, tf.Text+"\n绿水青山就是金山银山\n", tf.Rev, "测试"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.parse(ctx, "jj-sfj-2021.txt", readFile(t, "../../knowledge/testdata/reports/jj-sfj-2021.txt")); err != nil {
		t.Fatal(err)
	}
	if a.seg == oldSeg {
		t.Error("the parser kept its segmenter after the dictionary changed")
	}

	tok, err := setupTokenFor(ctx, a.db)
	if err != nil || len(tok) < 32 {
		t.Fatalf("setup token %q, %v", tok, err)
	}
	if _, err := a.db.CreateUser(ctx, console.User{Name: "管理员", Role: console.RoleAdmin, PasswordHash: "x"}, "测试"); err != nil {
		t.Fatal(err)
	}
	if tok, err := setupTokenFor(ctx, a.db); tok != "" || err != nil {
		t.Errorf("setup token with an account: %q, %v", tok, err)
	}
}

// loadTestConfig is the configuration of testEnv.
func loadTestConfig(t *testing.T) configs.Config {
	t.Helper()
	cfg, err := loadConfig("", testEnv(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
