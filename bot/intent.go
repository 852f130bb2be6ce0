package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"fazhibot/knowledge"
)

// command is what a short message asks of the bot itself, rather than of
// the reports.
type command int

const (
	cmdNone command = iota
	cmdHelp
	cmdReset
	cmdDetail
	cmdMore
	cmdSatisfied
	cmdUnsatisfied
	cmdGreeting
	cmdThanks
	cmdGoodbye
	cmdIdentity
	cmdReports
	cmdNotifyOff
)

// exactCommands are whole messages (after normalize) that are commands.
var exactCommands = map[string]command{
	"?": cmdHelp, "帮助": cmdHelp, "help": cmdHelp, "菜单": cmdHelp, "使用说明": cmdHelp, "使用帮助": cmdHelp,
	"重置": cmdReset, "重新开始": cmdReset, "清除": cmdReset, "清空": cmdReset, "reset": cmdReset,
	"详情": cmdDetail, "全文": cmdDetail, "详细": cmdDetail, "原文": cmdDetail, "查看全文": cmdDetail, "查看详情": cmdDetail,
	"更多": cmdMore, "下一条": cmdMore, "继续": cmdMore, "下一个": cmdMore, "还有吗": cmdMore, "查看更多": cmdMore,
	knowledge.ReportListCommand: cmdReports, "有哪些报告": cmdReports, "收录了哪些报告": cmdReports,
	"都有哪些报告": cmdReports, "有什么报告": cmdReports, "报告目录": cmdReports,
	"满意": cmdSatisfied, "很满意": cmdSatisfied, "非常满意": cmdSatisfied,
	"不用通知": cmdNotifyOff, "不要通知": cmdNotifyOff, "取消通知": cmdNotifyOff, "不需要通知": cmdNotifyOff,
	"不满意": cmdUnsatisfied, "很不满意": cmdUnsatisfied, "非常不满意": cmdUnsatisfied, "不太满意": cmdUnsatisfied,
}

// smallTalk are the phrases a small-talk message is made of. A message is
// small talk only when it consists of nothing but these phrases and
// fillers, so "你好,环保局2020年罚款多少" is still a question.
var smallTalk = map[string]command{
	"你好": cmdGreeting, "您好": cmdGreeting, "在吗": cmdGreeting, "在么": cmdGreeting, "在不在": cmdGreeting,
	"有人吗": cmdGreeting, "hi": cmdGreeting, "hello": cmdGreeting, "嗨": cmdGreeting, "哈喽": cmdGreeting,
	"早上好": cmdGreeting, "上午好": cmdGreeting, "中午好": cmdGreeting, "下午好": cmdGreeting, "晚上好": cmdGreeting,
	"大家好": cmdGreeting, "早": cmdGreeting, "早安": cmdGreeting,

	"谢谢": cmdThanks, "多谢": cmdThanks, "感谢": cmdThanks, "谢了": cmdThanks, "谢啦": cmdThanks, "辛苦": cmdThanks,
	"辛苦了": cmdThanks, "thanks": cmdThanks, "thankyou": cmdThanks, "thx": cmdThanks, "3q": cmdThanks,
	"好的": cmdThanks, "收到": cmdThanks, "知道了": cmdThanks, "明白了": cmdThanks, "懂了": cmdThanks,
	"ok": cmdThanks, "好": cmdThanks, "嗯": cmdThanks, "嗯嗯": cmdThanks, "行": cmdThanks, "不错": cmdThanks,
	"太好了": cmdThanks, "赞": cmdThanks,

	"拜拜": cmdGoodbye, "再见": cmdGoodbye, "bye": cmdGoodbye, "byebye": cmdGoodbye, "88": cmdGoodbye,
	"回见": cmdGoodbye, "下次见": cmdGoodbye, "晚安": cmdGoodbye,

	"你是谁": cmdIdentity, "您是谁": cmdIdentity, "你是什么": cmdIdentity, "你叫什么": cmdIdentity,
	"你叫什么名字": cmdIdentity, "你是机器人": cmdIdentity, "你是人": cmdIdentity, "是机器人": cmdIdentity,
	"是真人": cmdIdentity, "你是真人": cmdIdentity,

	"怎么用": cmdHelp, "如何用": cmdHelp, "怎么使用": cmdHelp, "如何使用": cmdHelp, "怎么问": cmdHelp,
	"能做什么": cmdHelp, "能干什么": cmdHelp, "会什么": cmdHelp, "有什么用": cmdHelp, "能问什么": cmdHelp,
	"可以问什么": cmdHelp, "用法": cmdHelp, "你能做什么": cmdHelp,
}

// fillers may surround small-talk phrases without making a question.
var fillers = []string{
	"这个", "那个", "请问", "小助手", "助手", "机器人", "你", "您", "我", "啊", "呀", "呢", "哈", "哈哈", "呵呵",
	"了", "吧", "嘛", "哦", "噢", "喔", "的", "啦", "么", "吗", "哟", "呐", "很", "非常", "真", "大家",
	"噻", "嗦", "哇", "嘞", "撒", "咯", "喃", "诶", // Chongqing speech's particles
}

// smallTalkPriority orders small-talk kinds: a message mixing several
// ("谢谢,拜拜") is answered as the one listed first.
var smallTalkPriority = []command{cmdIdentity, cmdHelp, cmdGoodbye, cmdThanks, cmdGreeting}

// normalize prepares a short message for matching commands: full-width
// letters and digits become half-width, letters lower case, and spaces and
// punctuation are dropped (except a lone question mark, the help command).
func normalize(text string) string {
	text = strings.TrimSpace(text)
	if text == "?" || text == "？" {
		return "?"
	}
	var sb strings.Builder
	for _, r := range text {
		if r >= '！' && r <= '～' { // full-width ASCII
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		sb.WriteRune(unicode.ToLower(r))
	}
	return sb.String()
}

// classify says which command a message is, or cmdNone for a question.
func classify(text string) command {
	n := normalize(text)
	if c, ok := exactCommands[n]; ok {
		return c
	}
	if n == "" {
		return cmdNone
	}
	return smallTalkOf(n)
}

// smallTalkOf reports the small-talk kind of a normalized message made
// only of small-talk phrases and fillers, or cmdNone. It matches the
// longest phrase at each position.
func smallTalkOf(n string) command {
	found := map[command]bool{}
	for n != "" {
		best, kind := 0, cmdNone
		for p, c := range smallTalk {
			if len(p) > best && strings.HasPrefix(n, p) {
				best, kind = len(p), c
			}
		}
		for _, f := range fillers {
			if len(f) > best && strings.HasPrefix(n, f) {
				best, kind = len(f), cmdNone
			}
		}
		if best == 0 {
			return cmdNone
		}
		if kind != cmdNone {
			found[kind] = true
		}
		n = n[best:]
	}
	for _, c := range smallTalkPriority {
		if found[c] {
			return c
		}
	}
	return cmdNone
}

// choiceNumber reads a reply that picks a numbered choice ("2", "２",
// "第2个", "二") and returns the 1-based number, or 0.
func choiceNumber(text string) int {
	n := normalize(text)
	n = strings.TrimPrefix(n, "第")
	n = strings.TrimPrefix(n, "选")
	for _, suffix := range []string{"个", "条", "项", "题", "号"} {
		n = strings.TrimSuffix(n, suffix)
	}
	if v, ok := map[string]int{"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}[n]; ok {
		return v
	}
	if n == "" || utf8.RuneCountInString(n) > 2 {
		return 0
	}
	v := 0
	for _, r := range n {
		if r < '0' || r > '9' {
			return 0
		}
		v = v*10 + int(r-'0')
	}
	return v
}

// containsSensitive reports whether text contains one of words, ignoring
// case, width, spaces and punctuation (so "法 轮" still matches).
// normalizeAll normalizes words as the text they are looked for in,
// dropping those that end up empty.
func normalizeAll(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w = normalize(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

func containsSensitive(text string, words []string) bool {
	n := normalize(text)
	for _, w := range words {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// pleasantries may open a question ("你好,请问…") without being part of it.
var pleasantries = []string{"你好", "您好", "在吗", "在么", "hi", "hello", "嗨", "哈喽", "请问一下", "请问", "麻烦问一下", "问一下", "打扰一下", "小助手"}

// stripPleasantries removes pleasantries, spaces and punctuation from the
// start of a question.
func stripPleasantries(text string) string {
	for {
		text = strings.TrimLeftFunc(text, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
		})
		cut := false
		for _, p := range pleasantries {
			if len(text) > len(p) && strings.EqualFold(text[:len(p)], p) {
				text, cut = text[len(p):], true
			}
		}
		if !cut {
			return text
		}
	}
}
