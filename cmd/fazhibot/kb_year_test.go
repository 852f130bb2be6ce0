package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// pagesDir holds fictional report pages copied without their title.
const pagesDir = "../../knowledge/testdata/pages/"

// TestKBImportStatesYear: a page without a year is refused with the hint
// to state it, --year and --dept state it (and override the file), and a
// bad value is refused naming the flag; a refused import imports nothing.
func TestKBImportStatesYear(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string   // in the error; "" for success
		show []string // in "kb show" of the imported report on success
	}{
		{name: "no year anywhere", args: []string{pagesDir + "opening-since.txt"},
			want: "opening-since.txt: 找不到报告年份"},
		{name: "no year, the hint", args: []string{pagesDir + "opening-since.txt"},
			want: "找不到报告年份(标题、正文开头和发布日期都没有写明是哪一年的报告);请用 --year 写明年度"},
		{name: "year from the opening sentence", args: []string{pagesDir + "opening-year.txt"},
			show: []string{"编号: opening-year", "年度: 2022"}},
		{name: "year from the publication date", args: []string{pagesDir + "pubdate-early.txt"},
			show: []string{"部门: 江津区示例管理局", "年度: 2025"}},
		{name: "year stated", args: []string{"--year", "2019", pagesDir + "opening-since.txt"},
			show: []string{"年度: 2019", "报告年度:2019年度"}},
		{name: "year and department stated", args: []string{"--year", "2019年度", "--dept", "区示例局", pagesDir + "opening-since.txt"},
			show: []string{"部门: 江津区示例局", "年度: 2019"}},
		{name: "stated values override the file", args: []string{"--year", "2024", "--dept", "江津区另一局", pagesDir + "pubdate-early.txt"},
			show: []string{"部门: 江津区另一局", "年度: 2024"}},
		{name: "bad year", args: []string{"--year", "21", pagesDir + "opening-since.txt"},
			want: "--year: 报告年度无效:年度应为四位数的年份,如 2021"},
		{name: "year out of range", args: []string{"--year", "3021", pagesDir + "opening-since.txt"},
			want: "--year: 报告年度无效:年度应为 1990 到 2100 之间"},
		{name: "bad department", args: []string{"--year", "2019", "--dept", "司法局;", pagesDir + "opening-since.txt"},
			want: "--dept: 部门名称无效"},
		{name: "one file without a year fails the batch", args: []string{pagesDir + "opening-year.txt", pagesDir + "pubdate-late.txt"},
			want: "pubdate-late.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := testEnv(t, nil)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"kb", "import"}, tt.args...), getenv, strings.NewReader(""), &stdout, &stderr)
			if tt.want != "" {
				// The error text is compared with the CLI's ASCII punctuation.
				msg := ""
				if err != nil {
					msg = strings.NewReplacer("（", "(", "）", ")", "：", ":", "，", ",", "；", ";").Replace(err.Error())
				}
				if err == nil || !strings.Contains(msg, tt.want) || !strings.Contains(msg, "未导入任何报告") {
					t.Fatalf("import: %v; want an error with %q saying nothing was imported", err, tt.want)
				}
				if list := runCommand(t, getenv, "", "kb", "list"); strings.Contains(list, "opening-") || strings.Contains(list, "pubdate-") {
					t.Errorf("a refused import imported:\n%s", list)
				}
				return
			}
			if err != nil {
				t.Fatalf("import: %v\n%s", err, stderr.String())
			}
			id := strings.TrimSuffix(tt.args[len(tt.args)-1][len(pagesDir):], ".txt")
			show := strings.NewReplacer("：", ":").Replace(runCommand(t, getenv, "", "kb", "show", id))
			for _, want := range tt.show {
				if !strings.Contains(show, want) {
					t.Errorf("kb show %s lacks %q:\n%s", id, want, show)
				}
			}
		})
	}
}
