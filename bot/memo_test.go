package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"fazhibot/knowledge"
)

// countingKnowledge understands every question as the terms "a" and "b"
// and counts the questions it was asked to understand.
type countingKnowledge struct {
	mu    sync.Mutex
	asked []knowledge.Query
}

func (k *countingKnowledge) Answer(context.Context, knowledge.Query) (knowledge.Answer, error) {
	return knowledge.Answer{}, nil
}

func (k *countingKnowledge) Understand(q knowledge.Query) knowledge.Understanding {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.asked = append(k.asked, q)
	return knowledge.Understanding{Terms: []string{"a", "b"}, Year: q.Now.Year()}
}

func (k *countingKnowledge) understood() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.asked)
}

func (*countingKnowledge) Excerpt(knowledge.Hit, knowledge.Query) string { return "" }
func (*countingKnowledge) Coverage() []knowledge.DepartmentYears         { return nil }
func (*countingKnowledge) SensitiveWords() []string                      { return nil }

// TestUnderstandingsRemembered: a question asked again on the same
// knowledge base in the same year is not understood again; another year, a
// newly published base or a message without a time is.
func TestUnderstandingsRemembered(t *testing.T) {
	first, second := &countingKnowledge{}, &countingKnowledge{}
	current := Knowledge(first)
	var mu sync.Mutex
	d, err := New(Options{Current: func() Knowledge { mu.Lock(); defer mu.Unlock(); return current }})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	ask := func(text string, when time.Time) {
		t.Helper()
		d.Respond(context.Background(), Message{Channel: ChannelAPI, User: "u1", Kind: KindText, Text: text, Time: when, PageBytes: testPageBytes})
	}
	ask("去年行政复议多少件", at)
	ask("去年行政复议多少件", at.Add(time.Hour))
	if n := first.understood(); n != 1 {
		t.Errorf("the same question twice was understood %d times, want 1", n)
	}
	ask("去年行政复议多少件", at.AddDate(1, 0, 0))
	if n := first.understood(); n != 2 {
		t.Errorf("after a year: understood %d times, want 2", n)
	}
	ask("去年行政复议多少件", time.Time{})
	ask("去年行政复议多少件", time.Time{})
	if n := first.understood(); n != 4 {
		t.Errorf("without a time: understood %d times, want 4 (the base's own clock decides)", n)
	}

	mu.Lock()
	current = second
	mu.Unlock()
	ask("去年行政复议多少件", at)
	if n := second.understood(); n != 1 {
		t.Errorf("a new base understood the question %d times, want 1", n)
	}

	// What the memo returns is the caller's to change.
	m := d.knowledge()
	u := m.Understand(knowledge.Query{Text: "去年行政复议多少件", Now: at})
	u.Terms[0] = "changed"
	if again := m.Understand(knowledge.Query{Text: "去年行政复议多少件", Now: at}); again.Terms[0] != "a" || again.Year != 2025 {
		t.Errorf("remembered %+v after the caller changed its copy", again)
	}
	if n := second.understood(); n != 1 {
		t.Errorf("understood %d times, want 1", n)
	}
}
