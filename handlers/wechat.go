package handlers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"fazhibot/bot"
)

const (
	// maxBodyBytes bounds a callback body; WeChat's messages are a few KiB.
	maxBodyBytes = 64 << 10
	// maxClockSkew is how far a callback's timestamp may be from Now.
	maxClockSkew = 5 * time.Minute
	// retryWindow is how long a claim and a cached reply live: WeChat
	// retries three times, five seconds apart.
	retryWindow = 30 * time.Second
	// pollInterval is how often a retry looks for the first attempt's reply.
	pollInterval = 50 * time.Millisecond
	// saveTimeout bounds SaveReply, which runs after the reply deadline.
	saveTimeout = 300 * time.Millisecond
	// maxReplyBytes is WeChat's limit for a passive text reply.
	maxReplyBytes = 2048

	// busyText answers a message whose reply is not ready by the deadline.
	busyText = "正在查询，请稍后再发一次"
	// failText answers a message whose Responder panicked.
	failText = "抱歉，系统出了点问题，请稍后再试。"
)

// handleWeChatVerify answers WeChat's URL verification: GET with signature,
// timestamp, nonce and echostr. After checkQuery, a fresh SDK server echoes
// echostr (verification is rare, so its cost does not matter).
func (s *Server) handleWeChatVerify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, err := s.checkQuery(q, true); err != nil {
		s.respondError(w, r, err)
		return
	}
	echostr := q.Get("echostr")
	if echostr == "" {
		s.respondError(w, r, errBadRequest(errors.New("verification without echostr")))
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	tw := &responseTracker{ResponseWriter: w}
	srv := s.newWeChatServer(tw, r, url.Values{"echostr": {echostr}}, nil)
	srv.SetMessageHandler(func(*message.MixMessage) *message.Reply { return nil }) // not called for echostr
	defer s.abortIfStarted(tw)
	if err := srv.Serve(); err != nil || !tw.started {
		s.respondError(w, r, fmt.Errorf("wechat SDK did not echo: %v", err))
	}
}

// handleWeChatMessage answers one pushed message or event with a passive
// reply, or "success" for none. readMessage checks and parses the request
// once (the SDK's message types and crypto, without its server, which
// would parse and decrypt it again); the reply is written as the SDK's
// server writes it (see appendTextReply and appendEncryptedReply).
func (s *Server) handleWeChatMessage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	in, err := s.readMessage(w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	m, ok := toBotMessage(&in.msg, s.now)
	if !ok {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "wechat event ignored",
			slog.String("type", string(in.msg.MsgType)), slog.String("event", string(in.msg.Event)))
		s.writeReply(w, plainContentType, successBody)
		return
	}
	key := dedupeKey(&in.msg)
	text, outcome := s.answer(r.Context(), key, m)
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("wechat message answered", "key", key, "user", m.User, "reply", text)
	}
	if text == "" {
		s.writeReply(w, plainContentType, successBody)
	} else {
		s.writeTextReply(w, in, text)
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "wechat message answered",
		slog.String("kind", string(m.Kind)), slog.Bool("safe_mode", in.safe), slog.String("outcome", outcome),
		slog.Int("reply_bytes", len(text)), slog.Duration("elapsed", time.Since(start)))
}

// incoming is a callback request readMessage accepted.
type incoming struct {
	msg  message.MixMessage
	safe bool // encrypt_type=aes: the reply is encrypted too
	// In safe mode: the request's timestamp and nonce and the 16 random
	// bytes of its ciphertext, which the reply reuses as the SDK does.
	timestamp int64
	nonce     string
	random    [16]byte
}

// readMessage does the checks of a pushed message and parses it once: the
// mode, the signatures (in constant time) and the timestamp, the body
// size, in safe mode msg_signature, decryption and the AppID, and that the
// message is XML (decoded into the SDK's message.MixMessage as
// xml.Unmarshal does, see decodeMessage) with a sender and a type. Errors are *httpError (400, 403) or *http.MaxBytesError (413).
func (s *Server) readMessage(w http.ResponseWriter, r *http.Request) (*incoming, error) {
	q := r.URL.Query()
	in := &incoming{}
	switch et := q.Get("encrypt_type"); et {
	case "", "raw":
	case "aes":
		in.safe = true
	default:
		return nil, errBadRequest(fmt.Errorf("unknown encrypt_type %q", et))
	}
	switch {
	case in.safe && s.aesKey == nil:
		return nil, errForbidden(errors.New("encrypted callback, but no EncodingAESKey is configured"))
	case !in.safe && s.aesKey != nil:
		return nil, errForbidden(errors.New("plaintext callback refused: EncodingAESKey is configured, so WeChat must send encrypt_type=aes"))
	}
	// In safe mode msg_signature, checked in open, authenticates the body;
	// signature is checked too when WeChat sends it.
	ts, err := s.checkQuery(q, !in.safe)
	if err != nil {
		return nil, err
	}

	// The body is read into a buffer of the pool, and given back when the
	// message has been parsed: what the message holds is copied out of it.
	buf := s.buffer()
	defer s.putBuffer(buf)
	body, err := readBody(*buf, http.MaxBytesReader(w, r.Body, maxBodyBytes))
	*buf = body
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return nil, err
		}
		return nil, errBadRequest(fmt.Errorf("read body: %w", err))
	}
	raw := body
	if in.safe {
		in.timestamp, in.nonce = ts, q.Get("nonce")
		if raw, err = s.open(q, body, &in.random); err != nil {
			return nil, err
		}
	}
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("wechat message received", "safe_mode", in.safe, "xml", string(raw))
	}
	if err := decodeMessage(raw, &in.msg); err != nil {
		return nil, errBadRequest(fmt.Errorf("message XML: %w", err))
	}
	if in.msg.FromUserName == "" || in.msg.MsgType == "" {
		return nil, errBadRequest(errors.New("message without FromUserName or MsgType"))
	}
	return in, nil
}

// checkQuery verifies the signature over token, timestamp and nonce (when
// required or present) and that the timestamp is within maxClockSkew of
// Now, which it returns.
func (s *Server) checkQuery(q url.Values, signatureRequired bool) (int64, error) {
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("signature")
	if signatureRequired || sig != "" {
		if !signatureOK(sig, s.token, ts, nonce) {
			return 0, errForbidden(errors.New("bad signature"))
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, errForbidden(fmt.Errorf("bad timestamp: %w", err))
	}
	if skew := s.now().Sub(time.Unix(sec, 0)); skew > maxClockSkew || skew < -maxClockSkew {
		return 0, errForbidden(fmt.Errorf("timestamp %d is %v away from now: replay or clock skew", sec, skew))
	}
	return sec, nil
}

// open verifies msg_signature over the envelope's Encrypt, decrypts it and
// checks the AppID inside. It copies the ciphertext's 16 random bytes to
// random and returns the plaintext message XML, decoded and decrypted in
// body's place (the envelope's fields are copies, and base64 is shorter
// than the text it came from).
func (s *Server) open(q url.Values, body []byte, random *[16]byte) (raw []byte, err error) {
	var env message.EncryptedXMLMsg
	if err := decodeEnvelope(body, &env); err != nil {
		return nil, errBadRequest(fmt.Errorf("envelope XML: %w", err))
	}
	if env.EncryptedMsg == "" {
		return nil, errBadRequest(errors.New("envelope without Encrypt"))
	}
	if !signatureOK(q.Get("msg_signature"), s.token, q.Get("timestamp"), q.Get("nonce"), env.EncryptedMsg) {
		return nil, errForbidden(errors.New("bad msg_signature"))
	}
	ciphertext := body[:0]
	if n := base64.StdEncoding.DecodedLen(len(env.EncryptedMsg)); n > cap(body) {
		ciphertext = make([]byte, 0, n)
	}
	n, err := decodeBase64(ciphertext[:cap(ciphertext)], env.EncryptedMsg)
	if err != nil {
		return nil, errBadRequest(fmt.Errorf("Encrypt is not base64: %w", err))
	}
	rnd, raw, appID, err := decryptMsg(s.aesBlock, s.aesKey, ciphertext[:n])
	if err != nil {
		return nil, errBadRequest(fmt.Errorf("decrypt: %w", err))
	}
	if string(appID) != s.appID {
		return nil, errForbidden(errors.New("decrypted message is for another AppID"))
	}
	copy(random[:], rnd)
	return raw, nil
}

// toBotMessage maps a WeChat message to the bot's. ok is false for events
// the bot does not answer (VIEW, LOCATION, SCAN, …).
func toBotMessage(in *message.MixMessage, now func() time.Time) (m bot.Message, ok bool) {
	m = bot.Message{
		Channel:   bot.ChannelWeChat,
		User:      bot.UserID(in.FromUserName),
		Time:      time.Unix(in.CreateTime, 0),
		PageBytes: wechatPageBytes,
	}
	if in.CreateTime <= 0 {
		m.Time = now()
	}
	switch in.MsgType {
	case message.MsgTypeText:
		m.Kind, m.Text = bot.KindText, in.Content
	case message.MsgTypeVoice:
		m.Kind, m.Text = bot.KindVoice, in.Recognition
	case message.MsgTypeEvent:
		switch in.Event {
		case message.EventSubscribe:
			m.Kind = bot.KindSubscribe
		case message.EventUnsubscribe:
			m.Kind = bot.KindUnsubscribe
		case message.EventClick:
			m.Kind, m.Text = bot.KindMenuClick, in.EventKey
		default:
			return m, false
		}
	default: // image, video, shortvideo, location, link, and whatever WeChat adds
		m.Kind = bot.KindUnsupported
	}
	return m, true
}

// dedupeKey names a message across WeChat's retries: its sender (OpenID)
// and MsgId, or for events (which have no MsgId) the sender, creation time
// and event. The sender is always part of the key: a MsgId is not trusted
// to be unique across users, and one citizen must never be answered from
// another's cached reply.
func dedupeKey(in *message.MixMessage) string {
	from, created := string(in.FromUserName), strconv.FormatInt(in.CreateTime, 10)
	switch {
	case in.MsgType == message.MsgTypeEvent:
		return "evt:" + from + ":" + created + ":" + string(in.Event)
	case in.MsgID != 0:
		return "msg:" + from + ":" + strconv.FormatInt(in.MsgID, 10)
	default:
		return "msg:" + from + ":" + created + ":" + string(in.MsgType)
	}
}

// cachedReply is what the reply cache holds: the reply text, independent of
// the XML and encryption of any one response, so a retry re-renders it.
// Empty Text means "no reply".
type cachedReply struct {
	Text string `json:"text"`
}

// answer returns the reply text for m and an outcome for the log, within
// s.replyTimeout. The first request to claim key runs the Responder and
// saves its reply; a retry waits for that reply. If the cache fails, the
// Responder runs without deduplication.
func (s *Server) answer(parent context.Context, key string, m bot.Message) (text, outcome string) {
	// WeChat hanging up must not stop the work: its retry will want the reply.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), s.replyTimeout)
	defer cancel()

	if s.claimer != nil {
		return s.answerOnce(ctx, parent, key, m)
	}
	first, err := s.replies.Claim(ctx, key, retryWindow)
	switch {
	case err != nil:
		s.log.Warn("reply cache claim failed; answering without dedupe", "err", err)
		text, outcome = s.respond(ctx, m)
		return text, "uncached-" + outcome
	case first:
		text, outcome = s.respond(ctx, m)
		s.saveReply(parent, key, text)
		return text, outcome
	default:
		return s.awaitReply(ctx, key, m)
	}
}

// answerOnce is answer for a Responder that claims key itself, in the
// same store round trip as its session and rate limit, and caches the
// reply with the session in a second one (bot.Dialogue.RespondOnce). The
// Server only waits for the reply of an earlier delivery and caches the
// busy and failure texts.
func (s *Server) answerOnce(ctx, parent context.Context, key string, m bot.Message) (text, outcome string) {
	// What the Responder's worker writes: the claim's outcome and error
	// and the reply as cached (rendered, cleaned), read only with
	// outcomeAnswered, after callResponderFunc received its result. One
	// struct, so that the closures share one allocation.
	var st struct {
		claim             bot.ClaimOutcome
		claimErr          error
		rendered, cleaned string
		cached            bool
	}
	cache := func(r bot.Reply) []byte {
		st.rendered = wechatText(r)
		st.cleaned, st.cached = cleanReply(st.rendered), true
		return encodeCached(st.cleaned)
	}
	reply, outcome := s.callResponderFunc(ctx, m, func(ctx context.Context) bot.Reply {
		var r bot.Reply
		r, st.claim, st.claimErr = s.claimer.RespondOnce(ctx, m, bot.Claim{Key: key, TTL: retryWindow, Cached: cache})
		return r
	})
	switch {
	case outcome == outcomeTimeout:
		s.saveReply(parent, key, busyText)
		return busyText, outcome
	case outcome == outcomePanic:
		s.saveReply(parent, key, failText)
		return failText, outcome
	case st.claim == bot.ClaimLost:
		return s.awaitReply(ctx, key, m)
	}
	if st.cached {
		// The reply was rendered for the cache; it is sent as cached.
		text = st.cleaned
		s.warnCleaned(m, st.rendered, text)
	} else {
		text = s.cleaned(reply, m)
	}
	if st.claim == bot.ClaimFailed {
		s.log.Warn("reply cache claim failed; answering without dedupe", "err", st.claimErr)
		return text, "uncached-" + outcome
	}
	return text, outcome
}

// encodeCached is how a reply is cached for retries: its text as the door
// sends it (wechatText, cleanReply), encoded as a cachedReply.
func encodeCached(cleaned string) []byte {
	b, _ := json.Marshal(cachedReply{Text: cleaned}) // a struct of one string: cannot fail
	return b
}

// respond runs the Responder until ctx is done and returns the text to
// send WeChat: the cleaned reply, busyText past the deadline, failText after
// a panic.
func (s *Server) respond(ctx context.Context, m bot.Message) (text, outcome string) {
	reply, outcome := s.callResponder(ctx, m)
	switch outcome {
	case outcomeTimeout:
		return busyText, outcome
	case outcomePanic:
		return failText, outcome
	}
	return s.cleaned(reply, m), outcome
}

// cleaned returns the reply rendered for WeChat (wechatText) and made
// safe, warning when cleaning changed it.
func (s *Server) cleaned(reply bot.Reply, m bot.Message) string {
	rendered := wechatText(reply)
	text := cleanReply(rendered)
	s.warnCleaned(m, rendered, text)
	return text
}

// warnCleaned warns when cleanReply changed the rendered reply.
func (s *Server) warnCleaned(m bot.Message, rendered, text string) {
	if len(text) != len(rendered) {
		s.log.Warn("reply cleaned for WeChat", "kind", m.Kind,
			"bytes_before", len(rendered), "bytes_after", len(text))
	}
}

// The outcomes of callResponder.
const (
	outcomeAnswered = "answered"
	outcomeTimeout  = "timeout"
	outcomePanic    = "panic"
)

// callResponder runs the Responder until ctx is done. Past the deadline it
// reports outcomeTimeout and discards the Responder's eventual result (the
// caller cancels ctx when it returns); a panic is logged and reported as
// outcomePanic. The reply is valid only with outcomeAnswered.
func (s *Server) callResponder(ctx context.Context, m bot.Message) (bot.Reply, string) {
	return s.callResponderFunc(ctx, m, func(ctx context.Context) bot.Reply { return s.responder.Respond(ctx, m) })
}

// callResponderFunc is callResponder with respond, which answers m, in
// place of the Responder. respond runs on one of s.workers.
func (s *Server) callResponderFunc(ctx context.Context, m bot.Message, respond func(context.Context) bot.Reply) (bot.Reply, string) {
	type result struct {
		reply    bot.Reply
		panicked bool
	}
	done := make(chan result, 1)
	s.workers.Run(func() {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("responder panicked", "channel", m.Channel, "kind", m.Kind,
					"panic", v, "stack", string(debug.Stack()))
				done <- result{panicked: true}
			}
		}()
		done <- result{reply: respond(ctx)}
	})

	select {
	case res := <-done:
		switch {
		case ctx.Err() != nil: // a result at or past the deadline counts as late
			return bot.Reply{}, outcomeTimeout
		case res.panicked:
			return bot.Reply{}, outcomePanic
		}
		return res.reply, outcomeAnswered
	case <-ctx.Done():
		return bot.Reply{}, outcomeTimeout
	}
}

// awaitReply polls for the reply the claiming request saves, until ctx is
// done (busyText, not saved). If the cache fails it answers statelessly.
func (s *Server) awaitReply(ctx context.Context, key string, m bot.Message) (text, outcome string) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		b, ok, err := s.replies.Reply(ctx, key)
		if err == nil && ok {
			var c cachedReply
			if err = json.Unmarshal(b, &c); err == nil {
				return c.Text, "cached"
			}
			err = fmt.Errorf("corrupt cached reply: %w", err)
		}
		if ctx.Err() != nil {
			return busyText, "wait-timeout"
		}
		if err != nil {
			s.log.Warn("reply cache read failed; answering without dedupe", "err", err)
			text, outcome = s.respond(ctx, m) // Respond, not RespondOnce: the claim is taken
			return text, "uncached-" + outcome
		}
		select {
		case <-ctx.Done():
			return busyText, "wait-timeout"
		case <-tick.C:
		}
	}
}

// saveReply caches text for retries. It runs after the reply deadline may
// have passed, so it gets its own short timeout; failure is only logged.
func (s *Server) saveReply(parent context.Context, key, text string) {
	b := encodeCached(text)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), saveTimeout)
	defer cancel()
	if err := s.replies.SaveReply(ctx, key, b, retryWindow); err != nil {
		s.log.Warn("reply cache save failed; retries will get the busy reply", "err", err)
	}
}

// cleanReply makes text safe for a passive reply: characters XML cannot
// carry are dropped, invalid UTF-8 becomes U+FFFD, and the result is cut to
// maxReplyBytes at a character boundary.
func cleanReply(text string) string {
	if !xmlSafe(text) {
		text = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
				r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune {
				return r
			}
			return -1
		}, text)
	}
	if len(text) <= maxReplyBytes {
		return text
	}
	cut := maxReplyBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// xmlSafe reports whether cleanReply's mapping would leave text as it is:
// it is valid UTF-8 without control characters (but tab, newline and
// carriage return) and without U+FFFE and U+FFFF. Surrogates are not valid
// UTF-8. Checking bytes is much cheaper than mapping runes, and nearly
// every reply is safe.
func xmlSafe(text string) bool {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return false
		case c == 0xEF && i+2 < len(text) && text[i+1] == 0xBF && (text[i+2] == 0xBE || text[i+2] == 0xBF):
			return false
		}
	}
	return utf8.ValidString(text)
}
