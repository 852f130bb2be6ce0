package accounts

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      string
	}{
		{"  站长 ", "站长", ""},
		{"", "", "请填写用户名"},
		{"张 三", "", "空格"},
		{strings.Repeat("名", MaxNameRunes+1), "", "不能超过"},
	} {
		got, err := CheckName(tc.in)
		var rule RuleError
		if got != tc.want || (tc.err == "") != (err == nil) || err != nil && (!errors.As(err, &rule) || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("CheckName(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestPasswords(t *testing.T) {
	for _, tc := range []struct{ pw, again, err string }{
		{"good-password", "good-password", ""},
		{"short", "short", "至少需要 8 个字符"},
		{strings.Repeat("密", 25), strings.Repeat("密", 25), "不能超过 72 字节"},
		{"good\x00password", "good\x00password", "控制字符"},
		{"good-password", "other-password", "不一致"},
	} {
		err := CheckNewPassword(tc.pw, tc.again)
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("CheckNewPassword(%q, %q) = %v, want %q", tc.pw, tc.again, err, tc.err)
		}
	}
	h, err := Hash("good-password", 4)
	if err != nil || !Matches(h, "good-password") || Matches(h, "bad-password") {
		t.Errorf("Hash/Matches: %q %v", h, err)
	}
	if _, err := Hash("short", 4); err == nil {
		t.Error("Hash accepted a short password")
	}
	a, b := Generate(), Generate()
	if len(a) != 16 || a == b || strings.ContainsAny(a, "0O1l") {
		t.Errorf("Generate = %q, %q", a, b)
	}
}
