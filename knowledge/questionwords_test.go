package knowledge

import "testing"

// TestDropQuestionWords: the words that ask for a quantity, with their
// measure word, are no search terms; a department's name that holds one
// (几江街道) stays whole.
func TestDropQuestionWords(t *testing.T) {
	b := &Base{askingNames: []string{"几江街道"}}
	for _, tc := range []struct{ in, want string }{
		{"罚了多少钱", "罚了 "},
		{"有几家企业", "有 企业"},
		{"有几样证明不用交", "有 证明不用交"},
		{"几江街道有几个网格员", "几江街道有 网格员"},
		{"什么时候发布的", " 发布的"},
	} {
		if got := b.dropQuestionWords(tc.in); got != tc.want {
			t.Errorf("dropQuestionWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
