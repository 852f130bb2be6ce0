package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fazhibot/console"
	"fazhibot/publishing"
)

// maxSummaryRunes bounds a version's summary and a rejection's reason.
const maxSummaryRunes = 500

// versionView is a version as the console shows it.
type versionView struct {
	ID           int64     `json:"id"`
	Status       string    `json:"status"`
	StatusText   string    `json:"status_text"`
	Live         bool      `json:"live"`
	CreatedAt    time.Time `json:"created_at"`
	CreatedBy    string    `json:"created_by"`
	Summary      string    `json:"summary"`
	ApprovedBy   string    `json:"approved_by,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	RejectedBy   string    `json:"rejected_by,omitempty"`
	RejectedAt   time.Time `json:"rejected_at,omitzero"`
	RejectReason string    `json:"reject_reason,omitempty"`
	RestoredFrom int64     `json:"restored_from,omitempty"`
}

func versionOf(v console.Version) versionView {
	return versionView{
		ID: int64(v.ID), Status: string(v.Status), StatusText: statusText(v.Status), Live: v.Live,
		CreatedAt: v.CreatedAt, CreatedBy: v.CreatedBy, Summary: v.Summary,
		ApprovedBy: v.ApprovedBy, ApprovedAt: v.ApprovedAt,
		RejectedBy: v.RejectedBy, RejectedAt: v.RejectedAt, RejectReason: v.RejectReason,
		RestoredFrom: int64(v.RestoredFrom),
	}
}

// versionResult answers a version action: the version and, when this
// instance could not reload, a warning.
type versionResult struct {
	Version versionView `json:"version"`
	Warning string      `json:"warning,omitempty"`
}

// versionsPage is the data of versions.html.
type versionsPage struct {
	Versions   []versionView
	Draft      changesView // the draft compared with the live version
	CanPublish bool
	CanSubmit  bool
	CanApprove bool
}

// versions lists every version, newest first, with what the draft would
// change and what a may do.
func (c *consoleServer) versions(ctx context.Context, a *actor) (versionsPage, error) {
	list, err := c.db.Versions(ctx)
	if err != nil {
		return versionsPage{}, err
	}
	draft, err := c.draftChanges(ctx)
	if err != nil {
		return versionsPage{}, err
	}
	page := versionsPage{Draft: draft, CanPublish: c.canPublish(a), CanSubmit: c.approval == ApprovalRequired, CanApprove: a.admin()}
	for _, v := range list {
		page.Versions = append(page.Versions, versionOf(v))
	}
	page.Versions = nonNil(page.Versions)
	return page, nil
}

// checkSummary trims and checks a summary or reason.
func checkSummary(s, what string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errInvalidRequest("请填写"+what, nil)
	case utf8.RuneCountInString(s) > maxSummaryRunes:
		return "", errInvalidRequest(fmt.Sprintf("%s不能超过 %d 个字", what, maxSummaryRunes), nil)
	}
	return s, nil
}

// errEmptyDraft answers a publish or submit of an empty draft, or of a
// draft that holds what the live version holds.
func errEmptyDraft(cause error) error {
	switch {
	case errors.Is(cause, console.ErrUnchanged):
		return errInvalidRequest("草稿与当前线上版本完全相同，没有需要发布的改动。请先修改草稿（报告、FAQ 或词表），再发布或提交审核。", cause)
	case errors.Is(cause, console.ErrInvalid):
		return errInvalidRequest("草稿中没有任何报告或 FAQ，无法发布。", cause)
	}
	return cause
}

// publish snapshots the draft as the live version.
func (c *consoleServer) publish(ctx context.Context, a *actor, summary string) (versionResult, error) {
	const mustSubmit = "当前设置要求审核：工作人员不能直接发布，请提交审核，由管理员批准后上线。"
	if !c.canPublish(a) { // before the summary: the role decides first
		return versionResult{}, errRole(mustSubmit)
	}
	summary, err := checkSummary(summary, "变更说明")
	if err != nil {
		return versionResult{}, err
	}
	l, err := c.golive.Publish(ctx, a.consoleActor(), summary)
	switch {
	case errors.Is(err, console.ErrNotAllowed):
		return versionResult{}, errRole(mustSubmit)
	case err != nil:
		return versionResult{}, errEmptyDraft(err)
	}
	return c.wentLive(l), nil
}

// submit snapshots the draft as a version awaiting approval.
func (c *consoleServer) submit(ctx context.Context, a *actor, summary string) (versionResult, error) {
	if c.approval != ApprovalRequired {
		return versionResult{}, errInvalidRequest("当前设置无需审核，请直接发布。", nil)
	}
	summary, err := checkSummary(summary, "变更说明")
	if err != nil {
		return versionResult{}, err
	}
	v, err := c.db.Submit(ctx, a.name(), summary)
	if err != nil {
		return versionResult{}, errEmptyDraft(err)
	}
	return versionResult{Version: versionOf(v)}, nil
}

// decide approves (reason "" and approve) or rejects a pending version.
func (c *consoleServer) decide(ctx context.Context, a *actor, id console.VersionID, approve bool, reason string) (versionResult, error) {
	if !a.admin() {
		return versionResult{}, errRole("只有管理员可以审核版本。")
	}
	var res versionResult
	var err error
	if approve {
		var l publishing.Live
		if l, err = c.golive.Approve(ctx, a.consoleActor(), id); err == nil {
			res = c.wentLive(l)
		}
	} else {
		if reason, err = checkSummary(reason, "驳回理由"); err != nil {
			return versionResult{}, err
		}
		var v console.Version
		if v, err = c.db.Reject(ctx, id, a.name(), reason); err == nil {
			res = versionResult{Version: versionOf(v)}
		}
	}
	switch {
	case errors.Is(err, console.ErrConflict):
		return versionResult{}, errConflict(fmt.Sprintf("版本 %d 不在待审核状态，可能已被其他管理员批准或驳回。", id), err)
	case err != nil:
		return versionResult{}, notFound(err, fmt.Sprintf("找不到版本 %d。", id))
	}
	return res, nil
}

// restore makes the published version id live again, as a new version.
func (c *consoleServer) restore(ctx context.Context, a *actor, id console.VersionID) (versionResult, error) {
	l, err := c.golive.Restore(ctx, a.consoleActor(), id)
	if errors.Is(err, console.ErrNotAllowed) {
		return versionResult{}, errRole("只有管理员可以恢复历史版本。")
	}
	if errors.Is(err, console.ErrInvalid) {
		return versionResult{}, errInvalidRequest(fmt.Sprintf("版本 %d 从未发布过（待审核或已驳回），不能恢复。", id), err)
	}
	if err != nil {
		return versionResult{}, notFound(err, fmt.Sprintf("找不到版本 %d。", id))
	}
	return c.wentLive(l), nil
}

// versionID reads the {id} of a version route.
func versionID(r *http.Request) (console.VersionID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errPageNotFound("版本号无效。", err)
	}
	return console.VersionID(id), nil
}

func (s *Server) pageVersions(w http.ResponseWriter, r *http.Request, a *actor) error {
	return s.renderVersions(w, r, a, http.StatusOK, "")
}

func (s *Server) renderVersions(w http.ResponseWriter, r *http.Request, a *actor, status int, errMsg string) error {
	data, err := s.admin.versions(r.Context(), a)
	if err != nil {
		return err
	}
	p := s.newPage(r, a, "versions", "版本")
	p.Error, p.Data = errMsg, data
	s.renderPage(w, r, status, "versions.html", p)
	return nil
}

// versionDone answers a version action on a page: back to the list with
// a notice, or the list with the error.
func (s *Server) versionDone(w http.ResponseWriter, r *http.Request, a *actor, res versionResult, err error, ok string) error {
	if err != nil {
		status, isUser := formErrorStatus(err)
		if !isUser {
			return err
		}
		return s.renderVersions(w, r, a, status, userMessage(err))
	}
	if res.Warning != "" {
		ok = "reload"
	}
	return redirectOK(w, r, adminPrefix+"versions", ok)
}

func (s *Server) pagePublish(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !s.admin.canPublish(a) {
		return errRole("当前设置要求审核：工作人员不能直接发布，请提交审核，由管理员批准后上线。")
	}
	res, err := s.admin.publish(r.Context(), a, r.PostFormValue("summary"))
	return s.versionDone(w, r, a, res, err, "published")
}

func (s *Server) pageSubmit(w http.ResponseWriter, r *http.Request, a *actor) error {
	res, err := s.admin.submit(r.Context(), a, r.PostFormValue("summary"))
	return s.versionDone(w, r, a, res, err, "submitted")
}

func (s *Server) pageApprove(w http.ResponseWriter, r *http.Request, a *actor) error {
	return s.pageDecide(w, r, a, true)
}

func (s *Server) pageReject(w http.ResponseWriter, r *http.Request, a *actor) error {
	return s.pageDecide(w, r, a, false)
}

func (s *Server) pageDecide(w http.ResponseWriter, r *http.Request, a *actor, approve bool) error {
	if !a.admin() {
		return errRole("只有管理员可以审核版本。")
	}
	id, err := versionID(r)
	if err != nil {
		return err
	}
	res, err := s.admin.decide(r.Context(), a, id, approve, r.PostFormValue("reason"))
	ok := "rejected"
	if approve {
		ok = "approved"
	}
	return s.versionDone(w, r, a, res, err, ok)
}

func (s *Server) pageRestore(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errRole("只有管理员可以恢复历史版本。")
	}
	id, err := versionID(r)
	if err != nil {
		return err
	}
	res, err := s.admin.restore(r.Context(), a, id)
	return s.versionDone(w, r, a, res, err, "restored")
}

func (s *Server) apiVersions(w http.ResponseWriter, r *http.Request, a *actor) error {
	data, err := s.admin.versions(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"versions": data.Versions, "approval": s.admin.approval,
		"can_publish": data.CanPublish, "can_submit": data.CanSubmit, "can_approve": data.CanApprove,
	})
}

// versionSummary is the body of POST /versions/publish and /submit.
type versionSummary struct {
	Summary string `json:"summary"`
}

// versionReject is the body of POST /versions/{id}/reject.
type versionReject struct {
	Reason string `json:"reason"`
}

func (s *Server) apiPublish(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !s.admin.canPublish(a) {
		return errRole("当前设置要求审核：工作人员不能直接发布，请提交审核，由管理员批准后上线。")
	}
	var req versionSummary
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	res, err := s.admin.publish(r.Context(), a, req.Summary)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiSubmit(w http.ResponseWriter, r *http.Request, a *actor) error {
	var req versionSummary
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	res, err := s.admin.submit(r.Context(), a, req.Summary)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errRole("只有管理员可以审核版本。")
	}
	id, err := versionID(r)
	if err != nil {
		return err
	}
	res, err := s.admin.decide(r.Context(), a, id, true, "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiReject(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errRole("只有管理员可以审核版本。")
	}
	id, err := versionID(r)
	if err != nil {
		return err
	}
	var req versionReject
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	res, err := s.admin.decide(r.Context(), a, id, false, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiRestore(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errRole("只有管理员可以恢复历史版本。")
	}
	id, err := versionID(r)
	if err != nil {
		return err
	}
	res, err := s.admin.restore(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}
