package knowledge

import (
	"strings"
	"unicode/utf8"
)

// A question for what something means (一码管地是啥子意思, 江城和事厅是拿来
// 做啥子的) is answered by a passage that spells it out. For a general
// term every report uses (行政复议) that takes a gloss (a definition in
// brackets, 即, 是指); for a programme of one report alone, the passage
// its heading names, or else the one where the report introduces it.

// meaningSubject returns the term a question asks the meaning of: the
// Chinese characters right before the words that ask, after any 的 and
// 那个 (一码管地 of 规资局的那个一码管地是什么意思), or "" when there are
// fewer than two.
func meaningSubject(asked string) string {
	loc := asksMeaning.FindStringIndex(asked)
	if loc == nil {
		return ""
	}
	rs := []rune(strings.TrimRight(asked[:loc[0]], "是指的个啥什么子 "))
	i := len(rs)
	for i > 0 && isHan(rs[i-1]) && rs[i-1] != '的' {
		i--
	}
	term := strings.TrimLeft(string(rs[i:]), "那这个")
	if utf8.RuneCountInString(term) < 2 {
		return ""
	}
	return term
}

// describes reports whether h tells what term is, in whatever words:
// term is something of h's report alone (see introduction), and h's own
// heading names it (7.推进“一码管地”智慧监管).
func (b *Base) describes(h Hit, term string) bool {
	if term == "" || len(h.Path) == 0 || !strings.Contains(h.Path[len(h.Path)-1], term) {
		return false
	}
	_, only := b.firstWriting(term, h.ReportID)
	return only
}

// introduction returns the passage where top's report first writes term,
// in reading order, when term is something of that report alone
// (江城和事厅; not 行政复议, which every report names): when no heading
// names its own programme, a report tells what it is where it introduces
// it (建成“江城和事厅”矛盾纠纷一站式调处平台), not where it names it
// again (持续擦亮“江城和事厅”). The passage keeps top's score and
// confidence; the quote is its first sentence that writes term.
func (b *Base) introduction(top Hit, term string) (Hit, string, bool) {
	if term == "" {
		return Hit{}, "", false
	}
	first, only := b.firstWriting(term, top.ReportID)
	if !only || first == nil {
		return Hit{}, "", false
	}
	h := b.hitOf(first.report, first.seq)
	h.Score, h.Confidence, h.Matched = top.Score, top.Confidence, top.Matched
	for _, s := range splitSentences(h.Text) {
		if strings.Contains(s, term) {
			return h, strings.TrimSpace(s), true
		}
	}
	return h, h.Text, true
}

// firstWriting returns the first passage, in reading order, whose text
// holds term, and reports whether every passage that holds it is of
// report id (true when none does).
func (b *Base) firstWriting(term string, id ReportID) (first *doc, only bool) {
	only = true
	b.eachWriting(term, func(d *doc) bool {
		if d.report.ID != id {
			first, only = nil, false
			return false
		}
		if first == nil {
			first = d
		}
		return true
	})
	return first, only
}
