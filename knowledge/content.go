package knowledge

import (
	"errors"
	"io/fs"
	"maps"
)

// FAQID identifies an FAQ entry.
type FAQID string

// FAQ is an entry staff write for a question the reports answer poorly or
// that citizens ask often. A strong match on one of its question variants
// wins over the report passages.
type FAQ struct {
	ID FAQID
	// Questions are the variants citizens may type, at least one.
	Questions []string
	// Answer is the reply text, at most MaxReplyBytes.
	Answer string
	// Report and Seq optionally link the passage the answer is taken from;
	// Report is empty when there is no link.
	Report ReportID
	Seq    int
}

// Content is everything one knowledge-base version holds: the reports,
// the FAQ entries and the term lists. Storage keeps drafts and published
// versions of it; Build indexes it.
type Content struct {
	Reports []*Report
	FAQs    []FAQ
	// TermFiles maps a term-list file name (one of TermFileNames) to its
	// text, in the format
	// LoadTerms reads. A missing file is an empty list.
	TermFiles map[string]string
}

// TermFS returns the term files as a read-only file system for LoadTerms.
// Later changes to c.TermFiles do not show in it.
func (c *Content) TermFS() fs.FS {
	return TermTexts(maps.Clone(c.TermFiles))
}

// ReadTermFiles reads every known term-list file present in fsys into a
// map suitable for Content.TermFiles.
func ReadTermFiles(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range TermFileNames() {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		out[name] = string(data)
	}
	return out, nil
}
