package handlers

import (
	"context"
	"errors"
	"fazhibot/accounts"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
)

const (
	// maxUploadBytes bounds an upload request; maxUploadFiles and
	// maxReportBytes bound its files.
	maxUploadBytes = 32 << 20
	maxUploadFiles = 20
	maxReportBytes = 10 << 20
	// previewTTL is how long an upload's preview waits to be saved;
	// maxPreviews bounds the previews kept at once and
	// maxPreviewsPerAccount those of one account (the oldest go first).
	previewTTL            = 30 * time.Minute
	maxPreviews           = 20
	maxPreviewsPerAccount = 3
)

// The defaults of ConsoleOptions.UploadTimeout and MaxPreviewBytes.
const (
	// DefaultUploadTimeout leaves a 15 s HTTP write timeout 5 s to render
	// the answer.
	DefaultUploadTimeout   = 10 * time.Second
	DefaultMaxPreviewBytes = 128 << 20
)

// uploadPreview is an upload's parsed files, kept in this instance's
// memory until saved or expired. It is not changed once stored.
type uploadPreview struct {
	ID        string         `json:"id"`
	Owner     console.UserID `json:"-"`
	CreatedAt time.Time      `json:"created_at"`
	Files     []previewFile  `json:"files"`
}

// previewFile is one uploaded file: its report, or why it cannot be saved.
type previewFile struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// NeedsYear reports a file that parses but names no year (a page
	// copied without its title): OK is false and Error says so until staff
	// state the year (the preview's year field, or meta when saving).
	NeedsYear bool `json:"needs_year,omitempty"`
	// Replaces reports that the draft holds a report with the same ID,
	// which saving replaces.
	Replaces bool        `json:"replaces"`
	Report   *reportView `json:"report,omitempty"`

	report *knowledge.Report // what saving stores
	// data is the file, kept (for OK and NeedsYear files) to parse it
	// again with the year and department staff state.
	data []byte
	size int64 // estimated bytes held by report, Report and data
}

// size estimates the bytes p holds.
func (p *uploadPreview) size() int64 {
	n := int64(256)
	for _, f := range p.Files {
		n += 256 + int64(len(f.Name)+len(f.Error)) + f.size
	}
	return n
}

// reportSize estimates the bytes a parsed report and its preview view
// hold: the texts (shared by both), and per passage the two structs, the
// section tree's share and the string headers of its lists.
func reportSize(r *knowledge.Report) int64 {
	const perPassage, perString = 512, 16
	n := int64(1024 + len(r.Title) + len(r.Department) + len(r.SourceURL) + len(r.DocNumber))
	for _, p := range r.Passages {
		n += perPassage + int64(len(p.Text))
		for _, s := range p.Path {
			n += 2*perString + int64(len(s))
		}
		for _, s := range p.Keywords {
			n += 2*perString + int64(len(s))
		}
	}
	return n
}

// Restatable reports whether some file can be saved, now or once staff
// state its year: the page then offers the fields and the save button.
func (p *uploadPreview) Restatable() bool {
	return slices.ContainsFunc(p.Files, func(f previewFile) bool { return f.OK || f.NeedsYear })
}

// OKCount counts the files that can be saved.
func (p *uploadPreview) OKCount() int {
	n := 0
	for _, f := range p.Files {
		if f.OK {
			n++
		}
	}
	return n
}

// previewStore keeps upload previews in memory, at most max of them and
// about maxBytes in all (as uploadPreview.size estimates): per instance,
// so with several instances the preview must be saved on the one that
// made it. A preview is released when it is saved, discarded, expired or
// pushed out by newer ones. It is safe for concurrent use.
type previewStore struct {
	ttl      time.Duration
	max      int
	maxBytes int64
	now      func() time.Time

	mu    sync.Mutex
	items map[string]*uploadPreview
	bytes int64 // the sum of the items' sizes
}

func newPreviewStore(ttl time.Duration, max int, maxBytes int64, now func() time.Time) *previewStore {
	return &previewStore{ttl: ttl, max: max, maxBytes: maxBytes, now: now, items: map[string]*uploadPreview{}}
}

// put stores p, dropping expired previews and, beyond the limits, the
// oldest ones of p's owner, then the oldest of all. A p larger than
// maxBytes on its own is kept alone.
func (s *previewStore) put(p *uploadPreview) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	owned := 0
	for id, it := range s.items {
		if now.Sub(it.CreatedAt) > s.ttl {
			s.delete(id)
		} else if it.Owner == p.Owner {
			owned++
		}
	}
	for ; owned >= maxPreviewsPerAccount; owned-- {
		s.dropOldest(func(it *uploadPreview) bool { return it.Owner == p.Owner })
	}
	size := p.size()
	for len(s.items) > 0 && (len(s.items) >= s.max || s.bytes+size > s.maxBytes) {
		s.dropOldest(func(*uploadPreview) bool { return true })
	}
	s.items[p.ID] = p
	s.bytes += size
}

// dropOldest deletes the oldest preview that match accepts.
func (s *previewStore) dropOldest(match func(*uploadPreview) bool) {
	var oldest *uploadPreview
	for _, it := range s.items {
		if match(it) && (oldest == nil || it.CreatedAt.Before(oldest.CreatedAt)) {
			oldest = it
		}
	}
	if oldest != nil {
		s.delete(oldest.ID)
	}
}

// delete removes preview id and its size; s.mu is held.
func (s *previewStore) delete(id string) {
	if p, ok := s.items[id]; ok {
		s.bytes -= p.size()
		delete(s.items, id)
	}
}

// replace stores p in place of the preview with its ID and owner, and
// reports whether that preview was still there (else p is not stored).
func (s *previewStore) replace(p *uploadPreview) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.items[p.ID]
	if !ok || old.Owner != p.Owner {
		return false
	}
	s.bytes += p.size() - old.size()
	s.items[p.ID] = p
	return true
}

// usage returns the number of previews kept and their estimated bytes.
func (s *previewStore) usage() (int, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items), s.bytes
}

// get returns owner's preview id, if it has not expired.
func (s *previewStore) get(id string, owner console.UserID) (*uploadPreview, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.items[id]
	if !ok || p.Owner != owner || s.now().Sub(p.CreatedAt) > s.ttl {
		return nil, false
	}
	return p, true
}

// remove releases preview id, if owner's; it reports whether there was one.
func (s *previewStore) remove(id string, owner console.UserID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.items[id]
	if !ok || p.Owner != owner {
		return false
	}
	s.delete(id)
	return true
}

// errPreviewGone answers a preview that expired or belongs to someone else.
func errPreviewGone() error {
	return errPageNotFound("预览已过期或不存在（预览在服务器上保留 30 分钟），请重新上传文件。", nil)
}

// upload parses the files of a multipart request (field "files") and
// stores their preview. A file that does not parse is reported by name;
// the others can still be saved. Receiving and parsing take at most
// c.uploadTimeout from the call: files not parsed by then are reported as
// timed out, so that the answer is always written before the server's
// write timeout. One upload keeps at most c.maxPreviewBytes of parsed
// reports; the files beyond are reported as too much for one upload.
func (c *consoleServer) upload(ctx context.Context, a *actor, r *http.Request) (*uploadPreview, error) {
	ctx, cancel := context.WithTimeout(ctx, c.uploadTimeout)
	defer cancel()
	if err := parseForm(r); err != nil {
		return nil, err
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["files"]
	}
	switch {
	case len(files) == 0:
		return nil, errInvalidRequest("请选择要上传的报告文件（表单字段 files）", nil)
	case len(files) > maxUploadFiles:
		return nil, errInvalidRequest(fmt.Sprintf("一次最多上传 %d 个文件", maxUploadFiles), nil)
	}
	sums, err := c.db.ListReports(ctx)
	if err != nil {
		return nil, err
	}
	p := &uploadPreview{ID: accounts.RandomSecret(16), Owner: a.user.ID, CreatedAt: time.Now()}
	for _, fh := range files {
		p.Files = append(p.Files, c.admit(c.parseUpload(ctx, fh), p.Files, sums))
	}
	c.previews.put(p)
	return p, nil
}

// admit checks the parsed file f against the other files of its upload
// before it is kept: the preview memory one upload may hold, and a report
// ID another file already has, either of which makes it an error; and
// whether saving it replaces a report of the draft (sums).
func (c *consoleServer) admit(f previewFile, others []previewFile, sums []console.ReportSummary) previewFile {
	var kept int64
	for _, o := range others {
		if o.OK || o.NeedsYear {
			kept += o.size
		}
	}
	if (f.OK || f.NeedsYear) && kept+f.size > c.maxPreviewBytes {
		return previewFile{Name: f.Name, Error: fmt.Sprintf("%s: 本次上传的报告内容过多（解析后超过 %s 的预览上限），此文件未处理，请分批上传", f.Name, sizeMB(c.maxPreviewBytes))}
	}
	if !f.OK {
		return f
	}
	id := f.report.ID
	for _, o := range others {
		if o.OK && o.report.ID == id {
			return previewFile{Name: f.Name, Error: fmt.Sprintf("%s: 报告编号 %s 与同批文件 %s 相同，请改名后单独上传", f.Name, id, o.Name)}
		}
	}
	f.Replaces = slices.ContainsFunc(sums, func(s console.ReportSummary) bool { return s.ID == id })
	return f
}

// restate parses again the files of preview id for which staff stated a
// year or department (stated, by file name) that differs from what the
// preview shows, and keeps the new preview in place of the old. A stated
// value that is invalid, or a file the preview lacks or cannot take
// values (it failed to parse), is a 400 naming the file and the field,
// and changes nothing. Parsing takes at most c.uploadTimeout in all.
func (c *consoleServer) restate(ctx context.Context, a *actor, id string, stated map[string]knowledge.Stated) (*uploadPreview, error) {
	p, ok := c.previews.get(id, a.user.ID)
	if !ok {
		return nil, errPreviewGone()
	}
	changed := map[int]knowledge.Stated{}
	for name, st := range stated {
		i := slices.IndexFunc(p.Files, func(f previewFile) bool { return f.Name == name })
		if i < 0 {
			return nil, errInvalidRequest("本次上传中没有文件 "+name, nil)
		}
		f := p.Files[i]
		if err := st.Check(); err != nil {
			return nil, errInvalidRequest(fmt.Sprintf("文件 %s：%v", name, err), err)
		}
		if f.data == nil {
			if st.IsZero() {
				continue
			}
			return nil, errInvalidRequest("文件 "+name+" 有错误，不能填写年度和部门："+f.Error, nil)
		}
		if f.OK && (st.Year == 0 || st.Year == f.report.Year) && (strings.TrimSpace(st.Department) == "" || strings.TrimSpace(st.Department) == f.report.Department) {
			continue // as the preview shows it
		}
		if f.NeedsYear && st.Year == 0 {
			continue // still to be stated
		}
		changed[i] = st
	}
	if len(changed) == 0 {
		return p, nil
	}
	sums, err := c.db.ListReports(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.uploadTimeout)
	defer cancel()
	next := *p
	next.Files = slices.Clone(p.Files)
	for i, st := range changed {
		f := c.parseFile(ctx, next.Files[i].Name, next.Files[i].data, st)
		others := slices.Delete(slices.Clone(next.Files), i, i+1)
		next.Files[i] = c.admit(f, others, sums)
	}
	if !c.previews.replace(&next) {
		return nil, errPreviewGone()
	}
	return &next, nil
}

// sizeMB renders a byte count in MB for staff.
func sizeMB(n int64) string {
	return fmt.Sprintf("%d MB", (n+(1<<20)-1)>>20)
}

// parseUpload reads and parses one uploaded file, giving up when ctx ends.
func (c *consoleServer) parseUpload(ctx context.Context, fh *multipart.FileHeader) previewFile {
	f := previewFile{Name: cleanFileName(fh.Filename)}
	if f.Name == "" {
		f.Name = "（无文件名）"
		f.Error = "文件没有文件名，无法判断格式"
		return f
	}
	if fh.Size > maxReportBytes {
		f.Error = fmt.Sprintf("%s: 文件过大，最大 %d MB", f.Name, maxReportBytes>>20)
		return f
	}
	if ctx.Err() != nil {
		return c.timedOut(f.Name)
	}
	data, err := readUpload(fh)
	if err != nil {
		c.log.Error("reading an uploaded file failed", "err", err)
		f.Error = f.Name + ": 读取上传的文件失败，请重试"
		return f
	}
	return c.parseFile(ctx, f.Name, data, knowledge.Stated{})
}

// timedOut is the preview of file name when its parsing overran the upload's time.
func (c *consoleServer) timedOut(name string) previewFile {
	return previewFile{Name: name, Error: fmt.Sprintf("%s: 解析超时（本次上传的处理时间超过 %s），文件内容可能过多或过于复杂。请检查文件，或拆分后分批上传", name, secondsText(c.uploadTimeout))}
}

// parseFile parses the file name holding data, with what staff stated
// about it, into its preview, giving up when ctx ends. A file that names
// no year is NeedsYear; it and a parsed file keep data.
func (c *consoleServer) parseFile(ctx context.Context, name string, data []byte, st knowledge.Stated) previewFile {
	f := previewFile{Name: name}
	// Parse runs aside so that the answer does not wait for a parser that
	// overruns ctx; the parser stops on its own at ctx's end or its limits.
	type result struct {
		rep *knowledge.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := c.parse(ctx, f.Name, data, st)
		done <- result{rep, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return c.timedOut(name)
	}
	rep, err := res.rep, res.err
	if errors.Is(err, knowledge.ErrCanceled) {
		return c.timedOut(name)
	}
	if errors.Is(err, knowledge.ErrNoYear) {
		f.NeedsYear, f.data, f.size = true, data, 512+int64(len(data))
		f.Error = f.Name + ": 没有找到报告年度（标题、正文开头和发布日期都没有写明），请填写年度（需要时也填写部门）后再保存。"
		return f
	}
	if err != nil {
		if _, ok := errors.AsType[*knowledge.ParseError](err); ok {
			f.Error = err.Error()
			if !strings.Contains(f.Error, f.Name) {
				f.Error = f.Name + ": " + f.Error
			}
		} else {
			c.log.Error("parsing an uploaded report failed", "err", err)
			f.Error = f.Name + ": 解析时服务器出错，请稍后重试"
		}
		return f
	}
	if err := knowledge.CheckReportID(rep.ID); err != nil {
		f.Error = fmt.Sprintf("%s: %v（报告编号取自文件名去掉扩展名，请把文件改名后重新上传）", f.Name, err)
		return f
	}
	views := make([]passageView, len(rep.Passages))
	for i, ps := range rep.Passages {
		views[i] = passageView{Seq: ps.Seq, Path: nonNil(ps.Path), Text: ps.Text, Keywords: nonNil(ps.Keywords)}
	}
	v := reportViewOf(rep, views)
	f.OK, f.Report, f.report, f.data, f.size = true, &v, rep, data, reportSize(rep)+int64(len(data))
	return f
}

// secondsText renders d for staff, e.g. "10 秒".
func secondsText(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%d 秒", d/time.Second)
	}
	return fmt.Sprintf("%.1f 秒", d.Seconds())
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	src, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return io.ReadAll(io.LimitReader(src, maxReportBytes+1))
}

// cleanFileName keeps the base name of an uploaded file's name, which
// some browsers send with the client's directories.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSpace(name)
}

// savePreview stores the named files of preview id (every file that
// parsed when names is empty) in one transaction: all or nothing.
func (c *consoleServer) savePreview(ctx context.Context, a *actor, id string, names []string) ([]reportRow, error) {
	p, ok := c.previews.get(id, a.user.ID)
	if !ok {
		return nil, errPreviewGone()
	}
	var reports []*knowledge.Report
	for _, f := range p.Files {
		if len(names) > 0 && !slices.Contains(names, f.Name) {
			continue
		}
		if !f.OK {
			switch {
			case len(names) == 0:
				continue
			case f.NeedsYear:
				return nil, errInvalidRequest("文件 "+f.Name+" 没有写明报告年度，请填写年度后再保存（未保存任何报告）。", nil)
			}
			return nil, errInvalidRequest("文件 "+f.Name+" 有错误，不能保存："+f.Error, nil)
		}
		reports = append(reports, f.report)
	}
	for _, n := range names {
		if !slices.ContainsFunc(p.Files, func(f previewFile) bool { return f.Name == n }) {
			return nil, errInvalidRequest("本次上传中没有文件 "+n, nil)
		}
	}
	if len(reports) == 0 {
		return nil, errInvalidRequest("没有可保存的报告，请至少选择一个解析成功的文件", nil)
	}
	if err := c.db.SaveReports(ctx, a.name(), reports...); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, console.ErrInvalid) {
			status = http.StatusBadRequest
		}
		return nil, &httpError{status: status, msg: "保存失败，未保存任何报告（本次保存是一个整体，要么全部保存，要么都不保存）。请检查文件后重试。", cause: err}
	}
	c.previews.remove(id, a.user.ID)
	saved := make([]reportRow, len(reports))
	for i, r := range reports {
		saved[i] = reportRow{ID: string(r.ID), Title: r.Title, Department: r.Department, Year: r.Year,
			Sections: countSections(r.Passages), Passages: len(r.Passages), ImportedBy: a.name()}
	}
	return saved, nil
}

func (s *Server) pageUpload(w http.ResponseWriter, r *http.Request, a *actor) error {
	p, err := s.admin.upload(r.Context(), a, r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, adminPrefix+"uploads/"+url.PathEscape(p.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) pagePreview(w http.ResponseWriter, r *http.Request, a *actor) error {
	p, ok := s.admin.previews.get(r.PathValue("id"), a.user.ID)
	if !ok {
		return errPreviewGone()
	}
	s.renderPreview(w, r, a, http.StatusOK, p, "")
	return nil
}

func (s *Server) renderPreview(w http.ResponseWriter, r *http.Request, a *actor, status int, p *uploadPreview, errMsg string) {
	page := s.newPage(r, a, "reports", "上传预览")
	page.Error, page.Data = errMsg, p
	s.renderPage(w, r, status, "upload.html", page)
}

// statedFields reads the year and department fields of the preview form:
// per file, meta_file, meta_year and meta_dept in that order. A year that
// is not one is a 400 naming the file and the field.
func statedFields(form url.Values) (map[string]knowledge.Stated, error) {
	files, years, depts := form["meta_file"], form["meta_year"], form["meta_dept"]
	if len(years) != len(files) || len(depts) != len(files) {
		return nil, errInvalidRequest("年度和部门的填写内容不完整，请刷新页面后重试。", nil)
	}
	stated := make(map[string]knowledge.Stated, len(files))
	for i, name := range files {
		if err := checkInput("文件 "+name+" 的部门", depts[i]); err != nil {
			return nil, err
		}
		year, err := knowledge.ParseYear(years[i])
		if err != nil {
			return nil, errInvalidRequest(fmt.Sprintf("文件 %s：%v", name, err), err)
		}
		stated[name] = knowledge.Stated{Year: year, Department: depts[i]}
	}
	return stated, nil
}

// pagePreviewSave applies the year and department fields of the preview
// (restate), then saves the checked files; with action=restate it only
// applies them and shows the preview again.
func (s *Server) pagePreviewSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	id := r.PathValue("id")
	stated, err := statedFields(r.PostForm)
	if err == nil {
		_, err = s.admin.restate(r.Context(), a, id, stated)
	}
	if err != nil {
		return s.previewFailed(w, r, a, id, err, "parsing an upload again failed")
	}
	if r.PostForm.Get("action") == "restate" {
		http.Redirect(w, r, adminPrefix+"uploads/"+url.PathEscape(id), http.StatusSeeOther)
		return nil
	}
	names := r.PostForm["file"]
	if len(names) == 0 {
		p, ok := s.admin.previews.get(id, a.user.ID)
		if !ok {
			return errPreviewGone()
		}
		s.renderPreview(w, r, a, http.StatusBadRequest, p, "请至少勾选一个要保存的文件。")
		return nil
	}
	if _, err := s.admin.savePreview(r.Context(), a, id, names); err != nil {
		return s.previewFailed(w, r, a, id, err, "saving reports failed")
	}
	return redirectOK(w, r, adminPrefix+"reports", "imported")
}

// previewFailed shows preview id again with err's message for staff (a
// form error's status, else 500, logged as what), or returns err when the
// preview is gone.
func (s *Server) previewFailed(w http.ResponseWriter, r *http.Request, a *actor, id string, err error, what string) error {
	p, ok := s.admin.previews.get(id, a.user.ID)
	if !ok {
		return err
	}
	status, isUser := formErrorStatus(err)
	if !isUser {
		status = http.StatusInternalServerError
		s.log.Error(what, "err", err)
	}
	s.renderPreview(w, r, a, status, p, userMessage(err))
	return nil
}

func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request, a *actor) error {
	p, err := s.admin.upload(r.Context(), a, r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiPreview(w http.ResponseWriter, r *http.Request, a *actor) error {
	p, ok := s.admin.previews.get(r.PathValue("id"), a.user.ID)
	if !ok {
		return errPreviewGone()
	}
	return writeJSON(w, http.StatusOK, p)
}

// previewSave is the body of POST …/uploads/{id}/save.
type previewSave struct {
	// Files names the files to save; empty saves every file that parsed.
	Files []string `json:"files"`
	// Meta states, by file name, the year and department of files that do
	// not say them (needs_year) or say them wrong; they are parsed again
	// with these before saving.
	Meta map[string]previewMeta `json:"meta,omitempty"`
}

// previewMeta is what staff state about one uploaded file; a zero field
// states nothing.
type previewMeta struct {
	Year       int    `json:"year"`
	Department string `json:"department"`
}

func (s *Server) apiPreviewSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req previewSave
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	if len(req.Meta) > 0 {
		stated := make(map[string]knowledge.Stated, len(req.Meta))
		for name, m := range req.Meta {
			if err := checkInput("文件 "+name+" 的部门", m.Department); err != nil {
				return err
			}
			stated[name] = knowledge.Stated{Year: m.Year, Department: m.Department}
		}
		if _, err := s.admin.restate(r.Context(), a, r.PathValue("id"), stated); err != nil {
			return err
		}
	}
	saved, err := s.admin.savePreview(r.Context(), a, r.PathValue("id"), req.Files)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"saved": saved})
}

func (s *Server) pagePreviewDiscard(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !s.admin.previews.remove(r.PathValue("id"), a.user.ID) {
		return errPreviewGone()
	}
	return redirectOK(w, r, adminPrefix+"reports", "discarded")
}

// apiPreviewDiscard releases a preview without saving it.
func (s *Server) apiPreviewDiscard(w http.ResponseWriter, r *http.Request, a *actor) error {
	id := r.PathValue("id")
	if !s.admin.previews.remove(id, a.user.ID) {
		return errPreviewGone()
	}
	return writeJSON(w, http.StatusOK, map[string]string{"discarded": id})
}
