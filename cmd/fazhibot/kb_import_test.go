package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKBImportChecksIDsAndLimits imports through the CLI: report IDs from
// file names and from --id follow knowledge.CheckReportID, and the report
// limits of the configuration apply; a refused import imports nothing.
func TestKBImportChecksIDsAndLimits(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../knowledge/testdata/reports/jj-sfj-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fileOf := func(name string, content []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	file := func(name string) string { return fileOf(name, data) }
	good := file("jj-sfj-2021.txt")
	// A report far longer than the bundled one, which is seeded under the
	// same limits.
	long := fileOf("long-2021.txt", bytes.Repeat(data, 60))
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // in the error; "" for success, then the ID in stdout
	}{
		{name: "ID from a dot name", args: []string{file("..txt")}, want: "报告编号无效"},
		{name: "ID from a name with a space", args: []string{file("报告 2021.txt")}, want: "用 --id 指定"},
		{name: "ID from a long name", args: []string{file(strings.Repeat("a", 200) + ".txt")}, want: "最长 64 个"},
		{name: "bad --id", args: []string{"--id", "../x", good}, want: "--id: 报告编号无效"},
		{name: "long --id", args: []string{"--id", strings.Repeat("法", 65), good}, want: "--id: 报告编号无效"},
		{name: "--id rescues a bad name", args: []string{"--id", "jj-sfj-2021b", file("报告 (1).txt")}, want: ""},
		{name: "configured passage limit", env: map[string]string{"FAZHIBOT_KNOWLEDGE_MAX_REPORT_PASSAGES": "500"}, args: []string{good, long}, want: "long-2021.txt: 段落过多：超过 500 段的上限"},
		{name: "configured character limit", env: map[string]string{"FAZHIBOT_KNOWLEDGE_MAX_REPORT_CHARS": "50000"}, args: []string{long}, want: "long-2021.txt: 文字过多：正文超过 50000 字的上限"},
		{name: "configured size limit", env: map[string]string{"FAZHIBOT_KNOWLEDGE_MAX_REPORT_MB": "1"}, args: []string{fileOf("big-2021.txt", bytes.Repeat(data, 1+(1<<20)/len(data)))}, want: "big-2021.txt: 文件内容过大：文件超过 1 MB 的上限"},
		{name: "within the default limits", args: []string{long}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"kb", "import"}, tt.args...), testEnv(t, tt.env), strings.NewReader(""), &stdout, &stderr)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("import failed: %v\n%s", err, stderr.String())
			case tt.want == "":
				if !strings.Contains(stdout.String(), "已导入") {
					t.Errorf("stdout %q", stdout.String())
				}
			case err == nil:
				t.Fatalf("import succeeded, want an error with %q", tt.want)
			case !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "未导入任何报告"):
				t.Errorf("error %q lacks %q or says something was imported", err, tt.want)
			}
		})
	}
}
