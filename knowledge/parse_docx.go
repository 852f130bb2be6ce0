package knowledge

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDocxPart bounds how much of one uncompressed docx part is read.
const maxDocxPart = 64 << 20

// Namespaces of WordprocessingML (transitional and strict) and Dublin Core.
const (
	wordNS       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	wordStrictNS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	dcNS         = "http://purl.org/dc/elements/1.1/"
)

// parseDocx reads word/document.xml of a .docx: one paragraph per <w:p>,
// its <w:t> runs joined without separators (Word splits words across runs),
// and one line per table row. The title in docProps/core.xml is kept as a
// fallback. ErrNotZip when data is no zip or lacks a readable
// word/document.xml.
func parseDocx(data []byte) ([]textBlock, headerMeta, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, headerMeta{}, ErrNotZip
	}
	doc, err := readZipPart(zr, "word/document.xml")
	if err != nil {
		return nil, headerMeta{}, err
	}
	blocks, err := docxBlocks(doc)
	if err != nil {
		return nil, headerMeta{}, fmt.Errorf("%w: word/document.xml 已损坏", ErrNotZip)
	}
	var m headerMeta
	if core, err := readZipPart(zr, "docProps/core.xml"); err == nil {
		m.fallbackTitle = coreTitle(core)
	}
	return blocks, m, nil
}

// readZipPart returns the content of the named part, at most maxDocxPart bytes.
func readZipPart(zr *zip.Reader, name string) ([]byte, error) {
	for _, f := range zr.File {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, ErrNotZip
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxDocxPart))
		if err != nil {
			return nil, ErrNotZip
		}
		return b, nil
	}
	return nil, ErrNotZip
}

// isWord reports whether an XML name is the WordprocessingML element local.
func isWord(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == wordNS || n.Space == wordStrictNS)
}

// docxReader collects paragraphs and table rows while decoding document.xml.
type docxReader struct {
	blocks []textBlock
	para   strings.Builder // text of the current <w:p>
	paraNo int             // <w:p> count, the error position unit
	inText bool            // inside <w:t>
	depth  int             // table nesting depth
	cell   []string        // paragraphs of the current outermost cell
	cells  []string        // cells of the current outermost row
	row    int             // rows emitted in the current outermost table
}

// docxBlocks decodes document.xml into blocks.
func docxBlocks(doc []byte) ([]textBlock, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	r := docxReader{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			r.start(t.Name)
		case xml.EndElement:
			r.end(t.Name)
		case xml.CharData:
			if r.inText {
				r.para.Write(t)
			}
		}
	}
	return r.blocks, nil
}

func (r *docxReader) start(n xml.Name) {
	switch {
	case isWord(n, "p"):
		r.paraNo++
		r.para.Reset()
	case isWord(n, "t"):
		r.inText = true
	case isWord(n, "tab"):
		r.para.WriteByte(' ')
	case isWord(n, "br"), isWord(n, "cr"):
		if r.depth == 0 {
			r.emit() // a manual line break separates lines such as a signature and a date
		} else {
			r.para.WriteByte(' ')
		}
	case isWord(n, "tbl"):
		r.depth++
		if r.depth == 1 {
			r.row = 0
		}
	case isWord(n, "tr") && r.depth == 1:
		r.cells = nil
	case isWord(n, "tc") && r.depth == 1:
		r.cell = nil
	}
}

func (r *docxReader) end(n xml.Name) {
	switch {
	case isWord(n, "t"):
		r.inText = false
	case isWord(n, "p"):
		if r.depth > 0 {
			if t := cleanText(r.para.String()); t != "" {
				r.cell = append(r.cell, t)
			}
			r.para.Reset()
		} else {
			r.emit()
		}
	case isWord(n, "tbl"):
		r.depth--
	case isWord(n, "tc") && r.depth == 1:
		r.cells = append(r.cells, strings.Join(r.cell, " "))
	case isWord(n, "tr") && r.depth == 1:
		if line := tableRow(r.cells, r.row == 0); line != "" {
			r.blocks = append(r.blocks, textBlock{text: line, line: r.paraNo})
			r.row++
		}
	}
}

// emit ends the current paragraph outside tables.
func (r *docxReader) emit() {
	if t := cleanText(r.para.String()); t != "" {
		r.blocks = append(r.blocks, textBlock{text: t, line: r.paraNo})
	}
	r.para.Reset()
}

// coreTitle returns <dc:title> of docProps/core.xml, or "".
func coreTitle(core []byte) string {
	d := xml.NewDecoder(bytes.NewReader(core))
	in := false
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return cleanText(b.String())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "title" && t.Name.Space == dcNS
		case xml.EndElement:
			if in {
				return cleanText(b.String())
			}
		case xml.CharData:
			if in {
				b.Write(t)
			}
		}
	}
}
