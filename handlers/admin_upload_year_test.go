package handlers

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// pageFile is a multipart file of knowledge/testdata/pages: fictional
// report pages copied without their title.
func pageFile(t testing.TB, name string) multipartFile {
	t.Helper()
	data, err := os.ReadFile("../knowledge/testdata/pages/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return multipartFile{field: "files", name: name, data: data}
}

// noYearFile names no year in its title, opening sentence or date.
const noYearFile = "opening-since.txt"

// draftReport returns the draft's summary of report id, failing t when
// the draft lacks it.
func (e *consoleEnv) draftReport(id string) (year int, dept string) {
	e.t.Helper()
	sums, err := e.db.ListReports(e.t.Context())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range sums {
		if string(s.ID) == id {
			return s.Year, s.Department
		}
	}
	e.t.Fatalf("the draft lacks %s", id)
	return 0, ""
}

// TestAdminUploadStatesYear: a file without a year is shown in the
// preview with fields to fill instead of an error; a bad value is refused
// naming the file and the field, and saves nothing; the stated year and
// department are previewed and saved.
func TestAdminUploadStatesYear(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	s := e.sessionFor(e.staff)
	body := &multipartBody{files: []multipartFile{pageFile(t, noYearFile), reportFile(t, "fx-md-2023.md")}}
	rec := e.mustDo(request{method: "POST", path: adminPrefix + "uploads", as: s, multi: body}, http.StatusSeeOther)
	preview := rec.Header().Get("Location")
	page := e.getPage(s, preview)
	for _, want := range []string{"请填写年度", "没有找到报告年度", `value="` + noYearFile + `" checked`,
		`name="meta_file" value="` + noYearFile + `"`, `name="meta_year"`, `name="meta_dept"`, `value="2023"`, "按填写内容重新预览"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview page lacks %q", want)
		}
	}
	if strings.Contains(page, "无法导入") {
		t.Error("the file without a year is shown as an error")
	}

	// The fields in page order: the file without a year, then fx-md-2023.md.
	form := func(year, dept string, extra url.Values) url.Values {
		v := url.Values{"meta_file": {noYearFile, "fx-md-2023.md"}, "meta_year": {year, "2023"}, "meta_dept": {dept, ""}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	refused := []struct {
		name, year, dept, want string
	}{
		{"year of two digits", "21", "", "文件 " + noYearFile + "：报告年度无效：年度应为四位数的年份"},
		{"year out of range", "1899", "", "报告年度无效：年度应为 1990 到 2100 之间"},
		{"department with punctuation", "2019", "区示例局；", "文件 " + noYearFile + "：部门名称无效"},
		{"no year stated", "", "区示例局", "文件 " + noYearFile + " 没有写明报告年度，请填写年度后再保存"},
	}
	for _, tt := range refused {
		rec := e.mustDo(request{method: "POST", path: preview, as: s, form: form(tt.year, tt.dept, url.Values{"file": {noYearFile}})}, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: page lacks %q:\n%s", tt.name, tt.want, clip(rec.Body.String()))
		}
	}
	if ids := e.reportIDs(); !slices.Equal(ids, []string{liveReport}) {
		t.Fatalf("a refused save saved something: %v", ids)
	}

	// Previewing with the fields filled shows the report as stated.
	rec = e.mustDo(request{method: "POST", path: preview, as: s, form: form("2019年", "区示例局", url.Values{"action": {"restate"}})}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != preview {
		t.Errorf("Location %q, want the preview", loc)
	}
	page = e.getPage(s, preview)
	for _, want := range []string{"共 2 个文件，其中 2 个解析成功", "江津区示例局，2019 年度", `value="2019"`} {
		if !strings.Contains(page, want) {
			t.Errorf("restated preview lacks %q", want)
		}
	}
	if ids := e.reportIDs(); !slices.Equal(ids, []string{liveReport}) {
		t.Fatalf("previewing saved something: %v", ids)
	}

	// Saving keeps what was stated; the other file keeps its own year.
	rec = e.mustDo(request{method: "POST", path: preview, as: s, form: form("2019", "区示例局", url.Values{"file": {noYearFile, "fx-md-2023.md"}})}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != adminPrefix+"reports?ok=imported" {
		t.Errorf("Location %q", loc)
	}
	if year, dept := e.draftReport("opening-since"); year != 2019 || dept != "江津区示例局" {
		t.Errorf("saved %d %q, want 2019 江津区示例局", year, dept)
	}
	if year, _ := e.draftReport("fx-md-2023"); year != 2023 {
		t.Errorf("fx-md-2023 saved with year %d", year)
	}
}

// TestAPIUploadStatesYear: through the API a file without a year is
// needs_year, saving it without meta is refused, meta with a bad value
// names the field, and meta with a year saves it; meta also overrides a
// file's own year.
func TestAPIUploadStatesYear(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t)
	body := &multipartBody{files: []multipartFile{pageFile(t, noYearFile), pageFile(t, "pubdate-early.txt")}}
	p := apiJSON[uploadPreview](t, e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: body}, http.StatusOK))
	if len(p.Files) != 2 || p.Files[0].OK || !p.Files[0].NeedsYear || p.Files[0].Report != nil || !p.Files[1].OK || p.Files[1].Report.Year != 2025 {
		t.Fatalf("preview %+v", p)
	}
	path := adminAPIPrefix + "uploads/" + p.ID + "/save"
	refused := []struct {
		name string
		req  previewSave
		want string
	}{
		{"without meta", previewSave{Files: []string{noYearFile}}, "没有写明报告年度"},
		{"bad year", previewSave{Files: []string{noYearFile}, Meta: map[string]previewMeta{noYearFile: {Year: 20}}}, "文件 " + noYearFile + "：报告年度无效"},
		{"bad department", previewSave{Meta: map[string]previewMeta{noYearFile: {Year: 2020, Department: "x"}}}, "部门名称无效"},
		{"unknown file", previewSave{Meta: map[string]previewMeta{"other.txt": {Year: 2020}}}, "本次上传中没有文件 other.txt"},
	}
	for _, tt := range refused {
		rec := e.mustDo(request{method: "POST", path: path, bearer: e.staff.token, json: tt.req}, http.StatusBadRequest)
		if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, tt.want) {
			t.Errorf("%s: error %q lacks %q", tt.name, msg, tt.want)
		}
	}
	if ids := e.reportIDs(); !slices.Equal(ids, []string{liveReport}) {
		t.Fatalf("a refused save saved something: %v", ids)
	}
	rec := e.mustDo(request{method: "POST", path: path, bearer: e.staff.token, json: previewSave{Meta: map[string]previewMeta{
		noYearFile:          {Year: 2020},
		"pubdate-early.txt": {Year: 2024, Department: "区另一局"},
	}}}, http.StatusOK)
	if saved := apiJSON[map[string][]reportRow](t, rec)["saved"]; len(saved) != 2 {
		t.Errorf("saved %+v", saved)
	}
	if year, _ := e.draftReport("opening-since"); year != 2020 {
		t.Errorf("opening-since saved with year %d, want 2020", year)
	}
	if year, dept := e.draftReport("pubdate-early"); year != 2024 || dept != "江津区另一局" {
		t.Errorf("pubdate-early saved as %d %q, want the stated 2024 江津区另一局", year, dept)
	}
}
