package knowledge

import (
	"strconv"
	"strings"
)

// ReportID identifies a report in the knowledge base. By default it is the
// import file's name without its extension, e.g. "jj-sthjj-2020".
type ReportID string

// Format is the file format a report was imported from.
type Format string

// The report formats that Parse understands.
const (
	FormatText     Format = "txt"
	FormatHTML     Format = "html"
	FormatDocx     Format = "docx"
	FormatMarkdown Format = "md"
)

// Report is one yearly rule-of-law report, split into passages.
type Report struct {
	ID          ReportID
	Title       string // e.g. 重庆市江津区生态环境局关于报送2020年度法治政府建设情况的报告
	Department  string // e.g. 江津区生态环境局
	Year        int    // the year reported on, e.g. 2020 for "2020年度"
	PublishDate string // YYYY-MM-DD, or "" when the file does not say
	DocNumber   string // document number such as 津建委〔2022〕17号, or ""
	SourceURL   string // optional address the report was copied from
	Format      Format
	Passages    []Passage // in reading order
}

// Passage is the smallest unit of a report that an answer quotes: a
// numbered item, an 一是 clause, or a paragraph under its headings.
type Passage struct {
	// Seq is the passage's position in its report, starting at 0.
	Seq int
	// Path is the heading path from the outermost heading down to the
	// passage's own label, e.g. ["一、主要工作", "(一)认真落实…", "3."].
	// It is empty for the lead paragraphs before the first heading.
	Path []string
	// Text is the passage body, cleaned of layout noise.
	Text string
	// Keywords are the passage's search keywords, most important first.
	// They are filled in at import (see Keywords) and may be edited by staff.
	Keywords []string
}

// SectionPath renders the passage's heading path for display, joined by " > ".
func (p Passage) SectionPath() string {
	return strings.Join(p.Path, " > ")
}

// Source names the report for a citizen, e.g. "江津区生态环境局2020年度法治政府建设情况报告".
func (r *Report) Source() string {
	if r.Department == "" {
		return r.Title
	}
	return r.Department + strconv.Itoa(r.Year) + "年度法治政府建设情况报告"
}
