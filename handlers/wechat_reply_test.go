package handlers

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fazhibot/bot"
)

// TestWeChatText: how the WeChat door renders the bot's reply parts into
// one text message: choices numbered, the note after them, the paging and
// passage hints, and WeChat's 2048-byte limit kept without losing the
// choices.
func TestWeChatText(t *testing.T) {
	long := strings.Repeat("全年办理行政复议案件12件。", 200)
	nearlyFull := strings.Repeat("法", (maxReplyBytes-30)/3) // no room for the hint
	tests := []struct {
		name  string
		reply bot.Reply
		want  string // "" checks only the limit and the suffix
		ends  string
	}{
		{"a message", bot.Reply{Text: "您好"}, "您好", ""},
		{"a quoted passage: the related hint",
			bot.Reply{Text: "【江津区司法局·2021年度法治政府建设报告】\n办理行政复议案件12件。", Next: bot.NextRelated},
			"【江津区司法局·2021年度法治政府建设报告】\n办理行政复议案件12件。" + relatedHint, ""},
		{"a page: the page hint",
			bot.Reply{Text: "第一页", Next: bot.NextPage}, "第一页" + pageHint, ""},
		{"choices and a note",
			bot.Reply{Text: "您是否想问:", Choices: []string{"司法局2021年度", "交通局2021年度"}, Note: "请回复数字查看。"},
			"您是否想问:\n1. 司法局2021年度\n2. 交通局2021年度\n请回复数字查看。", ""},
		{"a note without choices",
			bot.Reply{Text: "没有找到。", Note: "如需进一步帮助,请拨打热线。"}, "没有找到。\n如需进一步帮助,请拨打热线。", ""},
		{"a long passage leaves out the related hint",
			bot.Reply{Text: nearlyFull, Next: bot.NextRelated}, nearlyFull, ""},
		{"choices kept when the text is long: the text is shortened",
			bot.Reply{Text: long, Choices: []string{"司法局2021年度"}, Note: "回复数字即可查看。"},
			"", "\n1. 司法局2021年度\n回复数字即可查看。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wechatText(tt.reply)
			if len(got) > maxReplyBytes || !utf8.ValidString(got) {
				t.Fatalf("%d bytes (valid UTF-8 %v), over WeChat's %d", len(got), utf8.ValidString(got), maxReplyBytes)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
			if !strings.HasSuffix(got, tt.ends) {
				t.Errorf("got …%q, want it to end with %q", got[max(0, len(got)-80):], tt.ends)
			}
		})
	}
	if wechatPageBytes+len(pageHint) != maxReplyBytes {
		t.Errorf("a full page with its hint is %d bytes, not WeChat's %d", wechatPageBytes+len(pageHint), maxReplyBytes)
	}
}
