package knowledge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fazhibot/knowledge"
)

// snapshotContent is the sample corpus as a published version holds it:
// the sample reports with keywords, the shipped term lists and an FAQ.
func snapshotContent(t *testing.T) *knowledge.Content {
	t.Helper()
	_, seg := loadFixtureBase(t)
	termFiles, err := knowledge.ReadTermFiles(os.DirFS("../configs/terms"))
	if err != nil {
		t.Fatal(err)
	}
	c := &knowledge.Content{TermFiles: termFiles, FAQs: []knowledge.FAQ{{
		ID: "faq-1", Questions: []string{"法治政府建设报告在哪里看"}, Answer: "在江津区人民政府网站的法治政府建设栏目查看。",
	}}}
	for _, name := range sampleReports {
		data, err := os.ReadFile(filepath.Join("testdata", "reports", name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := knowledge.Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		knowledge.AssignKeywords(r, seg)
		c.Reports = append(c.Reports, r)
	}
	return c
}

// snapshotQuestions are the turns of the sample question sets, each asked
// alone and, after the first turn, with the earlier turns' terms as
// context.
func snapshotQuestions(t *testing.T, b *knowledge.Base) []knowledge.Query {
	t.Helper()
	var qs []knowledge.Query
	for _, set := range []string{"questions.jsonl", "questions-colloquial.jsonl", "paraphrases.jsonl", "questions-compare.jsonl"} {
		f, err := os.Open(filepath.Join("testdata", set))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var q struct{ Turns []string }
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatalf("%s: %v", set, err)
			}
			var context []string
			for _, turn := range q.Turns {
				qs = append(qs, knowledge.Query{Text: turn, Now: fixtureNow, Context: context})
				context = append(context, b.Understand(knowledge.Query{Text: turn, Now: fixtureNow}).Terms...)
			}
		}
		f.Close()
	}
	return qs
}

// snapshotAnswers renders what b says to each question: its hits, scores
// to the last bit, and its answer.
func snapshotAnswers(t *testing.T, b *knowledge.Base, qs []knowledge.Query) []string {
	t.Helper()
	out := make([]string, len(qs))
	for i, q := range qs {
		hits, err := b.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		a, err := b.Answer(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = fmt.Sprintf("%#v\n%#v", hits, a)
	}
	return out
}

func sameAnswers(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d answers, want %d", what, len(got), len(want))
	}
	diffs := 0
	for i := range got {
		if got[i] != want[i] {
			if diffs++; diffs <= 3 {
				t.Errorf("%s: answer %d differs:\n got %s\nwant %s", what, i, got[i], want[i])
			}
		}
	}
	if diffs > 3 {
		t.Errorf("%s: %d answers differ", what, diffs)
	}
}

// snapshotLibrary returns a Library keeping snapshots in dir, with a log
// the test can read.
func snapshotLibrary(dir string) (*knowledge.Library, *bytes.Buffer) {
	var log bytes.Buffer
	return knowledge.NewLibrary(knowledge.LibraryOptions{
		DictDir:     "../configs/jieba",
		Now:         func() time.Time { return fixtureNow },
		SnapshotDir: dir,
		Log:         slog.New(slog.NewTextHandler(&log, nil)),
	}), &log
}

func loadVersion(t *testing.T, lib *knowledge.Library, c *knowledge.Content, version int64, fromSnapshot bool) *knowledge.Base {
	t.Helper()
	b, err := lib.Load(c, version)
	if err != nil {
		t.Fatal(err)
	}
	if b.FromSnapshot() != fromSnapshot {
		t.Fatalf("version %d: FromSnapshot() = %t, want %t", version, b.FromSnapshot(), fromSnapshot)
	}
	return b
}

func TestSnapshotAnswersAsTheBuiltIndex(t *testing.T) {
	t.Parallel()
	c := snapshotContent(t)
	dir := t.TempDir()
	lib, _ := snapshotLibrary(dir)
	built := loadVersion(t, lib, c, 1, false)
	if _, err := os.Stat(filepath.Join(dir, "kb-1.idx")); err != nil {
		t.Fatalf("no snapshot written: %v", err)
	}
	qs := snapshotQuestions(t, built)
	want := snapshotAnswers(t, built, qs)

	// A new Library, as after a restart, reads the snapshot.
	restarted, _ := snapshotLibrary(dir)
	read := loadVersion(t, restarted, c, 1, true)
	if err := knowledge.SameIndex(read, built); err != nil {
		t.Errorf("the index read differs from the one built: %v", err)
	}
	sameAnswers(t, "read from the snapshot", snapshotAnswers(t, read, qs), want)
	if got, want := fmt.Sprint(read.Coverage()), fmt.Sprint(built.Coverage()); got != want {
		t.Errorf("Coverage() = %s, want %s", got, want)
	}
	a, err := read.Answer(context.Background(), knowledge.Query{Text: "法治政府建设报告在哪里看"})
	if err != nil || !strings.Contains(a.Text, "法治政府建设栏目") {
		t.Errorf("the FAQ is not answered from the snapshot: %q, %v", a.Text, err)
	}

	// And it answers as Build does without any snapshot.
	fresh, err := knowledge.Build(c.Reports, knowledge.Options{
		Segmenter: fixture.seg, Terms: fixture.terms, FAQs: c.FAQs, Now: func() time.Time { return fixtureNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	sameAnswers(t, "built by Build", snapshotAnswers(t, fresh, qs), want)

	// A draft (version 0) is never kept.
	loadVersion(t, restarted, c, 0, false)
	if _, err := os.Stat(filepath.Join(dir, "kb-0.idx")); err == nil {
		t.Error("a draft's index was written")
	}
}

func TestSnapshotStaleIsRebuilt(t *testing.T) {
	t.Parallel()
	c := snapshotContent(t)
	dir := t.TempDir()
	lib, log := snapshotLibrary(dir)
	loadVersion(t, lib, c, 1, false)

	// The same version number over other reports (a database made anew),
	// other term lists, or other keywords: the snapshot is not used.
	fewer := &knowledge.Content{Reports: c.Reports[:3], TermFiles: c.TermFiles, FAQs: c.FAQs}
	terms := &knowledge.Content{Reports: c.Reports, TermFiles: map[string]string{}, FAQs: c.FAQs}
	for k, v := range c.TermFiles {
		terms.TermFiles[k] = v
	}
	terms.TermFiles[knowledge.SynonymsFile] += "\n行政复议 复议申请\n"
	edited := &knowledge.Content{TermFiles: c.TermFiles, FAQs: c.FAQs}
	for _, r := range c.Reports {
		r2 := *r
		r2.Passages = append([]knowledge.Passage(nil), r.Passages...)
		edited.Reports = append(edited.Reports, &r2)
	}
	edited.Reports[2].Passages[3].Keywords = append([]string{"新关键词"}, edited.Reports[2].Passages[3].Keywords...)

	for _, tc := range []struct {
		name string
		c    *knowledge.Content
	}{{"fewer reports", fewer}, {"other term lists", terms}, {"other keywords", edited}, {"the first again", c}} {
		t.Run(tc.name, func(t *testing.T) {
			log.Reset()
			b := loadVersion(t, lib, tc.c, 1, false)
			if !strings.Contains(log.String(), "stale") {
				t.Errorf("no warning about the stale snapshot in the log:\n%s", log.String())
			}
			qs := snapshotQuestions(t, b)[:60]
			want := snapshotAnswers(t, b, qs)
			// The snapshot was written again, for these inputs.
			again := loadVersion(t, lib, tc.c, 1, true)
			sameAnswers(t, "rewritten snapshot", snapshotAnswers(t, again, qs), want)
		})
	}
}

func TestSnapshotCorruptIsRebuilt(t *testing.T) {
	t.Parallel()
	c := snapshotContent(t)
	dir := t.TempDir()
	lib, log := snapshotLibrary(dir)
	built := loadVersion(t, lib, c, 1, false)
	qs := snapshotQuestions(t, built)
	qs = qs[:min(len(qs), 60)] // the rebuilt index is Build's; these show it is not a damaged one
	want := snapshotAnswers(t, built, qs)
	path := filepath.Join(dir, "kb-1.idx")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(at int) func([]byte) []byte {
		return func(b []byte) []byte { b[at] ^= 0x5a; return b }
	}
	const header = 64
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"empty", func(b []byte) []byte { return nil }},
		{"header cut", func(b []byte) []byte { return b[:header/2] }},
		{"header only", func(b []byte) []byte { return b[:header] }},
		{"half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"last byte missing", func(b []byte) []byte { return b[:len(b)-1] }},
		{"a byte more", func(b []byte) []byte { return append(b, 0) }},
		{"magic", flip(0)},
		{"payload length", flip(52)},
		{"checksum", flip(61)},
		{"first payload byte", flip(header)},
		{"a payload byte", flip(header + (len(good)-header)/3)},
		{"another payload byte", flip(header + 2*(len(good)-header)/3)},
		{"last byte", flip(len(good) - 1)},
		{"not a snapshot", func(b []byte) []byte { return []byte("kb-1.idx: not an index\n") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.damage(bytes.Clone(good)), 0o644); err != nil {
				t.Fatal(err)
			}
			log.Reset()
			b := loadVersion(t, lib, c, 1, false)
			if !strings.Contains(log.String(), "level=WARN") {
				t.Errorf("no warning in the log:\n%s", log.String())
			}
			sameAnswers(t, "rebuilt", snapshotAnswers(t, b, qs), want)
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, good) {
				t.Errorf("the snapshot was not written again as it was (%v)", err)
			}
			loadVersion(t, lib, c, 1, true)
		})
	}
}

func TestSnapshotsKeepTheLastVersions(t *testing.T) {
	t.Parallel()
	c := snapshotContent(t)
	dir := t.TempDir()
	lib, _ := snapshotLibrary(dir)
	for v := int64(1); v <= 5; v++ {
		loadVersion(t, lib, c, v, false)
		time.Sleep(10 * time.Millisecond) // distinct modification times
	}
	// Reading version 3 again keeps it.
	loadVersion(t, lib, c, 3, true)
	time.Sleep(10 * time.Millisecond)
	loadVersion(t, lib, c, 6, false)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"kb-3.idx", "kb-5.idx", "kb-6.idx"}; !reflect.DeepEqual(names, want) {
		t.Errorf("snapshot directory holds %q, want %q", names, want)
	}
}
