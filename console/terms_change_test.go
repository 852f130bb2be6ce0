package console

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestTermsChange: the lines a term-list save added and removed, as a
// multiset in file order, bounded, and its round trip through Detail.
func TestTermsChange(t *testing.T) {
	t.Parallel()
	var many []string
	for i := range MaxTermsChangeLines + 3 {
		many = append(many, fmt.Sprintf("词%d 同义%d", i, i))
	}
	tests := []struct {
		name, before, after string
		want                TermsChange
	}{
		{"nothing to something", "", "罚款 罚钱\n\n  行政复议 复议  \n", TermsChange{Added: []string{"罚款 罚钱", "行政复议 复议"}}},
		{"a line changed", "# 注释\n罚款 罚钱\n多少 好多", "# 注释\n罚款 罚钱 罚金\n多少 好多", TermsChange{Added: []string{"罚款 罚钱 罚金"}, Removed: []string{"罚款 罚钱"}}},
		{"only whitespace and order", "甲\n乙", "  乙\r\n甲\n\n", TermsChange{}},
		{"a repeated line counts twice", "甲\n甲\n乙", "甲\n乙\n乙", TermsChange{Added: []string{"乙"}, Removed: []string{"甲"}}},
		{"bounded", "", strings.Join(many, "\n"), TermsChange{Added: many[:MaxTermsChangeLines], MoreAdded: 3}},
		{"bounded removal", strings.Join(many, "\n"), "", TermsChange{Removed: many[:MaxTermsChangeLines], MoreRemoved: 3}},
	}
	for _, tt := range tests {
		got := DiffTermLines(tt.before, tt.after)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
		back, ok := ParseTermsChange(got.Detail())
		if ok == got.Empty() || !reflect.DeepEqual(back, tt.want) {
			t.Errorf("%s: round trip %q → %+v, %v", tt.name, got.Detail(), back, ok)
		}
	}
	for _, detail := range []string{"", "请审核", "{not json", `{"added":[]}`} {
		if c, ok := ParseTermsChange(detail); ok {
			t.Errorf("ParseTermsChange(%q) = %+v, true", detail, c)
		}
	}
}
