package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fazhibot/bot"
	"fazhibot/console"
	"fazhibot/notify"
	"fazhibot/notify/wechatsend"
	"fazhibot/notify/wechatsend/wechattest"
	"fazhibot/storage/sqldb"
)

// notifyAdapter lets the Dialogue remember citizens in a notify.Service
// and records sends in the database, as cmd/fazhibot wires them.
type notifyAdapter struct {
	svc *notify.Service
	db  *sqldb.DB
}

func (a notifyAdapter) Remember(ctx context.Context, u bot.UserID, q string, at time.Time) error {
	return a.svc.Remember(ctx, notify.OpenID(u), q, at)
}

func (a notifyAdapter) Forget(ctx context.Context, u bot.UserID) (int, error) {
	return a.svc.Forget(ctx, notify.OpenID(u))
}

func (a notifyAdapter) Begin(ctx context.Context, r notify.Record) (notify.RecordID, error) {
	id, err := a.db.BeginNotification(ctx, console.Notification{GroupKey: string(r.Group), Question: r.Question,
		Answer: r.Answer, Version: r.Version, Citizens: int64(r.Citizens), SentBy: r.By})
	return notify.RecordID(id), err
}

func (a notifyAdapter) Finish(ctx context.Context, id notify.RecordID, c notify.Counts) error {
	return a.db.FinishNotification(ctx, console.NotificationID(id), console.NotificationCounts{Notified: int64(c.Notified),
		Expired: int64(c.Expired), Unsubscribed: int64(c.Unsubscribed), Failed: int64(c.Failed), Deferred: int64(c.Deferred), Skipped: int64(c.Skipped)})
}

// TestNotifyLoop is the notification loop end to end, on the real Redis
// and the fake WeChat API: citizens ask a question the reports do not
// cover, one opts out, staff add an FAQ and publish it, and "通知提问的市民"
// sends exactly one message to each citizen still within the window;
// none to the one who opted out nor to the one whose window WeChat says
// has closed.
func TestNotifyLoop(t *testing.T) {
	ctx := context.Background()
	api := wechattest.Start(t)
	rs := openTestRedis(t)
	sender, err := wechatsend.New(wechattest.AppID, wechattest.AppSecret, rs.TokenCache())
	if err != nil {
		t.Fatal(err)
	}
	var adapter notifyAdapter
	svc, err := notify.New(notify.Options{Store: rs.NotifyStore(), Sender: sender, Ledger: &adapter, Normalize: console.NormalizeQuestion})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) { o.Notify = svc }))
	adapter.svc, adapter.db = svc, e.db
	d, err := bot.New(bot.Options{
		Current:  func() bot.Knowledge { e.mu.Lock(); defer e.mu.Unlock(); return e.live },
		Notifier: adapter,
	})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(user, text string) bot.Reply {
		return d.Respond(ctx, bot.Message{Channel: bot.ChannelWeChat, User: bot.UserID(user), Kind: bot.KindText, Text: text})
	}

	const question = "江津区垃圾分类投放点在哪里"
	citizens := map[string]string{"o-1": question, "o-2": question + "？", "o-optout": question, "o-expired": question}
	for user, q := range citizens {
		r := ask(user, q)
		if r.Intent != bot.IntentNotCovered || !strings.Contains(r.Note, "回复'不用通知'取消") {
			t.Fatalf("%s asked %q: %s %q, want not covered with the offer", user, q, r.Intent, r.PlainText())
		}
	}
	if r := ask("o-optout", "不用通知"); r.Intent != bot.IntentNotifyOff {
		t.Fatalf("不用通知: %s %q", r.Intent, r.Text)
	}
	api.FailFor("o-expired", 45015)

	// The nav links the page for staff and admins alike.
	for _, who := range []testAccount{e.staff, e.admin} {
		home := e.mustDo(request{method: "GET", path: adminHome, as: e.sessionFor(who)}, http.StatusOK).Body.String()
		if !strings.Contains(home, `<a href="/admin/notify">通知市民</a>`) {
			t.Errorf("%s: the nav lacks 通知市民", who.user.Name)
		}
	}

	// Not answered by the live version yet: no button.
	page := e.mustDo(request{method: "GET", path: notifyPath, as: e.sessionFor(e.staff)}, http.StatusOK).Body.String()
	if !strings.Contains(page, question) || strings.Contains(page, "通知提问的市民（") {
		t.Fatalf("page before the FAQ is published:\n%s", clip(page))
	}

	const answer = "垃圾分类投放点由各街道公布，可拨打12345查询。"
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token,
		json: faqEdit{Questions: []string{question}, Answer: answer}}, http.StatusCreated)
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/publish", bearer: e.staff.token,
		json: versionSummary{Summary: "补充垃圾分类问答"}}, http.StatusCreated)

	page = e.mustDo(request{method: "GET", path: notifyPath, as: e.sessionFor(e.staff)}, http.StatusOK).Body.String()
	if !strings.Contains(page, "通知提问的市民（3 位）") || !strings.Contains(page, answer) {
		t.Fatalf("page after publishing, want a button for 3 citizens and the answer:\n%s", clip(page))
	}
	key := string(svc.Key(question))
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "notify/send", bearer: e.staff.token,
		json: map[string]string{"key": key}}, http.StatusAccepted)
	job := apiJSON[notify.Job](t, rec)
	svc.Wait()

	var to []string
	for _, m := range api.Sent() {
		to = append(to, m.To)
		if !strings.Contains(m.Text, citizens[m.To]) || !strings.Contains(m.Text, answer) || !strings.Contains(m.Text, staffSource[1:]) {
			t.Errorf("message to %s = %q, want their question, the answer and its source", m.To, m.Text)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"o-1", "o-2"}) {
		t.Fatalf("messages went to %v, want exactly one each to o-1 and o-2", to)
	}
	if j, ok := svc.Job(job.ID); !ok || j.Counts != (notify.Counts{Notified: 2, Expired: 1}) {
		t.Fatalf("job = %+v, want 2 notified, 1 expired", j)
	}
	// A second press finds nobody: at most one message per citizen.
	e.mustDo(request{method: "POST", path: adminAPIPrefix + "notify/send", bearer: e.staff.token,
		json: map[string]string{"key": key}}, http.StatusNotFound)
	if n := len(api.Sent()); n != 2 {
		t.Fatalf("%d messages after a second press, want still 2", n)
	}

	// Admins see the outcome; the audit log names who sent to how many.
	outcomes, err := e.db.Notifications(ctx, 10)
	if err != nil || len(outcomes) != 1 || outcomes[0].SentBy != staffName || outcomes[0].Citizens != 3 ||
		outcomes[0].Counts != (console.NotificationCounts{Notified: 2, Expired: 1}) {
		t.Fatalf("outcomes = %+v, %v", outcomes, err)
	}
	page = e.mustDo(request{method: "GET", path: notifyPath, as: e.sessionFor(e.admin)}, http.StatusOK).Body.String()
	if !strings.Contains(page, "通知记录") || !strings.Contains(page, "<td>"+staffName+"</td>") {
		t.Fatalf("admin page lacks the outcome:\n%s", clip(page))
	}
	if !slices.Contains(e.auditActions(), staffName+" "+string(console.ActionNotifySend)) {
		t.Fatalf("audit actions %v lack %s", e.auditActions(), console.ActionNotifySend)
	}
}
