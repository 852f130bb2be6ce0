package bot

import "time"

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

// Message is one incoming message, already decoded and verified by its door.
type Message struct {
	Channel Channel
	User    UserID
	Kind    MessageKind
	Text    string
	Time    time.Time
}

// Reply is what the bot answers to one Message.
type Reply struct {
	// Text is the rendered reply, at most 2048 bytes of UTF-8. It is empty
	// when no reply is to be sent (for example on unsubscribe).
	Text string
	// Answered reports whether the reply quotes the knowledge base.
	Answered bool
}
