package bot

import (
	"context"
	"time"

	"fazhibot/knowledge"
)

// Notifier remembers WeChat citizens whose question went unanswered, so
// that staff can send them the answer later (package notify). The
// Dialogue calls Remember for a WeChat question it could not answer and
// Forget when the citizen replies "不用通知". Implementations must be safe
// for concurrent use and honour ctx.
type Notifier interface {
	Remember(ctx context.Context, user UserID, question string, at time.Time) error
	Forget(ctx context.Context, user UserID) (int, error)
}

// IntentNotifyOff: "不用通知", the citizen declined later answers.
const IntentNotifyOff Intent = "notify_off"

// Texts of the notification loop.
const (
	notifyOfferText = "工作人员会查看这个问题,如果补充了答案,会在这里发给您(48小时内有效)。回复'不用通知'取消。"
	notifyOffText   = "好的,不会再就您之前的问题发送通知。"
	notifyNoneText  = "您目前没有等待答复的问题。"
)

// offerNotify remembers the citizen of an unanswered WeChat question and,
// when that worked, tells them in r that an answer may follow. It takes at
// most Options.StoreTimeout; a failing Notifier leaves r as it was, so the
// reply never waits long on, nor fails with, the store.
func (t *turn) offerNotify(r *Reply) {
	if r.Intent != IntentNotCovered || t.d.notifier == nil || t.m.Channel != ChannelWeChat || t.m.User == "" ||
		r.Reason == knowledge.ReasonActionRequest {
		return
	}
	_, err := within(t.ctx, t.d.storeTimeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.d.notifier.Remember(ctx, t.m.User, t.m.Text, t.start)
	})
	if err != nil {
		t.storeFailed("remember for notification", err)
		return
	}
	if r.Note != "" {
		r.Note += "\n"
	}
	r.Note += notifyOfferText
}

// notifyOff forgets the citizen's unanswered questions ("不用通知").
func (t *turn) notifyOff() Reply {
	if t.d.notifier == nil || t.m.User == "" {
		return Reply{Text: notifyNoneText, Intent: IntentNotifyOff}
	}
	n, err := within(t.ctx, t.d.storeTimeout, func(ctx context.Context) (int, error) {
		return t.d.notifier.Forget(ctx, t.m.User)
	})
	switch {
	case err != nil:
		t.storeFailed("forget for notification", err)
		return Reply{Text: busyText, Intent: IntentNotifyOff}
	case n == 0:
		return Reply{Text: notifyNoneText, Intent: IntentNotifyOff}
	}
	return Reply{Text: notifyOffText, Intent: IntentNotifyOff}
}
