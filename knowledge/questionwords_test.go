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

// TestVerbStem: a word no report holds is read as the verb it builds on
// when the reports hold that verb as a word; a pointer with a measure
// word, or a direction alone, is no word at all.
func TestVerbStem(t *testing.T) {
	b := &Base{words: map[string][]posting{"审批": {1}, "起来": {1}, "调解": {1}}}
	for in, want := range map[string]string{
		"审批下来": "审批",
		"调解完了": "调解",
		"评了":   "评了", // a lone character says too little
		"那份":   "",
		"有个":   "",
		"下来":   "",
		"起来":   "起来", // the reports hold it
		"退出":   "退出",
	} {
		if got := b.verbStem(in); got != want {
			t.Errorf("verbStem(%q) = %q, want %q", in, got, want)
		}
	}
}
