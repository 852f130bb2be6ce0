package main

// Test side of the WeChat protocol: the published WXBizMsgCrypt vector that
// checks internal/wechatclient (standard library only, never the SDK), and the
// helpers the integration tests and benchmarks use to talk to a callback
// as WeChat does.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fazhibot/internal/wechatclient"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// WeChat's published WXBizMsgCrypt example (企业微信 / WeCom, shared by the
// official SDK samples), as the handlers tests established it: the
// request's timestamp and nonce are 1409659813 and 1372623149.
const (
	vectorToken     = "QDG6eK"
	vectorAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vectorAppID     = "wx5823bf96d3bd56c7"
	vectorTimestamp = "1409659813"
	vectorNonce     = "1372623149"
	vectorMsgSig    = "477715d11cdb4164915debcba66cb864d751f3e6"
	vectorEncrypt   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	// vectorMessage is the decrypted message, byte for byte.
	vectorMessage = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n" +
		"<FromUserName><![CDATA[mycreate]]></FromUserName>\n" +
		"<CreateTime>1409659813</CreateTime>\n" +
		"<MsgType><![CDATA[text]]></MsgType>\n" +
		"<Content><![CDATA[hello]]></Content>\n" +
		"<MsgId>4561255354251345929</MsgId>\n" +
		"<AgentID>218</AgentID>\n" +
		"</xml>"
)

// vectorBody is the published POST body around vectorEncrypt.
func vectorBody() []byte {
	return []byte("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[" + vectorEncrypt +
		"]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>")
}

// TestWXClientPublishedVector checks the client's signature, decryption
// and encryption against WeChat's published example, so that the requests
// the integration tests and bench send are what WeChat would send.
func TestWXClientPublishedVector(t *testing.T) {
	wx, err := wechatclient.New(vectorToken, vectorAppID, vectorAESKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := wechatclient.Signature(vectorToken, vectorTimestamp, vectorNonce, vectorEncrypt); got != vectorMsgSig {
		t.Errorf("wxSignature = %s, want the published %s", got, vectorMsgSig)
	}
	msg, appID, err := wx.Decrypt(vectorEncrypt)
	if err != nil || string(msg) != vectorMessage || appID != vectorAppID {
		t.Fatalf("decrypt = %q for %q, %v; want %q for %q", msg, appID, err, vectorMessage, vectorAppID)
	}

	// Encrypting the message again with the vector's own 16 random bytes
	// (its first plaintext block) must give the published ciphertext.
	key, _ := base64.StdEncoding.DecodeString(vectorAESKey + "=")
	ct, _ := base64.StdEncoding.DecodeString(vectorEncrypt)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, aes.BlockSize)
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(random, ct[:aes.BlockSize])
	if enc, err := wx.Encrypt(random, msg); err != nil || enc != vectorEncrypt {
		t.Errorf("encrypt = %q, %v; want the published ciphertext", enc, err)
	}

	// A round trip through seal and open, as bench and the tests use them.
	q, body, err := wx.Seal([]byte(vectorMessage), vectorTimestamp, vectorNonce)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("encrypt_type") != "aes" || q.Get("signature") != wechatclient.Signature(vectorToken, vectorTimestamp, vectorNonce) {
		t.Errorf("seal query %v", q)
	}
	reply := []byte(`<xml><Encrypt><![CDATA[` + extract(t, string(body), "<Encrypt>", "</Encrypt>") + `]]></Encrypt>` +
		`<MsgSignature><![CDATA[` + q.Get("msg_signature") + `]]></MsgSignature><TimeStamp>` + vectorTimestamp +
		`</TimeStamp><Nonce><![CDATA[` + vectorNonce + `]]></Nonce></xml>`)
	r, err := wx.Open(reply)
	if err != nil || r.FromUserName != "mycreate" || r.Content != "hello" {
		t.Errorf("open(seal(vector)) = %+v, %v", r, err)
	}
	if _, err := wx.Open(bytes.Replace(reply, []byte(vectorNonce), []byte("1"), 1)); err == nil {
		t.Error("open accepted a reply whose signature does not match")
	}
}

// extract returns the text between the first before and the next after,
// without a CDATA wrapper.
func extract(t testing.TB, s, before, after string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, before)
	if !ok {
		t.Fatalf("%q lacks %q", s, before)
	}
	v, _, ok := strings.Cut(rest, after)
	if !ok {
		t.Fatalf("%q lacks %q", s, after)
	}
	return strings.TrimSuffix(strings.TrimPrefix(v, "<![CDATA["), "]]>")
}

// wxCall is one callback request as WeChat sends it.
type wxCall struct {
	user  string
	text  string
	msgID int64
	at    time.Time // the message's CreateTime and the request's timestamp
}

// request builds the signed (and in safe mode encrypted) POST of call to
// the callback at target, a full URL or a path.
func wxRequest(c *wechatclient.Client, target string, call wxCall) (*http.Request, error) {
	ts := strconv.FormatInt(call.at.Unix(), 10)
	msg := wechatclient.TextMessage("gh_jiangjinfabu", call.user, call.at.Unix(), call.text, call.msgID)
	q, body, err := c.Seal(msg, ts, strconv.FormatInt(call.msgID%1e9, 10))
	if err != nil {
		return nil, err
	}
	q.Set("openid", call.user)
	var r *http.Request
	if strings.HasPrefix(target, "http") {
		if r, err = http.NewRequest(http.MethodPost, target+"?"+q.Encode(), bytes.NewReader(body)); err != nil {
			return nil, err
		}
	} else {
		r = httptest.NewRequest(http.MethodPost, target+"?"+q.Encode(), bytes.NewReader(body))
	}
	r.Header.Set("Content-Type", "text/xml")
	return r, nil
}

// wxReadReply checks a callback response (200, XML) and opens the reply.
func wxReadReply(c *wechatclient.Client, status int, contentType string, body []byte) (wechatclient.Reply, error) {
	if status != http.StatusOK {
		return wechatclient.Reply{}, fmt.Errorf("status %d, body %q", status, body)
	}
	if contentType != "application/xml; charset=utf-8" {
		return wechatclient.Reply{}, fmt.Errorf("Content-Type %q, body %q", contentType, body)
	}
	return c.Open(body)
}

// wxRoundTrip sends req over a real HTTP client and returns the opened reply
// and how long the round trip took.
func wxRoundTrip(c *wechatclient.Client, client *http.Client, req *http.Request) (wechatclient.Reply, time.Duration, error) {
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return wechatclient.Reply{}, time.Since(start), err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return wechatclient.Reply{}, elapsed, err
	}
	r, err := wxReadReply(c, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	return r, elapsed, err
}
