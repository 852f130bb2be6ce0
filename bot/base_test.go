package bot

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fazhibot/knowledge"
)

// kit is the segmenter and term lists, loaded once per test binary: the
// segmenter takes about a second.
type kit struct {
	seg   *knowledge.Segmenter
	terms *knowledge.Terms
}

var testKit = sync.OnceValues(func() (kit, error) {
	terms, err := knowledge.LoadTerms(os.DirFS("../configs/terms"))
	if err != nil {
		return kit{}, err
	}
	seg, err := knowledge.NewSegmenter("../configs/jieba", terms.SegmenterWords())
	if err != nil {
		return kit{}, err
	}
	return kit{seg: seg, terms: terms}, nil
})

// buildBase parses the report files matching the patterns and indexes
// them.
func buildBase(patterns ...string) (*knowledge.Base, error) {
	k, err := testKit()
	if err != nil {
		return nil, err
	}
	var files []string
	for _, p := range patterns {
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		files = append(files, matches...)
	}
	var reports []*knowledge.Report
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r, err := knowledge.Parse(filepath.Base(f), data)
		if err != nil {
			return nil, err
		}
		knowledge.AssignKeywords(r, k.seg)
		reports = append(reports, r)
	}
	return knowledge.Build(reports, knowledge.Options{Segmenter: k.seg, Terms: k.terms})
}

// testBase holds every sample report of the corpus (jj-*; the other
// files there are parser fixtures).
var testBase = sync.OnceValues(func() (*knowledge.Base, error) {
	return buildBase("../knowledge/testdata/reports/jj-*")
})

// widerBase holds the sample reports and four fictional reports of
// departments the samples lack (knowledge/testdata/fresh-reports*).
var widerBase = sync.OnceValues(func() (*knowledge.Base, error) {
	return buildBase("../knowledge/testdata/reports/jj-*", "../knowledge/testdata/fresh-reports/*.txt", "../knowledge/testdata/fresh-reports2/*.txt")
})

// blindBase holds the reports of widerBase and eight more fictional ones
// (knowledge/testdata/fresh-reports3 to fresh-reports5), which the blind
// sets (fresh-blind*.jsonl) ask about.
var blindBase = sync.OnceValues(func() (*knowledge.Base, error) {
	return buildBase("../knowledge/testdata/reports/jj-*", "../knowledge/testdata/fresh-reports*/*.txt")
})

// bundledBase holds only the real report bundled for citizens.
var bundledBase = sync.OnceValues(func() (*knowledge.Base, error) {
	return buildBase("../configs/reports/*")
})

func mustBase(t testing.TB) *knowledge.Base {
	t.Helper()
	b, err := testBase()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
