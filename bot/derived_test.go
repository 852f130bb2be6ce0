package bot

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fazhibot/knowledge"
)

// countingBase is a knowledge base that counts the calls of what the
// Dialogue derives from it, and can change its sensitive words.
type countingBase struct {
	*knowledge.Base
	words     []string
	excerpts  atomic.Int64
	sensitive atomic.Int64
}

func (b *countingBase) SensitiveWords() []string {
	b.sensitive.Add(1)
	return b.words
}

func (b *countingBase) Excerpt(h knowledge.Hit, q knowledge.Query) string {
	b.excerpts.Add(1)
	return b.Base.Excerpt(h, q)
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

	// The same question and 更多 by three citizens: the excerpt of the
	// related passage is taken from the base once, and quoted the same.
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
	if n := first.excerpts.Load(); n != 1 {
		t.Errorf("Excerpt called %d times for the same 更多 of three citizens, want once", n)
	}
	if n := first.sensitive.Load(); n != 1 {
		t.Errorf("SensitiveWords called %d times for one base, want 1", n)
	}
	if r := ask("d", "请问违禁词是什么"); r.Intent != IntentSensitive {
		t.Errorf("the base's sensitive word was not refused: %s %q", r.Intent, r.Text)
	}

	// A new base: its own words, its own excerpts.
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
	if second.excerpts.Load() == 0 {
		t.Error("the new base's excerpts came from the previous base's cache")
	}
	if n := second.sensitive.Load(); n != 1 {
		t.Errorf("SensitiveWords of the new base called %d times, want 1", n)
	}
}

func TestDerivedExcerptKeys(t *testing.T) {
	base := &countingBase{Base: mustBase(t)}
	d, err := New(Options{Knowledge: base})
	if err != nil {
		t.Fatal(err)
	}
	dk := d.derive(base)
	if d.derive(base) != dk {
		t.Fatal("a second message on the same base derived it again")
	}
	a, err := base.Answer(context.Background(), knowledge.Query{Text: "生态环境局2020年罚款多少"})
	if err != nil || len(a.Hits) == 0 {
		t.Fatalf("no hits: %v", err)
	}
	h := a.Hits[0]
	queries := []knowledge.Query{
		{Text: "生态环境局2020年罚款多少"},
		{Text: "生态环境局2020年罚款多少", Context: []string{"行政处罚"}},
		{Text: "生态环境局2020年罚款多少", Context: []string{"行政", "处罚"}},
		{Text: "生态环境局2020年罚款多少", Year: 2021},
		{Text: "生态环境局2020年罚款多少", Department: "江津区生态环境局"},
		{Text: "罚款多少"},
	}
	for round := range 2 {
		for i, q := range queries {
			before := base.excerpts.Load()
			got, want := dk.Excerpt(h, q), base.Base.Excerpt(h, q)
			if got != want {
				t.Errorf("query %d: cached excerpt %q, the base's %q", i, got, want)
			}
			if calls := base.excerpts.Load() - before; round == 1 && calls != 0 || round == 0 && calls != 1 {
				t.Errorf("round %d, query %d: %d calls of the base, want %d", round, i, calls, 1-round)
			}
		}
	}
	// Queries with a clock are not kept.
	q := knowledge.Query{Text: "去年罚款多少", Now: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)}
	before := base.excerpts.Load()
	dk.Excerpt(h, q)
	dk.Excerpt(h, q)
	if calls := base.excerpts.Load() - before; calls != 2 {
		t.Errorf("a query with Now was answered from the cache (%d calls of the base, want 2)", calls)
	}
	// The excerpt of another hit is its own.
	if len(a.Hits) > 1 {
		if got, want := dk.Excerpt(a.Hits[1], queries[0]), base.Base.Excerpt(a.Hits[1], queries[0]); got != want {
			t.Errorf("another hit: %q, want %q", got, want)
		}
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

// answerCountingBase counts the answers to follow-ups (queries with
// Context, Focus or Years) it computes.
type answerCountingBase struct {
	*knowledge.Base
	followUps atomic.Int64
}

func (b *answerCountingBase) Answer(ctx context.Context, q knowledge.Query) (knowledge.Answer, error) {
	if len(q.Context) > 0 || q.Focus != nil || len(q.Years) > 0 {
		b.followUps.Add(1)
	}
	return b.Base.Answer(ctx, q)
}

func TestFollowUpAnswersAreKept(t *testing.T) {
	base := &answerCountingBase{Base: mustBase(t)}
	h := newHarness(t, base, nil)
	conversation := func(user string, turns ...string) []string {
		var out []string
		for _, text := range turns {
			out = append(out, h.send(Message{User: UserID(user), Kind: KindText, Text: text}).PlainText())
		}
		return out
	}
	first := conversation("a", "生态环境局2020年罚款多少", "那2021年呢", "涉及多少人")
	computed := base.followUps.Load()
	if computed == 0 {
		t.Fatal("the follow-ups asked the base nothing in context")
	}
	second := conversation("b", "生态环境局2020年罚款多少", "那2021年呢", "涉及多少人")
	if n := base.followUps.Load() - computed; n != 0 {
		t.Errorf("the same follow-ups of a second citizen computed %d answers again, want 0", n)
	}
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("turn %d answered differently from the cache:\n%s\n%s", i, first[i], second[i])
		}
	}
	// Another context is another answer.
	before := base.followUps.Load()
	conversation("c", "司法局2020年行政复议多少件", "涉及多少人")
	if base.followUps.Load() == before {
		t.Error("a follow-up in another context was answered from the cache")
	}
}

func TestDerivedAnswersAreCopies(t *testing.T) {
	base := mustBase(t)
	d, err := New(Options{Knowledge: base})
	if err != nil {
		t.Fatal(err)
	}
	dk := d.derive(base)
	ctx := context.Background()
	q := knowledge.Query{Text: "涉及多少人", Context: []string{"行政处罚", "罚款"}, Years: []int{2021, 2020},
		Focus: &knowledge.PassageKey{Report: "x", Seq: 1}}
	want, err := base.Answer(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dk.Answer(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Hits) > 0 {
		got.Hits[0].Text = "changed"
		got.Hits[0].Matched = append(got.Hits[0].Matched[:0], "changed")
	}
	got.Terms = append(got.Terms[:0], "changed")
	again, err := dk.Answer(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, want) {
		t.Errorf("the cached answer changed with the caller's copy:\n%+v\nwant\n%+v", again, want)
	}
	// Every field of the query tells answers apart.
	keys := map[answerKey]bool{}
	variants := []knowledge.Query{q,
		{Text: q.Text, Context: q.Context, Years: q.Years},
		{Text: q.Text, Context: q.Context, Focus: q.Focus},
		{Text: q.Text, Context: []string{"行政处罚罚款"}, Years: q.Years, Focus: q.Focus},
		{Text: q.Text, Context: q.Context, Years: []int{2021, 2019}, Focus: q.Focus},
		{Text: q.Text, Context: q.Context, Years: q.Years, Focus: &knowledge.PassageKey{Report: "x", Seq: 2}},
		{Text: q.Text, Context: q.Context, Years: q.Years, Focus: q.Focus, Year: 2020},
		{Text: q.Text, Context: q.Context, Years: q.Years, Focus: q.Focus, Department: "江津区司法局"},
		{Text: q.Text, Context: q.Context, Years: q.Years, Focus: q.Focus, Limit: 3},
		{Text: q.Text, Context: q.Context, Years: q.Years, Focus: q.Focus, Now: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)},
		{Text: "罚款多少", Context: q.Context, Years: q.Years, Focus: q.Focus},
	}
	for i, v := range variants {
		k := answerKeyOf(v)
		if keys[k] {
			t.Errorf("variant %d has the key of an earlier one", i)
		}
		keys[k] = true
	}
}
