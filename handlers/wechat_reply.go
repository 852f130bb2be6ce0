package handlers

import (
	"fazhibot/bot"
	"fazhibot/knowledge"
)

// How the WeChat door shows what a reply offers next (bot.Reply.Next).
const (
	// pageHint ends a page of a longer text; 更多 sends the next.
	pageHint = "\n……\n回复\"更多\"继续"
	// relatedHint follows a quoted passage when it fits.
	relatedHint = "\n\n回复\"详情\"看全文,\"更多\"看其他相关内容。"
)

// wechatPageBytes is the page size the door asks the bot for
// (bot.Message.PageBytes): WeChat's limit less the page hint.
const wechatPageBytes = maxReplyBytes - len(pageHint)

// wechatText renders a reply as one WeChat text message of at most
// maxReplyBytes: the reply as plain text (its text, numbered choices and
// note), then the hint for 更多 — always after a page, after a quoted
// passage when it fits. When the choices and note do not fit after the
// text, the text is shortened at a sentence so that they still do; a text
// alone that is too long is left to cleanReply to cut.
func wechatText(r bot.Reply) string {
	text := r.PlainText()
	if over := len(text) - maxReplyBytes; over > 0 && len(text) > len(r.Text) && len(r.Text) > over {
		r.Text = knowledge.Truncate(r.Text, len(r.Text)-over)
		text = r.PlainText()
	}
	switch r.Next {
	case bot.NextPage:
		text += pageHint
	case bot.NextRelated:
		if len(text)+len(relatedHint) <= maxReplyBytes {
			text += relatedHint
		}
	}
	return text
}
