package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fazhibot/notify"
	"fazhibot/storage/memstore"
)

// recorder is a Sender that records what it is asked to send.
type recorder struct {
	mu   sync.Mutex
	sent map[notify.OpenID][]string
}

func (r *recorder) Send(_ context.Context, to notify.OpenID, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent[to] = append(r.sent[to], text)
	return nil
}

// ledger is a Ledger in memory.
type ledger struct {
	mu      sync.Mutex
	begun   []notify.Record
	outcome map[notify.RecordID]notify.Counts
}

func (l *ledger) Begin(_ context.Context, r notify.Record) (notify.RecordID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.begun = append(l.begun, r)
	return notify.RecordID(len(l.begun)), nil
}

func (l *ledger) Finish(_ context.Context, id notify.RecordID, c notify.Counts) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outcome[id] = c
	return nil
}

func TestStartRules(t *testing.T) {
	ctx := context.Background()
	answer := "答复正文\n——摘自某报告"
	cases := []struct {
		name  string
		actor notify.Actor
		req   notify.Request
		want  error
	}{
		{"staff may send", notify.Actor{Name: "甲", Role: notify.RoleStaff}, notify.Request{Group: "q", Answer: answer, Version: 2}, nil},
		{"admin may send", notify.Actor{Name: "乙", Role: notify.RoleAdmin}, notify.Request{Group: "q", Answer: answer, Version: 2}, nil},
		{"an unknown role may not", notify.Actor{Name: "丙", Role: "guest"}, notify.Request{Group: "q", Answer: answer, Version: 2}, notify.ErrNotAllowed},
		{"an unpublished answer is refused", notify.Actor{Name: "甲", Role: notify.RoleStaff}, notify.Request{Group: "q", Answer: answer}, notify.ErrNotPublished},
		{"an empty answer is refused", notify.Actor{Name: "甲", Role: notify.RoleStaff}, notify.Request{Group: "q", Answer: " ", Version: 2}, notify.ErrNotPublished},
		{"nobody waiting", notify.Actor{Name: "甲", Role: notify.RoleStaff}, notify.Request{Group: "other", Answer: answer, Version: 2}, notify.ErrNobody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{sent: map[notify.OpenID][]string{}}
			led := &ledger{outcome: map[notify.RecordID]notify.Counts{}}
			svc, err := notify.New(notify.Options{Store: memstore.NewNotifyStore(nil), Sender: rec, Ledger: led, Normalize: strings.TrimSpace})
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			at := time.Now().Add(-time.Minute)
			// o1 asked two questions of the group: one message only.
			for _, r := range []struct{ id, q string }{{"o1", "q"}, {"o1", "q2"}, {"o2", "q2"}} {
				if err := svc.Remember(ctx, notify.OpenID(r.id), r.q, at); err != nil {
					t.Fatal(err)
				}
			}
			if c.req.Group == "q" {
				c.req.Keys = []notify.QuestionKey{"q", "q2"}
			}
			_, err = svc.Start(ctx, c.actor, c.req)
			svc.Wait()
			if !errors.Is(err, c.want) {
				t.Fatalf("Start = %v, want %v", err, c.want)
			}
			if c.want != nil {
				if len(rec.sent) != 0 || len(led.begun) != 0 {
					t.Fatalf("a refused send sent %v and recorded %v", rec.sent, led.begun)
				}
				return
			}
			if len(rec.sent["o1"]) != 1 || len(rec.sent["o2"]) != 1 {
				t.Fatalf("sent %v, want one message each to o1 and o2", rec.sent)
			}
			want := notify.Record{By: c.actor.Name, Group: "q", Answer: answer, Version: 2, Citizens: 2}
			if len(led.begun) != 1 || led.begun[0] != want || led.outcome[1] != (notify.Counts{Notified: 2}) {
				t.Fatalf("ledger = %+v %+v, want %+v and 2 notified", led.begun, led.outcome, want)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	at := time.Date(2024, 3, 1, 1, 30, 0, 0, time.UTC) // 09:30 in China
	cases := []struct {
		name     string
		question string
		answer   string
		want     []string
		maxBytes int
	}{
		{"quotes the question and the answer", "社保  怎么交", "按月缴纳。\n——江津区人社局", []string{"3月1日09:30", "“社保 怎么交”", "按月缴纳。\n——江津区人社局"}, 2000},
		{"a long answer is cut", "问题", strings.Repeat("答", 1000), []string{"“问题”", "…"}, 2000},
		{"a long question is shortened", strings.Repeat("问", 200), "答", []string{strings.Repeat("问", 120) + "…”"}, 2000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := notify.Message(notify.Pending{OpenID: "o", Question: c.question, At: at}, c.answer)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("Message = %q, want it to contain %q", got, w)
				}
			}
			if len(got) > c.maxBytes {
				t.Errorf("Message is %d bytes, want at most %d", len(got), c.maxBytes)
			}
		})
	}
}
