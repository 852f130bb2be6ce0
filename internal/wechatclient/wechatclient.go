// Package wechatclient plays WeChat's servers for the load command and the
// tests: it signs and, in safe mode, encrypts callbacks as WeChat does, and
// opens the passive replies. It is written from WeChat's specification with
// the standard library only, independently of the SDK the handlers use, so
// that it checks them rather than repeating them.
package wechatclient

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Client plays WeChat's servers: it signs and, in safe mode, encrypts
// callbacks as WeChat does, and opens the passive replies. It is written
// from WeChat's specification with the standard library only, independently
// of the SDK the handlers package uses. It is safe for concurrent use.
type Client struct {
	token string
	appID string
	key   []byte       // the AES-256 key; nil in plaintext mode
	block cipher.Block // AES with key, made once (safe for concurrent use)
	// ciphertexts holds *[]byte buffers that Open decodes a reply's
	// ciphertext into and decrypts in place.
	ciphertexts sync.Pool
}

// New returns a client for token and appID, in safe mode when
// encodingAESKey (43 base64 characters) is set.
func New(token, appID, encodingAESKey string) (*Client, error) {
	c := &Client{token: token, appID: appID}
	if encodingAESKey != "" {
		key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("EncodingAESKey 应为 43 个 base64 字符: %v", err)
		}
		c.key = key
		if c.block, err = aes.NewCipher(key); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Token returns the token the client signs with.
func (c *Client) Token() string { return c.token }

// Signature is WeChat's signature: the hex SHA-1 of the sorted parts,
// concatenated.
func Signature(parts ...string) string {
	p := slices.Clone(parts)
	slices.Sort(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// msgSignature is Signature(token, timestamp, nonce, encrypt), the
// signature of a safe-mode envelope, computed without copying encrypt (a
// few KB of base64) into a joined string.
func msgSignature(token, timestamp, nonce, encrypt string) string {
	parts := [4]string{token, timestamp, nonce, encrypt}
	slices.Sort(parts[:])
	h := sha1.New()
	for _, p := range parts {
		_, _ = io.WriteString(h, p) // a hash does not fail
	}
	var sum [sha1.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// Seal returns the query and body of the callback carrying msg. In safe
// mode msg is encrypted with 16 fresh random bytes.
func (c *Client) Seal(msg []byte, timestamp, nonce string) (url.Values, []byte, error) {
	q := url.Values{
		"timestamp": {timestamp},
		"nonce":     {nonce},
		"signature": {Signature(c.token, timestamp, nonce)},
	}
	if c.key == nil {
		return q, msg, nil
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	enc, err := c.Encrypt(random, msg)
	if err != nil {
		return nil, nil, err
	}
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", msgSignature(c.token, timestamp, nonce, enc))
	return q, marshalEnvelope(sealedTo, enc), nil
}

// sealedTo is the official account a sealed callback is addressed to.
const sealedTo = "gh_jiangjinfabu"

// marshalEnvelope returns what xml.Marshal returns for an Envelope with
// only ToUserName and Encrypt (TestMarshalEnvelope), without reflection.
func marshalEnvelope(to, encrypt string) []byte {
	var b bytes.Buffer
	b.Grow(64 + len(to) + len(encrypt))
	b.WriteString("<xml>")
	if to != "" { // omitempty
		b.WriteString("<ToUserName>")
		_ = xml.EscapeText(&b, []byte(to)) // a bytes.Buffer does not fail
		b.WriteString("</ToUserName>")
	}
	b.WriteString("<Encrypt>")
	_ = xml.EscapeText(&b, []byte(encrypt))
	b.WriteString("</Encrypt></xml>")
	return b.Bytes()
}

// Encrypt is WeChat's message encryption: AES-256-CBC with the IV key[:16]
// over random (16 bytes), the big-endian uint32 length of msg, msg and the
// AppID, PKCS#7-padded to a multiple of 32 bytes, in standard base64.
func (c *Client) Encrypt(random, msg []byte) (string, error) {
	if c.block == nil {
		return "", errors.New("wechat encrypt: the client has no EncodingAESKey")
	}
	if len(random) != 16 {
		return "", errors.New("wechat encrypt: the random prefix must be 16 bytes")
	}
	plain := make([]byte, 0, 20+len(msg)+len(c.appID)+32)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.appID...)
	pad := 32 - len(plain)%32
	for range pad {
		plain = append(plain, byte(pad))
	}
	cipher.NewCBCEncrypter(c.block, c.key[:16]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}

// Decrypt reverses Encrypt and returns the message and the AppID it names.
func (c *Client) Decrypt(enc string) (msg []byte, appID string, err error) {
	return c.decrypt(enc, new([]byte))
}

// decrypt is Decrypt with the ciphertext decoded into *buf (grown as
// needed and kept there) and decrypted in place: msg is a part of *buf,
// valid until the buffer is used again.
func (c *Client) decrypt(enc string, buf *[]byte) (msg []byte, appID string, err error) {
	if c.block == nil {
		return nil, "", errors.New("wechat decrypt: the client has no EncodingAESKey")
	}
	// *buf holds the decoded bytes, then a copy of enc to decode them from.
	size := base64.StdEncoding.DecodedLen(len(enc))
	if cap(*buf) < size+len(enc) {
		*buf = make([]byte, size+len(enc))
	}
	b := (*buf)[:size+len(enc)]
	src := b[size:]
	copy(src, enc)
	n, err := base64.StdEncoding.Decode(b[:size], src)
	if err != nil {
		return nil, "", fmt.Errorf("wechat decrypt: %w", err)
	}
	ct := b[:n]
	if len(ct) < 32 || len(ct)%aes.BlockSize != 0 {
		return nil, "", fmt.Errorf("wechat decrypt: ciphertext of %d bytes", len(ct))
	}
	plain := ct
	cipher.NewCBCDecrypter(c.block, c.key[:16]).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, "", errors.New("wechat decrypt: bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", errors.New("wechat decrypt: plaintext too short")
	}
	m := binary.BigEndian.Uint32(plain[16:20])
	if uint64(m) > uint64(len(plain)-20) {
		return nil, "", fmt.Errorf("wechat decrypt: message length %d exceeds the plaintext", m)
	}
	return plain[20 : 20+m], string(plain[20+m:]), nil
}

// Open decodes a passive reply as xml.Unmarshal does (a reply of the flat
// form callbacks send is read without it; see readFlat). In safe mode it
// checks the envelope's signature and AppID and decrypts it. The body
// "success" (no reply) is an empty Reply.
func (c *Client) Open(body []byte) (Reply, error) {
	if string(body) == "success" {
		return Reply{}, nil
	}
	raw := body
	if c.key != nil {
		env, ok := flatEnvelope(string(body))
		if !ok {
			if err := xml.Unmarshal(body, &env); err != nil {
				return Reply{}, fmt.Errorf("reply envelope: %w", err)
			}
		}
		if want := msgSignature(c.token, env.TimeStamp, env.Nonce, env.Encrypt); env.MsgSignature != want {
			return Reply{}, fmt.Errorf("reply MsgSignature %q, want %q", env.MsgSignature, want)
		}
		// The ciphertext is decoded and decrypted in a buffer of the pool;
		// the reply read from it below is a copy (string(raw)).
		buf, _ := c.ciphertexts.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		defer c.ciphertexts.Put(buf)
		msg, appID, err := c.decrypt(env.Encrypt, buf)
		if err != nil {
			return Reply{}, err
		}
		if appID != c.appID {
			return Reply{}, fmt.Errorf("reply encrypted for AppID %q, want %q", appID, c.appID)
		}
		raw = msg
	}
	if r, ok := flatReply(string(raw)); ok {
		return r, nil
	}
	var r Reply
	if err := xml.Unmarshal(raw, &r); err != nil {
		return Reply{}, fmt.Errorf("reply %q: %w", firstLine(string(raw)), err)
	}
	return r, nil
}

// Message is a pushed text message, as the callback reads it.
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
	MsgID        int64 `xml:"MsgId"`
}

// Reply is a passive text reply.
type Reply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
}

// Envelope is the body of a safe-mode callback or reply.
type Envelope struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName,omitempty"`
	Encrypt      string
	MsgSignature string `xml:"MsgSignature,omitempty"`
	TimeStamp    string `xml:"TimeStamp,omitempty"`
	Nonce        string `xml:"Nonce,omitempty"`
}

// TextMessage is a text message as WeChat pushes it, with CDATA
// sections.
func TextMessage(to, from string, createTime int64, text string, msgID int64) []byte {
	cdata := func(s string) string {
		return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
	}
	return []byte("<xml><ToUserName>" + cdata(to) + "</ToUserName><FromUserName>" + cdata(from) + "</FromUserName>" +
		"<CreateTime>" + strconv.FormatInt(createTime, 10) + "</CreateTime><MsgType>" + cdata("text") + "</MsgType>" +
		"<Content>" + cdata(text) + "</Content><MsgId>" + strconv.FormatInt(msgID, 10) + "</MsgId></xml>")
}

// firstLine returns the first line of s, for error messages.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if r := []rune(line); len(r) > 100 {
		line = string(r[:100]) + "…"
	}
	return line
}
