package wechatsend_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fazhibot/notify"
	"fazhibot/notify/wechatsend"
	"fazhibot/notify/wechatsend/wechattest"
	"fazhibot/storage/memstore"
)

func newSender(t *testing.T) *wechatsend.Sender {
	t.Helper()
	s, err := wechatsend.New(wechattest.AppID, wechattest.AppSecret, memstore.New(nil).TokenCache())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSend checks one message per case against the fake API: the access
// token is fetched once and reused, and WeChat's refusals map to notify's
// errors.
func TestSend(t *testing.T) {
	api := wechattest.Start(t)
	s := newSender(t)
	cases := []struct {
		name    string
		to      string
		errcode int
		want    error // nil: delivered
	}{
		{"delivered", "o-ok", 0, nil},
		{"window closed", "o-expired", 45015, notify.ErrWindowClosed},
		{"rate limited", "o-limited", 45047, notify.ErrRateLimited},
		{"unsubscribed", "o-left", 43004, notify.ErrUnsubscribed},
		{"other refusal", "o-bad", 47001, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.errcode != 0 {
				api.FailFor(c.to, c.errcode)
			}
			before := len(api.Sent())
			err := s.Send(context.Background(), notify.OpenID(c.to), "答复："+c.name)
			var werr *wechatsend.Error
			switch {
			case c.errcode == 0:
				if err != nil {
					t.Fatalf("Send = %v, want delivered", err)
				}
				sent := api.Sent()
				if len(sent) != before+1 || sent[len(sent)-1] != (wechattest.Message{To: c.to, Text: "答复：" + c.name}) {
					t.Fatalf("fake received %+v", sent)
				}
			case !errors.As(err, &werr) || werr.Code != int64(c.errcode):
				t.Fatalf("Send = %v, want *Error with code %d", err, c.errcode)
			case c.want != nil && !errors.Is(err, c.want):
				t.Fatalf("Send = %v, want it to wrap %v", err, c.want)
			case c.want == nil && (errors.Is(err, notify.ErrWindowClosed) || errors.Is(err, notify.ErrRateLimited) || errors.Is(err, notify.ErrUnsubscribed)):
				t.Fatalf("Send = %v, want a plain API failure", err)
			default:
				if len(api.Sent()) != before {
					t.Fatalf("a refused message was recorded as sent")
				}
			}
		})
	}
	if n := api.Tokens(); n != 1 {
		t.Fatalf("access tokens fetched = %d, want 1 (cached)", n)
	}
}

// TestSendBadSecret checks that a failed token fetch is an error that does
// not quote the secret, and that nothing is sent.
func TestSendBadSecret(t *testing.T) {
	api := wechattest.Start(t)
	s, err := wechatsend.New(wechattest.AppID, "wrong-secret-0123456789", memstore.New(nil).TokenCache())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), "o1", "答复")
	var werr *wechatsend.Error
	if !errors.As(err, &werr) || werr.Code != 40125 || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("Send = %v, want errcode 40125 without the secret", err)
	}
	if api.Calls() != 0 {
		t.Fatalf("send calls = %d, want 0", api.Calls())
	}
}

// TestServiceSends runs notify.Service with this Sender against the fake:
// each waiting citizen gets one message quoting their question, except
// one who opted out; WeChat's refusals are counted; a rate limit stops the
// send and leaves the rest waiting.
func TestServiceSends(t *testing.T) {
	ctx := context.Background()
	asked := time.Now().Add(-time.Hour)
	cases := []struct {
		name      string
		citizens  []string
		fail      map[string]int
		optOut    []string
		want      notify.Counts
		wantSent  []string
		wantStill []string // still waiting afterwards
	}{
		{
			name:     "delivered, expired, unsubscribed, opted out",
			citizens: []string{"o1", "o2", "o-expired", "o-left", "o-optout"},
			fail:     map[string]int{"o-expired": 45015, "o-left": 43004},
			optOut:   []string{"o-optout"},
			want:     notify.Counts{Notified: 2, Expired: 1, Unsubscribed: 1},
			wantSent: []string{"o1", "o2"},
		},
		{
			name:      "rate limit stops the send",
			citizens:  []string{"o1", "o-limited", "o3", "o4"},
			fail:      map[string]int{"o-limited": 45047},
			want:      notify.Counts{Notified: 1, Failed: 1, Deferred: 2},
			wantSent:  []string{"o1"},
			wantStill: []string{"o3", "o4"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := wechattest.Start(t)
			store := memstore.NewNotifyStore(nil)
			svc, err := notify.New(notify.Options{Store: store, Sender: newSender(t), Normalize: strings.TrimSpace})
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			for i, id := range c.citizens {
				if err := svc.Remember(ctx, notify.OpenID(id), "社保怎么交", asked.Add(time.Duration(i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			for id, code := range c.fail {
				api.FailFor(id, code)
			}
			for _, id := range c.optOut {
				if n, err := svc.Forget(ctx, notify.OpenID(id)); n != 1 || err != nil {
					t.Fatalf("Forget(%s) = %d, %v", id, n, err)
				}
			}
			job, err := svc.Start(ctx, notify.Actor{Name: "张三", Role: notify.RoleStaff},
				notify.Request{Group: "社保怎么交", Question: "社保怎么交", Answer: "按月缴纳。\n(来源:FAQ)", Version: 3})
			if err != nil {
				t.Fatal(err)
			}
			svc.Wait()
			j, ok := svc.Job(job)
			if !ok || j.Running() || j.Counts != c.want || j.Total != len(c.citizens)-len(c.optOut) {
				t.Fatalf("job = %+v, want counts %+v", j, c.want)
			}
			var to []string
			for _, m := range api.Sent() {
				to = append(to, m.To)
				if !strings.Contains(m.Text, "“社保怎么交”") || !strings.Contains(m.Text, "按月缴纳。\n(来源:FAQ)") {
					t.Errorf("message to %s = %q, want the question quoted and the answer with its source", m.To, m.Text)
				}
			}
			if !slices.Equal(to, c.wantSent) {
				t.Fatalf("sent to %v, want %v", to, c.wantSent)
			}
			still, _ := store.Pending(ctx, "社保怎么交")
			var ids []string
			for _, p := range still {
				ids = append(ids, string(p.OpenID))
			}
			if !slices.Equal(ids, c.wantStill) {
				t.Fatalf("still waiting %v, want %v", ids, c.wantStill)
			}
			// A second send reaches nobody already tried.
			_, err = svc.Start(ctx, notify.Actor{Name: "张三", Role: notify.RoleAdmin},
				notify.Request{Group: "社保怎么交", Answer: "按月缴纳。", Version: 3})
			svc.Wait()
			if len(c.wantStill) == 0 && !errors.Is(err, notify.ErrNobody) {
				t.Fatalf("second Start = %v, want ErrNobody", err)
			}
		})
	}
}
