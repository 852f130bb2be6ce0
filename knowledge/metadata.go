package knowledge

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Patterns for the report header. They are compiled once and only read
// afterwards (a *regexp.Regexp is safe for concurrent use).
var (
	// labelled publication date: 发布日期:2021-02-18, 发布时间：2023年2月20日
	pubDateRe = regexp.MustCompile(`(?:发布日期|发布时间|发文日期|PubDate)\s*[:：]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	// a bare date: 2021-03-02 09:15, 2022年2月15日
	dateRe = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	// a closing date line: 2022年2月15日
	closingDateRe = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$`)
	urlLineRe     = regexp.MustCompile(`(?i)(?:来源网址|原文链接|原文地址|网址|链接|url)\s*[:：]\s*(https?://[^\s　]+)`)
	sourceRe      = regexp.MustCompile(`(?:信息来源|文章来源|来源|发布机构)\s*[:：]\s*([^\s　【】|]+)`)
	docNumberRe   = regexp.MustCompile(`^\p{Han}{1,12}[〔［\[]\d{4}[〕］\]]\d{1,5}号$`)
	yearOfRe      = regexp.MustCompile(`(\d{4})\s*年度`)
	yearRe        = regexp.MustCompile(`(\d{4})\s*年`)
)

// readMetaLine reads a publication date, source address and source body
// from a header or navigation line into m; values already set are kept.
func readMetaLine(l string, m *headerMeta) {
	if sm := pubDateRe.FindStringSubmatch(l); sm != nil && m.publishDate == "" {
		m.publishDate = ymd(sm[1], sm[2], sm[3])
	}
	if sm := urlLineRe.FindStringSubmatch(l); sm != nil && m.sourceURL == "" {
		m.sourceURL = sm[1]
	}
	if sm := sourceRe.FindStringSubmatch(l); sm != nil && m.source == "" {
		m.source = sm[1]
	}
}

// isMetaLine reports whether a paragraph is a page header line such as
// "发布日期:2021-02-18 16:12:35" or "来源网址: https://…".
func isMetaLine(l string) bool {
	if utf8.RuneCountInString(l) > 150 || strings.Contains(l, "。") {
		return false
	}
	// the labels that open a header line of a scraped page
	for _, label := range []string{"发布日期", "发布时间", "发文日期", "成文日期", "信息来源", "文章来源",
		"来源网址", "原文链接", "原文地址", "来源", "索引号", "发布机构"} {
		if rest, ok := strings.CutPrefix(l, label); ok {
			rest = strings.TrimLeft(rest, " \u3000")
			return strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：")
		}
	}
	return false
}

// isBoilerplate reports whether a paragraph is closing boilerplate that
// carries no content.
func isBoilerplate(l string) bool {
	switch strings.Trim(l, "（）() ") {
	case "特此报告。", "特此报告", "此件公开发布", "此页无正文":
		return true
	}
	return false
}

// applyMetadata fills r's Title, Department, Year, PublishDate, DocNumber
// and SourceURL from m and the report's header and closing lines, and
// returns the body blocks with those lines removed. What staff stated (st,
// already checked) takes precedence over what the file says. Title and
// Department never contain markup (see stripMarkup), whatever the format
// parser left. On ErrNoYear the returned line is the title's line, or 0.
func applyMetadata(r *Report, blocks []textBlock, m headerMeta, st Stated) ([]textBlock, int, error) {
	var body []textBlock
	for _, b := range blocks {
		switch {
		case isMetaLine(b.text):
			readMetaLine(b.text, &m)
		case isBoilerplate(b.text):
		default:
			body = append(body, b)
		}
	}

	// The document number sits among the first lines, on a line of its own.
	for i := 0; i < len(body) && i < 10; i++ {
		if docNumberRe.MatchString(body[i].text) {
			if m.docNumber == "" {
				m.docNumber = body[i].text
			}
			body = append(body[:i:i], body[i+1:]...)
			break
		}
	}

	title, titleLine, body := findTitle(body, stripMarkup(m.title))
	if title == "" {
		title = stripMarkup(m.fallbackTitle)
	}
	body, closing, signer := trimClosing(body)
	if len(body) == 0 {
		return nil, 0, ErrNoPassages
	}

	r.Title = title
	r.DocNumber = m.docNumber
	r.SourceURL = m.sourceURL
	r.PublishDate = m.publishDate
	if r.PublishDate == "" {
		r.PublishDate = closing
	}
	r.Department = departmentOf(title)
	if r.Department == "" && m.source != "" {
		r.Department = normaliseDepartment(m.source)
	}
	if r.Department == "" && signer != "" {
		r.Department = normaliseDepartment(signer)
	}
	if st.Department != "" {
		r.Department = normaliseDepartment(st.Department)
	}
	r.Year = st.Year
	if r.Year == 0 {
		r.Year = reportYear(title, body, r.PublishDate)
	}
	if r.Year == 0 {
		return nil, titleLine, ErrNoYear
	}
	return body, 0, nil
}

// findTitle locates the title among the first paragraphs: a line ending
// in 报告 that names a year (a title split as "重庆市江津区XX" + "关于…报告"
// is joined). The title line and everything above it (letterhead, site
// name) is removed, and so is a salutation such as "区委依法治区办：" right
// below it; without a title line, the name lines opening the body are
// removed (dropLetterhead). When known is set (from the HTML head) it is
// the title, and a body line repeating it is removed the same way. Lines are compared and
// the title returned without markup (stripMarkup), so "# **…报告**" is a
// title line too.
func findTitle(body []textBlock, known string) (string, int, []textBlock) {
	idx := -1
	title := known
	for i := 0; i < len(body) && i < 12; i++ {
		t := stripMarkup(body[i].text)
		if known != "" {
			if t == known {
				idx = i
				break
			}
			continue
		}
		if isTitleLine(t) {
			idx, title = i, t
			if strings.HasPrefix(t, "关于") && i > 0 {
				if prev := stripMarkup(body[i-1].text); isNameLine(prev) {
					title = prev + t
				}
			}
			break
		}
	}
	if idx < 0 {
		return title, 0, dropLetterhead(body)
	}
	line := body[idx].line
	body = body[idx+1:]
	if len(body) > 0 {
		t := stripMarkup(body[0].text)
		if utf8.RuneCountInString(t) <= 20 && (strings.HasSuffix(t, "：") || strings.HasSuffix(t, ":")) {
			body = body[1:]
		}
	}
	return title, line, body
}

// dropLetterhead removes the name lines (isNameLine) that open a body
// without a title line: the site's name or the letterhead above the text
// of a page copied without its title, such as "重庆市江津区人民政府". It
// looks at the first few paragraphs only and never removes a heading.
func dropLetterhead(body []textBlock) []textBlock {
	for i := 0; i < 3 && len(body) > 1 && body[0].heading == 0 && isNameLine(stripMarkup(body[0].text)); i++ {
		body = body[1:]
	}
	return body
}

// isTitleLine reports whether t looks like a report title: a line ending
// in 报告 that names a year or 法治.
func isTitleLine(t string) bool {
	return strings.HasSuffix(t, "报告") && (yearRe.MatchString(t) || strings.Contains(t, "法治")) &&
		utf8.RuneCountInString(t) <= 80 && !strings.ContainsAny(t, "。，,；;：:")
}

// isNameLine reports whether t is a short line naming an organisation, such
// as a letterhead or the signature above the closing date.
func isNameLine(t string) bool {
	n := utf8.RuneCountInString(t)
	if n < 2 || n > 30 || strings.ContainsAny(t, "。，,；;：:、0123456789") {
		return false
	}
	if strings.Contains(t, "江津") {
		return true
	}
	for _, s := range []string{"局", "委员会", "委", "政府", "办公室", "中心", "院", "办"} {
		if strings.HasSuffix(t, s) {
			return true
		}
	}
	return false
}

// trimClosing removes the closing date line near the end of the report and
// the signature line above it, and returns the date as YYYY-MM-DD together
// with the signature.
func trimClosing(body []textBlock) ([]textBlock, string, string) {
	for i := len(body) - 1; i >= 0 && i >= len(body)-5; i-- {
		sm := closingDateRe.FindStringSubmatch(stripMarkup(body[i].text))
		if sm == nil {
			continue
		}
		date := ymd(sm[1], sm[2], sm[3])
		rest := append(body[:i:i], body[i+1:]...)
		signer := ""
		if i > 0 && isNameLine(stripMarkup(body[i-1].text)) {
			signer = stripMarkup(body[i-1].text)
			rest = append(body[:i-1:i-1], body[i+1:]...)
		}
		return rest, date, signer
	}
	return body, "", ""
}

// ymd formats a date as YYYY-MM-DD, or returns "" when it is not a date.
func ymd(y, m, d string) string {
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(m)
	day, _ := strconv.Atoi(d)
	if year < 1990 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, month, day)
}

// leadingDate reads a leading date such as "2021-03-02 09:15" as YYYY-MM-DD.
func leadingDate(s string) string {
	if sm := dateRe.FindStringSubmatch(strings.TrimSpace(s)); sm != nil {
		return ymd(sm[1], sm[2], sm[3])
	}
	return ""
}

// departmentOf derives the department from a title: the part before 关于
// or before the year, normalised to the 江津区XX form.
func departmentOf(title string) string {
	cut := strings.Index(title, "关于")
	if loc := yearRe.FindStringIndex(title); cut < 0 && loc != nil {
		cut = loc[0]
	}
	if cut <= 0 {
		return ""
	}
	return normaliseDepartment(title[:cut])
}

// normaliseDepartment turns "重庆市江津区司法局" or "区交通局" into the
// 江津区XX form, without markup ("**区交通局**" is 江津区交通局).
func normaliseDepartment(s string) string {
	s = stripMarkup(s)
	s = strings.TrimPrefix(s, "重庆市")
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, "江津区"):
		return s
	case strings.HasPrefix(s, "江津"):
		return "江津区" + strings.TrimPrefix(s, "江津")
	case strings.HasPrefix(s, "区"):
		return "江津" + s
	}
	return "江津区" + s
}

// reportYear returns the year reported on, from the first of these that
// names one: the title ("2020年度", else "2020年"); the opening sentence
// of the body ("2022年，在区委的坚强领导下…", see openingYear); the first
// "XXXX年度" in the body ("现将2021年度法治政府建设情况报告如下"); the
// publication date (YYYY-MM-DD, see publishedYear). It returns 0 when
// none does.
func reportYear(title string, body []textBlock, publishDate string) int {
	if y := firstYear(yearOfRe, title); y != 0 {
		return y
	}
	if y := firstYear(yearRe, title); y != 0 {
		return y
	}
	if y := openingYear(body); y != 0 {
		return y
	}
	for _, b := range body {
		if y := firstYear(yearOfRe, b.text); y != 0 {
			return y
		}
	}
	return publishedYear(publishDate)
}

// openingSentences is how many paragraphs at the top of the body
// openingYear looks through for the opening sentence: a page copied
// whole may begin with the site's name and a breadcrumb.
const openingSentences = 6

// openingYearRe is a year opening a sentence: "2022年，", "2021年是…".
var openingYearRe = regexp.MustCompile(`^(\d{4})\s*年(.?)`)

// openingYear returns the year the body's opening sentence starts with,
// as yearly reports begin ("2022年，在市委、市政府和区委的坚强领导下…",
// "2021年，我局…"), or 0. The opening sentence is the first sentence of
// the first paragraph among the first few that is a sentence (it has
// Chinese sentence punctuation and is not a heading). A year that starts
// a span ("2018年以来", "2021年至2022年") names no single year.
func openingYear(body []textBlock) int {
	for i := 0; i < len(body) && i < openingSentences; i++ {
		t := stripMarkup(body[i].text)
		if body[i].heading > 0 || !strings.ContainsAny(t, "，。；,") {
			continue
		}
		sm := openingYearRe.FindStringSubmatch(t)
		if sm == nil {
			return 0
		}
		switch sm[2] {
		case "以", "至", "到", "起", "-", "—", "－", "~", "～":
			return 0
		}
		if y, _ := strconv.Atoi(sm[1]); y >= minYear && y <= maxYear {
			return y
		}
		return 0
	}
	return 0
}

// publishedYear reads the year reported on from a publication date
// (YYYY-MM-DD): a yearly report is published early in the next year, so
// a date in January to June names the year before. A later date is
// ambiguous and gives 0, as does "".
func publishedYear(date string) int {
	y, m, ok := strings.Cut(date, "-")
	if !ok || len(m) < 2 {
		return 0
	}
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(m[:2])
	if year < minYear+1 || year > maxYear || month < 1 || month > 6 {
		return 0
	}
	return year - 1
}

// firstYear returns the first plausible year re finds in s, or 0.
func firstYear(re *regexp.Regexp, s string) int {
	for _, sm := range re.FindAllStringSubmatch(s, -1) {
		if y, _ := strconv.Atoi(sm[1]); y >= minYear && y <= maxYear {
			return y
		}
	}
	return 0
}

// infoPassage lists what the report header says, so that questions about
// the title, 文号, date or publisher find it.
func infoPassage(r *Report) Passage {
	var parts []string
	add := func(label, value string) {
		if value != "" {
			parts = append(parts, label+"："+value)
		}
	}
	add("报告标题", r.Title)
	add("文号", r.DocNumber)
	add("发布日期", r.PublishDate)
	add("发布单位", r.Department)
	add("报告年度", strconv.Itoa(r.Year)+"年度")
	add("来源网址", r.SourceURL)
	return Passage{Path: []string{"报告信息"}, Text: strings.Join(parts, "；")}
}
