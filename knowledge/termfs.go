package knowledge

import (
	"io/fs"
	"path"
	"strings"
	"time"
)

// TermTexts holds term-list files by name (as Content.TermFiles does) and
// serves them as a read-only fs.FS for LoadTerms. Open returns the named
// file, fs.ErrNotExist (in an *fs.PathError) for a name it lacks and
// fs.ErrInvalid for an invalid path; it serves no directories. Safe for
// concurrent use while the map is not modified.
type TermTexts map[string]string

// Open implements fs.FS.
func (t TermTexts) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	text, ok := t[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &termFile{Reader: strings.NewReader(text), name: path.Base(name), size: int64(len(text))}, nil
}

// termFile is an open TermTexts file; it is its own fs.FileInfo.
type termFile struct {
	*strings.Reader
	name string
	size int64
}

func (f *termFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *termFile) Close() error               { return nil }
func (f *termFile) Name() string               { return f.name }
func (f *termFile) Size() int64                { return f.size }
func (f *termFile) Mode() fs.FileMode          { return 0o444 }
func (f *termFile) ModTime() time.Time         { return time.Time{} }
func (f *termFile) IsDir() bool                { return false }
func (f *termFile) Sys() any                   { return nil }
