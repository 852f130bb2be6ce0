package handlers

// Safe mode's message crypto, as the SDK's util.AESDecryptMsg and
// util.AESEncryptMsg do it (AES-256-CBC, the key's first 16 bytes as IV,
// PKCS#7 padding to 32 bytes, random(16) + length(4, big-endian) + XML +
// AppID), but with the Server's one cipher.Block instead of a new one per
// message, in place in the callback's pooled buffers instead of fresh
// copies, and base64 written into the reply itself. The results are the
// SDK's, byte for byte (TestWeChatCryptoMatchesSDK).

import (
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// wechatBlockSize is the PKCS#7 block size of WeChat's message crypto.
const wechatBlockSize = 32

// maxPooledBuffer is the largest buffer the callback keeps for reuse:
// bodies and replies are a few KiB; the rare larger one is left to the GC.
const maxPooledBuffer = maxBodyBytes + 4<<10

// buffer returns a buffer of the callback's pool, empty, for a request body
// or a reply; give it back with putBuffer once nothing refers to it.
func (s *Server) buffer() *[]byte {
	if b, ok := s.buffers.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 4<<10)
	return &b
}

// putBuffer returns b, which may have grown into *b, to the pool.
func (s *Server) putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		s.buffers.Put(b)
	}
}

// readBody appends r's contents to buf as io.ReadAll reads them, with the
// same errors.
func readBody(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append pick the growth
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return buf, err
		}
	}
}

// decodeBase64 decodes s, standard base64, into dst as
// base64.StdEncoding.DecodeString does (same result, same errors), without
// allocating for an s of up to 4 KiB. dst must hold
// base64.StdEncoding.DecodedLen(len(s)) bytes.
func decodeBase64(dst []byte, s string) (int, error) {
	var src [4 << 10]byte
	if len(s) <= len(src) {
		return base64.StdEncoding.Decode(dst, src[:copy(src[:], s)])
	}
	return base64.StdEncoding.Decode(dst, []byte(s))
}

// decryptMsg decrypts ciphertext in place as util.AESDecryptMsg does (the
// same checks and errors) with block, the cipher of key, and returns the
// parts of the plaintext, which alias ciphertext.
func decryptMsg(block cipher.Block, key, ciphertext []byte) (random, rawXMLMsg, appID []byte, err error) {
	if len(ciphertext) < wechatBlockSize {
		return nil, nil, nil, fmt.Errorf("the length of ciphertext too short: %d", len(ciphertext))
	}
	if len(ciphertext)%wechatBlockSize != 0 {
		return nil, nil, nil, fmt.Errorf("ciphertext is not a multiple of the block size, the length is %d", len(ciphertext))
	}
	plaintext := ciphertext
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plaintext, ciphertext)

	amountToPad := int(plaintext[len(plaintext)-1])
	if amountToPad < 1 || amountToPad > wechatBlockSize {
		return nil, nil, nil, fmt.Errorf("the amount to pad is incorrect: %d", amountToPad)
	}
	plaintext = plaintext[:len(plaintext)-amountToPad]
	if len(plaintext) <= 20 {
		return nil, nil, nil, fmt.Errorf("plaintext too short, the length is %d", len(plaintext))
	}
	// As the SDK: the length is read as a uint32 and converted to int, so
	// on 64-bit platforms it is never negative.
	rawXMLMsgLen := int(binary.BigEndian.Uint32(plaintext[16:20]))
	if rawXMLMsgLen < 0 {
		return nil, nil, nil, fmt.Errorf("incorrect msg length: %d", rawXMLMsgLen)
	}
	appIDOffset := 20 + rawXMLMsgLen
	if len(plaintext) <= appIDOffset {
		return nil, nil, nil, fmt.Errorf("msg length too large: %d", rawXMLMsgLen)
	}
	return plaintext[:16:20], plaintext[20:appIDOffset:appIDOffset], plaintext[appIDOffset:], nil
}

// beginSealed starts the plaintext of an encrypted message in dst: the 16
// random bytes and room for the length. Append the XML, then finish it with
// sealMsg.
func beginSealed(dst []byte, random *[16]byte) []byte {
	dst = append(dst, random[:]...)
	return append(dst, 0, 0, 0, 0)
}

// sealMsg finishes the plaintext begun by beginSealed at plaintext[0] (its
// XML appended since) as util.AESEncryptMsg does: the XML's length, appID,
// the padding; then encrypts it in place with block, the cipher of key,
// and returns the ciphertext, which aliases the extended plaintext.
func sealMsg(plaintext []byte, appID string, block cipher.Block, key []byte) []byte {
	binary.BigEndian.PutUint32(plaintext[16:20], uint32(len(plaintext)-20))
	plaintext = append(plaintext, appID...)
	pad := wechatBlockSize - len(plaintext)%wechatBlockSize
	for range pad {
		plaintext = append(plaintext, byte(pad))
	}
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(plaintext, plaintext)
	return plaintext
}

// appendSealedReply appends the safe-mode reply to in carrying the passive
// reply XML plain (begun by beginSealed in scratch, which it reuses): the
// envelope as appendEncryptedReply writes it, the ciphertext in base64,
// signed over the request's timestamp and nonce. It returns the reply and
// scratch as it was grown.
func (s *Server) appendSealedReply(dst, plain []byte, in *incoming) (reply, scratch []byte) {
	ciphertext := sealMsg(plain, s.appID, s.aesBlock, s.aesKey)
	dst = append(dst, "<xml><Encrypt>"...)
	start := len(dst)
	dst = base64.StdEncoding.AppendEncode(dst, ciphertext)
	var ts [20]byte
	timestamp := strconv.AppendInt(ts[:0], in.timestamp, 10)
	var sig [2 * sha1.Size]byte
	scratch = replySignature(&sig, ciphertext[:0], s.token, string(timestamp), in.nonce, dst[start:])
	return appendEnvelopeTail(dst, sig[:], string(timestamp), in.nonce), scratch
}

// replySignature writes into sig WeChat's signature of token, timestamp,
// nonce and encrypted (what signature gives for the four as strings),
// joining them in scratch, which it returns as grown.
func replySignature(sig *[2 * sha1.Size]byte, scratch []byte, token, timestamp, nonce string, encrypted []byte) []byte {
	ps := [3]string{token, timestamp, nonce}
	slices.Sort(ps[:])
	// encrypted goes after the parts that sort before it; equal parts are
	// the same bytes whichever comes first.
	before := 0
	for before < len(ps) && ps[before] < string(encrypted) {
		before++
	}
	joined := scratch[:0]
	for _, p := range ps[:before] {
		joined = append(joined, p...)
	}
	joined = append(joined, encrypted...)
	for _, p := range ps[before:] {
		joined = append(joined, p...)
	}
	sum := sha1.Sum(joined)
	hex.Encode(sig[:], sum[:])
	return joined
}
