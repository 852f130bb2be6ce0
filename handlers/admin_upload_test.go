package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// fiveFiles is an upload of four good reports and a broken Word file.
var fiveFiles = []string{"jj-sfj-2021.txt", "bad-notzip.docx", "jj-sthjj-2021.txt", "fx-md-2023.md", "fx-table-2022.docx"}

// TestAdminUploadOneBrokenOfFive uploads five files, one broken, through
// the API: the preview names the broken file and why, the other four are
// split into sections and passages with keywords and can be saved.
func TestAdminUploadOneBrokenOfFive(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: uploadFiles(t, fiveFiles...)}, http.StatusOK)
	p := apiJSON[uploadPreview](t, rec)
	if len(p.Files) != 5 || p.ID == "" {
		t.Fatalf("preview %+v", p)
	}
	for _, f := range p.Files {
		if f.Name == "bad-notzip.docx" {
			if f.OK || f.Report != nil || !strings.Contains(f.Error, "bad-notzip.docx") || !strings.Contains(f.Error, "不是有效的 docx 文件") {
				t.Errorf("broken file: %+v", f)
			}
			continue
		}
		if !f.OK || f.Error != "" || f.Report == nil || len(f.Report.Passages) == 0 || len(f.Report.Sections) == 0 || f.Replaces {
			t.Errorf("%s: %+v", f.Name, f)
			continue
		}
		keywords := 0
		for _, ps := range f.Report.Passages {
			keywords += len(ps.Keywords)
		}
		if keywords == 0 {
			t.Errorf("%s: no keywords in the preview", f.Name)
		}
	}
	if ids := e.reportIDs(); !slices.Equal(ids, []string{liveReport}) {
		t.Fatalf("the preview saved something: %v", ids)
	}

	// Naming the broken file is refused, and saves nothing.
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token,
		json: previewSave{Files: []string{"jj-sfj-2021.txt", "bad-notzip.docx"}}}, http.StatusBadRequest)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "bad-notzip.docx") {
		t.Errorf("saving the broken file: %q", msg)
	}
	if ids := e.reportIDs(); len(ids) != 1 {
		t.Fatalf("a refused save saved %v", ids)
	}

	// Another account cannot see or save the preview.
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "uploads/" + p.ID, bearer: e.admin.token}, http.StatusNotFound)
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.admin.token, json: previewSave{}}, http.StatusNotFound)

	// Saving with no names saves the four good files.
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token, json: previewSave{}}, http.StatusOK)
	saved := apiJSON[map[string][]reportRow](t, rec)["saved"]
	if len(saved) != 4 {
		t.Errorf("saved %+v", saved)
	}
	want := []string{"fx-md-2023", "fx-table-2022", "jj-sfj-2021", "jj-sthjj-2020", "jj-sthjj-2021"}
	if ids := e.reportIDs(); !slices.Equal(ids, want) {
		t.Errorf("draft reports %v, want %v", ids, want)
	}
	// The preview is used up.
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "uploads/" + p.ID, bearer: e.staff.token}, http.StatusNotFound)

	rows := apiJSON[map[string][]reportRow](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "reports", bearer: e.staff.token}, http.StatusOK))["reports"]
	for _, r := range rows {
		if r.ID == "jj-sfj-2021" && (r.ImportedBy != staffName || r.Department != "江津区司法局" || r.Year != 2021 || r.Passages == 0 || r.Sections == 0) {
			t.Errorf("listed %+v", r)
		}
	}
}

// TestAdminUploadPages runs the same upload through the pages: upload,
// preview page, save the checked files, list.
func TestAdminUploadPages(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "uploads", as: s, multi: uploadFiles(t, fiveFiles...)}, http.StatusSeeOther)
	preview := rec.Header().Get("Location")
	if !strings.HasPrefix(preview, adminPrefix+"uploads/") {
		t.Fatalf("Location %q", preview)
	}
	page := e.mustDo(request{method: "GET", path: preview, as: s}, http.StatusOK).Body.String()
	for _, want := range []string{"共 5 个文件，其中 4 个解析成功", "bad-notzip.docx", "无法导入", "不是有效的 docx 文件",
		`value="jj-sfj-2021.txt" checked`, "江津区司法局", "关键词"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview page lacks %q", want)
		}
	}
	if strings.Contains(page, `value="bad-notzip.docx"`) {
		t.Error("the broken file can be checked")
	}

	// Nothing checked: the preview again, with the reason.
	rec = e.mustDo(request{method: "POST", path: preview, as: s, form: url.Values{}}, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "请至少勾选一个要保存的文件") {
		t.Errorf("empty save:\n%s", clip(rec.Body.String()))
	}
	rec = e.mustDo(request{method: "POST", path: preview, as: s, form: url.Values{"file": {"jj-sfj-2021.txt", "fx-md-2023.md"}}}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != adminPrefix+"reports?ok=imported" {
		t.Errorf("Location %q", loc)
	}
	if ids := e.reportIDs(); !slices.Equal(ids, []string{"fx-md-2023", "jj-sfj-2021", liveReport}) {
		t.Errorf("draft %v", ids)
	}
	list := e.mustDo(request{method: "GET", path: adminPrefix + "reports?ok=imported&dept=" + url.QueryEscape("江津区司法局"), as: s}, http.StatusOK).Body.String()
	if !strings.Contains(list, "报告已保存到草稿") || !strings.Contains(list, "jj-sfj-2021") || strings.Contains(list, ">"+liveReport+"<") {
		t.Errorf("filtered list:\n%s", clip(list))
	}
	detail := e.mustDo(request{method: "GET", path: adminPrefix + "reports/jj-sfj-2021", as: s}, http.StatusOK).Body.String()
	if !strings.Contains(detail, "章节结构") || !strings.Contains(detail, "/admin/reports/jj-sfj-2021/passages/0") {
		t.Errorf("report page:\n%s", clip(detail))
	}
	e.mustDo(request{method: "GET", path: preview, as: s}, http.StatusNotFound)
}

// TestAdminUploadSaveFailsMidway makes the store refuse the third of
// four reports (two passages with the same Seq): nothing of the batch
// appears, the staff member is told so, and the preview stays to retry.
func TestAdminUploadSaveFailsMidway(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) {
		o.Parse = func(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error) {
			r, err := testParse(ctx, name, data, st)
			if err == nil && name == "fx-md-2023.md" && len(r.Passages) > 1 {
				r.Passages[1].Seq = r.Passages[0].Seq
			}
			return r, err
		}
	}))
	before := e.reportIDs()
	beforeAudit := len(e.auditActions())
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token,
		multi: uploadFiles(t, "jj-sfj-2021.txt", "jj-sthjj-2021.txt", "fx-md-2023.md", "fx-table-2022.docx")}, http.StatusOK)
	p := apiJSON[uploadPreview](t, rec)
	if p.OKCount() != 4 {
		t.Fatalf("preview %+v", p)
	}
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token, json: previewSave{}}, http.StatusBadRequest)
	if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "未保存任何报告") {
		t.Errorf("error %q", msg)
	}
	if ids := e.reportIDs(); !slices.Equal(ids, before) {
		t.Errorf("half-imported: draft %v, was %v", ids, before)
	}
	if n := len(e.auditActions()); n != beforeAudit {
		t.Errorf("the failed save left %d audit entries", n-beforeAudit)
	}
	// The page shows the same, on the preview.
	s := e.sessionFor(e.staff)
	page := e.mustDo(request{method: "POST", path: adminPrefix + "uploads/" + p.ID, as: s, form: url.Values{"file": {"jj-sfj-2021.txt", "fx-md-2023.md"}}}, http.StatusBadRequest)
	if !strings.Contains(page.Body.String(), "未保存任何报告") || !strings.Contains(page.Body.String(), "保存到草稿") {
		t.Errorf("page:\n%s", clip(page.Body.String()))
	}
	// Without the bad report the rest saves.
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + p.ID + "/save", bearer: e.staff.token,
		json: previewSave{Files: []string{"jj-sfj-2021.txt", "jj-sthjj-2021.txt", "fx-table-2022.docx"}}}, http.StatusOK)
	if ids := e.reportIDs(); len(ids) != 4 {
		t.Errorf("draft %v", ids)
	}
}

func TestAdminUploadRejects(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	dup := uploadFiles(t, "jj-sfj-2021.txt")
	dup.files = append(dup.files, multipartFile{field: "files", name: `C:\报告\jj-sfj-2021.txt`, data: dup.files[0].data})
	existing := uploadFiles(t, liveReport+".txt")
	tests := []struct {
		name      string
		multi     *multipartBody
		body      string
		status    int
		wantError string // in the JSON error, or in a file's error
		replaces  bool
	}{
		{"no files", &multipartBody{fields: map[string]string{"x": "y"}}, "", 400, "请选择要上传的报告文件", false},
		{"not multipart", nil, "files=x", 400, "请选择要上传的报告文件", false},
		{"same report twice", dup, "", 200, "与同批文件 jj-sfj-2021.txt 相同", false},
		{"replaces a draft report", existing, "", 200, "", true},
		{"unknown format", &multipartBody{files: []multipartFile{{"files", "报告.pdf", []byte("%PDF-1.4")}}}, "", 200, "不支持的文件格式", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: tt.multi}
			if tt.body != "" {
				r.body, r.contentType = tt.body, "application/x-www-form-urlencoded"
			}
			rec := e.mustDo(r, tt.status)
			if tt.status != 200 {
				if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tt.wantError) {
					t.Errorf("error %q, want %q", msg, tt.wantError)
				}
				return
			}
			p := apiJSON[uploadPreview](t, rec)
			last := p.Files[len(p.Files)-1]
			if tt.wantError != "" && !strings.Contains(last.Error, tt.wantError) || tt.wantError == "" && !last.OK || last.Replaces != tt.replaces {
				t.Errorf("files %+v", p.Files)
			}
		})
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"a.txt": "a.txt", "dir/a.txt": "a.txt", `C:\x\报告.docx`: "报告.docx", " b.md ": "b.md", "dir/": "",
	} {
		if got := cleanFileName(in); got != want {
			t.Errorf("cleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSectionTree(t *testing.T) {
	ps := []passageView{
		{Seq: 0, Path: []string{}},
		{Seq: 1, Path: []string{"一、工作"}},
		{Seq: 2, Path: []string{"一、工作", "(一)执法"}},
		{Seq: 3, Path: []string{"一、工作", "(一)执法"}},
		{Seq: 4, Path: []string{"二、问题"}},
	}
	got := sectionTree(ps)
	var flat []string
	var walk func(nodes []*sectionNode, depth int)
	walk = func(nodes []*sectionNode, depth int) {
		for _, n := range nodes {
			flat = append(flat, strings.Repeat("-", depth)+n.Title+":"+fmt.Sprint(n.Passages))
			walk(n.Children, depth+1)
		}
	}
	walk(got, 0)
	want := []string{"（开头）:[0]", "一、工作:[1]", "-(一)执法:[2 3]", "二、问题:[4]"}
	if !slices.Equal(flat, want) {
		t.Errorf("tree %v, want %v", flat, want)
	}
}

// TestSectionTreeReadingOrder: a page shows passages in reading order,
// also when a section's own passage follows one of its subsections (第 0
// 段 before 第 1 段), and every section has an anchor for the contents.
func TestSectionTreeReadingOrder(t *testing.T) {
	ps := []passageView{
		{Seq: 0, Path: []string{"一、工作", "(一)执法"}},
		{Seq: 1, Path: []string{"一、工作"}},
		{Seq: 2, Path: []string{"一、工作", "(一)执法"}},
		{Seq: 3, Path: []string{"二、问题"}},
	}
	var order, anchors []string
	var walk func(nodes []*sectionNode)
	walk = func(nodes []*sectionNode) {
		for _, n := range nodes {
			anchors = append(anchors, n.Anchor+" "+n.Title)
			for _, e := range n.Entries {
				if e.Passage != nil {
					order = append(order, fmt.Sprint(e.Passage.Seq))
				} else {
					walk([]*sectionNode{e.Section})
				}
			}
		}
	}
	walk(sectionTree(ps))
	if want := []string{"0", "1", "2", "3"}; !slices.Equal(order, want) {
		t.Errorf("reading order %v, want %v", order, want)
	}
	if want := []string{"s1 一、工作", "s1-1 (一)执法", "s1-2 (一)执法", "s2 二、问题"}; !slices.Equal(anchors, want) {
		t.Errorf("anchors %v, want %v", anchors, want)
	}
}

// TestAdminBodyLimits: forms over 1 MiB and uploads over 32 MiB are 413s.
func TestAdminBodyLimits(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "terms/" + knowledge.DictFile, as: s,
		form: url.Values{"text": {strings.Repeat("词\n", maxFormBytes/4+1)}}}, http.StatusRequestEntityTooLarge)
	if !strings.Contains(rec.Body.String(), "请求体过大") {
		t.Errorf("form page:\n%s", clip(rec.Body.String()))
	}
	big := &multipartBody{files: []multipartFile{{"files", "big.txt", []byte(strings.Repeat("法", maxUploadBytes/3+1))}}}
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: big}, http.StatusRequestEntityTooLarge)
	e.mustDo(request{method: "POST", path: adminPrefix + "uploads", as: s, multi: big}, http.StatusRequestEntityTooLarge)
	e.mustDo(request{method: "PUT", path: adminAPIPrefix + "terms/" + knowledge.DictFile, bearer: e.staff.token,
		json: map[string]any{"text": strings.Repeat("词\n", maxFormBytes/4+1), "rev": 0}}, http.StatusRequestEntityTooLarge)
}

func TestPreviewStoreLimits(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	s := newPreviewStore(30*time.Minute, 4, 1<<30, func() time.Time { return now })
	add := func(id string, owner console.UserID) {
		now = now.Add(time.Minute)
		s.put(&uploadPreview{ID: id, Owner: owner, CreatedAt: now})
	}
	for i := range maxPreviewsPerAccount + 1 {
		add(fmt.Sprint("a", i), 1)
	}
	if _, ok := s.get("a0", 1); ok {
		t.Error("an account kept more than maxPreviewsPerAccount previews")
	}
	if _, ok := s.get("a1", 1); !ok {
		t.Error("a newer preview was dropped")
	}
	if _, ok := s.get("a1", 2); ok {
		t.Error("another account sees the preview")
	}
	add("b0", 2)
	add("b1", 2) // five in all: the oldest (a1) goes
	if _, ok := s.get("a1", 1); ok || len(s.items) != 4 {
		t.Errorf("store holds %d previews", len(s.items))
	}
	now = now.Add(31 * time.Minute)
	if _, ok := s.get("b0", 2); ok {
		t.Error("an expired preview was returned")
	}
}
