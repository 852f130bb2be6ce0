package knowledge_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"fazhibot/knowledge"
)

func TestLibrarySwapsVersionsWithoutMixing(t *testing.T) {
	termFiles, err := knowledge.ReadTermFiles(os.DirFS("../configs/terms"))
	if err != nil {
		t.Fatal(err)
	}
	lib := knowledge.NewLibrary(knowledge.LibraryOptions{DictDir: "../configs/jieba"})
	if b, v := lib.Current(); b != nil || v != 0 {
		t.Fatalf("empty library: Current() = %v, %d", b, v)
	}
	report := func(name string) *knowledge.Report {
		data, err := os.ReadFile("testdata/reports/" + name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := knowledge.Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	v1 := &knowledge.Content{Reports: []*knowledge.Report{report("jj-sthjj-2020.txt")}, TermFiles: termFiles}
	if _, err := lib.Load(v1, 1); err != nil {
		t.Fatal(err)
	}
	// Version 2 adds the 2021 report and a custom word.
	terms2 := map[string]string{}
	for k, v := range termFiles {
		terms2[k] = v
	}
	terms2[knowledge.DictFile] += "\n环境管控单元\n"
	v2 := &knowledge.Content{Reports: []*knowledge.Report{report("jj-sthjj-2020.txt"), report("jj-sthjj-2021.txt")}, TermFiles: terms2}

	q := knowledge.Query{Text: "生态环境局2021年罚款多少"}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				b, v := lib.Current()
				a, err := b.Answer(context.Background(), q)
				if err != nil {
					errs <- err.Error()
					return
				}
				// Version 1 has no 2021 report; version 2 answers from it.
				if (v == 1 && a.Answered) || (v == 2 && !strings.Contains(a.Text, "412.36万元")) {
					errs <- "mixed answer at version " + string(rune('0'+v))
					return
				}
			}
		}()
	}
	if _, err := lib.Load(v2, 2); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if _, v := lib.Current(); v != 2 {
		t.Errorf("version %d after loading 2", v)
	}
	bad := &knowledge.Content{Reports: v2.Reports, TermFiles: map[string]string{knowledge.SynonymsFile: "孤词\n"}}
	if _, err := lib.Load(bad, 3); err == nil {
		t.Error("loading broken term lists succeeded")
	}
	if _, v := lib.Current(); v != 2 {
		t.Errorf("a failed load replaced version 2 with %d", v)
	}
}
