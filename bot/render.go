package bot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"fazhibot/knowledge"
)

// maxListBytes bounds the long lists the bot writes itself (the reports
// covered), so that one fits a short reply on any channel.
const maxListBytes = knowledge.MaxReplyBytes - 200

// Replies that do not depend on the knowledge base.
const (
	greetingText     = "您好!我是江津区法治政府建设年度报告问答助手,请直接输入您的问题,例如:%s\n回复\"帮助\"查看使用方法。"
	thanksText       = "不客气!还有其他问题,欢迎随时提问。"
	goodbyeText      = "再见!感谢您的关注,欢迎随时再来提问。"
	identityText     = "我是\"江津发布\"的法治政府建设年度报告问答助手,可以为您查询江津区各部门法治政府建设年度报告中的内容。回复\"帮助\"查看使用方法。"
	resetText        = "好的,之前的对话已清除,请重新提问。"
	emptyText        = "您好,请直接输入文字提问,例如:%s"
	voiceEmptyText   = "抱歉,没有听清您的语音,请直接输入文字提问。"
	unsupportedText  = "抱歉,我暂时只能看懂文字消息,请直接输入文字提问。"
	sensitiveText    = "抱歉,您的消息中含有不适宜的内容,我无法回答。请文明提问,谢谢理解。"
	rateLimitedText  = "您发送得太快了,请稍等片刻再提问。"
	busyText         = "抱歉,系统繁忙,请稍后再试。"
	satisfiedText    = "感谢您的评价!还有其他问题,欢迎继续提问。"
	unsatisfiedText  = "抱歉没能帮到您,我们会根据您的反馈持续改进。您可以换个说法再问,或拨打%s政务服务便民热线咨询。"
	noFeedbackText   = "感谢您的反馈!请先提出您的问题,我再为您解答。"
	noChoicesText    = "目前没有可选的编号,请直接输入您的问题,例如:%s"
	nothingShownText = "请先提出您的问题,例如:%s"
	noMoreText       = "没有更多相关内容了。您可以换个说法,或带上部门和年份再问。"
	hotlineText      = "如需进一步帮助,请拨打%s政务服务便民热线。"
	pickHintText     = "回复数字即可查看。"
)

// helpText is the usage help; %s is an example question.
const helpText = `我是江津区法治政府建设年度报告问答助手,可以回答各部门法治政府建设年度报告中的问题。

使用方法:
· 直接输入问题,最好带上部门和年份,例如:%s
· 追问"那2021年呢""司法局呢",会沿用上一个问题
· 回复"详情"查看全文,"更多"查看其他相关内容
· 回复"满意"或"不满意"评价回答
· 回复"重置"重新开始对话
· 点击菜单"热门问题"查看大家常问的问题`

// welcomeText greets a new follower; the example questions follow as
// choices, then welcomeNote.
const welcomeText = `感谢关注"江津发布"!我是法治政府建设年度报告问答助手,可以为您解答江津区各部门法治政府建设年度报告中的问题。

您可以这样问:`

const welcomeNote = `直接输入问题即可,也可以回复数字提问。回复"帮助"查看更多用法。`

// split cuts text into a first page of at most max bytes and the rest. It cuts after the last
// line or sentence end in the second half of the chunk, else after the
// last clause end there, else between two characters that are not both
// part of a number; never inside a character or a number such as "316.79".
func split(text string, max int) (chunk, rest string) {
	if len(text) <= max {
		return text, ""
	}
	limit := max
	sentence, clause := 0, 0
	for i, r := range text {
		end := i + utf8.RuneLen(r)
		if end > limit {
			break
		}
		switch {
		case r == '\n':
			sentence = i
		case strings.ContainsRune("。；;！？!?", r):
			sentence = end
		case strings.ContainsRune("，,、：:", r):
			clause = end
		}
	}
	cut := sentence
	if cut < limit/2 {
		cut = clause
	}
	if cut < limit/2 {
		cut = 0
		for i, r := range text {
			end := i + utf8.RuneLen(r)
			if end > limit {
				break
			}
			if next, _ := utf8.DecodeRuneInString(text[end:]); !(isNumberRune(r) && isNumberRune(next)) {
				cut = end
			}
		}
	}
	return strings.TrimRight(text[:cut], " \n"), strings.TrimLeft(text[cut:], " \n")
}

func isNumberRune(r rune) bool {
	return unicode.IsDigit(r) || r == '.' || r == '%' || r == '．' || r == '％'
}

// fullText renders the whole passage of a hit: source, text and section,
// like knowledge.RenderHit but never shortened (split it to send it).
func fullText(h knowledge.Hit) string {
	s := fmt.Sprintf("【%s·%d年度法治政府建设报告】\n%s", h.Department, h.Year, h.Text)
	if sec := h.Section(); sec != "" {
		s += "\n(出处:" + sec + ")"
	}
	return s
}

// hitLabel names a hit in a numbered list: the department (without the
// district's name), the year and the passage's own heading.
func hitLabel(h knowledge.Hit) string {
	dept := strings.TrimPrefix(h.Department, "江津")
	sec := "报告导语"
	if n := len(h.Path); n > 0 {
		sec = h.Path[n-1]
		// A bare item number ("3.") says nothing: add its parent heading.
		if utf8.RuneCountInString(strings.TrimSpace(sec)) <= 3 && n > 1 {
			sec = h.Path[n-2] + " " + sec
		}
	}
	sec = shorten(strings.TrimSpace(sec), 36)
	return fmt.Sprintf("%s%d年度:%s", dept, h.Year, sec)
}

// shorten cuts s to at most n characters, marking the cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// PlainText renders r as one text without a size limit: Text, the
// numbered choices ("1. …" lines), then Note.
func (r Reply) PlainText() string {
	var sb strings.Builder
	sb.WriteString(r.Text)
	if len(r.Choices) > 0 {
		sb.WriteString("\n")
		for i, c := range r.Choices {
			sb.WriteString(strconv.Itoa(i+1) + ". " + c + "\n")
		}
	} else if r.Note != "" && r.Text != "" {
		sb.WriteString("\n")
	}
	sb.WriteString(r.Note)
	return sb.String()
}

// coverageText lists the departments and years the reports cover.
func coverageText(cov []knowledge.DepartmentYears) string {
	if len(cov) == 0 {
		return "目前还没有收录法治政府建设年度报告。"
	}
	var sb strings.Builder
	sb.WriteString("目前收录的法治政府建设年度报告:")
	for _, c := range cov {
		years := make([]string, len(c.Years))
		for i, y := range c.Years {
			years[i] = strconv.Itoa(y)
		}
		line := fmt.Sprintf("\n· %s:%s年度", c.Department, strings.Join(years, "、"))
		if sb.Len()+len(line) > maxListBytes {
			sb.WriteString("\n……")
			break
		}
		sb.WriteString(line)
	}
	sb.WriteString("\n\n提问时带上部门和年份,回答会更准确。")
	return sb.String()
}
