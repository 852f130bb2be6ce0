package knowledge

import "testing"

func TestSpelledApart(t *testing.T) {
	for _, tt := range []struct {
		text, word string
		want       bool
	}{
		{"全年新核发排污许可证218张", "新发", true},
		{"全年新发排污许可证", "新发", false}, // adjacent: a substring, not apart
		{"新的一年核发", "新发", false},    // two characters between
		{"新A发", "新发", false},       // not a Han character between
		{"新核发", "新核发", false},      // only two-character words
		{"新核发", "AB", false},
		{"先是新,再是新核发", "新发", true}, // the second 新 holds it
	} {
		if got := spelledApart(tt.text, tt.word); got != tt.want {
			t.Errorf("spelledApart(%q, %q) = %v, want %v", tt.text, tt.word, got, tt.want)
		}
	}
}

func TestSpelledReversed(t *testing.T) {
	for _, tt := range []struct {
		text, word string
		want       bool
	}{
		{"网格员上报各类事件9362件", "报上", true},
		{"网格员上报各类事件9362件", "上报", false}, // as written: not reversed
		{"人人平等", "人人", false},
		{"上报", "报", false},
	} {
		if got := spelledReversed(tt.text, tt.word); got != tt.want {
			t.Errorf("spelledReversed(%q, %q) = %v, want %v", tt.text, tt.word, got, tt.want)
		}
	}
}
