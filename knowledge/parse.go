package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors returned by Parse, always wrapped in a *ParseError.
// Callers test them with errors.Is. Their messages are for staff.
var (
	// ErrEmptyFile: the file has no content besides whitespace.
	ErrEmptyFile = errors.New("文件是空的")
	// ErrBinaryFile: a text format holds NUL bytes, invalid UTF-8 or mostly
	// control characters (for example a PDF or a GBK file renamed to .txt).
	ErrBinaryFile = errors.New("文件不是 UTF-8 文本（含有二进制内容或编码不对）")
	// ErrNotZip: a .docx is not a zip archive, has no word/document.xml, or
	// its word/document.xml cannot be read.
	ErrNotZip = errors.New("不是有效的 docx 文件（不是 zip 压缩包，或缺少 word/document.xml）")
	// ErrNoArticleBody: an HTML page has no recognisable article body.
	ErrNoArticleBody = errors.New("网页中找不到正文")
	// ErrNoYear: neither the title nor the body names the year reported on.
	ErrNoYear = errors.New("找不到报告年份")
	// ErrUnknownFormat: the file extension is none of .txt, .html, .htm,
	// .docx, .md.
	ErrUnknownFormat = errors.New("不支持的文件格式（只支持 .txt、.html、.htm、.docx、.md）")
	// ErrNoPassages: after removing navigation and layout nothing is left.
	ErrNoPassages = errors.New("报告中没有正文段落")
)

// ParseError reports why a report file could not be imported.
type ParseError struct {
	File string // file base name, e.g. jj-sthjj-2020.txt
	Line int    // 1-based line (txt, md) or paragraph (docx, html); 0 when not applicable
	Err  error  // one of the Err… sentinels, possibly wrapped
}

// Error renders the problem in Chinese for staff, e.g. "jj-x.txt 第3行: 找不到报告年份".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		unit := "行"
		switch strings.ToLower(filepath.Ext(e.File)) {
		case ".docx", ".html", ".htm":
			unit = "段"
		}
		return fmt.Sprintf("%s 第%d%s: %v", e.File, e.Line, unit, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error so that errors.Is finds the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

// textBlock is one paragraph of report text in reading order, as a format
// parser found it.
type textBlock struct {
	text    string
	line    int // 1-based source line (txt, md) or paragraph number (docx, html)
	heading int // heading depth given by the markup (# count, <hN>); 0 for none
}

// headerMeta is what a format parser learned about a report besides its blocks.
type headerMeta struct {
	title         string // authoritative title (HTML ArticleTitle, <h1>)
	fallbackTitle string // used only when the body names no title (docx core.xml)
	publishDate   string // YYYY-MM-DD
	sourceURL     string
	source        string // publishing body as the page names it, e.g. 区交通局
	docNumber     string
}

// Parse reads one report file. name is the file name (its extension picks
// the format: .txt, .html/.htm, .docx, .md; anything else is an error); data
// is the file content.
//
// The returned Report has ID = file base name without extension, Format,
// metadata and Passages (Seq set 0..n-1, Keywords left nil). The first
// passage has Path ["报告信息"] and lists the report header (title, 文号,
// 发布日期, 发布单位). Passage texts are quoted as the report writes them,
// only trimmed of whitespace.
//
// Every error is a *ParseError wrapping one of ErrEmptyFile, ErrBinaryFile,
// ErrNotZip, ErrNoArticleBody, ErrNoYear, ErrUnknownFormat, ErrNoPassages.
// Parse has no side effects and is safe for concurrent use.
func Parse(name string, data []byte) (*Report, error) {
	base := filepath.Base(name)
	ext := filepath.Ext(base)
	fail := func(line int, err error) error {
		return &ParseError{File: base, Line: line, Err: err}
	}

	var format Format
	switch strings.ToLower(ext) {
	case ".txt":
		format = FormatText
	case ".html", ".htm":
		format = FormatHTML
	case ".docx":
		format = FormatDocx
	case ".md":
		format = FormatMarkdown
	default:
		return nil, fail(0, ErrUnknownFormat)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(0, ErrEmptyFile)
	}

	var (
		blocks []textBlock
		m      headerMeta
		err    error
	)
	if format == FormatDocx {
		blocks, m, err = parseDocx(data)
	} else {
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
		if line, err := checkText(data); err != nil {
			return nil, fail(line, err)
		}
		switch format {
		case FormatText:
			blocks, m = parseText(string(data))
		case FormatHTML:
			blocks, m, err = parseHTML(data)
		case FormatMarkdown:
			blocks = parseMarkdown(string(data))
		}
	}
	if err != nil {
		return nil, fail(0, err)
	}

	r := &Report{ID: ReportID(strings.TrimSuffix(base, ext)), Format: format}
	body, line, err := applyMetadata(r, blocks, m)
	if err != nil {
		return nil, fail(line, err)
	}
	passages := buildPassages(body)
	if len(passages) == 0 {
		return nil, fail(0, ErrNoPassages)
	}
	r.Passages = append([]Passage{infoPassage(r)}, passages...)
	for i := range r.Passages {
		r.Passages[i].Seq = i
	}
	return r, nil
}

// checkText rejects data that is not readable UTF-8 text. It returns the
// 1-based line of the first offending byte when there is one.
func checkText(data []byte) (int, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return byteLine(data, i), ErrBinaryFile
	}
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return byteLine(data, i), ErrBinaryFile
			}
			i += size
		}
	}
	total, bad := 0, 0
	for _, r := range string(data) {
		total++
		if r == utf8.RuneError || (unicode.IsControl(r) && !strings.ContainsRune("\t\n\r\f\v", r)) {
			bad++
		}
	}
	if bad*10 > total {
		return 0, ErrBinaryFile
	}
	return 0, nil
}

// byteLine returns the 1-based line number of byte offset i.
func byteLine(data []byte, i int) int {
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// cleanText trims s and collapses every run of whitespace (including
// U+3000) to one ASCII space; a run of only &nbsp; next to a Chinese
// character is dropped ("农村公路&nbsp;416公里" → "农村公路416公里"), and
// zero-width characters are removed. Nothing else of the text is changed.
func cleanText(s string) string {
	var b strings.Builder
	var prev rune
	space, nbspOnly := false, true
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
			continue
		case unicode.IsSpace(r):
			space = true
			nbspOnly = nbspOnly && r == '\u00a0'
			continue
		}
		if space && b.Len() > 0 && !(nbspOnly && (isCJKRune(prev) || isCJKRune(r))) {
			b.WriteByte(' ')
		}
		space, nbspOnly = false, true
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isCJKRune reports whether r is a Chinese character or CJK punctuation.
func isCJKRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}

// tableRow renders one table row as a readable line: the header row (the
// first row) as cells joined by " | ", other rows as "first：rest，rest",
// e.g. "行政处罚：2418件，罚款613.5万元". Empty cells are left out.
func tableRow(cells []string, header bool) string {
	var kept []string
	for _, c := range cells {
		if c = cleanText(c); c != "" {
			kept = append(kept, c)
		}
	}
	switch {
	case len(kept) == 0:
		return ""
	case header || len(kept) == 1:
		return strings.Join(kept, " | ")
	}
	return kept[0] + "：" + strings.Join(kept[1:], "，")
}
