package bot

import (
	"time"

	"fazhibot/knowledge"
)

// UserID identifies a citizen: a WeChat OpenID, or the user field of an API
// request.
type UserID string

// Channel is the door a message came through.
type Channel string

// The channels a message can arrive on.
const (
	ChannelWeChat Channel = "wechat"
	ChannelAPI    Channel = "api"
	ChannelCLI    Channel = "cli"
	// ChannelEval marks the messages Evaluate sends, so that query-log
	// readers can tell regression runs from citizens.
	ChannelEval Channel = "eval"
)

// MessageKind says what kind of message a citizen sent.
type MessageKind string

// The message kinds the bot distinguishes.
const (
	KindText        MessageKind = "text"
	KindVoice       MessageKind = "voice"       // Text holds WeChat's speech recognition, maybe empty
	KindSubscribe   MessageKind = "subscribe"   // the citizen followed the account
	KindUnsubscribe MessageKind = "unsubscribe" // the citizen left; no reply is sent
	KindMenuClick   MessageKind = "click"       // Text holds the menu key
	KindUnsupported MessageKind = "unsupported" // image, video, location, link, …
)

// The menu keys of the official account's custom menu, sent as the Text of
// a KindMenuClick message. An unknown key is answered with the usage help.
const (
	MenuHot     = "HOT"     // the hot questions, numbered so a digit asks one
	MenuHelp    = "HELP"    // how to use the bot
	MenuReports = "REPORTS" // the departments and years the reports cover
)

// Message is one incoming message, already decoded and verified by its door.
type Message struct {
	Channel Channel
	User    UserID
	Kind    MessageKind
	Text    string
	// Time is when the citizen sent the message. It anchors relative years
	// such as 去年; zero means the Dialogue's clock.
	Time time.Time
	// PageBytes is the most bytes of Reply.Text the door can send in one
	// reply (WeChat sets it below its 2048-byte limit, leaving room for its
	// hints). A longer text is cut into pages: the reply holds the first,
	// with Reply.Next NextPage, and 更多 sends the next. Zero sends every
	// text whole.
	PageBytes int
}

// Intent says what the bot made of a message and did with it.
type Intent string

// The intents a Reply can carry.
const (
	IntentAnswer      Intent = "answer"       // a question answered from a report
	IntentNotCovered  Intent = "not_covered"  // a question the reports cannot answer
	IntentClarify     Intent = "clarify"      // "您是否想问" with numbered choices
	IntentDetail      Intent = "detail"       // 详情/全文: the whole passage last quoted
	IntentMore        Intent = "more"         // 更多/下一条: the next chunk or the next hit
	IntentChoice      Intent = "choice"       // a digit picked a hit offered earlier
	IntentHelp        Intent = "help"         // 帮助, ?, 怎么用, the HELP menu
	IntentReset       Intent = "reset"        // 重置: the session was cleared
	IntentGreeting    Intent = "greeting"     // 你好, 在吗
	IntentThanks      Intent = "thanks"       // 谢谢
	IntentGoodbye     Intent = "goodbye"      // 再见, 拜拜
	IntentIdentity    Intent = "identity"     // 你是谁
	IntentFeedback    Intent = "feedback"     // 满意 / 不满意
	IntentSubscribe   Intent = "subscribe"    // the welcome
	IntentUnsubscribe Intent = "unsubscribe"  // no reply
	IntentHot         Intent = "hot"          // the hot questions
	IntentReports     Intent = "reports"      // the reports covered
	IntentEmpty       Intent = "empty"        // an empty text or an unrecognised voice message
	IntentUnsupported Intent = "unsupported"  // image, video, location …
	IntentSensitive   Intent = "sensitive"    // refused: a sensitive word
	IntentRateLimited Intent = "rate_limited" // refused: too many messages
	IntentBusy        Intent = "busy"         // the context was done before an answer was found
)

// Next says what a citizen may ask for after a reply, so that a door can
// hint at it in its own way.
type Next string

// The follow-ups a reply offers.
const (
	NextNone Next = ""
	// NextPage: Reply.Text is one page of a longer text; 更多 sends the
	// next page.
	NextPage Next = "page"
	// NextRelated: the reply quotes a passage; 详情 sends the whole
	// passage and 更多 the next related one.
	NextRelated Next = "related"
)

// Reply is what the bot answers to one Message, in a shape every channel
// can render: the WeChat door adds its paging hints and keeps to its
// message size, the API returns the parts as they are, the command line
// prints PlainText.
type Reply struct {
	// Text is the reply's own words: an answer (with its source line, see
	// knowledge.RenderHit), a question back, a message. It is empty when
	// no reply is to be sent (for example on unsubscribe).
	Text string
	// Choices are the reply's numbered options: replying with the digit n
	// picks Choices[n-1]. They follow Text.
	Choices []string
	// Note follows the choices: how to go on (回复数字即可查看), the
	// hotline, the offer of a later answer. Empty for none.
	Note string
	// Next is what 更多 and 详情 would give after this reply.
	Next Next
	// Answered reports whether the reply quotes the knowledge base.
	Answered bool
	// Intent says what the bot made of the message.
	Intent Intent
	// Reason says why a question was not answered (IntentNotCovered).
	Reason knowledge.Reason
	// Hits are the passages behind the reply, best first: the ranked hits
	// of a question, or the one hit shown by 详情, 更多 or a digit choice.
	// They are nil for replies that quote nothing.
	Hits []knowledge.Hit
	// Exchange identifies this message and reply in the query log; a later
	// 满意 / 不满意 refers to it.
	Exchange ExchangeID
}
