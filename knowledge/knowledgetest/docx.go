// Package knowledgetest holds what tests of several packages need to build
// report files: a .docx written as a stream, so that a test can make one
// with a document.xml of any size without holding it twice.
package knowledgetest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// Docx returns a valid .docx whose word/document.xml holds a title
// paragraph (a fictional 示例局 report of 2021) followed by what body
// writes: <w:p> elements. It fails t when writing fails.
func Docx(t testing.TB, body func(w io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+
		`<w:p><w:r><w:t>重庆市江津区示例局关于2021年度法治政府建设情况的报告</w:t></w:r></w:p>`)
	if err := body(w); err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `</w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
