// Package wechatsend is the notify.Sender on WeChat's customer-service
// message API, through silenceper/wechat/v2's officialaccount/message
// Manager. Like package handlers it imports only the SDK's subpackages.
//
// The SDK's calls take no context and its HTTP client
// (util.DefaultHTTPClient, process-wide) has no timeout, so Send runs each
// call in a goroutine and returns when ctx ends, abandoning the call.
package wechatsend

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"fazhibot/notify"
)

// Sender sends customer-service text messages. Safe for concurrent use.
type Sender struct {
	oa       *officialaccount.OfficialAccount
	msgs     *message.Manager
	tokens   cache.Cache
	tokenKey string
	secret   string
}

// New returns a Sender for the official account appID with appSecret,
// caching its access token in tokens (storage/redisstore.TokenCache, shared
// by every instance, or storage/memstore's). It returns an error when a
// credential or tokens is missing.
func New(appID, appSecret string, tokens cache.Cache) (*Sender, error) {
	if strings.TrimSpace(appID) == "" || strings.TrimSpace(appSecret) == "" || tokens == nil {
		return nil, errors.New("wechatsend: app ID, app secret and token cache are required")
	}
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: appID, AppSecret: appSecret, Cache: tokens})
	return &Sender{
		oa: oa, msgs: oa.GetCustomerMessageManager(), tokens: tokens, secret: appSecret,
		// How credential.DefaultAccessToken names its cache entry.
		tokenKey: credential.CacheKeyOfficialAccountPrefix + "_access_token_" + appID,
	}, nil
}

// Error is a refusal by WeChat: its error code and message.
type Error struct {
	Code int64
	Msg  string
	kind error // one of notify's errors, or nil
}

func (e *Error) Error() string { return fmt.Sprintf("wechat errcode %d: %s", e.Code, e.Msg) }

// Unwrap returns notify.ErrWindowClosed, ErrUnsubscribed or ErrRateLimited
// when the code means so.
func (e *Error) Unwrap() error { return e.kind }

// kindOf maps WeChat's error codes to notify's errors.
func kindOf(code int64) error {
	switch code {
	case 45015: // response out of time limit (48 hours)
		return notify.ErrWindowClosed
	case 43004, 40003: // require subscribe; invalid openid
		return notify.ErrUnsubscribed
	case 45047, 45009: // out of response count limit; API daily limit
		return notify.ErrRateLimited
	}
	return nil
}

func staleToken(code int64) bool { return code == 40001 || code == 40014 || code == 42001 }

// Send sends text to the citizen to. A rejected access token is dropped
// from the cache and the message sent once more with a fresh one; nothing
// else is retried. Errors are *Error for WeChat's refusals (wrapping
// notify's errors, see Error.Unwrap), ctx's error when it ends first, or
// a network error; they never contain the secret or a token.
func (s *Sender) Send(ctx context.Context, to notify.OpenID, text string) error {
	err := s.send(ctx, to, text)
	var werr *Error
	if errors.As(err, &werr) && staleToken(werr.Code) && s.tokens.Delete(s.tokenKey) == nil {
		err = s.send(ctx, to, text)
	}
	return err
}

func (s *Sender) send(ctx context.Context, to notify.OpenID, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- s.msgs.Send(message.NewCustomerTextMessage(string(to), text)) }()
	select {
	case err := <-done:
		return s.explain(err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sdkErrorCode matches the codes the SDK writes into its errors, e.g.
// "customer msg send error : errcode=45015 , errmsg=…" and
// "get access_token error : errcode=40001 , errormsg=…".
var sdkErrorCode = regexp.MustCompile(`errcode=(-?\d+)\s*,\s*(?:errmsg|errormsg)=(.*)$`)

// accessToken matches an access token in a URL the SDK put into an error.
var accessToken = regexp.MustCompile(`access_token=[^&\s"]*`)

func (s *Sender) explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if sub := sdkErrorCode.FindStringSubmatch(msg); sub != nil {
		code, _ := strconv.ParseInt(sub[1], 10, 64)
		return &Error{Code: code, Msg: strings.TrimSpace(sub[2]), kind: kindOf(code)}
	}
	msg = strings.ReplaceAll(msg, s.secret, "***")
	return errors.New("wechatsend: " + accessToken.ReplaceAllString(msg, "access_token=***"))
}
