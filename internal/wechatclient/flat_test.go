package wechatclient

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// flatCases are replies and envelopes as callbacks write them, and the
// edge cases around that form.
var flatCases = []string{
	"<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_x]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好,罚款316.79万元。\n回复\"更多\"继续]]></Content></xml>",
	"<xml><ToUserName><![CDATA[o]]></ToUserName><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>",
	"<xml><Content><![CDATA[]]></Content><CreateTime></CreateTime></xml>",
	"<xml><Content></Content></xml>",
	"<xml><CreateTime>-12</CreateTime></xml>",
	"<xml><CreateTime><![CDATA[ 12 ]]></CreateTime></xml>",
	"<xml><CreateTime>99999999999999999999</CreateTime></xml>",
	"<xml><CreateTime>1.5</CreateTime></xml>",
	"<xml><Encrypt>ab+/cd==</Encrypt><MsgSignature>0a1b</MsgSignature><TimeStamp>1700000000</TimeStamp><Nonce>12345</Nonce></xml>",
	"<xml><ToUserName>gh_jiangjinfabu</ToUserName><Encrypt>QUJD</Encrypt></xml>",
	"<xml><Nonce>a&amp;b</Nonce></xml>",
	"<xml><Content><![CDATA[a\r\nb]]></Content></xml>",
	"<xml><Content><![CDATA[a\x00b]]></Content></xml>",
	"<xml><Content><![CDATA[\xff]]></Content></xml>",
	"<xml><Content><![CDATA[\uFFFD\uFFFE]]></Content></xml>",
	"<xml><Content><![CDATA[a]]>b</Content></xml>",
	"<xml><Content><![CDATA[a]]></Content><Content><![CDATA[b]]></Content></xml>",
	"<xml><FuncFlag>0</FuncFlag><Content><![CDATA[a]]></Content></xml>",
	"<xml> <Content><![CDATA[a]]></Content></xml>",
	"<xml><Content><![CDATA[a]]></Content></xml>trailing",
	"<xml><Content><![CDATA[a]]></Content></xml",
	"<xml><Content><![CDATA[a]]></content></xml>",
	"<xml><Content/></xml>",
	"<xml><Content a=\"1\"><![CDATA[a]]></Content></xml>",
	"<xml><x:Content><![CDATA[a]]></x:Content></xml>",
	"<?xml version=\"1.0\"?><xml><Content><![CDATA[a]]></Content></xml>",
	"<xml><Content><![CDATA[a]]><!-- c --></Content></xml>",
	"<xml></xml>",
	"<xml>",
	"",
	"<xml><xml><![CDATA[a]]></xml></xml>",
	"<xml><Content><![CDATA[a</Content></xml>",
	"<xml><ToUserName>]]></ToUserName></xml>",
	"<xml><Content>收到 > 了</Content></xml>",
}

// TestFlatMatchesEncodingXML: whatever the flat reader reads, it reads as
// xml.Unmarshal does; and the forms callbacks write take the fast path.
func TestFlatMatchesEncodingXML(t *testing.T) {
	for _, doc := range flatCases {
		checkFlat(t, doc)
	}
	for _, doc := range flatCases[:2] {
		if _, ok := flatReply(doc); !ok {
			t.Errorf("a callback's reply missed the fast path: %q", doc)
		}
	}
	for _, doc := range flatCases[8:10] {
		if _, ok := flatEnvelope(doc); !ok {
			t.Errorf("a callback's envelope missed the fast path: %q", doc)
		}
	}
}

func FuzzFlatMatchesEncodingXML(f *testing.F) {
	for _, doc := range flatCases {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) { checkFlat(t, doc) })
}

func checkFlat(t *testing.T, doc string) {
	t.Helper()
	if got, ok := flatReply(doc); ok {
		var want Reply
		if err := xml.Unmarshal([]byte(doc), &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("reply %q: flat %+v, encoding/xml %+v (%v)", doc, got, want, err)
		}
	}
	if got, ok := flatEnvelope(doc); ok {
		var want Envelope
		if err := xml.Unmarshal([]byte(doc), &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("envelope %q: flat %+v, encoding/xml %+v (%v)", doc, got, want, err)
		}
	}
}

func TestMarshalEnvelope(t *testing.T) {
	for _, e := range []Envelope{{ToUserName: sealedTo, Encrypt: "ab+/cd=="}, {ToUserName: "a<&>\"'b", Encrypt: ""}, {ToUserName: "", Encrypt: "x"}} {
		want, err := xml.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := marshalEnvelope(e.ToUserName, e.Encrypt); !bytes.Equal(got, want) {
			t.Errorf("marshalEnvelope(%q, %q) = %s, want %s", e.ToUserName, e.Encrypt, got, want)
		}
	}
}

// TestOpen: Open reads safe-mode replies and plaintext ones, checks the
// signature and the AppID, and refuses what is not XML.
func TestOpen(t *testing.T) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	safe, err := New("tok", "wxapp", key)
	if err != nil {
		t.Fatal(err)
	}
	reply := []byte(flatCases[0])
	enc, err := safe.Encrypt(bytes.Repeat([]byte{7}, 16), reply)
	if err != nil {
		t.Fatal(err)
	}
	envelope := func(sig string) []byte {
		b, _ := xml.Marshal(Envelope{Encrypt: enc, MsgSignature: sig, TimeStamp: "1700000000", Nonce: "42"})
		return b
	}
	var want Reply
	if err := xml.Unmarshal(reply, &want); err != nil {
		t.Fatal(err)
	}
	if got, err := safe.Open(envelope(Signature("tok", "1700000000", "42", enc))); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("safe Open: %+v, %v", got, err)
	}
	if _, err := safe.Open(envelope("bad")); err == nil || !strings.Contains(err.Error(), "MsgSignature") {
		t.Errorf("bad signature: %v", err)
	}
	other, _ := New("tok", "wxother", key)
	if _, err := other.Open(envelope(Signature("tok", "1700000000", "42", enc))); err == nil || !strings.Contains(err.Error(), "AppID") {
		t.Errorf("another AppID: %v", err)
	}
	plain, _ := New("tok", "wxapp", "")
	if got, err := plain.Open(reply); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("plaintext Open: %+v, %v", got, err)
	}
	if _, err := plain.Open([]byte("<xml><Content>a</Content")); err == nil {
		t.Error("Open accepted broken XML")
	}
	if _, err := plain.Encrypt(make([]byte, 16), reply); err == nil {
		t.Error("a plaintext client encrypted")
	}
}

// TestFlatReadsTheBaselinesReply: the bare handler's reply, marshalled by
// encoding/xml, takes the fast path too, so that the client costs both
// sides of the comparison alike.
func TestFlatReadsTheBaselinesReply(t *testing.T) {
	doc, err := xml.Marshal(Reply{ToUserName: "oBench000001", FromUserName: "gh_jiangjinfabu", CreateTime: 1700000000, MsgType: "text", Content: "收到"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := flatReply(string(doc)); !ok {
		t.Errorf("missed the fast path: %s", doc)
	}
	checkFlat(t, string(doc))
}
