package wechatclient

import (
	"strings"
	"testing"
)

// TestMsgSignature: msgSignature is Signature over the same four parts,
// whatever their order sorts to.
func TestMsgSignature(t *testing.T) {
	for _, p := range [][4]string{
		{"token", "1700000000", "12345", "QUJDREVGR0g="},
		{"zz", "1", "22", "+/=="},
		{"", "", "", ""},
		{"tok", "tok", "tok", "tok"},
		{"9999999999", "0", "abc", strings.Repeat("A", 4096)},
	} {
		if got, want := msgSignature(p[0], p[1], p[2], p[3]), Signature(p[0], p[1], p[2], p[3]); got != want {
			t.Errorf("msgSignature%q = %s, Signature = %s", p, got, want)
		}
	}
}

// TestDecryptReusesItsBuffer: a reply decrypted in a buffer used before,
// larger or smaller, reads as Decrypt reads it.
func TestDecryptReusesItsBuffer(t *testing.T) {
	c, err := New("token", "wx1234567890abcdef", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil {
		t.Fatal(err)
	}
	buf := new([]byte)
	for _, msg := range []string{strings.Repeat("长", 700), "短", "", strings.Repeat("x", 33)} {
		enc, err := c.Encrypt(make([]byte, 16), []byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		got, appID, err := c.decrypt(enc, buf)
		if err != nil || string(got) != msg || appID != "wx1234567890abcdef" {
			t.Fatalf("decrypt(%d bytes) = %d bytes, %q, %v", len(msg), len(got), appID, err)
		}
		want, _, _ := c.Decrypt(enc)
		if string(want) != msg {
			t.Fatalf("Decrypt(%d bytes) = %d bytes", len(msg), len(want))
		}
	}
	if _, _, err := c.decrypt("not base64!", buf); err == nil {
		t.Error("decrypt accepted bad base64")
	}
}

// BenchmarkSafeRoundTrip: what the load generator does per safe-mode
// message besides HTTP: seal a pushed message, open a typical reply.
func BenchmarkSafeRoundTrip(b *testing.B) {
	c, err := New("token", "wx1234567890abcdef", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil {
		b.Fatal(err)
	}
	msg := TextMessage("gh_jiangjinfabu", "oUser1", 1700000000, "江津区生态环境局2020年一共罚了多少钱?", 1)
	reply := "<xml><ToUserName><![CDATA[oUser1]]></ToUserName><FromUserName><![CDATA[gh_jiangjinfabu]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" +
		strings.Repeat("江津区生态环境局2020年共作出行政处罚决定,罚款金额合计316.79万元。", 12) + "]]></Content></xml>"
	enc, err := c.Encrypt(make([]byte, 16), []byte(reply))
	if err != nil {
		b.Fatal(err)
	}
	body := []byte("<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt><MsgSignature><![CDATA[" + Signature("token", "1700000000", "42", enc) +
		"]]></MsgSignature><TimeStamp>1700000000</TimeStamp><Nonce><![CDATA[42]]></Nonce></xml>")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Seal(msg, "1700000000", "42"); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Open(body); err != nil {
			b.Fatal(err)
		}
	}
}
