package handlers

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/silenceper/wechat/v2/util"
)

// TestWeChatCryptoMatchesSDK: the callback's message crypto gives what the
// SDK's gives, for messages of every length and for ciphertexts it must
// refuse, with the same errors.
func TestWeChatCryptoMatchesSDK(t *testing.T) {
	key, err := decodeAESKey(testAESKey)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 200 {
		var random [16]byte
		for i := range random {
			random[i] = byte(rng.Uint32())
		}
		msg := make([]byte, n*7)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		appID := testAppID[:rng.IntN(len(testAppID)+1)]
		want := util.AESEncryptMsg(random[:], msg, appID, key)
		plain := append(beginSealed(make([]byte, 0, rng.IntN(64)), &random), msg...)
		got := sealMsg(plain, appID, block, key)
		if !bytes.Equal(got, want) {
			t.Fatalf("sealMsg of %d bytes for %q differs from util.AESEncryptMsg", len(msg), appID)
		}

		wr, wm, wa, werr := util.AESDecryptMsg(want, key)
		gr, gm, ga, gerr := decryptMsg(block, key, bytes.Clone(want))
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || !bytes.Equal(gr, wr) || !bytes.Equal(gm, wm) || !bytes.Equal(ga, wa) {
			t.Fatalf("decryptMsg of %d bytes = %x, %x, %q, %v; want %x, %x, %q, %v", len(msg), gr, gm, ga, gerr, wr, wm, wa, werr)
		}
	}

	// Ciphertexts the SDK refuses: bad lengths, and random blocks whose
	// padding or length field is wrong.
	bad := [][]byte{nil, make([]byte, 16), make([]byte, 33), make([]byte, 64)}
	for range 2000 {
		b := make([]byte, 32*(1+rng.IntN(3)))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		bad = append(bad, b)
	}
	// A plaintext of exactly 20 bytes, and one whose length field points
	// past the end.
	pastTheEnd := append(append(make([]byte, 16), 0, 0, 0, 40), "aaaaaaaa\x04\x04\x04\x04"...)
	for _, plain := range [][]byte{bytes.Repeat([]byte{12}, 32), pastTheEnd} {
		ct := bytes.Clone(plain)
		cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(ct, ct)
		bad = append(bad, ct)
	}
	for _, ct := range bad {
		wr, wm, wa, werr := util.AESDecryptMsg(ct, key)
		gr, gm, ga, gerr := decryptMsg(block, key, bytes.Clone(ct))
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || !bytes.Equal(gr, wr) || !bytes.Equal(gm, wm) || !bytes.Equal(ga, wa) {
			t.Fatalf("decryptMsg(%x) = %x, %x, %q, %v; want %x, %x, %q, %v", ct, gr, gm, ga, gerr, wr, wm, wa, werr)
		}
	}
}

// TestReplySignature: the reply's signature over a byte slice is
// signature's over the four strings, whichever way they sort.
func TestReplySignature(t *testing.T) {
	parts := []string{"", "1", "1740794400", "A", "Zz", "a", testToken, testNonce, "c2VjcmV0", strings.Repeat("+/9", 700)}
	for _, token := range parts {
		for _, ts := range parts {
			for _, nonce := range parts {
				for _, enc := range parts {
					var want, got [40]byte
					signature(&want, token, ts, nonce, enc)
					scratch := replySignature(&got, nil, token, ts, nonce, []byte(enc))
					if got != want || len(scratch) != len(token)+len(ts)+len(nonce)+len(enc) {
						t.Fatalf("replySignature(%q, %q, %q, %q) = %s, want %s", token, ts, nonce, enc, got, want)
					}
				}
			}
		}
	}
}

// TestDecodeBase64: decodeBase64 gives DecodeString's bytes and errors.
func TestDecodeBase64(t *testing.T) {
	long := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("法治"), 1200))
	for _, s := range []string{"", "c2VjcmV0", "c2VjcmV", "c2Vj\r\ncmV0", "c2V=cmV0", "!!!!", "YQ==", "YQ=", "YQ", long, long[:4097], long + "=", long[:len(long)-4] + "YQ\n=="} {
		want, werr := base64.StdEncoding.DecodeString(s)
		dst := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, gerr := decodeBase64(dst, s)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || !bytes.Equal(dst[:n], want) {
			t.Errorf("decodeBase64(%.20q…) = %d bytes, %v; want %d bytes, %v", s, n, gerr, len(want), werr)
		}
	}
}

// TestReadBody: readBody reads what io.ReadAll reads, after what the buffer
// holds, and passes on the reader's error and http.MaxBytesReader's.
func TestReadBody(t *testing.T) {
	data := bytes.Repeat([]byte("<xml>法治</xml>"), 900)
	for _, n := range []int{0, 1, 511, 512, 4096, 5000, len(data)} {
		for _, start := range [][]byte{nil, make([]byte, 0, 7), []byte("x")} {
			got, err := readBody(start, iotest.HalfReader(bytes.NewReader(data[:n])))
			if err != nil || string(got) != string(start)+string(data[:n]) {
				t.Fatalf("readBody(%d bytes after %q) = %d bytes, %v", n, start, len(got), err)
			}
		}
	}
	boom := errors.New("boom")
	if _, err := readBody(nil, iotest.ErrReader(boom)); err != boom {
		t.Errorf("readBody of a failing reader: %v, want %v", err, boom)
	}
	r := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(bytes.NewReader(data)), 100)
	if _, err := readBody(nil, r); !errors.As(err, new(*http.MaxBytesError)) {
		t.Errorf("readBody past MaxBytesReader's limit: %v, want *http.MaxBytesError", err)
	}
}

// BenchmarkWeChatSafeReply: building a safe-mode reply of a typical answer
// takes a few allocations, none of them a copy of the reply.
func BenchmarkWeChatSafeReply(b *testing.B) {
	srv, _, _ := newTestServer(b, safeMode)
	in := &incoming{safe: true, timestamp: 1740794400, nonce: testNonce, random: [16]byte([]byte("0123456789abcdef"))}
	in.msg.FromUserName, in.msg.ToUserName = "oCitizen0000000000000000001", "gh_jiangjinfabu"
	text := strings.Repeat("根据《江津区生态环境局2020年法治政府建设年度报告》", 20)
	out, scratch := srv.buffer(), srv.buffer()
	b.ReportAllocs()
	for b.Loop() {
		*out = srv.appendReply((*out)[:0], scratch, in, text)
	}
}
