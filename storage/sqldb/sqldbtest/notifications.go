package sqldbtest

import (
	"context"
	"errors"
	"testing"

	"fazhibot/console"
)

func notificationCases() []struct {
	name string
	run  func(t *testing.T, h harness)
} {
	return []struct {
		name string
		run  func(t *testing.T, h harness)
	}{
		{"Notifications", testNotifications},
	}
}

// testNotifications records two sends: each is audited when it begins,
// its outcome is stored when it finishes, and they are listed newest first.
func testNotifications(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := context.Background()
	first := console.Notification{GroupKey: "社保怎么交", Question: "社保怎么交？", Answer: "按月缴纳。", Version: 3, Citizens: 4, SentBy: "张三"}
	id1, err := db.BeginNotification(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	want := console.NotificationCounts{Notified: 2, Expired: 1, Failed: 1}
	if err := db.FinishNotification(ctx, id1, want); err != nil {
		t.Fatal(err)
	}
	id2, err := db.BeginNotification(ctx, console.Notification{GroupKey: "b", Question: "b", Answer: "答", Version: 4, Citizens: 1, SentBy: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishNotification(ctx, 999, want); !errors.Is(err, console.ErrNotFound) {
		t.Fatalf("FinishNotification(unknown) = %v, want ErrNotFound", err)
	}
	list, err := db.Notifications(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != id2 || list[1].ID != id1 {
		t.Fatalf("Notifications = %+v, want [%d %d]", list, id2, id1)
	}
	got := list[1]
	if got.Counts != want || got.Finished.IsZero() || got.SentBy != "张三" || got.Citizens != 4 || got.Answer != "按月缴纳。" || got.Version != 3 {
		t.Fatalf("first send = %+v, want its outcome %+v", got, want)
	}
	if !list[0].Finished.IsZero() {
		t.Fatalf("a running send has a finish time: %+v", list[0])
	}
	audit, err := db.Audit(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sends []console.AuditEntry
	for _, e := range audit {
		if e.Action == console.ActionNotifySend {
			sends = append(sends, e)
		}
	}
	if len(sends) != 2 || sends[1].Actor != "张三" || sends[1].Target != "question:社保怎么交？" || sends[1].Detail != "4位市民：按月缴纳。" {
		t.Fatalf("audit entries of sends = %+v", sends)
	}
}
