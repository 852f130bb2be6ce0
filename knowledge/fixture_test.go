package knowledge_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fazhibot/knowledge"
)

// The sample corpus copied from shared/corpus: one real report and eight
// fictional ones written for testing.
var sampleReports = []string{
	"jj-sthjj-2020.txt", "jj-sthjj-2021.txt", "jj-sfj-2021.txt", "jj-scjgj-2022.txt",
	"jj-jtj-2020.html", "jj-rsj-2023.txt", "jj-zjw-2021.docx", "jj-qzf-2022.txt", "jj-jw-2022.txt",
}

// fixtureNow is the clock of the fixture base, so 去年 means 2021.
var fixtureNow = time.Date(2022, 5, 1, 12, 0, 0, 0, time.UTC)

var fixture struct {
	once  sync.Once
	seg   *knowledge.Segmenter
	terms *knowledge.Terms
	base  *knowledge.Base
	err   error
}

// loadFixtureBase builds, once per test binary, a Base over the sample
// corpus with the shipped term lists and dictionaries.
func loadFixtureBase(t testing.TB) (*knowledge.Base, *knowledge.Segmenter) {
	t.Helper()
	fixture.once.Do(func() {
		fixture.terms, fixture.err = knowledge.LoadTerms(os.DirFS("../configs/terms"))
		if fixture.err != nil {
			return
		}
		fixture.seg, fixture.err = knowledge.NewSegmenter("../configs/jieba", fixture.terms.SegmenterWords())
		if fixture.err != nil {
			return
		}
		var reports []*knowledge.Report
		for _, name := range sampleReports {
			data, err := os.ReadFile(filepath.Join("testdata", "reports", name))
			if err != nil {
				fixture.err = err
				return
			}
			r, err := knowledge.Parse(name, data)
			if err != nil {
				fixture.err = err
				return
			}
			knowledge.AssignKeywords(r, fixture.seg)
			reports = append(reports, r)
		}
		fixture.base, fixture.err = knowledge.Build(reports, knowledge.Options{
			Segmenter: fixture.seg,
			Terms:     fixture.terms,
			Now:       func() time.Time { return fixtureNow },
		})
	})
	if fixture.err != nil {
		t.Fatalf("building the fixture base: %v", fixture.err)
	}
	return fixture.base, fixture.seg
}

// oneReportBase builds a Base over one report, parsed from text under
// name, with the fixture's segmenter, term lists and clock.
func oneReportBase(t testing.TB, name, text string) *knowledge.Base {
	t.Helper()
	_, seg := loadFixtureBase(t)
	r, err := knowledge.Parse(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	knowledge.AssignKeywords(r, seg)
	base, err := knowledge.Build([]*knowledge.Report{r}, knowledge.Options{
		Segmenter: seg, Terms: fixture.terms, Now: func() time.Time { return fixtureNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// fileReportBase builds a Base over the one report stored at
// testdata/path, like oneReportBase.
func fileReportBase(t testing.TB, path string) *knowledge.Base {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return oneReportBase(t, filepath.Base(path), string(data))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// nilTB lets examples use loadFixtureBase; it panics where a test would fail.
type nilTB struct{ testing.TB }

func (nilTB) Helper()                        {}
func (nilTB) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }
