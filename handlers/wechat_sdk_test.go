package handlers

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// sdkTextReply is the passive reply as the SDK's server builds it
// (server.buildResponse): its message.Text, marshalled by encoding/xml.
func sdkTextReply(t testing.TB, to, from string, created int64, content string) []byte {
	t.Helper()
	msg := message.NewText(content)
	msg.SetToUserName(message.CDATA(to))
	msg.SetFromUserName(message.CDATA(from))
	msg.SetMsgType(message.MsgTypeText)
	msg.SetCreateTime(created)
	b, err := xml.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWeChatReplyMatchesSDK: the reply the handler writes is byte for byte
// the one the SDK's server would write, in plaintext and in safe mode.
func TestWeChatReplyMatchesSDK(t *testing.T) {
	texts := []string{"", "答复", "a]]>b", "]]>", "]]]]>>", "x]]", "<&\"'>\n\t\r", "回复\"更多\"继续", "\uFFFD😀", "]]><![CDATA[", "a]]>b]]>c"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"]", "]]", ">", "<", "&", "a", "法", "\n", "]]>", "![CDATA["}
	for range 300 {
		var b bytes.Buffer
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		for _, to := range []string{"oCitizen0000000000000000001", "o]]>x", ""} {
			want := sdkTextReply(t, to, "gh_jiangjinfabu", 1740794400, text)
			if got := appendTextReply(nil, to, "gh_jiangjinfabu", 1740794400, text); !bytes.Equal(got, want) {
				t.Fatalf("appendTextReply(%q, %q):\n got %s\nwant %s", to, text, got, want)
			}
		}
	}

	for _, nonce := range []string{"1350985367", "n<&\"'>", "\x01\t\n\r", "随机", "a b", "\xff"} {
		const encrypted, ts = "c2VjcmV0", "1409659813"
		want, err := xml.Marshal(message.ResponseEncryptedXMLMsg{
			EncryptedMsg: encrypted, MsgSignature: util.Signature(testToken, ts, nonce, encrypted), Timestamp: 1409659813, Nonce: nonce})
		if err != nil {
			t.Fatal(err)
		}
		var sig [40]byte
		signature(&sig, testToken, ts, nonce, encrypted)
		if got := appendEncryptedReply(nil, encrypted, sig[:], ts, nonce); !bytes.Equal(got, want) {
			t.Errorf("appendEncryptedReply(nonce %q):\n got %s\nwant %s", nonce, got, want)
		}
	}

	// The whole safe-mode reply: the SDK's EncryptMsg with the request's
	// random bytes gives the same ciphertext.
	srv, _, _ := newTestServer(t, safeMode)
	in := &incoming{safe: true, timestamp: 1740794400, nonce: testNonce, random: [16]byte([]byte("0123456789abcdef"))}
	in.msg.FromUserName, in.msg.ToUserName = "oCitizen0000000000000000001", "gh_jiangjinfabu"
	got := srv.appendReply(nil, new([]byte), in, "答复]]>")
	var env message.ResponseEncryptedXMLMsg
	if err := xml.Unmarshal(got, &env); err != nil {
		t.Fatal(err)
	}
	ciphertext, err := base64.StdEncoding.DecodeString(env.EncryptedMsg)
	if err != nil {
		t.Fatal(err)
	}
	aesKey, _ := decodeAESKey(testAESKey)
	_, raw, _, err := util.AESDecryptMsg(ciphertext, aesKey)
	if err != nil {
		t.Fatal(err)
	}
	var sent message.Text
	if err := xml.Unmarshal(raw, &sent); err != nil {
		t.Fatal(err)
	}
	plain := sdkTextReply(t, "oCitizen0000000000000000001", "gh_jiangjinfabu", sent.CreateTime, "答复]]>")
	encrypted, err := util.EncryptMsg(in.random[:], plain, testAppID, testAESKey)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(in.timestamp, 10)
	want, err := xml.Marshal(message.ResponseEncryptedXMLMsg{EncryptedMsg: string(encrypted),
		MsgSignature: util.Signature(testToken, ts, testNonce, string(encrypted)), Timestamp: in.timestamp, Nonce: testNonce})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("safe-mode reply:\n got %s\nwant %s", got, want)
	}
}

// TestWeChatSignature: signature agrees with the SDK's util.Signature, and
// signatureOK accepts exactly it.
func TestWeChatSignature(t *testing.T) {
	long := string(bytes.Repeat([]byte("长"), 200))
	for _, parts := range [][]string{
		{testToken, "1740794400", testNonce},
		{testToken, "1740794400", testNonce, "c2VjcmV0"},
		{"", "", ""},
		{"b", "a", "c", "a", "d"},
		{testToken, long, long},
	} {
		want := util.Signature(parts...)
		var got [40]byte
		signature(&got, parts...)
		if string(got[:]) != want {
			t.Errorf("signature(%q) = %s, want %s", parts, got, want)
		}
		if !signatureOK(want, parts...) {
			t.Errorf("signatureOK refuses the signature of %q", parts)
		}
		for _, bad := range []string{"", want[:39], want + "0", "X" + want[1:], string(bytes.ToUpper([]byte(want)))} {
			if bad != want && signatureOK(bad, parts...) {
				t.Errorf("signatureOK accepts %q for %q", bad, parts)
			}
		}
	}
}

// BenchmarkWeChatSignature: a signature check allocates nothing.
func BenchmarkWeChatSignature(b *testing.B) {
	want := util.Signature(testToken, "1740794400", testNonce)
	b.ReportAllocs()
	for b.Loop() {
		if !signatureOK(want, testToken, "1740794400", testNonce) {
			b.Fatal("refused")
		}
	}
}

// TestCleanReplyFastPath: cleanReply's check of bytes agrees with mapping
// every rune.
func TestCleanReplyFastPath(t *testing.T) {
	byRunes := func(text string) string {
		return strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
				r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune {
				return r
			}
			return -1
		}, text)
	}
	pieces := []string{"a", "法", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\u0085", "\uFFFD", "\uFFFE", "\uFFFF", "\xef\xbf", "\xed\xa0\x80",
		"\xff", "😀", "\U0010FFFF", "\xf4\x90\x80\x80", "\xef\xbf\xbd", "]]>"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		if want, got := byRunes(text), cleanReply(text); got != want {
			t.Fatalf("cleanReply(%q) = %q, want %q", text, got, want)
		}
	}
}
