package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readPage reads testdata/pages/name: fictional report pages copied from a
// site without their title.
func readPage(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestParsePageYear: without a year in the title, the year comes from the
// body's opening sentence, then a "XXXX年度" in the body, then the
// publication date; the title's year always wins, and a page that names
// none of them is ErrNoYear.
func TestParsePageYear(t *testing.T) {
	tests := []struct {
		name      string
		file      string // in testdata/pages
		data      string // used instead of a file when set
		wantYear  int
		wantDept  string
		wantDate  string
		wantFirst string // the text of the first passage after the info passage
		wantErr   error
	}{
		{name: "opening sentence of a page without its title", file: "opening-year.txt", wantYear: 2022,
			wantFirst: "2022年，在区委、区政府的坚强领导下"}, // the site's name is not a passage
		{name: "opening sentence naming the department", file: "opening-we.txt", wantYear: 2021, wantDept: "江津区示例委员会",
			wantFirst: "2021年，我委坚持以法治思维推进各项工作"},
		{name: "publication date early in the next year", file: "pubdate-early.txt", wantYear: 2025, wantDept: "江津区示例管理局",
			wantDate: "2026-01-20", wantFirst: "全年，区示例管理局围绕城市精细化管理"},
		{name: "publication date late in the year says nothing", file: "pubdate-late.txt", wantErr: ErrNoYear},
		{name: "a span is not a year", file: "opening-since.txt", wantErr: ErrNoYear},
		{name: "the year of the report in the opening paragraph", file: "x.txt",
			data:     "区示例局\n\n根据区委依法治区办通知要求，现将2021年度法治政府建设情况报告如下。\n\n一、主要工作\n\n办理案件12件。\n",
			wantYear: 2021, wantFirst: "根据区委依法治区办通知要求"},
		{name: "a closing date in February", file: "x.txt",
			data:     "全年，区示例局依法办理案件12件。\n\n一、主要工作\n\n办理案件12件。\n\n江津区示例局\n\n2024年2月5日\n",
			wantYear: 2023, wantDept: "江津区示例局", wantDate: "2024-02-05", wantFirst: "全年，区示例局依法办理案件12件。"},
		{name: "the title's year before the opening sentence", file: "x.txt",
			data:     "江津区示例局2020年度法治政府建设情况报告\n\n2021年，我局继续推进依法行政，现报告如下。\n\n一、主要工作\n\n办理案件12件。\n",
			wantYear: 2020, wantDept: "江津区示例局", wantFirst: "2021年，我局继续推进依法行政"},
		{name: "the opening sentence before a later 年度", file: "x.txt",
			data:     "2022年，区示例局坚持依法行政，现报告如下。\n\n一、2023年度工作打算\n\n继续推进依法行政。\n",
			wantYear: 2022, wantFirst: "2022年，区示例局坚持依法行政"},
		{name: "the opening sentence before the publication date", file: "x.txt",
			data:     "发布日期：2023-03-01\n\n2021年，区示例局坚持依法行政，现报告如下。\n\n一、主要工作\n\n办理案件12件。\n",
			wantYear: 2021, wantDate: "2023-03-01", wantFirst: "2021年，区示例局坚持依法行政"},
		{name: "a heading's year is not an opening sentence", file: "x.txt",
			data: "一、2022年主要工作\n\n全年办理案件12件，均已办结。\n", wantErr: ErrNoYear},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.data == "" {
				data = readPage(t, tt.file)
			}
			r, err := Parse(tt.file, data)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse = %v, %v; want %v", r, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Year != tt.wantYear || r.Department != tt.wantDept || r.PublishDate != tt.wantDate {
				t.Errorf("year %d, department %q, date %q; want %d, %q, %q", r.Year, r.Department, r.PublishDate, tt.wantYear, tt.wantDept, tt.wantDate)
			}
			if len(r.Passages) < 2 || !strings.HasPrefix(r.Passages[1].Text, tt.wantFirst) {
				t.Errorf("first passage %q, want it to start with %q", r.Passages[1].Text, tt.wantFirst)
			}
			if info := r.Passages[0].Text; !strings.Contains(info, "报告年度：") || !strings.Contains(info, "年度") {
				t.Errorf("info passage %q lacks the year", info)
			}
		})
	}
}

// TestParseStated: what staff state takes precedence over the file, a
// file without a year parses once the year is stated, and bad values are
// refused with a message naming the field, whatever the file.
func TestParseStated(t *testing.T) {
	noYear := readPage(t, "opening-since.txt")
	withYear := readPage(t, "pubdate-early.txt")
	tests := []struct {
		name     string
		data     []byte
		st       Stated
		wantYear int
		wantDept string
		wantErr  error
		wantMsg  string // in the error
	}{
		{name: "nothing stated reads the file", data: withYear, wantYear: 2025, wantDept: "江津区示例管理局"},
		{name: "year stated for a file without one", data: noYear, st: Stated{Year: 2019}, wantYear: 2019},
		{name: "year and department stated", data: noYear, st: Stated{Year: 2019, Department: " 区示例局 "}, wantYear: 2019, wantDept: "江津区示例局"},
		{name: "stated values override the file's", data: withYear, st: Stated{Year: 2024, Department: "重庆市江津区另一局"},
			wantYear: 2024, wantDept: "江津区另一局"},
		{name: "department alone keeps the file's year", data: withYear, st: Stated{Department: "江津区另一局"}, wantYear: 2025, wantDept: "江津区另一局"},
		{name: "department alone for a file without a year", data: noYear, st: Stated{Department: "江津区另一局"}, wantErr: ErrNoYear},
		{name: "year too small", data: withYear, st: Stated{Year: 21}, wantErr: ErrBadYear, wantMsg: "年度应为 1990 到 2100 之间的四位数年份"},
		{name: "year too large", data: noYear, st: Stated{Year: 20211}, wantErr: ErrBadYear, wantMsg: "报告年度无效"},
		{name: "department with punctuation", data: withYear, st: Stated{Year: 2021, Department: "司法局；<b>"}, wantErr: ErrBadDepartment, wantMsg: "部门名称无效：只能由汉字"},
		{name: "department too long", data: withYear, st: Stated{Department: strings.Repeat("局", 41)}, wantErr: ErrBadDepartment, wantMsg: "最长 40 个字"},
		{name: "department of one character", data: withYear, st: Stated{Department: "局"}, wantErr: ErrBadDepartment, wantMsg: "太短"},
		{name: "department without Chinese", data: withYear, st: Stated{Department: "abc"}, wantErr: ErrBadDepartment, wantMsg: "如 江津区司法局"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseStated(context.Background(), "page.txt", tt.data, Limits{}, tt.st)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "page.txt") {
					t.Fatalf("ParseStated = %v, %v; want %v with %q, naming the file", r, err, tt.wantErr, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Year != tt.wantYear || r.Department != tt.wantDept {
				t.Errorf("year %d, department %q; want %d, %q", r.Year, r.Department, tt.wantYear, tt.wantDept)
			}
			info := r.Passages[0].Text
			if !strings.Contains(info, "报告年度："+strconv.Itoa(tt.wantYear)+"年度") || tt.wantDept != "" && !strings.Contains(info, "发布单位："+tt.wantDept) {
				t.Errorf("info passage %q does not list the year and department", info)
			}
		})
	}
}

func TestParseYear(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"2021", 2021, false},
		{" 2021年 ", 2021, false},
		{"2021年度", 2021, false},
		{"２０２２", 2022, false},
		{"21", 0, true},
		{"二〇二一", 0, true},
		{"2021-2022", 0, true},
		{"1899", 0, true},
		{"+202", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseYear(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseYear(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && (!errors.Is(err, ErrBadYear) || !strings.Contains(err.Error(), "年度")) {
			t.Errorf("ParseYear(%q) error %q does not name the field", tt.in, err)
		}
	}
}
