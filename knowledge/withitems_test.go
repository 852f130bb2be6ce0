package knowledge

import "testing"

// TestWithItems: the quote of a short passage that introduces the passages
// under it continues into them, as far as maxListRunes; a passage of its
// own, or one with nothing under it, is quoted as it is.
func TestWithItems(t *testing.T) {
	intro := []string{"二、存在的不足"}
	r := &Report{Passages: []Passage{
		{Path: intro, Text: "仍有差距。"},
		{Path: []string{"二、存在的不足", "一是"}, Text: "一是力量不够。"},
		{Path: []string{"二、存在的不足", "二是"}, Text: "二是形式单一。"},
		{Path: []string{"三、下一步打算"}, Text: "加强培训。"},
	}}
	long := make([]rune, 100)
	for i := range long {
		long[i] = '长'
	}
	for _, tt := range []struct {
		name  string
		seq   int
		quote string
		want  string
	}{
		{"an introduction", 0, "仍有差距。", "仍有差距。一是力量不够。二是形式单一。"},
		{"an item: nothing under it", 1, "一是力量不够。", "一是力量不够。"},
		{"the last passage", 3, "加强培训。", "加强培训。"},
		{"a long passage is its own answer", 0, string(long), string(long)},
	} {
		if got := withItems(r, tt.seq, tt.quote); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
