package handlers

// Later answers (package notify): the questions WeChat citizens are
// waiting on, grouped as the unanswered queue groups them (by the
// representative's normalised text), each with the live version's answer.
// When the published version answers a group's representative (an FAQ
// entry, or a passage), staff and admins may press "通知提问的市民": the
// answer with its source goes to every citizen still within 48 hours,
// in the background; the page shows the progress, and admins the outcome
// of every send (console.Notifications). OpenIDs are never shown.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/notify"
)

// notifyPath is the page of later answers.
const notifyPath = adminPrefix + "notify"

// notifyOutcomes is how many sends the page lists for admins.
const notifyOutcomes = 30

// staffSource marks an FAQ answer that quotes no passage.
const staffSource = "\n——江津区法治政府建设问答工作人员补充答复"

// notifyGroup is a group of questions citizens are waiting on.
type notifyGroup struct {
	Key            notify.QuestionKey   `json:"key"`
	Representative string               `json:"representative"`
	Keys           []notify.QuestionKey `json:"-"`
	Waiting        notify.Waiting       `json:"waiting"`
	Answered       bool                 `json:"answered"` // by the live version
	Answer         string               `json:"answer"`   // what would be sent, with its source
	Version        int64                `json:"version"`
}

// notifyGroups returns the groups citizens are waiting on, largest first.
func (c *consoleServer) notifyGroups(ctx context.Context) ([]notifyGroup, error) {
	keys, err := c.notify.Questions(ctx)
	if err != nil {
		return nil, err
	}
	var texts []console.TextCount
	for _, k := range keys {
		sample, err := c.notify.Sample(ctx, k)
		if err != nil {
			return nil, err
		}
		w, err := c.notify.Waiting(ctx, []notify.QuestionKey{k})
		if err != nil {
			return nil, err
		}
		if n := w.Within + w.Expired; n > 0 {
			texts = append(texts, console.TextCount{Text: string(k), Sample: sample, Asked: int64(n)})
		}
	}
	slices.SortStableFunc(texts, func(a, b console.TextCount) int { return int(b.Asked - a.Asked) })
	var base *knowledge.Base
	var version int64
	if c.live != nil {
		base, version = c.live()
	}
	var out []notifyGroup
	for _, g := range groupUnanswered(texts, similarityThreshold) {
		ng := notifyGroup{Key: notify.QuestionKey(g.Key), Representative: g.Representative, Version: version}
		for _, v := range g.Variants {
			ng.Keys = append(ng.Keys, notify.QuestionKey(v.Text))
		}
		if ng.Waiting, err = c.notify.Waiting(ctx, ng.Keys); err != nil {
			return nil, err
		}
		if base != nil && version > 0 {
			a, err := base.Answer(ctx, knowledge.Query{Text: g.Representative})
			if err != nil {
				return nil, err
			}
			if a.Answered {
				ng.Answered, ng.Answer = true, a.Text
				if a.FAQ != nil && len(a.Hits) == 0 {
					ng.Answer += staffSource
				}
			}
		}
		out = append(out, ng)
	}
	return out, nil
}

// notifyPage is the data of notify.html.
type notifyPage struct {
	Groups   []notifyGroup
	Job      *notify.Job
	Jobs     []notify.Job
	Outcomes []console.Notification // admins only
}

func (s *Server) pageNotify(w http.ResponseWriter, r *http.Request, a *actor) error {
	if s.admin.notify == nil {
		return errPageNotFound("未启用“通知提问的市民”：需要配置公众号（wechat.app_id、wechat.app_secret）。", nil)
	}
	ctx := r.Context()
	p := s.newPage(r, a, "notify", "通知提问的市民")
	var data notifyPage
	var err error
	if data.Groups, err = s.admin.notifyGroups(ctx); err != nil {
		return err
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("job"), 10, 64); err == nil {
		if j, ok := s.admin.notify.Job(notify.JobID(id)); ok {
			data.Job = &j
		}
	}
	data.Jobs = s.admin.notify.Jobs()
	if a.admin() {
		if data.Outcomes, err = s.admin.db.Notifications(ctx, notifyOutcomes); err != nil {
			return err
		}
	}
	p.Data = data
	s.renderPage(w, r, http.StatusOK, "notify.html", p)
	return nil
}

// startNotify sends the live answer of group key to its citizens.
func (c *consoleServer) startNotify(ctx context.Context, a *actor, key string) (notify.JobID, error) {
	groups, err := c.notifyGroups(ctx)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(groups, func(g notifyGroup) bool { return string(g.Key) == key })
	if i < 0 {
		return 0, errPageNotFound("这组问题已没有等待答复的市民（可能已通知，或已超过 48 小时）。", nil)
	}
	g := groups[i]
	if !g.Answered {
		return 0, errInvalidRequest("已发布的版本还不能回答这组问题：请先添加 FAQ 或关联段落并发布。", nil)
	}
	id, err := c.notify.Start(ctx, notify.Actor{Name: a.name(), Role: notify.Role(a.user.Role)},
		notify.Request{Group: g.Key, Question: g.Representative, Keys: g.Keys, Answer: g.Answer, Version: g.Version})
	switch {
	case errors.Is(err, notify.ErrNotAllowed):
		return 0, errRole("只有工作人员和管理员可以通知市民。")
	case errors.Is(err, notify.ErrNotPublished):
		return 0, errInvalidRequest("已发布的版本还不能回答这组问题。", err)
	case errors.Is(err, notify.ErrNobody):
		return 0, errPageNotFound("这组问题已没有等待答复的市民。", err)
	case errors.Is(err, notify.ErrBusy):
		return 0, errConflict("这组问题正在发送通知，请稍候查看进度。", err)
	}
	return id, err
}

func (s *Server) pageNotifySend(w http.ResponseWriter, r *http.Request, a *actor) error {
	if s.admin.notify == nil {
		return errPageNotFound("未启用“通知提问的市民”。", nil)
	}
	id, err := s.admin.startNotify(r.Context(), a, r.PostFormValue("key"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("%s?job=%d", notifyPath, id), http.StatusSeeOther)
	return nil
}

func (s *Server) apiNotify(w http.ResponseWriter, r *http.Request, a *actor) error {
	if s.admin.notify == nil {
		return errPageNotFound("未启用“通知提问的市民”。", nil)
	}
	groups, err := s.admin.notifyGroups(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"groups": nonNil(groups), "jobs": nonNil(s.admin.notify.Jobs())})
}

func (s *Server) apiNotifySend(w http.ResponseWriter, r *http.Request, a *actor) error {
	if s.admin.notify == nil {
		return errPageNotFound("未启用“通知提问的市民”。", nil)
	}
	var req struct {
		Key string `json:"key"`
	}
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	id, err := s.admin.startNotify(r.Context(), a, req.Key)
	if err != nil {
		return err
	}
	j, _ := s.admin.notify.Job(id)
	return writeJSON(w, http.StatusAccepted, j)
}
