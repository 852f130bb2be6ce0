package knowledge

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestUnderstandRemembered: what Understand read of a question with only
// Text and Now is kept per year of Now, returned equal, and the caller's
// copy is its own; a query with filters is read afresh.
func TestUnderstandRemembered(t *testing.T) {
	terms, err := LoadTerms(os.DirFS("../configs/terms"))
	if err != nil {
		t.Fatal(err)
	}
	seg, err := NewSegmenter("../configs/jieba", terms.SegmenterWords())
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	data, err := os.ReadFile(filepath.Join("testdata", "reports", "jj-sfj-2021.txt"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse("jj-sfj-2021.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build([]*Report{r}, Options{Segmenter: seg, Terms: terms})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2022, 3, 1, 10, 0, 0, 0, time.UTC)
	q := Query{Text: "去年司法局行政复议受理了好多件", Now: at}
	first := b.Understand(q)
	if first.Year != 2021 || len(first.Terms) == 0 {
		t.Fatalf("Understand = %+v", first)
	}
	first.Terms[0] = "changed"
	if again := b.Understand(q); reflect.DeepEqual(again, first) || again.Terms[0] == "changed" {
		t.Errorf("the caller's change reached the kept Understanding: %+v", again)
	}
	b.Understand(Query{Text: q.Text, Now: at.Add(time.Hour)})
	if n := len(b.understood.m); n != 1 {
		t.Errorf("the same question in the same year is kept %d times, want 1", n)
	}
	if u := b.Understand(Query{Text: q.Text, Now: at.AddDate(1, 0, 0)}); u.Year != 2022 || len(b.understood.m) != 2 {
		t.Errorf("a year later: %+v, %d kept", u, len(b.understood.m))
	}
	b.Understand(Query{Text: q.Text, Now: at, Department: "江津区司法局"})
	if n := len(b.understood.m); n != 2 {
		t.Errorf("a query with a filter was kept: %d kept, want 2", n)
	}
}
