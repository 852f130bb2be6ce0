package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeNotifier records the questions remembered per user; down makes it
// fail, hang makes it wait for its context.
type fakeNotifier struct {
	mu         sync.Mutex
	remembered map[UserID][]string
	down, hang bool
}

func (f *fakeNotifier) Remember(ctx context.Context, user UserID, question string, at time.Time) error {
	if f.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if f.down {
		return errors.New("fake notifier down")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remembered[user] = append(f.remembered[user], question)
	return nil
}

func (f *fakeNotifier) Forget(ctx context.Context, user UserID) (int, error) {
	if f.down {
		return 0, errors.New("fake notifier down")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.remembered[user])
	delete(f.remembered, user)
	return n, nil
}

// TestNotifyOffer checks when an unanswered question is remembered and
// the reply offers a later answer: WeChat only, unanswered only, and
// never when the store fails (the reply still comes).
func TestNotifyOffer(t *testing.T) {
	const notCovered = "生态环境局2019年罚款多少"
	cases := []struct {
		name       string
		channel    Channel
		text       string
		down, hang bool
		wantOffer  bool
		wantIntent Intent
	}{
		{"wechat, not covered", ChannelWeChat, notCovered, false, false, true, IntentNotCovered},
		{"wechat, answered", ChannelWeChat, "生态环境局2020年罚款多少", false, false, false, IntentAnswer},
		{"api, not covered", ChannelAPI, notCovered, false, false, false, IntentNotCovered},
		{"wechat, action request", ChannelWeChat, "帮我在网上预约一下结婚登记", false, false, false, IntentNotCovered},
		{"wechat, store down", ChannelWeChat, notCovered, true, false, false, IntentNotCovered},
		{"wechat, store hangs", ChannelWeChat, notCovered, false, true, false, IntentNotCovered},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := &fakeNotifier{remembered: map[UserID][]string{}, down: c.down, hang: c.hang}
			d, err := New(Options{Knowledge: mustBase(t), Notifier: n, StoreTimeout: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			r := d.Respond(context.Background(), Message{Channel: c.channel, User: "o1", Kind: KindText, Text: c.text})
			if r.Intent != c.wantIntent {
				t.Fatalf("intent = %s, want %s (reply %q)", r.Intent, c.wantIntent, r.Text)
			}
			if got := strings.Contains(r.Note, "回复'不用通知'取消"); got != c.wantOffer {
				t.Fatalf("offer in the reply's note = %v, want %v: %q", got, c.wantOffer, r.Note)
			}
			want := 0
			if c.wantOffer {
				want = 1
			}
			if got := len(n.remembered["o1"]); got != want || (want == 1 && n.remembered["o1"][0] != c.text) {
				t.Fatalf("remembered %v, want %d entries of %q", n.remembered, want, c.text)
			}
		})
	}
}

// TestNotifyOff checks that "不用通知" forgets the citizen's questions.
func TestNotifyOff(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		asked    bool
		wantText string
	}{
		{"after an unanswered question", "不用通知", true, notifyOffText},
		{"quoted, with punctuation", "'不用通知'。", true, notifyOffText},
		{"nothing waiting", "不用通知", false, notifyNoneText},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := &fakeNotifier{remembered: map[UserID][]string{}}
			d, err := New(Options{Knowledge: mustBase(t), Notifier: n})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if c.asked {
				d.Respond(ctx, Message{Channel: ChannelWeChat, User: "o1", Kind: KindText, Text: "生态环境局2019年罚款多少"})
			}
			r := d.Respond(ctx, Message{Channel: ChannelWeChat, User: "o1", Kind: KindText, Text: c.text})
			if r.Intent != IntentNotifyOff || r.Text != c.wantText {
				t.Fatalf("reply = %s %q, want %s %q", r.Intent, r.Text, IntentNotifyOff, c.wantText)
			}
			if len(n.remembered["o1"]) != 0 {
				t.Fatalf("still remembered: %v", n.remembered)
			}
		})
	}
}
