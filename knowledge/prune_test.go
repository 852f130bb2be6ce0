package knowledge_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"fazhibot/knowledge"
)

// TestPrunedSearchIsExact: with the pruned walk forced on every search,
// and its checks before every list, every sample question, alone and as a
// follow-up, with the default limit and with rerankDepth hits, gets the
// same hits (scores to the last bit) and answers as with the full walk.
func TestPrunedSearchIsExact(t *testing.T) {
	t.Parallel()
	c := snapshotContent(t)
	opts := knowledge.Options{Segmenter: fixture.seg, Terms: fixture.terms, FAQs: c.FAQs, Now: func() time.Time { return fixtureNow }}
	full, err := knowledge.Build(c.Reports, opts)
	if err != nil {
		t.Fatal(err)
	}
	knowledge.SetPruning(full, math.MaxInt, 0, false)
	qs := snapshotQuestions(t, full)
	for _, q := range qs[:len(qs):len(qs)] {
		q.Limit = 20
		qs = append(qs, q)
	}
	want := snapshotAnswers(t, full, qs)
	pruned, err := knowledge.Build(c.Reports, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Stopping as soon as the bounds allow, and only where it pays.
	for _, anyCost := range []bool{true, false} {
		knowledge.SetPruning(pruned, 0, 0, anyCost)
		sameAnswers(t, fmt.Sprintf("pruned (stop at any cost: %t)", anyCost), snapshotAnswers(t, pruned, qs), want)
	}
}
