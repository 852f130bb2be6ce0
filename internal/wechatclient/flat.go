package wechatclient

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The replies a callback sends are flat: <xml>, then elements holding
// CDATA sections or text without markup, then </xml>. Reading them with
// encoding/xml costs about 10 ns a byte (a safe-mode envelope is ~3 KB of
// base64, a long answer ~2 KB), which the load command's client would
// spend on the same cores as the server it measures. readFlat reads that
// form directly and gives up on anything else, which then goes to
// encoding/xml: the result is always xml.Unmarshal's
// (TestFlatMatchesEncodingXML, FuzzFlatMatchesEncodingXML). It is written
// from the XML specification, independently of the handlers' reader.

// readFlat reads a flat document into set, called with each element's
// name and text. It reports false, having called set for none or some of
// them, when the document is not of the flat form: then the caller must
// use encoding/xml instead. Each name may appear once; set reports
// whether it knows name (an unknown one sends the document to
// encoding/xml too).
func readFlat(doc string, set func(name, text string) bool) bool {
	s, ok := strings.CutPrefix(doc, "<xml>")
	if !ok {
		return false
	}
	var seen []string
	for !strings.HasPrefix(s, "</xml>") {
		if len(s) < 2 || s[0] != '<' {
			return false
		}
		end := strings.IndexByte(s, '>')
		if end < 2 {
			return false
		}
		name := s[1:end]
		if !plainName(name) {
			return false
		}
		for _, n := range seen {
			if n == name {
				return false
			}
		}
		seen = append(seen, name)
		s = s[end+1:]
		var text string
		text, s, ok = flatText(s)
		if !ok {
			return false
		}
		if s, ok = strings.CutPrefix(s, "</"+name+">"); !ok {
			return false
		}
		if !set(name, text) {
			return false
		}
	}
	return s == "</xml>"
}

// plainName reports whether name is an element name of ASCII letters
// (WeChat's are): no namespace, attribute or space to interpret.
func plainName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return name != ""
}

// flatText reads an element's content up to its end tag: CDATA sections,
// or text without markup. It returns the text and the rest of the
// document, or false for anything else, such as entities, carriage returns
// (which XML rewrites), a "]]>" outside CDATA or characters XML forbids.
func flatText(s string) (text, rest string, ok bool) {
	if !strings.HasPrefix(s, "<![CDATA[") {
		i := strings.IndexByte(s, '<')
		if i < 0 || strings.IndexByte(s[:i], '&') >= 0 || strings.Contains(s[:i], "]]>") || !xmlChars(s[:i]) {
			return "", "", false
		}
		return s[:i], s[i:], true
	}
	var sb strings.Builder
	sections := 0
	for {
		body, ok := strings.CutPrefix(s, "<![CDATA[")
		if !ok {
			break
		}
		end := strings.Index(body, "]]>")
		if end < 0 || !xmlChars(body[:end]) {
			return "", "", false
		}
		if sections == 0 {
			text = body[:end]
		} else {
			if sections == 1 {
				sb.WriteString(text)
			}
			sb.WriteString(body[:end])
		}
		sections++
		s = body[end+3:]
	}
	if sections > 1 {
		text = sb.String()
	}
	return text, s, true
}

// xmlChars reports whether s is valid UTF-8 made only of the characters
// XML allows, without a carriage return.
func xmlChars(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r >= 0xD800 && r <= 0xDFFF || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

// flatReply reads a reply of the flat form, or reports false.
func flatReply(doc string) (Reply, bool) {
	var r Reply
	ok := readFlat(doc, func(name, text string) bool {
		switch name {
		case "ToUserName":
			r.ToUserName = text
		case "FromUserName":
			r.FromUserName = text
		case "MsgType":
			r.MsgType = text
		case "Content":
			r.Content = text
		case "CreateTime":
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return false
			}
			r.CreateTime = n
		default:
			return false
		}
		return true
	})
	if ok {
		r.XMLName.Local = "xml"
	}
	return r, ok
}

// flatEnvelope reads an envelope of the flat form, or reports false.
func flatEnvelope(doc string) (Envelope, bool) {
	var e Envelope
	ok := readFlat(doc, func(name, text string) bool {
		switch name {
		case "ToUserName":
			e.ToUserName = text
		case "Encrypt":
			e.Encrypt = text
		case "MsgSignature":
			e.MsgSignature = text
		case "TimeStamp":
			e.TimeStamp = text
		case "Nonce":
			e.Nonce = text
		default:
			return false
		}
		return true
	})
	if ok {
		e.XMLName.Local = "xml"
	}
	return e, ok
}
