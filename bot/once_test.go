package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fazhibot/storage/memstore"
)

// TestRespondOnce drives a conversation through RespondOnce on a real
// MessageStore: the claim, the session and the rate limit come from
// BeginMessage, the session and the cached reply go to FinishMessage, a
// redelivery is neither answered nor logged (but counted by the limit),
// and a failed store answers statelessly.
func TestRespondOnce(t *testing.T) {
	store := memstore.New(nil)
	log := &recorder{}
	d, err := New(Options{Knowledge: mustBase(t), Sessions: store, Limiter: store, Logger: log, RateLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !d.CanClaim() {
		t.Fatal("CanClaim = false on a memstore")
	}
	cached := func(r Reply) []byte { return []byte("cached:" + r.PlainText()) }
	steps := []struct {
		name, key, text string
		wantOutcome     ClaimOutcome
		wantIntent      Intent
		wantFollowUp    FollowUp // of the logged entry, when not none
		wantLogged      int
	}{
		{"first delivery", "msg:1", "生态环境局2020年罚款多少", ClaimWon, IntentAnswer, FollowUpNew, 1},
		{"redelivery", "msg:1", "生态环境局2020年罚款多少", ClaimLost, "", FollowUpNone, 1},
		{"follow-up reads the saved session", "msg:2", "那2021年呢", ClaimWon, IntentAnswer, FollowUpRefine, 2},
		{"the redelivery counted: fourth message is limited", "msg:3", "生态环境局2020年罚款多少", ClaimWon, IntentRateLimited, FollowUpNone, 3},
	}
	for _, st := range steps {
		m := Message{Channel: ChannelWeChat, User: "oOnce", Kind: KindText, Text: st.text}
		r, outcome, err := d.RespondOnce(t.Context(), m, Claim{Key: st.key, TTL: time.Minute, Cached: cached})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if outcome != st.wantOutcome || r.Intent != st.wantIntent {
			t.Fatalf("%s: outcome %q, intent %q (%q); want %q, %q", st.name, outcome, r.Intent, r.Text, st.wantOutcome, st.wantIntent)
		}
		entries := log.all()
		if len(entries) != st.wantLogged {
			t.Fatalf("%s: %d entries logged, want %d", st.name, len(entries), st.wantLogged)
		}
		if st.wantFollowUp != FollowUpNone && entries[len(entries)-1].FollowUp != st.wantFollowUp {
			t.Fatalf("%s: read as %q, want %q", st.name, entries[len(entries)-1].FollowUp, st.wantFollowUp)
		}
		if outcome != ClaimWon {
			continue
		}
		got, ok, err := store.Reply(t.Context(), st.key)
		if err != nil || !ok || string(got) != "cached:"+r.PlainText() {
			t.Fatalf("%s: cached reply %q, %v, %v; want %q", st.name, got, ok, err, "cached:"+r.PlainText())
		}
	}

	// Redis down: the message is answered statelessly, the claim failed.
	store.Close()
	m := Message{Channel: ChannelWeChat, User: "oOnce", Kind: KindText, Text: "生态环境局2020年罚款多少"}
	r, outcome, err := d.RespondOnce(t.Context(), m, Claim{Key: "msg:4", TTL: time.Minute})
	if outcome != ClaimFailed || !r.Answered || !errors.Is(err, memstore.ErrClosed) {
		t.Fatalf("store closed: outcome %q, answered %v (%q), err %v; want failed, answered, ErrClosed", outcome, r.Answered, r.Text, err)
	}
	if e := log.all()[3]; !strings.Contains(e.StoreError, "begin message") {
		t.Fatalf("store closed: StoreError %q, want the failed begin", e.StoreError)
	}
}

// TestRespondOnceWithoutMessageStore: a Dialogue on a plain SessionStore
// cannot claim; RespondOnce answers as Respond does.
func TestRespondOnceWithoutMessageStore(t *testing.T) {
	d, err := New(Options{Knowledge: mustBase(t), Sessions: newFakeStore()})
	if err != nil {
		t.Fatal(err)
	}
	if d.CanClaim() {
		t.Fatal("CanClaim = true without a MessageStore")
	}
	for range 2 {
		r, outcome, err := d.RespondOnce(context.Background(), Message{Channel: ChannelWeChat, User: "u", Kind: KindText, Text: "你好"},
			Claim{Key: "k", TTL: time.Minute})
		if outcome != ClaimFailed || r.Intent != IntentGreeting || err != nil {
			t.Fatalf("outcome %q, intent %q, err %v; want failed, greeting, nil", outcome, r.Intent, err)
		}
	}
}
