package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"fazhibot/bot"
	"fazhibot/console"
	"fazhibot/handlers"
	"fazhibot/notify"
	"fazhibot/notify/wechatsend"
	"fazhibot/storage/memstore"
	"fazhibot/storage/redisstore"
	"fazhibot/storage/sqldb"
)

// newNotifier returns the later-answer service of serve, on the same store
// as the sessions (Redis, or this process's memory) and its access-token
// cache, or nil when the official account's AppID or AppSecret is not
// configured: without them no message can be sent, so none is promised.
func newNotifier(a *app, store sessionStore, logger *slog.Logger) (*notify.Service, error) {
	if strings.TrimSpace(a.cfg.WeChat.AppID) == "" || strings.TrimSpace(a.cfg.WeChat.AppSecret) == "" {
		return nil, nil
	}
	var ns notify.Store
	var sender *wechatsend.Sender
	var err error
	switch s := store.(type) {
	case *redisstore.Store:
		ns = s.NotifyStore()
		sender, err = wechatsend.New(a.cfg.WeChat.AppID, a.cfg.WeChat.AppSecret, s.TokenCache())
	case *memstore.Store:
		ns = memstore.NewNotifyStore(nil)
		sender, err = wechatsend.New(a.cfg.WeChat.AppID, a.cfg.WeChat.AppSecret, s.TokenCache())
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return notify.New(notify.Options{Store: ns, Sender: sender, Ledger: dbLedger{a.db},
		Normalize: console.NormalizeQuestion, Log: logger})
}

// botNotifier lets the Dialogue remember citizens in a notify.Service.
type botNotifier struct{ s *notify.Service }

func (n botNotifier) Remember(ctx context.Context, u bot.UserID, question string, at time.Time) error {
	return n.s.Remember(ctx, notify.OpenID(u), question, at)
}

func (n botNotifier) Forget(ctx context.Context, u bot.UserID) (int, error) {
	return n.s.Forget(ctx, notify.OpenID(u))
}

// dbLedger records sends in the database's notifications and audit log.
type dbLedger struct{ db *sqldb.DB }

func (l dbLedger) Begin(ctx context.Context, r notify.Record) (notify.RecordID, error) {
	id, err := l.db.BeginNotification(ctx, console.Notification{GroupKey: string(r.Group), Question: r.Question,
		Answer: r.Answer, Version: r.Version, Citizens: int64(r.Citizens), SentBy: r.By})
	return notify.RecordID(id), err
}

func (l dbLedger) Finish(ctx context.Context, id notify.RecordID, c notify.Counts) error {
	return l.db.FinishNotification(ctx, console.NotificationID(id), console.NotificationCounts{
		Notified: int64(c.Notified), Expired: int64(c.Expired), Unsubscribed: int64(c.Unsubscribed),
		Failed: int64(c.Failed), Deferred: int64(c.Deferred), Skipped: int64(c.Skipped)})
}

// withNotify adds the later-answer service to the console's options.
func withNotify(o handlers.ConsoleOptions, s *notify.Service) handlers.ConsoleOptions {
	o.Notify = s
	return o
}
