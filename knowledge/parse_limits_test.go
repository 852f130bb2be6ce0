package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"fazhibot/knowledge/knowledgetest"
)

// docxOf returns a .docx whose word/document.xml holds paragraphs copies
// of para (each its own <w:p>), written as a stream.
func docxOf(t testing.TB, para string, paragraphs int) []byte {
	t.Helper()
	p := []byte(`<w:p><w:r><w:t>` + para + `</w:t></w:r></w:p>`)
	return knowledgetest.Docx(t, func(w io.Writer) error {
		for range paragraphs {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		return nil
	})
}

const limitPara = "一是全面推进依法行政，全年办理行政复议案件12件，行政诉讼应诉15件。"

func TestParseLimits(t *testing.T) {
	ok := docxOf(t, limitPara, 20)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		file string
		data []byte
		lim  Limits
		ctx  context.Context
		want error // nil: parses
		msg  string
	}{
		{name: "docx within limits", file: "a.docx", data: ok, lim: Limits{MaxBytes: 64 << 10, MaxPassages: 100, MaxChars: 5000}},
		{name: "docx uncompressed over MaxBytes", file: "big.docx", data: ok, lim: Limits{MaxBytes: 2 << 10}, want: ErrTooLarge, msg: "2 KB"},
		{name: "docx paragraphs over MaxPassages", file: "many.docx", data: ok, lim: Limits{MaxPassages: 10}, want: ErrTooManyPassages, msg: "10 段"},
		{name: "docx text over MaxChars", file: "long.docx", data: ok, lim: Limits{MaxChars: 500}, want: ErrTooManyChars, msg: "500 字"},
		{name: "docx one huge paragraph", file: "para.docx", data: docxOf(t, strings.Repeat("法", 3000), 1), lim: Limits{MaxChars: 500}, want: ErrTooManyChars},
		{name: "docx canceled", file: "slow.docx", data: docxOf(t, limitPara, 5000), ctx: canceled, want: ErrCanceled},
		{name: "text over MaxBytes", file: "big.txt", data: []byte(strings.Repeat("江津区2021年度法治政府建设\n", 100)), lim: Limits{MaxBytes: 1000}, want: ErrTooLarge, msg: "1000 字节"},
		{name: "text passages over MaxPassages", file: "many.txt", data: []byte("江津区示例局2021年度法治政府建设情况的报告\n\n" + strings.Repeat(limitPara+"\n\n", 30)), lim: Limits{MaxPassages: 10}, want: ErrTooManyPassages},
		{name: "text over MaxChars", file: "long.md", data: []byte("# 江津区示例局2021年度法治政府建设情况的报告\n\n" + strings.Repeat(limitPara+"\n\n", 30)), lim: Limits{MaxChars: 300}, want: ErrTooManyChars},
		{name: "text canceled", file: "c.txt", data: []byte("江津区示例局2021年度报告\n\n" + limitPara), ctx: canceled, want: ErrCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			r, err := ParseContext(ctx, tt.file, tt.data, tt.lim)
			if tt.want == nil {
				if err != nil || len(r.Passages) < 20 {
					t.Fatalf("ParseContext = %v, %v; want a report", r, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseContext = %v, %v; want %v", r, err, tt.want)
			}
			if pe, ok := errors.AsType[*ParseError](err); !ok || pe.File != tt.file {
				t.Fatalf("error %#v is not a *ParseError for %s", err, tt.file)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.file+": ") || !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not name the file and the limit %q", msg, tt.msg)
			}
			if tt.want == ErrCanceled && !errors.Is(err, context.Canceled) {
				t.Errorf("error %v does not wrap the context's error", err)
			}
		})
	}
}

func TestCheckReportID(t *testing.T) {
	tests := []struct {
		id ReportID
		ok bool
	}{
		{"jj-sthjj-2020", true},
		{"江津区司法局2021", true},
		{"report_v1.2", true},
		{"2021", true},
		{ReportID(strings.Repeat("法", MaxReportIDRunes)), true},
		{"", false},
		{".", false},
		{"..", false},
		{".hidden", false},
		{"-x", false},
		{"a/b", false},
		{`a\b`, false},
		{"a b", false},
		{"a%2Fb", false},
		{"报告（1）", false},
		{"\xff\xfe", false},
		{"a\x00b", false},
		{"a\nb", false},
		{ReportID(strings.Repeat("法", MaxReportIDRunes+1)), false},
		{ReportID(strings.Repeat("a", 3000)), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.id), func(t *testing.T) {
			err := CheckReportID(tt.id)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckReportID(%q) = %v, want ok %v", tt.id, err, tt.ok)
			}
			if err != nil && (!errors.Is(err, ErrBadReportID) || !strings.Contains(err.Error(), "报告编号")) {
				t.Errorf("error %v does not wrap ErrBadReportID with a Chinese message", err)
			}
		})
	}
}
