package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One fuzz target per report format, so CI can give each parser its own
// bounded run (see .ci/run). Seeds are the sample reports of that format;
// testdata/fuzz/<target>/ holds the committed corpus of inputs that once
// mattered.

func FuzzParseText(f *testing.F)     { fuzzFormat(f, ".txt") }
func FuzzParseHTML(f *testing.F)     { fuzzFormat(f, ".html") }
func FuzzParseDocx(f *testing.F)     { fuzzFormat(f, ".docx") }
func FuzzParseMarkdown(f *testing.F) { fuzzFormat(f, ".md") }

func fuzzFormat(f *testing.F, ext string) {
	files, err := filepath.Glob(filepath.Join("testdata", "reports", "*"+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz"+ext, data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz"+ext {
				t.Fatalf("error %v is not a *ParseError naming the file", err)
			}
			return
		}
		if r.Year == 0 || len(r.Passages) == 0 {
			t.Fatalf("report without year or passages: year %d, %d passages", r.Year, len(r.Passages))
		}
		for i, p := range r.Passages {
			if p.Seq != i || strings.TrimSpace(p.Text) == "" {
				t.Fatalf("passage %d: Seq %d, Text %q", i, p.Seq, p.Text)
			}
		}
	})
}
