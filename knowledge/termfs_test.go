package knowledge

import (
	"errors"
	"io"
	"io/fs"
	"testing"
)

func TestTermTexts(t *testing.T) {
	fsys := TermTexts{SynonymsFile: "行政复议 复议\n", "sub/x.txt": "x"}
	tests := []struct {
		name     string
		open     string
		want     string
		wantErr  error
		wantBase string
	}{
		{name: "a file", open: SynonymsFile, want: "行政复议 复议\n", wantBase: SynonymsFile},
		{name: "a file in a folder", open: "sub/x.txt", want: "x", wantBase: "x.txt"},
		{name: "missing", open: DictFile, wantErr: fs.ErrNotExist},
		{name: "invalid path", open: "../" + SynonymsFile, wantErr: fs.ErrInvalid},
		{name: "no directories", open: ".", wantErr: fs.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := fsys.Open(tc.open)
			if tc.wantErr != nil {
				var pe *fs.PathError
				if !errors.Is(err, tc.wantErr) || !errors.As(err, &pe) {
					t.Fatalf("Open(%q) = %v, want a *fs.PathError with %v", tc.open, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			data, err := io.ReadAll(f)
			if err != nil || string(data) != tc.want {
				t.Fatalf("read %q, %v; want %q", data, err, tc.want)
			}
			info, err := f.Stat()
			if err != nil || info.Name() != tc.wantBase || info.Size() != int64(len(tc.want)) || info.IsDir() || info.Mode().Perm() != 0o444 {
				t.Errorf("Stat = %v %v, want %s of %d bytes, read-only", info, err, tc.wantBase, len(tc.want))
			}
		})
	}
}

// TestContentTermFS checks that LoadTerms reads the term files through
// Content.TermFS and that later changes to the map do not show.
func TestContentTermFS(t *testing.T) {
	c := &Content{TermFiles: map[string]string{SynonymsFile: "行政复议 复议\n"}}
	fsys := c.TermFS()
	c.TermFiles[SynonymsFile] = "bad line without pair\n"
	terms, err := LoadTerms(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := terms.Canonical["复议"]; got != "行政复议" {
		t.Errorf("Canonical[复议] = %q, want 行政复议 (terms %+v)", got, terms.Canonical)
	}
}
