package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/storage/sqlite"
)

// logsEnv seeds a fresh database with the records and returns the
// environment of runs against it.
func logsEnv(t *testing.T, records ...console.LogRecord) func(string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fazhibot.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InsertLogs(t.Context(), records); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return testEnv(t, map[string]string{"FAZHIBOT_DATABASE_URL": "sqlite:" + path})
}

// cst returns a time in China Standard Time.
func cst(date string, hour int) time.Time {
	t, err := time.ParseInLocation("2006-01-02", date, console.LogZone())
	if err != nil {
		panic(err)
	}
	return t.Add(time.Duration(hour) * time.Hour)
}

// logFixture are the records the CLI tests list: each text is unique, and
// several start like spreadsheet formulas.
func logFixture() []console.LogRecord {
	rec := func(exchange string, at time.Time, text string, mods ...func(*console.LogRecord)) console.LogRecord {
		r := console.LogRecord{Time: at, Exchange: exchange, Channel: "wechat", User: "5f1d7a" + exchange,
			Kind: "text", Text: text, Intent: "answer", Question: true, Answered: true,
			Reply: "答复:" + text, Latency: 80 * time.Millisecond}
		for _, m := range mods {
			m(&r)
		}
		return r
	}
	unanswered := func(r *console.LogRecord) { r.Answered, r.Intent, r.Reason = false, "not_covered", "low_confidence" }
	feedback := func(f console.Feedback, refersTo string) func(*console.LogRecord) {
		return func(r *console.LogRecord) {
			r.Question, r.Answered, r.Intent, r.Gives, r.RefersTo = false, false, "feedback", f, refersTo
		}
	}
	return []console.LogRecord{
		rec("r1", cst("2026-01-05", 9), "社保怎么交", func(r *console.LogRecord) {
			r.Department = "江津区人力资源和社会保障局"
			r.Hits = []console.LogHit{{Report: "jj-rsj-2024", Seq: 1, Score: 5}}
		}),
		rec("f1", cst("2026-01-05", 10), "满意", feedback(console.FeedbackSatisfied, "r1")),
		rec("r2", cst("2026-01-10", 9), `=HYPERLINK("http://example.org")罚款`, unanswered, func(r *console.LogRecord) { r.Channel = "api" }),
		rec("r3", cst("2026-02-01", 9), "+行政复议多少件", func(r *console.LogRecord) {
			r.Department = "江津区司法局"
			r.Hits = []console.LogHit{{Report: "jj-sfj-2024", Seq: 3, Score: 7.25}, {Report: "jj-rsj-2024", Seq: 2, Score: 3}}
		}),
		rec("f2", cst("2026-02-01", 10), "不满意", feedback(console.FeedbackUnsatisfied, "r3")),
		rec("r4", cst("2026-02-02", 9), "-营业执照@哪里办", unanswered, func(r *console.LogRecord) { r.Department = "江津区市场监督管理局" }),
		rec("r5", cst("2026-02-03", 9), "@你好", func(r *console.LogRecord) {
			r.Question, r.Answered, r.Intent = false, false, "greeting"
		}),
	}
}

// fixtureUsers maps the exchanges of logFixture to their users as list
// shows them, unique per record.
func fixtureUsers() map[string]string {
	m := map[string]string{}
	for _, r := range logFixture() {
		m[r.Exchange] = shorten(r.User, 8)
	}
	return m
}

func runCLI(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return stdout.String() + stderr.String(), err
}

func TestLogsList(t *testing.T) {
	getenv := logsEnv(t, logFixture()...)
	users := fixtureUsers()
	all := []string{"r5", "r4", "f2", "r3", "r2", "f1", "r1"}
	tests := []struct {
		name string
		args []string
		want []string // exchanges listed, newest first
		more bool     // a note that more records exist
	}{
		{"everything", nil, all, false},
		{"from", []string{"--from", "2026-02-01"}, []string{"r5", "r4", "f2", "r3"}, false},
		{"to includes the day", []string{"--to", "2026-01-10"}, []string{"r2", "f1", "r1"}, false},
		{"range", []string{"--from", "2026-01-06", "--to", "2026-02-01"}, []string{"f2", "r3", "r2"}, false},
		{"answered", []string{"--answered"}, []string{"r3", "r1"}, false},
		{"unanswered", []string{"--unanswered"}, []string{"r4", "r2"}, false},
		{"satisfied", []string{"--feedback", "满意"}, []string{"r1"}, false},
		{"unsatisfied", []string{"--feedback", "不满意"}, []string{"r3"}, false},
		{"text", []string{"--q", "行政复议"}, []string{"r3"}, false},
		{"text with a formula sign", []string{"--q", "=hyperlink"}, []string{"r2"}, false},
		{"report of the best hit", []string{"--report", "jj-rsj-2024"}, []string{"r1"}, false},
		{"department", []string{"--dept", "江津区司法局"}, []string{"r3"}, false},
		{"channel", []string{"--channel", "api"}, []string{"r2"}, false},
		{"combined", []string{"--from", "2026-02-01", "--unanswered", "--dept", "江津区市场监督管理局"}, []string{"r4"}, false},
		{"limit", []string{"--limit", "2"}, []string{"r5", "r4"}, true},
		{"nothing", []string{"--q", "没有这句话"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, getenv, append([]string{"logs", "list"}, tt.args...)...)
			if err != nil {
				t.Fatalf("logs list %v: %v\n%s", tt.args, err, out)
			}
			var got []string
			lines := strings.Split(out, "\n")
			for _, line := range lines {
				for _, ex := range all {
					if strings.Contains(line, users[ex]) {
						got = append(got, ex)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("listed %v, want %v\n%s", got, tt.want, out)
			}
			if len(tt.want) == 0 && !strings.Contains(out, "没有符合条件的记录") {
				t.Errorf("no note about the empty result:\n%s", out)
			}
			if more := strings.Contains(out, "还有更早的记录"); more != tt.more {
				t.Errorf("note about more records: %v, want %v\n%s", more, tt.more, out)
			}
		})
	}

	// The table speaks Chinese.
	out, _ := runCLI(t, getenv, "logs", "list", "--q", "行政复议")
	for _, want := range []string{"编号", "时间", "2026-02-01 09:00:00", "微信", "已回答", "不满意", "jj-sfj-2024#3", "80ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	out, _ = runCLI(t, getenv, "logs", "list", "--unanswered", "--channel", "api")
	if !strings.Contains(out, "未回答（匹配度低）") || !strings.Contains(out, "接口") {
		t.Errorf("list of an unanswered API question:\n%s", out)
	}
}

func TestLogsErrors(t *testing.T) {
	getenv := logsEnv(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"logs"}, "用法"},
		{[]string{"logs", "show"}, "用法"},
		{[]string{"logs", "list", "--feedback", "一般"}, "--feedback 应为 满意 或 不满意"},
		{[]string{"logs", "list", "--from", "2026-13-01"}, `--from 的日期 "2026-13-01" 无效`},
		{[]string{"logs", "list", "--from", "2026-02-01", "--to", "2026-01-01"}, "晚于"},
		{[]string{"logs", "list", "--answered", "--unanswered"}, "不能同时使用"},
		{[]string{"logs", "list", "--limit", "0"}, "--limit 应在 1 到 1000 之间"},
		{[]string{"logs", "list", "多余"}, "多余的参数"},
		{[]string{"logs", "export", "--limit", "-1"}, "--limit 不能为负数"},
		{[]string{"logs", "purge", "--days", "3", "--before", "2026-01-01"}, "不能同时使用"},
		{[]string{"logs", "purge", "--before", "昨天"}, "无效"},
	}
	for _, tt := range tests {
		out, err := runCLI(t, getenv, tt.args...)
		if err == nil {
			t.Errorf("%v succeeded, want an error", tt.args)
			continue
		}
		if msg := err.Error() + out; !strings.Contains(msg, tt.want) {
			t.Errorf("%v: error %q / output %q lacks %q", tt.args, err, out, tt.want)
		}
	}
	kept := testEnv(t, map[string]string{"FAZHIBOT_LOGS_RETENTION_DAYS": "0"})
	if _, err := runCLI(t, kept, "logs", "purge"); err == nil || !strings.Contains(err.Error(), "永久保留") {
		t.Errorf("purge with retention 0: %v, want an error about keeping forever", err)
	}
}

// readCSV checks the BOM and returns the rows of an export.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("export does not start with the UTF-8 BOM: %q", data[:min(len(data), 10)])
	}
	rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	return rows
}

func TestLogsExport(t *testing.T) {
	getenv := logsEnv(t, logFixture()...)
	path := filepath.Join(t.TempDir(), "日志.csv")
	out, err := runCLI(t, getenv, "logs", "export", "--from", "2026-01-06", "-o", path)
	if err != nil {
		t.Fatalf("logs export: %v\n%s", err, out)
	}
	if !strings.Contains(out, "已导出 5 条记录到 "+path) {
		t.Errorf("export says %q", out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("export lines do not end with CRLF")
	}
	rows := readCSV(t, data)
	if len(rows) != 6 {
		t.Fatalf("%d rows, want the header and 5 records:\n%s", len(rows), data)
	}
	header := rows[0]
	col := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, header)
		}
		return i
	}
	exchange := col("交互编号")
	byExchange := map[string][]string{}
	for _, row := range rows[1:] {
		if len(row) != len(header) {
			t.Fatalf("row of %d cells, header of %d", len(row), len(header))
		}
		byExchange[row[exchange]] = row
	}
	tests := []struct {
		exchange, column, want string
	}{
		{"r2", "消息内容", `'=HYPERLINK("http://example.org")罚款`},
		{"r3", "消息内容", "'+行政复议多少件"},
		{"r4", "消息内容", "'-营业执照@哪里办"},
		{"r5", "消息内容", "'@你好"},
		{"r3", "回复内容", "答复:+行政复议多少件"},
		{"r3", "时间", "2026-02-01 09:00:00"},
		{"r3", "部门", "江津区司法局"},
		{"r3", "是否回答", "是"},
		{"r3", "收到的评价", "不满意"},
		{"r3", "评价时间", "2026-02-01 10:00:00"},
		{"r3", "命中段落(报告#段落:得分)", "jj-sfj-2024#3:7.250;jj-rsj-2024#2:3.000"},
		{"r3", "耗时(毫秒)", "80"},
		{"r2", "渠道", "接口"},
		{"r2", "未回答原因", "匹配度低"},
		{"f2", "本条给出的评价", "不满意"},
		{"f2", "所评价的交互", "r3"},
		{"f2", "意图", "评价"},
		{"r4", "OpenID", ""},
	}
	for _, tt := range tests {
		row := byExchange[tt.exchange]
		if row == nil {
			t.Errorf("no row of %s", tt.exchange)
			continue
		}
		if got := row[col(tt.column)]; got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.exchange, tt.column, got, tt.want)
		}
	}

	// To standard output, with filters and a limit.
	out, err = runCLI(t, getenv, "logs", "export", "--unanswered", "--limit", "1")
	if err != nil {
		t.Fatal(err)
	}
	rows = readCSV(t, []byte(out))
	if len(rows) != 2 || rows[1][col("交互编号")] != "r4" {
		t.Errorf("export to stdout: %v", rows)
	}
}

func TestLogsPurge(t *testing.T) {
	now := time.Now()
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	var records []console.LogRecord
	for i, days := range []int{400, 200, 31, 10, 0} {
		records = append(records, console.LogRecord{Time: ago(days), Exchange: "p" + string(rune('a'+i)), Text: "问题", Question: true})
	}
	getenv := logsEnv(t, records...)
	count := func() int {
		out, err := runCLI(t, getenv, "logs", "export")
		if err != nil {
			t.Fatal(err)
		}
		return len(readCSV(t, []byte(out))) - 1
	}
	tests := []struct {
		args    []string
		deleted int
		left    int
	}{
		{[]string{"--before", ago(300).Format("2006-01-02")}, 1, 4},
		{nil, 1, 3}, // logs.retention_days: 180
		{[]string{"--days", "30"}, 1, 2},
		{[]string{"--days", "30"}, 0, 2},
		{[]string{"--days", "0"}, 1, 1},
	}
	for _, tt := range tests {
		out, err := runCLI(t, getenv, append([]string{"logs", "purge"}, tt.args...)...)
		if err != nil {
			t.Fatalf("logs purge %v: %v\n%s", tt.args, err, out)
		}
		if want := " 之前的 " + strconv.Itoa(tt.deleted) + " 条问答记录"; !strings.Contains(out, want) {
			t.Errorf("purge %v says %q, want %q", tt.args, out, want)
		}
		if n := count(); n != tt.left {
			t.Errorf("after purge %v: %d records, want %d", tt.args, n, tt.left)
		}
	}
}
