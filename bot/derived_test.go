package bot

import (
	"sync"
	"sync/atomic"
	"testing"

	"fazhibot/knowledge"
)

// countingBase is a knowledge base that counts the calls of what the
// Dialogue derives from it, and can change its sensitive words.
type countingBase struct {
	*knowledge.Base
	words     []string
	sensitive atomic.Int64
}

func (b *countingBase) SensitiveWords() []string {
	b.sensitive.Add(1)
	return b.words
}

func TestDerivedKnowledgeIsKeptPerBase(t *testing.T) {
	base := mustBase(t)
	first := &countingBase{Base: base, words: []string{"违禁 词"}}
	second := &countingBase{Base: base, words: []string{"另一个"}}
	var mu sync.Mutex
	live := first
	h := newHarness(t, nil, func(o *Options) {
		o.Current = func() Knowledge { mu.Lock(); defer mu.Unlock(); return live }
	})
	ask := func(user, text string) Reply {
		return h.send(Message{User: UserID(user), Kind: KindText, Text: text})
	}

	// The same question and 更多 by three citizens quote the same.
	const question = "生态环境局2020年行政复议"
	var more []string
	for _, u := range []string{"a", "b", "c"} {
		if r := ask(u, question); r.Intent != IntentAnswer {
			t.Fatalf("%s: got %s %q", u, r.Intent, r.Text)
		}
		r := ask(u, "更多")
		if r.Intent != IntentMore || !r.Answered {
			t.Fatalf("%s: 更多 got %s %q, want the next related passage", u, r.Intent, r.Text)
		}
		more = append(more, r.PlainText())
	}
	if more[0] != more[1] || more[1] != more[2] {
		t.Errorf("更多 quoted differently for the same question:\n%s\n%s\n%s", more[0], more[1], more[2])
	}
	if n := first.sensitive.Load(); n != 1 {
		t.Errorf("SensitiveWords called %d times for one base, want 1", n)
	}
	if r := ask("d", "请问违禁词是什么"); r.Intent != IntentSensitive {
		t.Errorf("the base's sensitive word was not refused: %s %q", r.Intent, r.Text)
	}

	// A new base: its own words.
	mu.Lock()
	live = second
	mu.Unlock()
	if r := ask("d", "请问违禁词是什么"); r.Intent == IntentSensitive {
		t.Errorf("the previous base's sensitive word is still refused")
	}
	if r := ask("e", "另一个问题"); r.Intent != IntentSensitive {
		t.Errorf("the new base's sensitive word was not refused: %s %q", r.Intent, r.Text)
	}
	ask("f", question)
	if r := ask("f", "更多"); r.PlainText() != more[0] {
		t.Errorf("更多 on the new base (same reports) differs:\n%s\n%s", r.PlainText(), more[0])
	}
	if n := second.sensitive.Load(); n != 1 {
		t.Errorf("SensitiveWords of the new base called %d times, want 1", n)
	}
}

// unreportedBase has no Report method: sessions cannot show earlier hits.
type unreportedBase struct{ Knowledge }

func TestDerivedKnowledgeWithoutReports(t *testing.T) {
	d, err := New(Options{Knowledge: unreportedBase{mustBase(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.derive(unreportedBase{mustBase(t)}).Report("jj-sthjj-2020"); ok {
		t.Error("a base without Report looked a report up")
	}
}
