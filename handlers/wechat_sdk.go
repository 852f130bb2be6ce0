package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/server"
)

// newWeChatServer returns the SDK's server for one callback request, after
// the handler's own checks: validation is skipped (done already), and the
// SDK sees a shallow copy of r carrying only query, body (fully read before)
// and an XML Content-Type, so that it cannot be steered into its JSON
// parsing or its echostr branch by what the client sent. Responses go to w.
//
// Construction is a handful of small allocations and no I/O: the official
// account gets a copy of the immutable s.wxConfig with a cache that stores
// nothing, and an access-token handle that fails, because the passive reply
// flow never calls WeChat's API.
func (s *Server) newWeChatServer(w http.ResponseWriter, r *http.Request, query url.Values, body []byte) *server.Server {
	req := r.WithContext(r.Context()) // shallow copy; r itself stays untouched
	req.URL = &url.URL{Path: r.URL.Path, RawQuery: query.Encode()}
	req.Header = http.Header{"Content-Type": {"text/xml; charset=utf-8"}}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))

	cfg := s.wxConfig
	oa := officialaccount.NewOfficialAccount(&cfg)
	oa.SetAccessTokenHandle(noAccessToken{})
	srv := oa.GetServer(req, w)
	srv.SkipValidate(true)
	return srv
}

// noCache is the SDK's cache.Cache for the callback. The SDK wants one for
// access tokens, which the callback never fetches; it stores nothing.
type noCache struct{}

var _ cache.Cache = noCache{}

func (noCache) Get(string) any                       { return nil }
func (noCache) Set(string, any, time.Duration) error { return nil }
func (noCache) IsExist(string) bool                  { return false }
func (noCache) Delete(string) error                  { return nil }

// errNoAccessToken is what the callback's official account answers if
// anything ever asks it for an access token.
var errNoAccessToken = errors.New("handlers: the WeChat callback has no access token")

// noAccessToken replaces the SDK's default access-token handle, which would
// fetch a token over the network with the AppSecret the callback does not
// have.
type noAccessToken struct{}

var _ credential.AccessTokenHandle = noAccessToken{}

func (noAccessToken) GetAccessToken() (string, error) { return "", errNoAccessToken }

// responseTracker records whether the response has started, so that the
// handler writes "success" only where the SDK wrote nothing and never
// answers twice.
type responseTracker struct {
	http.ResponseWriter
	started bool
}

func (t *responseTracker) WriteHeader(code int) {
	t.started = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *responseTracker) Write(b []byte) (int, error) {
	t.started = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *responseTracker) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// abortIfStarted, deferred around the SDK's Serve and Send, passes a panic
// on to recoverPanics (a 500) while the response has not started. Once it
// has (the SDK panics when a write fails), a second answer is impossible,
// so it logs and aborts the connection with http.ErrAbortHandler.
func (s *Server) abortIfStarted(tw *responseTracker) {
	v := recover()
	if v == nil {
		return
	}
	if tw.started && v != http.ErrAbortHandler {
		s.log.Error("wechat response failed after it started", "panic", v)
		panic(http.ErrAbortHandler)
	}
	panic(v)
}
