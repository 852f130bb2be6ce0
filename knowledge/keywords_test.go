package knowledge_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fazhibot/knowledge"
)

// TestAssignKeywordsNoFragments: keywords never hold a fragment the
// segmenter guessed across two words (为局 from 作为局…, 年区 from
// 2020年区政府); the words they hold are the dictionary's.
func TestAssignKeywordsNoFragments(t *testing.T) {
	_, seg := loadFixtureBase(t)
	data, err := os.ReadFile(filepath.Join("testdata", "reports", "jj-jtj-2020.html"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := knowledge.Parse("jj-jtj-2020.html", data)
	if err != nil {
		t.Fatal(err)
	}
	knowledge.AssignKeywords(r, seg)
	var all []string
	for _, p := range r.Passages {
		all = append(all, p.Keywords...)
	}
	for _, noise := range []string{"为局", "年区", "治区", "证年", "部和市", "名对"} {
		if slices.Contains(all, noise) {
			t.Errorf("keywords hold the fragment %q", noise)
		}
	}
	for _, word := range []string{"超限超载", "行政处罚"} {
		if !slices.Contains(all, word) {
			t.Errorf("keywords lack %q", word)
		}
	}
}
