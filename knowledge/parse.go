package knowledge

import (
	"bytes"
	"context"
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
	// ErrNoYear: neither the title, the body nor the publication date
	// names the year reported on (see ParseStated for stating it).
	ErrNoYear = errors.New("找不到报告年份（标题、正文开头和发布日期都没有写明是哪一年的报告）")
	// ErrUnknownFormat: the file extension is none of .txt, .html, .htm,
	// .docx, .md.
	ErrUnknownFormat = errors.New("不支持的文件格式（只支持 .txt、.html、.htm、.docx、.md）")
	// ErrNoPassages: after removing navigation and layout nothing is left.
	ErrNoPassages = errors.New("报告中没有正文段落")
	// ErrTooLarge: the file (for a .docx its uncompressed
	// word/document.xml) is larger than Limits.MaxBytes.
	ErrTooLarge = errors.New("文件内容过大")
	// ErrTooManyPassages: the report has more paragraphs or passages than
	// Limits.MaxPassages.
	ErrTooManyPassages = errors.New("段落过多")
	// ErrTooManyChars: the report's text has more characters than
	// Limits.MaxChars.
	ErrTooManyChars = errors.New("文字过多")
	// ErrCanceled: parsing stopped because its context ended (usually its
	// deadline passed). The error also wraps the context's error.
	ErrCanceled = errors.New("解析超时，文件内容可能过多或过于复杂，请检查文件或拆分后重新上传")
	// ErrBadReportID: a report ID breaks the rules of CheckReportID.
	ErrBadReportID = errors.New("报告编号无效")
)

// Limits bound what parsing one report may read and keep, so that a small
// file that expands (a zip bomb of a .docx) cannot exhaust memory. A zero
// or negative field means its default in DefaultLimits; the defaults are
// far above any real report (the yearly reports hold some 10,000
// characters in about 100 passages).
type Limits struct {
	// MaxBytes bounds the file's content: the file itself for the text
	// formats, the uncompressed word/document.xml for a .docx (read as a
	// stream and never further than this).
	MaxBytes int64
	// MaxPassages bounds the paragraphs read and the passages made.
	MaxPassages int
	// MaxChars bounds the characters (runes) of the report's text.
	MaxChars int
}

// The defaults of Limits.
const (
	DefaultMaxBytes    = 16 << 20
	DefaultMaxPassages = 10000
	DefaultMaxChars    = 1000000
)

// DefaultLimits returns the limits used for the zero fields of a Limits.
func DefaultLimits() Limits {
	return Limits{MaxBytes: DefaultMaxBytes, MaxPassages: DefaultMaxPassages, MaxChars: DefaultMaxChars}
}

// withDefaults returns l with its zero or negative fields set to the defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPassages <= 0 {
		l.MaxPassages = d.MaxPassages
	}
	if l.MaxChars <= 0 {
		l.MaxChars = d.MaxChars
	}
	return l
}

// tooLarge, tooManyPassages and tooManyChars word the limit errors for
// staff, naming the limit.
func (l Limits) tooLarge(docx bool) error {
	what := "文件"
	if docx {
		what = "文件解压后的正文（word/document.xml）"
	}
	return fmt.Errorf("%w：%s超过 %s 的上限，请检查文件，或拆分成几个文件分别上传", ErrTooLarge, what, sizeText(l.MaxBytes))
}

func (l Limits) tooManyPassages() error {
	return fmt.Errorf("%w：超过 %d 段的上限，请检查文件，或拆分成几个文件分别上传", ErrTooManyPassages, l.MaxPassages)
}

func (l Limits) tooManyChars() error {
	return fmt.Errorf("%w：正文超过 %d 字的上限，请检查文件，或拆分成几个文件分别上传", ErrTooManyChars, l.MaxChars)
}

// sizeText renders a byte count for staff, e.g. "16 MB", "512 KB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

// canceledError is ErrCanceled for a context that ended; it wraps both
// ErrCanceled and the context's error.
type canceledError struct{ cause error }

func (e canceledError) Error() string   { return ErrCanceled.Error() }
func (e canceledError) Unwrap() []error { return []error{ErrCanceled, e.cause} }

// checkContext returns a canceledError when ctx has ended.
func checkContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return canceledError{cause: err}
	}
	return nil
}

// MaxReportIDRunes is the longest report ID CheckReportID accepts, in
// characters.
const MaxReportIDRunes = 64

// CheckReportID returns nil when id is a valid report ID: 1 to
// MaxReportIDRunes characters, each a letter (Chinese characters
// included), a digit, '-', '_' or '.', the first a letter or a digit.
// Otherwise it returns an error wrapping ErrBadReportID whose message, in
// Chinese for staff, states the rule (but does not quote id, which may be
// unprintable). It is safe for concurrent use.
func CheckReportID(id ReportID) error {
	const rule = "只能由汉字、字母、数字和 - _ . 组成，以汉字、字母或数字开头，最长 64 个字符"
	s := string(id)
	switch {
	case s == "":
		return fmt.Errorf("%w：编号为空（%s）", ErrBadReportID, rule)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w：含有乱码（不是有效的 UTF-8），%s", ErrBadReportID, rule)
	case utf8.RuneCountInString(s) > MaxReportIDRunes:
		return fmt.Errorf("%w：编号有 %d 个字符，最长 %d 个", ErrBadReportID, utf8.RuneCountInString(s), MaxReportIDRunes)
	}
	for i, r := range s {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !ok && (i == 0 || !strings.ContainsRune("-_.", r)) {
			return fmt.Errorf("%w：%s", ErrBadReportID, rule)
		}
	}
	return nil
}

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
// ErrNotZip, ErrNoArticleBody, ErrNoYear, ErrUnknownFormat, ErrNoPassages,
// or one of the errors of ParseContext. Parse applies DefaultLimits and no
// deadline; it is ParseContext with a background context. The ID is not
// checked: callers that store reports check it with CheckReportID. Parse
// has no side effects and is safe for concurrent use.
func Parse(name string, data []byte) (*Report, error) {
	return ParseContext(context.Background(), name, data, Limits{})
}

// ParseContext is Parse within lim (zero fields take DefaultLimits) and
// ctx. Limits are checked while reading: a .docx is decompressed and
// decoded as a stream that stops at the first limit crossed, so memory
// stays in proportion to the limits, not to what the file expands to.
// Besides Parse's errors it returns a *ParseError wrapping ErrTooLarge,
// ErrTooManyPassages or ErrTooManyChars (its message names the limit), or
// ErrCanceled (together with ctx's error) when ctx ends first. It is safe
// for concurrent use.
func ParseContext(ctx context.Context, name string, data []byte, lim Limits) (*Report, error) {
	return parse(ctx, name, data, lim, Stated{})
}

// parse is ParseStated.
func parse(ctx context.Context, name string, data []byte, lim Limits, st Stated) (*Report, error) {
	lim = lim.withDefaults()
	base := filepath.Base(name)
	ext := filepath.Ext(base)
	fail := func(line int, err error) error {
		return &ParseError{File: base, Line: line, Err: err}
	}
	if err := st.Check(); err != nil {
		return nil, fail(0, err)
	}
	st.Department = strings.TrimSpace(st.Department)

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
	if format != FormatDocx && int64(len(data)) > lim.MaxBytes {
		return nil, fail(0, lim.tooLarge(false))
	}
	if err := checkContext(ctx); err != nil {
		return nil, fail(0, err)
	}

	var (
		blocks []textBlock
		m      headerMeta
		err    error
	)
	if format == FormatDocx {
		blocks, m, err = parseDocx(ctx, data, lim)
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
	if err := checkBlocks(ctx, blocks, lim); err != nil {
		return nil, fail(0, err)
	}

	r := &Report{ID: ReportID(strings.TrimSuffix(base, ext)), Format: format}
	body, line, err := applyMetadata(r, blocks, m, st)
	if err != nil {
		return nil, fail(line, err)
	}
	passages := buildPassages(body)
	if len(passages) == 0 {
		return nil, fail(0, ErrNoPassages)
	}
	if len(passages) >= lim.MaxPassages { // the info passage comes on top
		return nil, fail(0, lim.tooManyPassages())
	}
	r.Passages = append([]Passage{infoPassage(r)}, passages...)
	for i := range r.Passages {
		r.Passages[i].Seq = i
	}
	return r, nil
}

// checkBlocks applies the passage and character limits to the blocks a
// format parser read, and checks ctx.
func checkBlocks(ctx context.Context, blocks []textBlock, lim Limits) error {
	if len(blocks) > lim.MaxPassages {
		return lim.tooManyPassages()
	}
	chars := 0
	for _, b := range blocks {
		if chars += utf8.RuneCountInString(b.text); chars > lim.MaxChars {
			return lim.tooManyChars()
		}
	}
	return checkContext(ctx)
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
