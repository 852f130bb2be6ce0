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
