package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBadInput(t *testing.T) {
	tests := []struct {
		file     string
		data     []byte // used instead of the fixture when set
		want     error
		wantLine int
	}{
		{file: "bad-empty.txt", want: ErrEmptyFile},
		{file: "bad-binary.txt", want: ErrBinaryFile, wantLine: 3},
		{file: "bad-gbk.txt", want: ErrBinaryFile, wantLine: 1},
		{file: "bad-control.txt", data: []byte("报告\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"), want: ErrBinaryFile},
		{file: "bad-notzip.docx", want: ErrNotZip},
		{file: "bad-nodocument.docx", want: ErrNotZip},
		{file: "bad-nobody.html", want: ErrNoArticleBody},
		{file: "bad-noyear.txt", want: ErrNoYear, wantLine: 3},
		{file: "bad-report.pdf", want: ErrUnknownFormat},
		{file: "bad-report.xyz", want: ErrUnknownFormat},
		{file: "bad-noext", data: []byte("江津区示例局关于2020年度法治政府建设情况的报告"), want: ErrUnknownFormat},
		{file: "bad-navonly.txt", data: []byte("当前位置: 首页>政务公开\n\n扫一扫在手机打开当前页\n版权所有：重庆市江津区人民政府\n"), want: ErrNoPassages},
		{file: "bad-titleonly.md", data: []byte("# 江津区示例局关于2020年度法治政府建设情况的报告\n"), want: ErrNoPassages},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := tt.data
			if data == nil {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", "reports", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Parse(tt.file, data)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, %v; want %v", r, err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != tt.file || pe.Line != tt.wantLine {
				t.Fatalf("error %#v, want a *ParseError for %s line %d", err, tt.file, tt.wantLine)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.file) || !strings.Contains(msg, tt.want.Error()) {
				t.Errorf("message %q does not name the file and the problem", msg)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	tests := []struct {
		err  *ParseError
		want string
	}{
		{&ParseError{File: "jj-x.txt", Line: 3, Err: ErrNoYear}, "jj-x.txt 第3行: 找不到报告年份（标题、正文开头和发布日期都没有写明是哪一年的报告）"},
		{&ParseError{File: "jj-x.docx", Line: 7, Err: ErrNoYear}, "jj-x.docx 第7段: 找不到报告年份（标题、正文开头和发布日期都没有写明是哪一年的报告）"},
		{&ParseError{File: "jj-x.html", Err: ErrNoArticleBody}, "jj-x.html: 网页中找不到正文"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestParseSameInputSameReport guards against hidden state between calls.
func TestParseSameInputSameReport(t *testing.T) {
	a := parseFixture(t, "jj-jw-2022.txt")
	b := parseFixture(t, "jj-jw-2022.txt")
	if len(a.Passages) != len(b.Passages) {
		t.Fatalf("%d != %d passages", len(a.Passages), len(b.Passages))
	}
	for i := range a.Passages {
		if a.Passages[i].Text != b.Passages[i].Text || a.Passages[i].SectionPath() != b.Passages[i].SectionPath() {
			t.Errorf("passage %d differs", i)
		}
	}
}

// FuzzParse checks that Parse never panics and that every report it
// returns keeps the passage invariants.
func FuzzParse(f *testing.F) {
	seeds := []struct{ name, data string }{
		{"a.txt", "江津区示例局关于2020年度法治政府建设情况的报告\n\n一、主要工作\n\n1.加强执法。罚款5万元。一是学法。二是用法。\n"},
		{"a.txt", "　　（一）标题\n正文第一行\n— 1 —\n页眉\n　　1．0.5个\n— 2 —\n页眉\n续行"},
		{"a.md", "# 2021年度报告\n## 第一部分\n（1）小项\n| a | b |\n|---|---|\n| 1 | 2 |\n"},
		{"a.html", "<html><body><div class=\"TRS_Editor\"><p>2020年度 一、工作</p><table><tr><td>a</td></tr></table></div></body></html>"},
		{"a.htm", "<p>((一)一是二是</p><h2>#</h2>"},
		{"a.docx", "PK\x03\x04"},
		{"a.txt", "一是。二是。三是"},
		{"a.txt", "(1"},
		{"a.txt", "第一部分"},
	}
	for _, s := range seeds {
		f.Add(s.name, []byte(s.data))
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "reports", "fx-table-2022.docx")); err == nil {
		f.Add("a.docx", data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		r, err := Parse(name, data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if r.Year == 0 || len(r.Passages) < 2 {
			t.Fatalf("report without year or body: %+v", r)
		}
		for i, p := range r.Passages {
			if p.Seq != i || strings.TrimSpace(p.Text) == "" {
				t.Fatalf("passage %d: Seq %d, Text %q", i, p.Seq, p.Text)
			}
		}
	})
}
