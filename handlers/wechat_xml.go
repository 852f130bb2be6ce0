package handlers

// WeChat pushes messages as flat XML: a root <xml> holding one element per
// field, each a CDATA section or plain text. encoding/xml decodes them
// into the SDK's types through reflection, a byte at a time, at about
// 14 µs a message and 12 µs a safe-mode envelope. The decoders here read
// that flat form directly, and hand everything else (entities, comments,
// attributes, \r, nested or unknown elements, a field twice, a number that
// does not parse, …) to xml.Unmarshal, so that the result is always what
// xml.Unmarshal gives: FuzzWeChatXMLMatchesEncodingXML holds them to it.

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// decodeMessage decodes raw into m as xml.Unmarshal does.
func decodeMessage(raw []byte, m *message.MixMessage) error {
	var seen uint64
	if readFlatXML(raw, func(name string, value []byte) bool { return setMessageField(m, &seen, name, value) }) {
		return nil
	}
	*m = message.MixMessage{}
	return xml.Unmarshal(raw, m)
}

// decodeEnvelope decodes a safe-mode body into env as xml.Unmarshal does.
func decodeEnvelope(body []byte, env *message.EncryptedXMLMsg) error {
	var seen uint64
	ok := readFlatXML(body, func(name string, value []byte) bool {
		switch name {
		case "ToUserName":
			return once(&seen, 0) && setString(&env.ToUserName, value)
		case "Encrypt":
			return once(&seen, 1) && setString(&env.EncryptedMsg, value)
		}
		return false
	})
	if ok {
		return nil
	}
	*env = message.EncryptedXMLMsg{}
	return xml.Unmarshal(body, env)
}

// setMessageField sets the field of m that xml.Unmarshal fills from an
// element name holding value, as its copyValue converts text. It returns
// false for a name it does not know, for a name seen before and for a
// number that does not parse: the caller then leaves the message to
// xml.Unmarshal.
func setMessageField(m *message.MixMessage, seen *uint64, name string, value []byte) bool {
	switch name {
	case "ToUserName":
		return once(seen, 0) && setString((*string)(&m.ToUserName), value)
	case "FromUserName":
		return once(seen, 1) && setString((*string)(&m.FromUserName), value)
	case "CreateTime":
		return once(seen, 2) && setInt(&m.CreateTime, value)
	case "MsgType":
		return once(seen, 3) && setString((*string)(&m.MsgType), value)
	case "MsgId":
		return once(seen, 4) && setInt(&m.MsgID, value)
	case "MsgID":
		return once(seen, 5) && setInt(&m.TemplateMsgID, value)
	case "Content":
		return once(seen, 6) && setString(&m.Content, value)
	case "Recognition":
		return once(seen, 7) && setString(&m.Recognition, value)
	case "PicUrl":
		return once(seen, 8) && setString(&m.PicURL, value)
	case "MediaId":
		return once(seen, 9) && setString(&m.MediaID, value)
	case "Format":
		return once(seen, 10) && setString(&m.Format, value)
	case "ThumbMediaId":
		return once(seen, 11) && setString(&m.ThumbMediaID, value)
	case "Location_X":
		return once(seen, 12) && setFloat(&m.LocationX, value)
	case "Location_Y":
		return once(seen, 13) && setFloat(&m.LocationY, value)
	case "Scale":
		return once(seen, 14) && setFloat(&m.Scale, value)
	case "Label":
		return once(seen, 15) && setString(&m.Label, value)
	case "Title":
		return once(seen, 16) && setString(&m.Title, value)
	case "Description":
		return once(seen, 17) && setString(&m.Description, value)
	case "Url":
		return once(seen, 18) && setString(&m.URL, value)
	case "Event":
		return once(seen, 19) && setString((*string)(&m.Event), value)
	case "EventKey":
		return once(seen, 20) && setString(&m.EventKey, value)
	case "Ticket":
		return once(seen, 21) && setString(&m.Ticket, value)
	case "Latitude":
		return once(seen, 22) && setString(&m.Latitude, value)
	case "Longitude":
		return once(seen, 23) && setString(&m.Longitude, value)
	case "Precision":
		return once(seen, 24) && setString(&m.Precision, value)
	}
	return false
}

// once reports whether bit is not yet set in seen, and sets it.
func once(seen *uint64, bit uint) bool {
	if *seen&(1<<bit) != 0 {
		return false
	}
	*seen |= 1 << bit
	return true
}

func setString(dst *string, value []byte) bool {
	*dst = string(value)
	return true
}

func setInt(dst *int64, value []byte) bool {
	if len(value) == 0 {
		*dst = 0
		return true
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(value)), 10, 64)
	*dst = n
	return err == nil
}

func setFloat(dst *float64, value []byte) bool {
	if len(value) == 0 {
		*dst = 0
		return true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(value)), 64)
	*dst = f
	return err == nil
}

// readFlatXML reads data of the form
//
//	<xml> <Name><![CDATA[value]]></Name> <Name>value</Name> … </xml>
//
// with only spaces, tabs and newlines around the elements and the root,
// names of ASCII letters, digits and underscores, and values that are one
// CDATA section or plain text without '<', '&' or "]]>"; no value or space
// holds '\r' (which encoding/xml rewrites) or anything but XML characters
// in valid UTF-8. It calls set for each element in order and returns true
// when data has that form and set accepted every element; otherwise the
// caller must decode data with encoding/xml (and discard what set did).
func readFlatXML(data []byte, set func(name string, value []byte) bool) bool {
	const (
		root    = "<xml>"
		rootEnd = "</xml>"
		cdata   = "<![CDATA["
		cdEnd   = "]]>"
	)
	rest := skipSpace(data)
	if !bytes.HasPrefix(rest, []byte(root)) {
		return false
	}
	rest = rest[len(root):]
	for {
		rest = skipSpace(rest)
		if bytes.HasPrefix(rest, []byte(rootEnd)) {
			return len(skipSpace(rest[len(rootEnd):])) == 0
		}
		// <Name>
		if len(rest) == 0 || rest[0] != '<' {
			return false
		}
		n := nameLen(rest[1:])
		if n == 0 || len(rest) < n+2 || rest[1+n] != '>' {
			return false
		}
		name := rest[1 : 1+n]
		rest = rest[n+2:]
		// The value.
		var value []byte
		if bytes.HasPrefix(rest, []byte(cdata)) {
			rest = rest[len(cdata):]
			end := bytes.Index(rest, []byte(cdEnd))
			if end < 0 {
				return false
			}
			value, rest = rest[:end], rest[end+len(cdEnd):]
		} else {
			end := bytes.IndexByte(rest, '<')
			if end < 0 {
				return false
			}
			value, rest = rest[:end], rest[end:]
			if bytes.IndexByte(value, '&') >= 0 || bytes.Contains(value, []byte(cdEnd)) {
				return false
			}
		}
		if !xmlChars(value) {
			return false
		}
		// </Name>
		if len(rest) < n+3 || rest[0] != '<' || rest[1] != '/' || !bytes.Equal(rest[2:2+n], name) || rest[2+n] != '>' {
			return false
		}
		rest = rest[n+3:]
		if !set(string(name), value) {
			return false
		}
	}
}

// skipSpace returns b after its leading spaces, tabs and newlines.
func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// nameLen returns the length of the name b starts with: an ASCII letter or
// underscore, then letters, digits and underscores; 0 for none.
func nameLen(b []byte) int {
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return i
		}
	}
	return len(b)
}

// xmlChars reports whether b is valid UTF-8 of XML characters other than
// '\r'.
func xmlChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || !(r >= 0x80 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune) {
			return false
		}
		i += size
	}
	return true
}
