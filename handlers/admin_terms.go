package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// maxTermFileBytes bounds a term-list file.
const maxTermFileBytes = 512 << 10

// termView is a term-list file as the console shows it.
type termView struct {
	Name      string    `json:"name"`
	Label     string    `json:"label"`
	Help      string    `json:"help"`
	Text      string    `json:"text"`
	Lines     int       `json:"lines"` // entries: lines that are neither blank nor comments
	Rev       int64     `json:"rev"`   // 0 when the file was never saved
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// termEdit is the body of PUT /terms/{name}.
type termEdit struct {
	// Text is the whole list. Required: a missing text is refused rather
	// than taken as an empty list.
	Text *string `json:"text"`
	// Rev is the revision the edit started from; 0 overwrites. Required.
	Rev *int64 `json:"rev"`
}

// termPage is the data of term_edit.html.
type termPage struct {
	termView
	// Current is the stored file when a save conflicted.
	Current *termView
}

// term returns the draft term file name; a file missing from the draft
// is empty at revision 0.
func (c *consoleServer) term(ctx context.Context, name string) (termView, error) {
	info := termInfo(name)
	if info.Label == "" {
		return termView{}, errPageNotFound("没有名为 "+name+" 的词表。", nil)
	}
	v := termView{Name: name, Label: info.Label, Help: info.Help}
	f, err := c.db.TermFile(ctx, name)
	if errors.Is(err, console.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Text, v.Rev, v.UpdatedAt, v.UpdatedBy = f.Text, f.Rev, f.UpdatedAt, f.UpdatedBy
	v.Lines = countEntries(f.Text)
	return v, nil
}

// terms returns every term file.
func (c *consoleServer) terms(ctx context.Context) ([]termView, error) {
	var out []termView
	for _, f := range termFiles() {
		v, err := c.term(ctx, f.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// countEntries counts the lines of a term file that are neither blank
// nor comments.
func countEntries(text string) int {
	n := 0
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}

// saveTerm checks text with the knowledge package's own reader, so that
// staff see its message, and stores it.
func (c *consoleServer) saveTerm(ctx context.Context, a *actor, name, text string, rev int64) (console.TermFile, error) {
	if termInfo(name).Label == "" {
		return console.TermFile{}, errPageNotFound("没有名为 "+name+" 的词表。", nil)
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if len(text) > maxTermFileBytes {
		return console.TermFile{}, errInvalidRequest("词表过大，最多 512 KB", nil)
	}
	if _, err := knowledge.LoadTerms((&knowledge.Content{TermFiles: map[string]string{name: text}}).TermFS()); err != nil {
		return console.TermFile{}, errInvalidRequest("词表有误，未保存："+err.Error(), err)
	}
	f, err := c.db.SaveTermFile(ctx, name, text, rev, a.name())
	if errors.Is(err, console.ErrConflict) {
		return f, errConflict("保存失败：该词表在您编辑期间已被他人修改。您的修改未保存，请对照下方的最新内容重新修改后再保存。", err)
	}
	return f, err
}

func (s *Server) pageTerms(w http.ResponseWriter, r *http.Request, a *actor) error {
	list, err := s.admin.terms(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "terms", "词表")
	p.Data = list
	s.renderPage(w, r, http.StatusOK, "terms.html", p)
	return nil
}

func (s *Server) pageTerm(w http.ResponseWriter, r *http.Request, a *actor) error {
	v, err := s.admin.term(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "terms", "词表："+v.Label)
	p.Data = termPage{termView: v}
	s.renderPage(w, r, http.StatusOK, "term_edit.html", p)
	return nil
}

// pageTermSave saves the term-list form. The form must carry both the
// text and the revision it was read at (as the JSON API must): a form
// without them is refused rather than taken as an empty list.
func (s *Server) pageTermSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	name := r.PathValue("name")
	revs, texts := r.PostForm["rev"], r.PostForm["text"]
	if len(revs) != 1 || len(texts) != 1 {
		return errInvalidRequest("表单缺少词表内容（text）或修订号（rev），未保存。请刷新词表页面后重新编辑。", nil)
	}
	rev, err := strconv.ParseInt(revs[0], 10, 64)
	if err != nil || rev < 0 {
		return errInvalidRequest("表单中的修订号（rev）应为非负整数，未保存。请刷新词表页面后重新编辑。", err)
	}
	text := texts[0]
	_, err = s.admin.saveTerm(r.Context(), a, name, text, rev)
	if err == nil {
		return redirectOK(w, r, adminPrefix+"terms", "saved")
	}
	status, ok := formErrorStatus(err)
	if !ok || status == http.StatusNotFound {
		return err
	}
	cur, cerr := s.admin.term(r.Context(), name)
	if cerr != nil {
		return cerr
	}
	data := termPage{termView: cur}
	data.Text, data.Rev = text, rev
	if status == http.StatusConflict {
		data.Current, data.Rev = &cur, cur.Rev
	}
	p := s.newPage(r, a, "terms", "词表："+cur.Label)
	p.Error, p.Data = userMessage(err), data
	s.renderPage(w, r, status, "term_edit.html", p)
	return nil
}

func (s *Server) apiTerms(w http.ResponseWriter, r *http.Request, _ *actor) error {
	list, err := s.admin.terms(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"terms": list})
}

func (s *Server) apiTerm(w http.ResponseWriter, r *http.Request, _ *actor) error {
	v, err := s.admin.term(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiTermSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req termEdit
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	if req.Rev == nil {
		return errInvalidRequest("缺少 rev 字段（开始编辑时的修订号；0 表示不检查冲突）", nil)
	}
	if req.Text == nil {
		return errInvalidRequest("缺少 text 字段（词表的全部内容；要清空词表请传空字符串）", nil)
	}
	name := r.PathValue("name")
	if _, err := s.admin.saveTerm(r.Context(), a, name, *req.Text, *req.Rev); err != nil {
		return err
	}
	v, err := s.admin.term(r.Context(), name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
