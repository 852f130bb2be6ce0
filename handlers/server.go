package handlers

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	wxconfig "github.com/silenceper/wechat/v2/officialaccount/config"

	"fazhibot/bot"
	"fazhibot/internal/workers"
)

// Responder answers one message; it is package bot's Dialogue in production.
//
// Respond is called once per WeChat message however often WeChat retries
// it (see ReplyCache), or once per attempt while the ReplyCache is failing,
// and once per accepted JSON API request.
// It is called from many goroutines at once, so implementations must be safe
// for concurrent use. ctx carries a deadline of Options.ReplyTimeout; a result returned after
// that deadline is discarded, so Respond should give up promptly once ctx is
// done. A Reply with empty Text means "send nothing". A panic in Respond is
// recovered and answered with an apology.
type Responder interface {
	Respond(ctx context.Context, m bot.Message) bot.Reply
}

// OnceResponder is a Responder that claims a WeChat message's dedupe key
// itself, in the same store round trip as its own per-message state, and
// caches the reply under it (bot.Dialogue, when it CanClaim). The Server
// then leaves the claim and the reply cache write to it and only reads the
// cached reply for a retry (and caches its own busy and failure texts), so
// the ReplyCache must be the Responder's own store.
//
// RespondOnce follows bot.Dialogue.RespondOnce: with bot.ClaimLost the
// message was not answered, with bot.ClaimFailed it was answered without
// deduplication (the error says why, and is logged as a failing claim of
// the ReplyCache would be). CanClaim reports whether RespondOnce claims at all; the
// Server asks once, in New.
type OnceResponder interface {
	Responder
	CanClaim() bool
	RespondOnce(ctx context.Context, m bot.Message, c bot.Claim) (bot.Reply, bot.ClaimOutcome, error)
}

// ReplyCache deduplicates WeChat retries; it is storage/redisstore.Store or
// storage/memstore.Store.
//
// Implementations must be safe for concurrent use, also across processes if
// several fazhibot instances share one callback URL.
type ReplyCache interface {
	// Claim atomically marks key as taken for ttl (Redis SET NX). It
	// reports first == true to exactly one caller per key and ttl window.
	Claim(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
	// SaveReply stores reply (never empty) under key for ttl, replacing any
	// earlier value.
	SaveReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error
	// Reply returns the reply saved under key, ok == false if there is none
	// (yet), and a non-nil err only when the cache itself failed.
	Reply(ctx context.Context, key string) (reply []byte, ok bool, err error)
}

// DefaultWeChatPath is where the WeChat callback is served when
// Options.WeChatPath is empty.
const DefaultWeChatPath = "/wechat"

// MaxReplyTimeout is the default and the largest allowed
// Options.ReplyTimeout: WeChat drops a passive reply that takes longer than
// 5 s, and the remaining half second pays for the reply cache and the
// network.
const MaxReplyTimeout = 4500 * time.Millisecond

// ErrInvalidOptions is wrapped by every error New returns.
var ErrInvalidOptions = errors.New("handlers: invalid options")

// Options configures a Server. The zero value is not usable: Responder
// and Replies are required, and AppID is when EncodingAESKey is set.
type Options struct {
	// WeChatPath is the callback path configured in the WeChat console,
	// DefaultWeChatPath if empty. It must be a clean absolute path made of
	// ASCII letters, digits and "/_.-", not "/", not under "/api/" or
	// "/admin/" and not a path of another route.
	WeChatPath string

	// AppID is the official account's AppID. It is required with
	// EncodingAESKey: decrypted messages must carry it.
	AppID string
	// Token is the callback token configured in the WeChat console; it keys
	// every signature. Empty disables the WeChat callback (its path answers
	// 404), for a server that only offers the JSON API, as on a machine
	// without an official account.
	Token string
	// EncodingAESKey is the 43-character message encryption key. Empty
	// means plaintext mode: encrypted callbacks are refused. Set means
	// compatible or safe mode: plaintext callbacks are refused, because
	// their signature does not cover the body.
	EncodingAESKey string

	// APITokens are the bearer tokens POST /api/v1/ask accepts, besides
	// the API tokens of enabled console accounts when Console is set. None
	// (and no console) means every request is refused with 401. Each must
	// be non-empty and without surrounding spaces.
	APITokens []string
	// Authorize, when set, decides whether the bearer token of an API
	// request is accepted, instead of APITokens (console accounts' tokens
	// are still accepted when it refuses). It is called with the
	// request and its non-empty token, from many goroutines at once, and
	// must compare secrets in constant time itself.
	Authorize func(r *http.Request, token string) bool

	// ReplyTimeout bounds the Responder (for WeChat and the JSON API) and
	// the wait for a retried message's reply; MaxReplyTimeout if zero, and
	// at most that.
	ReplyTimeout time.Duration
	// Now is the clock for the callback's replay protection and for the
	// Time of API messages (and of WeChat messages without CreateTime);
	// time.Now if nil. Deadlines use the real clock, and so does the
	// CreateTime of replies, as the WeChat SDK stamps them.
	Now func() time.Time
	// Logger receives one line per callback without message contents at
	// Info and above; raw messages only at Debug. Discarded if nil.
	Logger *slog.Logger

	// Responder answers messages. Required.
	Responder Responder
	// Replies deduplicates WeChat retries. Required; when it fails, the
	// Server answers without deduplication instead of failing.
	Replies ReplyCache

	// Console configures the staff console: the pages under /admin/ and
	// the JSON API under /api/v1/admin/. Its zero value (no DB) disables
	// the console, and those paths answer 404.
	Console ConsoleOptions

	// Ready reports readiness for GET /readyz: 200 when ready, else 503,
	// with the checks as JSON. Nil means always ready. It is called with a
	// context bounded to two seconds.
	Ready func(ctx context.Context) Readiness
	// Metrics, when set, is served at GET /metrics, through
	// MetricsHandler with MetricsToken.
	Metrics http.Handler
	// MetricsToken, when set, is the bearer token GET /metrics requires;
	// empty serves Metrics to anyone who reaches the port.
	MetricsToken string
}

// Server serves fazhibot's HTTP routes: the WeChat callback at
// Options.WeChatPath, POST /api/v1/ask, GET /healthz and, when configured,
// the staff console under /admin/ and /api/v1/admin/. It is immutable
// after New and safe for concurrent use.
type Server struct {
	wechatPath   string
	appID        string
	token        string
	aesKey       []byte          // 32 bytes; nil in plaintext mode
	aesBlock     cipher.Block    // aesKey's; nil in plaintext mode
	wxConfig     wxconfig.Config // copied into each URL verification's SDK server
	apiTokens    [][sha256.Size]byte
	authorize    func(r *http.Request, token string) bool
	replyTimeout time.Duration
	now          func() time.Time
	log          *slog.Logger
	responder    Responder
	claimer      OnceResponder // responder, when it claims messages itself
	replies      ReplyCache
	workers      *workers.Pool  // run the Responder
	buffers      sync.Pool      // *[]byte: callback bodies and replies (wechat_crypto.go)
	admin        *consoleServer // nil when Options.Console.DB is nil
	ready        func(ctx context.Context) Readiness
	metrics      http.Handler // wrapped by MetricsHandler

	handler http.Handler
}

// New validates opts, fills in the defaults and returns a ready Server. The
// error wraps ErrInvalidOptions and names every invalid field.
func New(opts Options) (*Server, error) {
	var errs []error
	invalid := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidOptions}, args...)...))
	}

	s := &Server{
		wechatPath:   opts.WeChatPath,
		appID:        opts.AppID,
		token:        opts.Token,
		replyTimeout: opts.ReplyTimeout,
		ready:        opts.Ready,
		now:          opts.Now,
		log:          opts.Logger,
		responder:    opts.Responder,
		replies:      opts.Replies,
		workers:      workers.New(),
	}
	if s.wechatPath == "" {
		s.wechatPath = DefaultWeChatPath
	}
	if err := checkRoutePath(s.wechatPath); err != nil {
		invalid("WeChatPath %q: %v", s.wechatPath, err)
	}
	if s.token == "" && opts.EncodingAESKey != "" {
		invalid("Token is required with EncodingAESKey")
	}
	if opts.EncodingAESKey != "" {
		key, err := decodeAESKey(opts.EncodingAESKey)
		if err != nil {
			invalid("EncodingAESKey: %v", err)
		}
		s.aesKey = key
		if err == nil {
			s.aesBlock, _ = aes.NewCipher(key) // a 32-byte key cannot fail
		}
		if s.appID == "" {
			invalid("AppID is required with EncodingAESKey")
		}
	}
	s.wxConfig = wxconfig.Config{
		AppID:          opts.AppID,
		Token:          opts.Token,
		EncodingAESKey: opts.EncodingAESKey,
		Cache:          noCache{},
	}
	for i, token := range opts.APITokens {
		if token == "" || strings.TrimSpace(token) != token {
			invalid("APITokens[%d] is empty or has surrounding spaces", i)
			continue
		}
		s.apiTokens = append(s.apiTokens, sha256.Sum256([]byte(token)))
	}
	s.authorize = opts.Authorize
	switch {
	case s.replyTimeout == 0:
		s.replyTimeout = MaxReplyTimeout
	case s.replyTimeout < 0 || s.replyTimeout > MaxReplyTimeout:
		invalid("ReplyTimeout %v is outside (0, %v]", s.replyTimeout, MaxReplyTimeout)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.responder == nil {
		invalid("Responder is required")
	}
	if o, ok := s.responder.(OnceResponder); ok && o.CanClaim() {
		s.claimer = o
	}
	if s.replies == nil {
		invalid("Replies is required")
	}
	if opts.Metrics != nil {
		s.metrics = MetricsHandler(opts.Metrics, opts.MetricsToken)
	}
	if opts.Console.DB != nil {
		c, err := newConsole(opts.Console, s.log)
		if err != nil {
			invalid("Console: %v", err)
		}
		s.admin = c
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.handler = s.withRequestLog(s.recoverPanics(s.routes()))
	return s, nil
}

// ServeHTTP serves one request. It never panics: a panicking handler is
// answered with 500 and logged.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// checkRoutePath accepts clean absolute paths of a conservative alphabet, so
// that the path is always a valid, literal http.ServeMux pattern.
func checkRoutePath(p string) error {
	if !strings.HasPrefix(p, "/") || p == "/" || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return errors.New(`must be an absolute path like "/wechat"`)
	}
	for _, c := range p {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_.-", c)
		if !ok {
			return fmt.Errorf("character %q is not allowed", c)
		}
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "." || seg == ".." {
			return errors.New("must not contain . or .. segments")
		}
	}
	if p == apiPrefix[:len(apiPrefix)-1] || strings.HasPrefix(p, apiPrefix) {
		return fmt.Errorf("is reserved for the JSON API under %s", apiPrefix)
	}
	if p == adminPrefix[:len(adminPrefix)-1] || strings.HasPrefix(p, adminPrefix) {
		return fmt.Errorf("is reserved for the staff console under %s", adminPrefix)
	}
	if reservedPaths[p] {
		return errors.New("is used by another route")
	}
	return nil
}

// decodeAESKey turns WeChat's EncodingAESKey into the AES-256 key:
// base64(EncodingAESKey + "=").
func decodeAESKey(encoded string) ([]byte, error) {
	if len(encoded) != 43 {
		return nil, fmt.Errorf("must be 43 characters, got %d", len(encoded))
	}
	key, err := base64.StdEncoding.DecodeString(encoded + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("is not the base64 encoding of a 32-byte key")
	}
	return key, nil
}
