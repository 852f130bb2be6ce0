package logexport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"fazhibot/console"
)

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(1)", "'@SUM(1)"},
		{"\t=1", "'\t=1"},
		{"生态环境局2020年罚款多少", "生态环境局2020年罚款多少"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	records := []console.LogRecord{
		{ID: 1, Channel: "wechat", Kind: "text", Text: "=1+1", Answered: true},
		{ID: 2, Channel: "api", Kind: "text", Text: "江津明天天气怎么样"},
	}
	each := func(fn func(console.LogRecord) error) error {
		for _, r := range records {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	n, err := WriteCSV(&buf, each, func(r console.LogRecord) bool { return r.ID != 99 })
	if err != nil || n != 2 {
		t.Fatalf("WriteCSV = %d, %v", n, err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, BOM) || !strings.Contains(out, "\r\n") {
		t.Fatalf("no BOM or CRLF: %q", out[:20])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "编号" || rows[1][2] != "微信" || rows[1][6] != "'=1+1" || rows[2][6] != "江津明天天气怎么样" || rows[1][14] != "是" {
		t.Errorf("rows %q", rows)
	}
	failing := func(fn func(console.LogRecord) error) error { return errors.New("db down") }
	if _, err := WriteCSV(&bytes.Buffer{}, failing, nil); err == nil {
		t.Error("an error of each was not returned")
	}
}
