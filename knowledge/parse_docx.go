package knowledge

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// maxCorePart bounds how much of docProps/core.xml is read.
const maxCorePart = 1 << 20

// maxDocxDepth bounds the element nesting of document.xml: Word nests a
// few dozen levels, even with tables in tables.
const maxDocxDepth = 2000

// docxCheckEvery is how many XML tokens are decoded between checks of the
// context.
const docxCheckEvery = 4096

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
// word/document.xml. document.xml is decompressed and decoded as a stream
// within lim and ctx: the errors of lim and ErrCanceled stop it.
func parseDocx(ctx context.Context, data []byte, lim Limits) ([]textBlock, headerMeta, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, headerMeta{}, ErrNotZip
	}
	f := zipPart(zr, "word/document.xml")
	if f == nil {
		return nil, headerMeta{}, ErrNotZip
	}
	if f.UncompressedSize64 > uint64(lim.MaxBytes) { // the header may lie; the stream is bounded too
		return nil, headerMeta{}, lim.tooLarge(true)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, headerMeta{}, ErrNotZip
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: lim.MaxBytes + 1}
	blocks, err := docxBlocks(ctx, lr, lim)
	switch {
	case lr.N <= 0: // read past the limit, whatever the decoder made of the cut
		return nil, headerMeta{}, lim.tooLarge(true)
	case errors.Is(err, ErrCanceled), errors.Is(err, ErrTooManyChars), errors.Is(err, ErrTooManyPassages):
		return nil, headerMeta{}, err
	case err != nil:
		return nil, headerMeta{}, fmt.Errorf("%w: word/document.xml 已损坏", ErrNotZip)
	}
	var m headerMeta
	if core, err := readZipPart(zr, "docProps/core.xml", maxCorePart); err == nil {
		m.fallbackTitle = coreTitle(core)
	}
	return blocks, m, nil
}

// zipPart returns the named part of zr (case-insensitively), or nil.
func zipPart(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// readZipPart returns the content of the named part, at most max bytes.
func readZipPart(zr *zip.Reader, name string, max int64) ([]byte, error) {
	f := zipPart(zr, name)
	if f == nil {
		return nil, ErrNotZip
	}
	rc, err := f.Open()
	if err != nil {
		return nil, ErrNotZip
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	if err != nil {
		return nil, ErrNotZip
	}
	return b, nil
}

// isWord reports whether an XML name is the WordprocessingML element local.
func isWord(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == wordNS || n.Space == wordStrictNS)
}

// docxReader collects paragraphs and table rows while decoding
// document.xml, within its limits.
type docxReader struct {
	lim    Limits
	chars  int   // runes of the blocks so far
	err    error // the first limit crossed
	blocks []textBlock
	para   strings.Builder // text of the current <w:p>
	paraNo int             // <w:p> count, the error position unit
	inText bool            // inside <w:t>
	depth  int             // table nesting depth
	cell   []string        // paragraphs of the current outermost cell
	cells  []string        // cells of the current outermost row
	row    int             // rows emitted in the current outermost table
}

// docxBlocks decodes document.xml from src into blocks. It stops at the
// first limit of lim crossed, at nesting deeper than maxDocxDepth, and when
// ctx ends.
func docxBlocks(ctx context.Context, src io.Reader, lim Limits) ([]textBlock, error) {
	d := xml.NewDecoder(src)
	r := docxReader{lim: lim}
	depth := 0
	for n := 1; r.err == nil; n++ {
		if n%docxCheckEvery == 0 {
			if err := checkContext(ctx); err != nil {
				return nil, err
			}
		}
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDocxDepth {
				return nil, errors.New("document.xml nests too deep")
			}
			r.start(t.Name)
		case xml.EndElement:
			depth--
			r.end(t.Name)
		case xml.CharData:
			if r.inText {
				r.para.Write(t)
				if r.para.Len() > 4*lim.MaxChars { // one paragraph alone is over the limit
					r.err = lim.tooManyChars()
				}
			}
		}
	}
	if r.err != nil {
		return nil, r.err
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
			r.add(textBlock{text: line, line: r.paraNo})
			r.row++
		}
	}
}

// emit ends the current paragraph outside tables.
func (r *docxReader) emit() {
	if t := cleanText(r.para.String()); t != "" {
		r.add(textBlock{text: t, line: r.paraNo})
	}
	r.para.Reset()
}

// add appends b to the blocks, or records the limit it crosses.
func (r *docxReader) add(b textBlock) {
	if r.err != nil {
		return
	}
	if r.chars += utf8.RuneCountInString(b.text); r.chars > r.lim.MaxChars {
		r.err = r.lim.tooManyChars()
		return
	}
	if len(r.blocks) >= r.lim.MaxPassages {
		r.err = r.lim.tooManyPassages()
		return
	}
	r.blocks = append(r.blocks, b)
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
