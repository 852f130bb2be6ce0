package handlers

// The WeChat wire format. The callback uses silenceper/wechat/v2 for what it
// is good at: its message types (message.MixMessage, the envelopes) and,
// for the rare URL verification, its server. A pushed message does not go
// through the SDK's server: it would build an official account per
// request, parse the envelope and the message again after the handler's
// checks, decrypt twice and marshal the reply through reflection. The
// handler parses once and writes the passive reply itself, byte for byte as
// the SDK's server does (TestWeChatReplyMatchesSDK holds the two to the
// same output), with the SDK's message crypto done as util.AESDecryptMsg
// and util.AESEncryptMsg do it (wechat_crypto.go).

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/server"
)

// The Content-Types of the SDK's server: replies are XML, "success" is text.
const (
	xmlContentType   = "application/xml; charset=utf-8"
	plainContentType = "text/plain; charset=utf-8"
)

// successBody is the answer to a message that gets no reply.
var successBody = []byte("success")

// writeTextReply writes the passive text reply to in carrying text (see
// appendReply) as writeReply does, built in buffers of the pool.
func (s *Server) writeTextReply(w http.ResponseWriter, in *incoming, text string) {
	out := s.buffer()
	var scratch *[]byte
	if in.safe {
		scratch = s.buffer()
	}
	body := s.appendReply(*out, scratch, in, text)
	s.writeReply(w, xmlContentType, body)
	// The writer does not keep what it was given (io.Writer's rule).
	*out = body
	s.putBuffer(out)
	if scratch != nil {
		s.putBuffer(scratch)
	}
}

// appendReply appends to dst the passive text reply to in carrying text:
// the XML of the SDK's message.Text from the account to the sender,
// stamped with the wall clock as the SDK does, and in safe mode encrypted
// with the request's random bytes and signed over its timestamp and nonce,
// in the SDK's message.ResponseEncryptedXMLMsg. In safe mode the plaintext
// is built in *scratch, which must not be nil then (it is left as grown).
func (s *Server) appendReply(dst []byte, scratch *[]byte, in *incoming, text string) []byte {
	to, from, now := string(in.msg.FromUserName), string(in.msg.ToUserName), time.Now().Unix()
	if !in.safe {
		return appendTextReply(dst, to, from, now, text)
	}
	plain := appendTextReply(beginSealed((*scratch)[:0], &in.random), to, from, now, text)
	dst, *scratch = s.appendSealedReply(dst, plain, in)
	return dst
}

// appendTextReply appends the passive text reply as encoding/xml marshals
// the SDK's message.Text: user names and content in CDATA sections, a
// "]]>" inside one split across two, an empty one left empty.
func appendTextReply(dst []byte, to, from string, created int64, content string) []byte {
	dst = append(dst, "<xml><ToUserName>"...)
	dst = appendCDATA(dst, to)
	dst = append(dst, "</ToUserName><FromUserName>"...)
	dst = appendCDATA(dst, from)
	dst = append(dst, "</FromUserName><CreateTime>"...)
	dst = strconv.AppendInt(dst, created, 10)
	dst = append(dst, "</CreateTime><MsgType>"...)
	dst = append(dst, message.MsgTypeText...)
	dst = append(dst, "</MsgType><Content>"...)
	dst = appendCDATA(dst, content)
	return append(dst, "</Content></xml>"...)
}

// appendCDATA appends s as encoding/xml writes a ",cdata" field.
func appendCDATA(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	const end = "]]>"
	dst = append(dst, "<![CDATA["...)
	for {
		i := strings.Index(s, end)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, "]]]]><![CDATA[>"...)
		s = s[i+len(end):]
	}
	dst = append(dst, s...)
	return append(dst, end...)
}

// appendEncryptedReply appends the safe-mode envelope as encoding/xml
// marshals the SDK's message.ResponseEncryptedXMLMsg. Only the nonce, which
// WeChat chose, needs escaping: the rest is base64, hex and digits.
func appendEncryptedReply(dst []byte, encrypted string, msgSignature []byte, timestamp, nonce string) []byte {
	dst = append(dst, "<xml><Encrypt>"...)
	dst = append(dst, encrypted...)
	return appendEnvelopeTail(dst, msgSignature, timestamp, nonce)
}

// appendEnvelopeTail appends what follows the Encrypt text in the envelope
// of appendEncryptedReply.
func appendEnvelopeTail(dst []byte, msgSignature []byte, timestamp, nonce string) []byte {
	dst = append(dst, "</Encrypt><MsgSignature>"...)
	dst = append(dst, msgSignature...)
	dst = append(dst, "</MsgSignature><TimeStamp>"...)
	dst = append(dst, timestamp...)
	dst = append(dst, "</TimeStamp><Nonce>"...)
	if needsEscape(nonce) {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(nonce)) // a bytes.Buffer does not fail
		dst = append(dst, b.Bytes()...)
	} else {
		dst = append(dst, nonce...)
	}
	return append(dst, "</Nonce></xml>"...)
}

// needsEscape reports whether xml.EscapeText would change s: anything but
// printable ASCII other than <>&'".
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			return true
		}
	}
	return false
}

// signature writes into sig WeChat's signature of parts: the hex SHA-1 of
// the parts sorted and concatenated (what util.Signature returns), without
// allocating for the usual three short parts or for four with the
// envelope's Encrypt of an ordinary message (joined on the stack; longer
// ones are hashed part by part).
func signature(sig *[2 * sha1.Size]byte, parts ...string) {
	var sorted [4]string
	ps := append(sorted[:0], parts...)
	slices.Sort(ps)
	total := 0
	for _, p := range ps {
		total += len(p)
	}
	var (
		sum [sha1.Size]byte
		buf [2 << 10]byte
	)
	if total <= len(buf) {
		joined := buf[:0]
		for _, p := range ps {
			joined = append(joined, p...)
		}
		sum = sha1.Sum(joined)
	} else {
		h := sha1.New()
		for _, p := range ps {
			_, _ = io.WriteString(h, p) // a hash does not fail
		}
		h.Sum(sum[:0])
	}
	hex.Encode(sig[:], sum[:])
}

// signatureOK reports in constant time whether got is WeChat's signature
// of parts.
func signatureOK(got string, parts ...string) bool {
	var want [2 * sha1.Size]byte
	signature(&want, parts...)
	if len(got) != len(want) {
		return false
	}
	var diff byte
	for i := range want {
		diff |= got[i] ^ want[i]
	}
	return diff == 0
}

// writeReply writes a 200 response of contentType. A write that fails
// after the response started cannot be answered again: it is logged and
// the connection aborted (http.ErrAbortHandler), as when the SDK's server
// panicked on it.
func (s *Server) writeReply(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		s.log.Error("wechat response failed after it started", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// newWeChatServer returns the SDK's server for one verification request, after
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

// responseTracker records whether the SDK's server started the response,
// so that the handler never answers twice.
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
