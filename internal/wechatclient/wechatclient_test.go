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
