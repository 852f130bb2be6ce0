package knowledge_test

import (
	"context"
	"reflect"
	"testing"

	"fazhibot/knowledge"
)

// TestAnswerCache: a repeated question gets the same answer, which a
// caller may change without changing the next one; a follow-up is kept
// with its context, and the same text without it is answered afresh; an
// excerpt is kept with its query.
func TestAnswerCache(t *testing.T) {
	base, _ := loadFixtureBase(t)
	ctx := context.Background()
	q := knowledge.Query{Text: "生态环境局2020年罚了多少钱"}
	first, err := base.Answer(ctx, q)
	if err != nil || !first.Answered {
		t.Fatalf("first answer: %v %+v", err, first)
	}
	want, _ := base.Answer(ctx, q)
	first.Hits[0].Text = "changed"
	first.Terms[0] = "changed"
	first.Text = "changed"
	again, err := base.Answer(ctx, q)
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Errorf("after the caller changed its copy, the answer is\n%+v\nwant\n%+v", again, want)
	}
	again.Hits[0].Text = "changed from the cache"
	if third, _ := base.Answer(ctx, q); third.Hits[0].Text != want.Hits[0].Text {
		t.Errorf("a change to a cached answer's copy reached the cache: %q", third.Hits[0].Text)
	}
	// The same text as a follow-up depends on the conversation.
	follow, err := base.Answer(ctx, knowledge.Query{Text: "合格率呢", Context: []string{"食品", "抽检"}})
	if err != nil || !follow.Answered {
		t.Fatalf("follow-up: %v %+v", err, follow)
	}
	alone, _ := base.Answer(ctx, knowledge.Query{Text: "合格率呢"})
	if reflect.DeepEqual(alone, follow) {
		t.Errorf("the follow-up's answer was reused without its context: %+v", alone)
	}
	follow.Hits[0].Text = "changed"
	if again, _ := base.Answer(ctx, knowledge.Query{Text: "合格率呢", Context: []string{"食品", "抽检"}}); again.Hits[0].Text == "changed" || again.Text != follow.Text {
		t.Errorf("the repeated follow-up: %+v", again)
	}
	// Excerpts: the same hit and query quote the same sentences; another
	// question about the same passage quotes its own.
	h := want.Hits[0]
	fines := base.Excerpt(h, q)
	if again := base.Excerpt(h, q); again != fines || fines == "" {
		t.Errorf("excerpt again = %q, want %q", again, fines)
	}
	if other := base.Excerpt(h, knowledge.Query{Text: "生态环境局2020年开展了哪些专项执法行动"}); other == fines {
		t.Errorf("another question's excerpt of the same passage is the cached %q", other)
	}
}
