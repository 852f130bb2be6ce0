package bot

import "testing"

func TestWholeWords(t *testing.T) {
	for _, tt := range []struct {
		terms []string
		want  int
	}{
		{nil, 0},
		{[]string{"行政", "诉讼", "行政诉讼", "败诉"}, 2},
		{[]string{"罚款", "金额"}, 2},
		{[]string{"律师", "事务", "事务所", "律师事务所"}, 1},
	} {
		if got := wholeWords(tt.terms); got != tt.want {
			t.Errorf("wholeWords(%q) = %d, want %d", tt.terms, got, tt.want)
		}
	}
}
