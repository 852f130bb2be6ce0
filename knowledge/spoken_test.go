package knowledge

import "testing"

func TestSpokenNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"幺二三四五热线", "12345热线"},
		{"教委二零二二年工单", "教委2022年工单"},
		{"环保局两千零二十一年请了几个法律顾问", "环保局2021年请了几个法律顾问"},
		{"二千零二十年", "2020年"},
		{"两千零九年", "2009年"},
		{"两千零十年", "2010年"},
		{"一业一证", "一业一证"},     // no run of three
		{"二一年的报告", "二一年的报告"}, // two digits: a year readYear reads
		{"三千多人", "三千多人"},
	} {
		if got := spokenNumbers(tc.in); got != tc.want {
			t.Errorf("spokenNumbers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
