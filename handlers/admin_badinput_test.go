package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

// testDatabases are the databases the console tests that depend on the
// store run on.
var testDatabases = []struct {
	name string
	open func(t *testing.T) *sqldb.DB
}{
	{"sqlite", openTestDB},
	{"postgres", openPostgres},
}

// TestAdminBadBytes sends NUL bytes and invalid UTF-8 in report and FAQ
// IDs and in the query-log filters, on both databases: each is a 400
// saying what held the bad bytes, never a 500.
func TestAdminBadBytes(t *testing.T) {
	t.Parallel()
	const a, p = adminAPIPrefix, adminPrefix
	tests := []struct {
		method, path string
		want         string // in the message
	}{
		{"GET", a + "reports/%00", "报告编号"},
		{"GET", a + "reports/%FF%FE", "报告编号"},
		{"GET", a + "reports/jj%C3", "报告编号"},
		{"DELETE", a + "reports/a%00b", "报告编号"},
		{"GET", a + "reports/%FF/passages/1", "报告编号"},
		{"PUT", a + "reports/%00/passages/1", "报告编号"},
		{"GET", a + "faq/%00", "FAQ 编号"},
		{"PUT", a + "faq/%FF", "FAQ 编号"},
		{"DELETE", a + "faq/%FF%FE", "FAQ 编号"},
		{"GET", a + "logs?report=%00", "报告编号"},
		{"GET", a + "logs?report=%FF%FE", "报告编号"},
		{"GET", a + "logs?dept=%00", "部门"},
		{"GET", a + "logs?channel=%FF", "渠道"},
		{"GET", a + "logs?user=%00", "用户"},
		{"GET", a + "logs?q=%00", "搜索文字"},
		{"GET", a + "logs/export.csv?report=%00", "报告编号"},
		{"GET", p + "reports/%00", "报告编号"},
		{"POST", p + "reports/%FF/delete", "报告编号"},
		{"GET", p + "reports/%00/passages/1", "报告编号"},
		{"GET", p + "faq/%00", "FAQ 编号"},
		{"GET", p + "logs/list?report=%00", "报告编号"},
		{"GET", p + "logs/export.csv?dept=%FF", "部门"},
	}
	for _, db := range testDatabases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			e := newConsoleEnv(t, withDB(db.open(t)))
			s := e.sessionFor(e.admin)
			for _, tt := range tests {
				r := request{method: tt.method, path: tt.path}
				switch {
				case strings.HasPrefix(tt.path, a):
					r.bearer = e.admin.token
					if tt.method == "PUT" {
						r.json = map[string]any{"text": "正文", "rev": 0}
						if strings.Contains(tt.path, "faq") {
							r.json = map[string]any{"questions": []string{"问"}, "answer": "答", "rev": 0}
						}
					}
				default:
					r.as = s
					if tt.method == "POST" {
						r.form = url.Values{}
					}
				}
				rec := e.do(r)
				if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(body, tt.want) || !strings.Contains(body, "无效字符") {
					t.Errorf("%s %s = %d, want 400 naming %s:\n%s", tt.method, tt.path, rec.Code, tt.want, clip(body))
				}
			}
			if ids := e.reportIDs(); !slices.Equal(ids, []string{liveReport}) {
				t.Errorf("draft reports after the refused requests: %v", ids)
			}
		})
	}
}

// TestAdminUploadReportIDs uploads reports whose file names make invalid
// IDs, on both databases: each is refused by name with the rule, and
// nothing of them can be saved; a valid name next to them saves.
func TestAdminUploadReportIDs(t *testing.T) {
	t.Parallel()
	bad := []string{"..txt", ".hidden.txt", "\xff\xfe.txt", "a%b.txt", "报告 (1).txt", strings.Repeat("a", 3000) + ".txt",
		strings.Repeat("法", knowledge.MaxReportIDRunes+1) + ".txt"}
	for _, db := range testDatabases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			e := newConsoleEnv(t, withDB(db.open(t)))
			good := reportFile(t, "jj-sfj-2021.txt")
			body := &multipartBody{files: []multipartFile{good}}
			for _, name := range bad {
				body.files = append(body.files, multipartFile{"files", name, good.data})
			}
			rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: body}, http.StatusOK)
			p := apiJSON[uploadPreview](t, rec)
			if len(p.Files) != len(bad)+1 || !p.Files[0].OK {
				t.Fatalf("preview %+v", p)
			}
			for _, f := range p.Files[1:] {
				if f.OK || !strings.HasPrefix(f.Error, f.Name+": 报告编号无效") || !strings.Contains(f.Error, "改名") {
					t.Errorf("file %q: OK %v, error %q; want the ID refused by name", f.Name, f.OK, f.Error)
				}
			}
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token,
				json: previewSave{Files: []string{p.Files[1].Name}}}, http.StatusBadRequest)
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token,
				json: previewSave{}}, http.StatusOK)
			if ids := e.reportIDs(); !slices.Equal(ids, []string{"jj-sfj-2021", liveReport}) {
				t.Errorf("draft reports: %v", ids)
			}
		})
	}
}

// TestAdminTermFormNeedsRevAndText: a term-list form without its text or
// revision is refused and leaves the list alone; so is an API save
// without text. A complete form saves.
func TestAdminTermFormNeedsRevAndText(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)
	path := adminPrefix + "terms/" + knowledge.DictFile
	before, err := e.db.TermFile(t.Context(), knowledge.DictFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(before.Text) == "" {
		t.Fatal("the seeded list is empty; the test needs one with words")
	}
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no rev", url.Values{"text": {""}}, "修订号"},
		{"no text", url.Values{"rev": {"0"}}, "词表内容"},
		{"neither", url.Values{}, "修订号"},
		{"rev not a number", url.Values{"rev": {"abc"}, "text": {""}}, "非负整数"},
		{"negative rev", url.Values{"rev": {"-1"}, "text": {""}}, "非负整数"},
		{"two revs", url.Values{"rev": {"0", "0"}, "text": {""}}, "修订号"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.mustDo(request{method: "POST", path: path, as: s, form: tt.form}, http.StatusBadRequest)
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("page lacks %q:\n%s", tt.want, clip(rec.Body.String()))
			}
			if after, err := e.db.TermFile(t.Context(), knowledge.DictFile); err != nil || after.Text != before.Text || after.Rev != before.Rev {
				t.Errorf("the list changed: rev %d → %d", before.Rev, after.Rev)
			}
		})
	}
	rec := e.mustDo(request{method: "PUT", path: adminAPIPrefix + "terms/" + knowledge.DictFile, bearer: e.staff.token,
		json: map[string]any{"rev": before.Rev}}, http.StatusBadRequest)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "text") {
		t.Errorf("API save without text: %q", msg)
	}
	if after, _ := e.db.TermFile(t.Context(), knowledge.DictFile); after.Rev != before.Rev {
		t.Errorf("the API changed the list")
	}
	e.mustDo(request{method: "POST", path: path, as: s, form: url.Values{"rev": {fmt.Sprint(before.Rev)}, "text": {before.Text + "新词语\n"}}}, http.StatusSeeOther)
	if after, _ := e.db.TermFile(t.Context(), knowledge.DictFile); !strings.Contains(after.Text, "新词语") {
		t.Errorf("a complete form did not save: %q", clip(after.Text))
	}
}
