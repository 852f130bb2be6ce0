package knowledge

import (
	"testing"
	"time"
)

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

// TestReadYear: the ways a question names a year, and the counts that are
// no year (2316人, 2020余件, 12345).
func TestReadYear(t *testing.T) {
	now := time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)
	for text, want := range map[string]int{
		"环保局2020年罚了多少":  2020,
		"环保局20年罚了多少":    2020,
		"环保局二〇二〇年罚了多少":  2020,
		"环保局二一年罚了多少":    2021,
		"环保局2021罚了多少":   2021,
		"卫健委2022被人申请复议": 2022,
		"去年罚了多少":        2021,
		"持证人员2316人":     0,
		"办了2020余件":      0,
		"12345热线转办多少件":  0,
		"10年前的案子":       0,
	} {
		if got, _ := readYear(text, now); got != want {
			t.Errorf("readYear(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestChangesBy: "压缩了多少" asks by how much, which 压缩78.6% says and
// 压缩至8个工作日 does not.
func TestChangesBy(t *testing.T) {
	verb := askedChange("审批时限压缩了多少")
	if verb != "压缩" {
		t.Fatalf("askedChange = %q, want 压缩", verb)
	}
	if askedChange("审批时限压缩到多少") != "" {
		t.Error("压缩到多少 asks to what, not by how much")
	}
	for sentence, want := range map[string]bool{
		"承诺办结时限比法定时限平均压缩78.6%。":    true,
		"审批时限由法定的45日压缩至8个工作日。":     false,
		"申报材料压缩了20%，审批时限压缩至5个工作日。": true,
	} {
		if got := changesBy(sentence, verb); got != want {
			t.Errorf("changesBy(%q) = %v, want %v", sentence, got, want)
		}
	}
}

// TestNounStem: a spoken noun no report uses is read as its character
// when the reports use the character (单子 → 单, 村头 → 村); a word the
// reports use stays.
func TestNounStem(t *testing.T) {
	b := &Base{words: map[string][]posting{"牵头": {1}}, sound: newSoundIndex(map[string]int{"工单": 3, "村民": 4, "牵头": 2}, nil,
		func(s string) []string { return []string{s} }, func(string) int { return 0 }, func(string) bool { return false }, func(string) bool { return false })}
	for in, want := range map[string]string{"单子": "单", "村头": "村", "牵头": "牵头", "房子": "房子"} {
		if got := b.nounStem(in); got != want {
			t.Errorf("nounStem(%q) = %q, want %q", in, got, want)
		}
	}
}
