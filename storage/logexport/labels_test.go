package logexport_test

import (
	"slices"
	"testing"

	"fazhibot/bot"
	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/logexport"
)

// TestLabels checks that every typed constant the query log stores has a
// label of its own, and that unknown codes read as themselves. A constant
// added to bot or knowledge without a label here fails the test.
func TestLabels(t *testing.T) {
	type code struct {
		label func(string) string
		code  string
		want  string
	}
	tests := []code{
		{logexport.Channel, string(bot.ChannelWeChat), "微信"},
		{logexport.Channel, string(bot.ChannelAPI), "接口"},
		{logexport.Channel, string(bot.ChannelCLI), "命令行"},
		{logexport.Channel, string(bot.ChannelEval), "评测"},
		{logexport.Kind, string(bot.KindText), "文字"},
		{logexport.Kind, string(bot.KindVoice), "语音"},
		{logexport.Kind, string(bot.KindSubscribe), "关注"},
		{logexport.Kind, string(bot.KindUnsubscribe), "取消关注"},
		{logexport.Kind, string(bot.KindMenuClick), "菜单"},
		{logexport.Kind, string(bot.KindUnsupported), "其他"},
		{logexport.FollowUp, string(bot.FollowUpNew), "新问题"},
		{logexport.FollowUp, string(bot.FollowUpRefine), "换年度或部门"},
		{logexport.FollowUp, string(bot.FollowUpContext), "结合上文"},
		{logexport.FollowUp, string(bot.FollowUpFilters), "同部门新问题"},
		{logexport.Reason, string(knowledge.ReasonNoTerms), "无可检索词"},
		{logexport.Reason, string(knowledge.ReasonLowConfidence), "匹配度低"},
		{logexport.Reason, string(knowledge.ReasonDeptNotCovered), "部门未收录"},
		{logexport.Reason, string(knowledge.ReasonYearNotCovered), "年度未收录"},
		{logexport.Reason, string(knowledge.ReasonActionRequest), "办事请求"},
		{logexport.Reason, string(knowledge.ReasonOfficial), "询问领导个人信息"},
		{logexport.Feedback, string(bot.FeedbackSatisfied), "满意"},
		{logexport.Feedback, string(bot.FeedbackUnsatisfied), "不满意"},
		{logexport.Feedback, string(console.FeedbackSatisfied), "满意"},
		{logexport.Feedback, string(console.FeedbackUnsatisfied), "不满意"},
		{logexport.Intent, string(bot.IntentAnswer), "回答"},
		{logexport.Intent, string(bot.IntentNotCovered), "未收录"},
		{logexport.Intent, string(bot.IntentClarify), "澄清"},
		{logexport.Intent, string(bot.IntentDetail), "详情"},
		{logexport.Intent, string(bot.IntentMore), "更多"},
		{logexport.Intent, string(bot.IntentChoice), "选择"},
		{logexport.Intent, string(bot.IntentHelp), "帮助"},
		{logexport.Intent, string(bot.IntentReset), "重置"},
		{logexport.Intent, string(bot.IntentGreeting), "问候"},
		{logexport.Intent, string(bot.IntentThanks), "致谢"},
		{logexport.Intent, string(bot.IntentGoodbye), "告别"},
		{logexport.Intent, string(bot.IntentIdentity), "身份"},
		{logexport.Intent, string(bot.IntentFeedback), "评价"},
		{logexport.Intent, string(bot.IntentSubscribe), "关注"},
		{logexport.Intent, string(bot.IntentUnsubscribe), "取消关注"},
		{logexport.Intent, string(bot.IntentHot), "热门问题"},
		{logexport.Intent, string(bot.IntentReports), "报告列表"},
		{logexport.Intent, string(bot.IntentEmpty), "空消息"},
		{logexport.Intent, string(bot.IntentUnsupported), "不支持"},
		{logexport.Intent, string(bot.IntentSensitive), "敏感词"},
		{logexport.Intent, string(bot.IntentRateLimited), "限流"},
		{logexport.Intent, string(bot.IntentBusy), "繁忙"},
		// Unknown codes (older or newer programs) read as themselves.
		{logexport.Channel, "fax", "fax"},
		{logexport.Intent, "", ""},
		{logexport.Reason, "other", "other"},
	}
	for _, tc := range tests {
		if got := tc.label(tc.code); got != tc.want {
			t.Errorf("label of %q = %q, want %q", tc.code, got, tc.want)
		}
	}
	channels := []string{string(bot.ChannelWeChat), string(bot.ChannelAPI), string(bot.ChannelCLI), string(bot.ChannelEval)}
	if got := logexport.ChannelCodes(); !slices.Equal(got, channels) {
		t.Errorf("ChannelCodes() = %q, want %q", got, channels)
	}
}

func TestOutcomeAndVerdict(t *testing.T) {
	tests := []struct {
		name string
		r    console.LogRecord
		want string
	}{
		{"answered", console.LogRecord{Answered: true, Question: true, Intent: "answer"}, "已回答"},
		{"unanswered with a reason", console.LogRecord{Question: true, Intent: "not_covered", Reason: knowledge.ReasonLowConfidence}, "未回答（匹配度低）"},
		{"unanswered without a reason", console.LogRecord{Question: true, Intent: "busy"}, "未回答（繁忙）"},
		{"not a question", console.LogRecord{Intent: "greeting"}, "问候"},
	}
	for _, tc := range tests {
		if got := logexport.Outcome(tc.r); got != tc.want {
			t.Errorf("%s: Outcome = %q, want %q", tc.name, got, tc.want)
		}
	}
	for f, want := range map[console.Feedback]string{console.FeedbackNone: "-", console.FeedbackSatisfied: "满意", console.FeedbackUnsatisfied: "不满意"} {
		if got := logexport.Verdict(f); got != want {
			t.Errorf("Verdict(%q) = %q, want %q", f, got, want)
		}
	}
}
