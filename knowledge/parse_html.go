package knowledge

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// minBodyRunes is the least text an HTML article body must hold.
const minBodyRunes = 20

// parseHTML reads a saved report page: metadata from <head> and the page
// header, paragraphs from the article body. Each <p> (and other block element) is a
// paragraph and each table row a readable line. ErrNoArticleBody when the
// page has no body text.
func parseHTML(data []byte) ([]textBlock, headerMeta, error) {
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil { // only for pathological nesting: no usable body
		return nil, headerMeta{}, ErrNoArticleBody
	}
	var m headerMeta
	readHTMLHead(doc, &m)

	body := articleBody(doc)
	if body == nil {
		return nil, m, ErrNoArticleBody
	}
	w := htmlWalker{}
	w.walk(body)
	w.flush(0)
	if runes(w.blocks) < minBodyRunes {
		return nil, m, ErrNoArticleBody
	}

	// The page header outside the body names the date and the source.
	outside := htmlWalker{skip: body}
	outside.walk(doc)
	outside.flush(0)
	for _, b := range outside.blocks {
		readMetaLine(b.text, &m)
	}
	return w.blocks, m, nil
}

// readHTMLHead reads the title, publication date, source and address from
// <meta>, <link rel=canonical>, <h1> and <title>.
func readHTMLHead(doc *html.Node, m *headerMeta) {
	var h1, title string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Meta:
			name := strings.ToLower(htmlAttr(n, "name") + htmlAttr(n, "property"))
			content := cleanText(htmlAttr(n, "content"))
			switch name {
			case "articletitle":
				m.title = firstNonEmpty(m.title, content)
			case "pubdate", "publishdate", "article:published_time":
				m.publishDate = firstNonEmpty(m.publishDate, leadingDate(content))
			case "contentsource":
				m.source = firstNonEmpty(m.source, content)
			case "url", "og:url":
				m.sourceURL = firstNonEmpty(m.sourceURL, content)
			}
		case atom.Link:
			if strings.EqualFold(htmlAttr(n, "rel"), "canonical") {
				m.sourceURL = firstNonEmpty(m.sourceURL, htmlAttr(n, "href"))
			}
		case atom.H1:
			h1 = firstNonEmpty(h1, cleanText(htmlText(n)))
		case atom.Title:
			title = firstNonEmpty(title, cleanText(htmlText(n)))
		}
	}
	// "<report title>_<site name>"
	for _, sep := range []string{"_", "|", " - "} {
		if i := strings.Index(title, sep); i > 0 {
			title = strings.TrimSpace(title[:i])
		}
	}
	m.title = firstNonEmpty(m.title, h1, title)
}

// firstNonEmpty returns the first non-empty value.
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// htmlAttr returns the value of n's attribute key, or "".
func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// articleBody finds the element holding the article: the editor container
// the site's CMS writes (class TRS_Editor, id zoom, …), else the element
// with the most paragraph text.
func articleBody(doc *html.Node) *html.Node {
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || isPageChrome(n) {
			continue
		}
		if hasClass(n, "TRS_Editor") || hasClass(n, "article-content") ||
			strings.EqualFold(htmlAttr(n, "id"), "zoom") || strings.EqualFold(htmlAttr(n, "id"), "UCAP-CONTENT") {
			if utf8.RuneCountInString(strings.TrimSpace(htmlText(n))) >= minBodyRunes {
				return n
			}
		}
	}
	var best *html.Node
	bestScore := 0
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && isPageChrome(n) {
			return
		}
		if score := paragraphText(n); score > bestScore {
			best, bestScore = n, score
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
	if bestScore < minBodyRunes {
		return nil
	}
	return best
}

// paragraphText counts the runes of n's own text and of its <p> children.
func paragraphText(n *html.Node) int {
	if n.Type != html.ElementNode {
		return 0
	}
	total := 0
	for c := range n.ChildNodes() {
		switch {
		case c.Type == html.TextNode:
			total += utf8.RuneCountInString(strings.TrimSpace(c.Data))
		case c.Type == html.ElementNode && c.DataAtom == atom.P:
			total += utf8.RuneCountInString(strings.TrimSpace(htmlText(c)))
		}
	}
	return total
}

// hasClass reports whether n's class list holds class (case-insensitive).
func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(htmlAttr(n, "class")) {
		if strings.EqualFold(c, class) {
			return true
		}
	}
	return false
}

// isPageChrome reports whether an element is page furniture rather than
// article content: scripts, styles, forms, navigation, header, footer,
// breadcrumbs, QR codes and tool bars.
func isPageChrome(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Head, atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav,
		atom.Header, atom.Footer, atom.Aside, atom.Form, atom.Select, atom.Button,
		atom.Iframe, atom.Svg, atom.Object:
		return true
	}
	words := strings.ToLower(htmlAttr(n, "class") + " " + htmlAttr(n, "id"))
	for _, w := range []string{"nav", "footer", "header", "breadcrumb", "crumb", "position",
		"qrcode", "share", "tools", "top-bar", "topbar"} {
		if strings.Contains(words, w) {
			return true
		}
	}
	return false
}

// htmlText returns the text inside n, without scripts and styles; <br> is a space.
func htmlText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
			return
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// blockRunes counts the runes of all block texts.
func runes(blocks []textBlock) int {
	n := 0
	for _, b := range blocks {
		n += utf8.RuneCountInString(b.text)
	}
	return n
}

// htmlWalker turns an element tree into paragraphs.
type htmlWalker struct {
	blocks []textBlock
	buf    strings.Builder
	skip   *html.Node // a subtree left out (the article body when reading the page header)
}

// isHTMLBlock reports whether an element starts a new paragraph.
func isHTMLBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Blockquote, atom.Section,
		atom.Article, atom.Main, atom.Dd, atom.Dt, atom.Dl, atom.Pre, atom.Center, atom.Hr:
		return true
	}
	return false
}

// headingDepth returns 1…6 for <h1>…<h6>, else 0.
func headingDepth(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (w *htmlWalker) walk(n *html.Node) {
	if n == w.skip && n != nil {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.ElementNode:
		if isPageChrome(n) && w.skip == nil {
			return
		}
		switch {
		case n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Head:
			return
		case n.DataAtom == atom.Br:
			w.flush(0)
			return
		case n.DataAtom == atom.Table:
			w.flush(0)
			w.table(n)
			return
		case headingDepth(n.DataAtom) > 0:
			w.flush(0)
			w.children(n)
			w.flush(headingDepth(n.DataAtom))
			return
		case isHTMLBlock(n.DataAtom):
			w.flush(0)
			w.children(n)
			w.flush(0)
			return
		}
	}
	w.children(n)
}

func (w *htmlWalker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// flush ends the current paragraph.
func (w *htmlWalker) flush(heading int) {
	if t := cleanText(w.buf.String()); t != "" {
		w.blocks = append(w.blocks, textBlock{text: t, line: len(w.blocks) + 1, heading: heading})
	}
	w.buf.Reset()
}

// table emits one line per row of t (rows of nested tables are flattened
// into their cell).
func (w *htmlWalker) table(t *html.Node) {
	row := 0
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				var cells []string
				for td := range c.ChildNodes() {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						cells = append(cells, htmlText(td))
					}
				}
				if line := tableRow(cells, row == 0); line != "" {
					w.blocks = append(w.blocks, textBlock{text: line, line: len(w.blocks) + 1})
					row++
				}
			case atom.Thead, atom.Tbody, atom.Tfoot:
				visit(c)
			case atom.Caption:
				w.buf.WriteString(htmlText(c))
				w.flush(0)
			}
		}
	}
	visit(t)
}
