package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
	"fazhibot/knowledge"
)

const (
	// maxFAQQuestions and maxFAQQuestionRunes bound an entry's variants.
	maxFAQQuestions     = 30
	maxFAQQuestionRunes = 200
	// maxFAQAnswerRunes is the answer's limit in characters, as staff are
	// told it: what fits WeChat's reply limit (knowledge.MaxReplyBytes)
	// when every character is a Chinese one.
	maxFAQAnswerRunes = knowledge.MaxReplyBytes / 3
)

// faqView is an FAQ entry as the console shows it.
type faqView struct {
	ID        string    `json:"id"`
	Questions []string  `json:"questions"`
	Answer    string    `json:"answer"`
	Report    string    `json:"report"` // the linked passage's report, "" for none
	Seq       int       `json:"seq"`
	Rev       int64     `json:"rev"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

func faqOf(e console.FAQEntry) faqView {
	return faqView{ID: string(e.ID), Questions: nonNil(e.Questions), Answer: e.Answer, Report: string(e.Report),
		Seq: e.Seq, Rev: e.Rev, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy}
}

// faqEdit is the body of POST /faq and PUT /faq/{id}.
type faqEdit struct {
	Questions []string `json:"questions"`
	Answer    string   `json:"answer"`
	Report    string   `json:"report"`
	Seq       int      `json:"seq"`
	// Rev is the revision the edit started from, required by PUT (0
	// overwrites whatever is stored) and ignored by POST.
	Rev *int64 `json:"rev"`
}

// faqFormPage is the data of faq_edit.html.
type faqFormPage struct {
	New       bool
	ID        string
	Questions string // one per line
	Answer    string
	Report    string
	Seq       int
	Rev       int64
	Reports   []console.ReportSummary // for linking a passage
	// Current is the stored entry when a save conflicted.
	Current *faqView
	// Linked describes the linked passage when it is in the draft.
	Linked *linkedPassage
	// MaxAnswer is the answer's limit in characters.
	MaxAnswer int
	// PassageQuery is what the passage picker searched for; Candidates
	// are the draft passages found, best first.
	PassageQuery string
	Candidates   []passageCandidate
}

// passageCandidate is a draft passage the FAQ form's picker offers.
type passageCandidate struct {
	Value   string // the radio button's value, see passageValue
	Title   string // the report's title
	Seq     int
	Section string
	Excerpt string
	Current bool // the passage the FAQ links now
}

// maxPickerHits is how many passages one picker search offers.
const maxPickerHits = 10

// passageValue is how the picker's radio buttons name a passage:
// "report ID/seq" (report IDs hold no '/').
func passageValue(report string, seq int) string { return report + "/" + strconv.Itoa(seq) }

// parsePassageValue reads a passageValue; "" is no link. A malformed
// value yields seq -1, which saveFAQ refuses with a message.
func parsePassageValue(v string) (report string, seq int) {
	if v == "" {
		return "", 0
	}
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return v, -1
	}
	seq, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return v[:i], -1
	}
	return v[:i], seq
}

// passageCandidates searches the draft for passages to link, as the bot
// would for the question q.
func (c *consoleServer) passageCandidates(ctx context.Context, q string) ([]passageCandidate, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, nil
	case utf8.RuneCountInString(q) > maxAPITextRunes:
		return nil, errInvalidRequest(fmt.Sprintf("查找的内容过长，最多 %d 个字", maxAPITextRunes), nil)
	}
	base, err := c.draft(ctx)
	if err != nil {
		return nil, &httpError{status: http.StatusInternalServerError, msg: "草稿知识库构建失败，请稍后再试。", cause: err}
	}
	hits, err := base.Search(ctx, knowledge.Query{Text: q, Limit: maxPickerHits})
	if err != nil {
		return nil, err
	}
	out := make([]passageCandidate, 0, len(hits))
	for _, h := range hits {
		out = append(out, passageCandidate{Value: passageValue(string(h.ReportID), h.Seq), Title: h.Title, Seq: h.Seq,
			Section: h.Section(), Excerpt: shortenRunes(oneLine(h.Text), 120)})
	}
	return out, nil
}

// linkedPassage shows staff which passage an FAQ cites.
type linkedPassage struct {
	Title   string // the report's title
	Section string // the passage's heading path
	Excerpt string // the passage's first characters
}

// saveFAQ checks and stores an entry: a new one when id is "".
func (c *consoleServer) saveFAQ(ctx context.Context, a *actor, id string, e faqEdit, rev int64) (console.FAQEntry, error) {
	if err := checkInput("FAQ 编号", id); err != nil {
		return console.FAQEntry{}, err
	}
	f := knowledge.FAQ{ID: knowledge.FAQID(id), Answer: strings.TrimSpace(e.Answer), Report: knowledge.ReportID(strings.TrimSpace(e.Report)), Seq: e.Seq}
	for _, q := range e.Questions {
		if q = strings.TrimSpace(q); q != "" {
			f.Questions = append(f.Questions, q)
		}
	}
	switch {
	case len(f.Questions) == 0:
		return console.FAQEntry{}, errInvalidRequest("请至少填写一种问法", nil)
	case len(f.Questions) > maxFAQQuestions:
		return console.FAQEntry{}, errInvalidRequest(fmt.Sprintf("问法不能超过 %d 种", maxFAQQuestions), nil)
	case f.Answer == "":
		return console.FAQEntry{}, errInvalidRequest("请填写答案", nil)
	case utf8.RuneCountInString(f.Answer) > maxFAQAnswerRunes:
		return console.FAQEntry{}, errInvalidRequest(fmt.Sprintf("答案过长：最多 %d 字，现在 %d 字", maxFAQAnswerRunes, utf8.RuneCountInString(f.Answer)), nil)
	case len(f.Answer) > knowledge.MaxReplyBytes:
		// Within the character limit, but emoji and other rare symbols
		// take more room in a WeChat reply than Chinese characters.
		return console.FAQEntry{}, errInvalidRequest("答案过长：其中的表情或特殊符号占用较多篇幅，请删减表情符号或缩短答案", nil)
	case f.Seq < 0:
		return console.FAQEntry{}, errInvalidRequest("段落序号不能为负数", nil)
	}
	for _, q := range f.Questions {
		if utf8.RuneCountInString(q) > maxFAQQuestionRunes {
			return console.FAQEntry{}, errInvalidRequest(fmt.Sprintf("问法“%s…”过长，最多 %d 个字", string([]rune(q)[:10]), maxFAQQuestionRunes), nil)
		}
	}
	if f.Report == "" {
		f.Seq = 0
	} else if err := c.checkLinkedPassage(ctx, f.Report, f.Seq); err != nil {
		return console.FAQEntry{}, err
	}
	if id == "" {
		rev = 0
	}
	saved, err := c.db.SaveFAQ(ctx, f, rev, a.name())
	if errors.Is(err, console.ErrConflict) {
		return saved, errConflict("保存失败：这条 FAQ 在您编辑期间已被他人修改或删除。您的修改未保存，请对照下方的最新内容重新修改后再保存。", err)
	}
	return saved, err
}

// checkLinkedPassage refuses a link to a passage the draft lacks, so
// that an FAQ never cites an unrelated or missing section to citizens.
func (c *consoleServer) checkLinkedPassage(ctx context.Context, report knowledge.ReportID, seq int) error {
	if err := checkInput("关联报告编号", string(report)); err != nil {
		return err
	}
	_, err := c.db.Passage(ctx, report, seq)
	if errors.Is(err, console.ErrNotFound) {
		if _, rerr := c.db.Report(ctx, report); errors.Is(rerr, console.ErrNotFound) {
			return errInvalidRequest(fmt.Sprintf("关联的报告“%s”不在草稿中，请重新选择报告或选择“不关联”", report), err)
		}
		return errInvalidRequest(fmt.Sprintf("关联的报告中没有第 %d 段，请核对段落序号（可在报告页面查看各段序号）", seq), err)
	}
	return err
}

// linked describes the draft passage seq of report, nil when there is
// none.
func (c *consoleServer) linked(ctx context.Context, report string, seq int) *linkedPassage {
	if report == "" || checkInput("", report) != nil {
		return nil
	}
	p, err := c.db.Passage(ctx, knowledge.ReportID(report), seq)
	if err != nil {
		return nil
	}
	l := &linkedPassage{Section: p.SectionPath(), Excerpt: shortenRunes(oneLine(p.Text), 60)}
	if r, err := c.db.Report(ctx, knowledge.ReportID(report)); err == nil {
		l.Title = r.Title
	}
	return l
}

// faq returns the draft entry id.
func (c *consoleServer) faq(ctx context.Context, id string) (console.FAQEntry, error) {
	if err := checkInput("FAQ 编号", id); err != nil {
		return console.FAQEntry{}, err
	}
	e, err := c.db.FAQ(ctx, knowledge.FAQID(id))
	return e, notFound(err, "找不到这条 FAQ，可能已被删除。")
}

// deleteFAQ deletes the draft entry id, if still at revision rev (0:
// whatever it is).
func (c *consoleServer) deleteFAQ(ctx context.Context, a *actor, id string, rev int64) error {
	if err := checkInput("FAQ 编号", id); err != nil {
		return err
	}
	err := c.db.DeleteFAQ(ctx, knowledge.FAQID(id), rev, a.name())
	if errors.Is(err, console.ErrConflict) {
		return errConflict("删除失败：这条 FAQ 在您查看之后已被他人修改，请刷新后确认再删除。", err)
	}
	return notFound(err, "找不到这条 FAQ，可能已被删除。")
}

// faqListPage is the data of faq_list.html: one page of the list.
type faqListPage struct {
	Rows  []faqView
	Pager pager
}

func (s *Server) pageFAQs(w http.ResponseWriter, r *http.Request, a *actor) error {
	list, err := s.admin.db.FAQs(r.Context())
	if err != nil {
		return err
	}
	lo, hi, pg := paginate(len(list), listPageSize, r.URL.Query().Get("page"), adminPrefix+"faq", r.URL.Query())
	views := make([]faqView, 0, hi-lo)
	for _, e := range list[lo:hi] {
		views = append(views, faqOf(e))
	}
	p := s.newPage(r, a, "faq", "FAQ")
	p.Data = faqListPage{Rows: views, Pager: pg}
	s.renderPage(w, r, http.StatusOK, "faq_list.html", p)
	return nil
}

func (s *Server) pageFAQNew(w http.ResponseWriter, r *http.Request, a *actor) error {
	return s.renderFAQForm(w, r, a, http.StatusOK, faqFormPage{New: true}, "")
}

func (s *Server) pageFAQ(w http.ResponseWriter, r *http.Request, a *actor) error {
	e, err := s.admin.faq(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := faqOf(e)
	return s.renderFAQForm(w, r, a, http.StatusOK, faqFormPage{ID: v.ID, Questions: strings.Join(v.Questions, "\n"),
		Answer: v.Answer, Report: v.Report, Seq: v.Seq, Rev: v.Rev}, "")
}

func (s *Server) renderFAQForm(w http.ResponseWriter, r *http.Request, a *actor, status int, data faqFormPage, errMsg string) error {
	reports, err := s.admin.db.ListReports(r.Context())
	if err != nil {
		return err
	}
	data.Reports = reports
	data.MaxAnswer = maxFAQAnswerRunes
	data.Linked = s.admin.linked(r.Context(), data.Report, data.Seq)
	if data.Candidates == nil && data.PassageQuery != "" {
		found, err := s.admin.passageCandidates(r.Context(), data.PassageQuery)
		if err != nil {
			st, isUser := formErrorStatus(err)
			if !isUser {
				return err
			}
			status, errMsg = st, userMessage(err)
		}
		data.Candidates = nonNil(found)
		for i := range data.Candidates {
			data.Candidates[i].Current = data.Candidates[i].Value == passageValue(data.Report, data.Seq)
		}
	}
	title := "编辑 FAQ"
	if data.New {
		title = "新建 FAQ"
	}
	p := s.newPage(r, a, "faq", title)
	p.Error, p.Data = errMsg, data
	s.renderPage(w, r, status, "faq_edit.html", p)
	return nil
}

// faqForm reads the FAQ form. The linked passage comes from the picker's
// "passage" choice, or else from the "report" and "seq" fields.
func faqForm(r *http.Request) (faqEdit, faqFormPage) {
	report := r.PostFormValue("report")
	seq, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("seq")))
	if v, ok := r.PostForm["passage"]; ok && len(v) > 0 {
		report, seq = parsePassageValue(v[0])
	}
	rev, _ := strconv.ParseInt(r.PostFormValue("rev"), 10, 64)
	e := faqEdit{Questions: strings.Split(r.PostFormValue("questions"), "\n"), Answer: r.PostFormValue("answer"),
		Report: report, Seq: seq, Rev: &rev}
	return e, faqFormPage{Questions: r.PostFormValue("questions"), Answer: e.Answer, Report: e.Report, Seq: seq, Rev: rev,
		PassageQuery: strings.TrimSpace(r.PostFormValue("passage_q"))}
}

// picking reports whether the FAQ form was sent to search for a passage
// rather than to save; the form comes back with what was typed.
func picking(r *http.Request) bool { return r.PostFormValue("pick") != "" }

func (s *Server) pageFAQCreate(w http.ResponseWriter, r *http.Request, a *actor) error {
	e, data := faqForm(r)
	data.New = true
	if picking(r) {
		return s.renderFAQForm(w, r, a, http.StatusOK, data, "")
	}
	if _, err := s.admin.saveFAQ(r.Context(), a, "", e, 0); err != nil {
		if status, ok := formErrorStatus(err); ok {
			return s.renderFAQForm(w, r, a, status, data, userMessage(err))
		}
		return err
	}
	return redirectOK(w, r, adminPrefix+"faq", "created")
}

func (s *Server) pageFAQSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	id := r.PathValue("id")
	e, data := faqForm(r)
	data.ID = id
	if picking(r) {
		return s.renderFAQForm(w, r, a, http.StatusOK, data, "")
	}
	if _, err := s.admin.saveFAQ(r.Context(), a, id, e, *e.Rev); err != nil {
		status, ok := formErrorStatus(err)
		if !ok {
			return err
		}
		if status == http.StatusConflict {
			if cur, err := s.admin.faq(r.Context(), id); err == nil {
				v := faqOf(cur)
				data.Current, data.Rev = &v, v.Rev
			} else {
				data.Rev = 0 // deleted meanwhile: saving again re-creates it
			}
		}
		return s.renderFAQForm(w, r, a, status, data, userMessage(err))
	}
	return redirectOK(w, r, adminPrefix+"faq", "saved")
}

func (s *Server) pageFAQDelete(w http.ResponseWriter, r *http.Request, a *actor) error {
	rev, _ := strconv.ParseInt(r.PostFormValue("rev"), 10, 64)
	if err := s.admin.deleteFAQ(r.Context(), a, r.PathValue("id"), rev); err != nil {
		return err
	}
	return redirectOK(w, r, adminPrefix+"faq", "deleted")
}

func (s *Server) apiFAQs(w http.ResponseWriter, r *http.Request, _ *actor) error {
	list, err := s.admin.db.FAQs(r.Context())
	if err != nil {
		return err
	}
	views := make([]faqView, len(list))
	for i, e := range list {
		views[i] = faqOf(e)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"faq": views})
}

func (s *Server) apiFAQ(w http.ResponseWriter, r *http.Request, _ *actor) error {
	e, err := s.admin.faq(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, faqOf(e))
}

func (s *Server) apiFAQCreate(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req faqEdit
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	e, err := s.admin.saveFAQ(r.Context(), a, "", req, 0)
	if err != nil {
		return err
	}
	w.Header().Set("Location", adminAPIPrefix+"faq/"+url.PathEscape(string(e.ID)))
	return writeJSON(w, http.StatusCreated, faqOf(e))
}

func (s *Server) apiFAQSave(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req faqEdit
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	if req.Rev == nil {
		return errInvalidRequest("缺少 rev 字段（开始编辑时的修订号；0 表示不检查冲突）", nil)
	}
	e, err := s.admin.saveFAQ(r.Context(), a, r.PathValue("id"), req, *req.Rev)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, faqOf(e))
}

func (s *Server) apiFAQDelete(w http.ResponseWriter, r *http.Request, a *actor) error {
	var rev int64
	if v := r.URL.Query().Get("rev"); v != "" {
		var err error
		if rev, err = strconv.ParseInt(v, 10, 64); err != nil || rev < 0 {
			return errInvalidRequest("rev 参数应为非负整数", err)
		}
	}
	id := r.PathValue("id")
	if err := s.admin.deleteFAQ(r.Context(), a, id, rev); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
}
