package knowledge

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Query is a citizen's question as the knowledge base sees it.
type Query struct {
	// Text is the question as typed (or recognised from speech).
	Text string
	// Year restricts the search to reports on that year. Zero means the
	// year is read from Text ("2020年", "20年", "二〇二〇年", "去年").
	Year int
	// Department restricts the search to one department, by canonical name
	// (江津区生态环境局): only its passages are quoted. Empty means it is
	// read from Text, aliases included; a department read from the text is
	// searched first, and other departments' passages are considered only
	// when none of its own is confident enough.
	Department string
	// Limit caps the number of hits; zero means the Base's default.
	Limit int
	// Now anchors relative years (今年, 去年, 前年); zero means the Base's clock.
	Now time.Time
	// Context holds the topic terms of earlier turns of the conversation
	// (see Understanding.Terms). They help a follow-up such as "合格率呢"
	// find its passage, weighing half as much as the question's own terms.
	Context []string
	// Years, when it holds two or more years, asks to compare the
	// question's figure across them: a follow-up "那和2020年比呢" to a
	// question about 2021 asks Text again with Years {2021, 2020}. The
	// question must name a department (or Department be set).
	Years []int
	// Focus is the passage the conversation last showed, if any. A
	// follow-up ("涉及多少人") usually asks about the same passage, so it
	// is preferred when it matches one of the question's own terms.
	Focus *PassageKey
}

// PassageKey identifies a passage: its report and its Seq there.
type PassageKey struct {
	Report ReportID
	Seq    int
}

// Understanding is what the knowledge base reads from a question.
type Understanding struct {
	Year       int      // the year asked about, 0 when none is named
	Department string   // canonical department name, "" when none is named
	Terms      []string // the question's own searchable terms, canonical
	// Action reports a request to act (帮我预约…) rather than a question.
	Action bool
	// Official reports a question about who holds an office (局长是谁).
	Official bool
	// Corrections are the rewrites applied before searching: typos,
	// short forms and colloquial words mapped to the reports' own words.
	Corrections []Correction
	// Compares reports that the question asks how a figure changed
	// ("和2020年比呢", "增加了多少"); with a second year from the
	// conversation, it is a comparison (see Query.Years).
	Compares bool
}

// Understand reads the year, department and searchable terms of q, as
// Search and Answer do. Context is not included in Terms. What it read of
// a question with only Text and Now is kept for the next time (see
// answercache.go); the result is the caller's to change.
func (b *Base) Understand(q Query) Understanding {
	key, cacheable := b.understandKeyOf(q)
	if cacheable {
		if u, ok := b.understood.get(key); ok {
			return u
		}
	}
	u := b.understand(q)
	out := Understanding{Year: u.year, Department: u.department, Terms: u.terms, Action: u.action, Official: u.official, Corrections: u.corrections,
		Compares: asksChange.MatchString(q.Text)}
	if cacheable {
		b.understood.put(key, out)
	}
	return out
}

// understood is what was read from a Query: filters and weighted terms.
type understood struct {
	asked      string // the question in standard wording (好多 read as 多少)
	year       int
	years      []int  // every year named, the first being year
	department string // canonical name, "" when none was named
	deptStrict bool   // the department was set by the caller: a filter
	deptAlias  string // the words the citizen used for it
	terms      []string
	context    []string // topic terms of earlier turns, not in terms
	action     bool     // the citizen asks the bot to do something, not to tell
	official   bool     // the question asks who holds an office
	figure     bool     // the question asks for a number or a date
	units      []string // the units a count asked for comes in (多少人 → 人, 名)
	focus      *PassageKey
	// corrections are the rewrites applied to the text, in order.
	corrections []Correction
	// ranking and contact report a question for a ranking or contact
	// details, which a passage must state; reportFact, a question about
	// the report itself.
	ranking, contact bool
	money            bool // the question asks for a sum of money
	shortcomings     bool // the question asks what went less well, or why
	allPlans         bool // the question asks for the plans and names no topic (明年打算怎么搞)
	plans            bool // the question asks what is planned (打算, 下一步, a year still to come)
	why              bool // the question asks for a cause
	how              bool // the question asks how to do something (怎么申请)
	date             bool // the question asks on what day (哪天, 什么时候)
	count            bool // the question asks how many (多少, 几件)
	meaning, name    bool // the question asks what a term means, what a thing is called
	organization     bool // the thing whose name is asked is an organization (哪家律所)
	reportFact       reportFact
	roles            map[string]float64 // roleWeight of each term and context term
	askedFor         map[string]bool    // terms right before the words that ask (房价 of 房价多少)
}

var (
	fourDigitYear = regexp.MustCompile(`(19|20)(\d\d)\s*年`)
	twoDigitYear  = regexp.MustCompile(`(^|[^\d.])([12]\d)\s*年`)
	// bareYear is a year written without 年 (卫健委2022被人申请复议几件):
	// four digits from 2000 that no digit, unit or count word touches.
	bareYear  = regexp.MustCompile(`(^|[^\d.])(20\d\d)($|[^\d.%年万亿元件人个家名次项处户余多条起场份张台所位种类批辆吨亩])`)
	hanziYear = regexp.MustCompile(`([二][〇零○][一二三四五六七八九〇零○]{2})年`)
	// hanziShortYear is a two-digit year in Chinese numerals (二一年).
	hanziShortYear = regexp.MustCompile(`(^|[^一二三四五六七八九〇零○十百千万两几])([一二][一二三四五六七八九〇零○])年`)
	// actionRequest matches requests to act on the citizen's behalf, which
	// a knowledge base of published reports cannot do.
	actionRequest = regexp.MustCompile(`^(请)?(帮|替|给)(我|我们|俺)`)
	// officialIdentity matches questions about who holds an office
	// ("局长是谁", "谁是区长", "书记叫什么名字"). The reports do not name
	// officials, and a passage that mentions the office ("局长任组长")
	// does not answer them; staff can answer such questions with an FAQ.
	officialIdentity = regexp.MustCompile(`(局长|书记|主任|区长|负责人|领导|科长|部长|处长|院长|校长|队长)(是谁|是哪位|叫什么|叫啥|的?姓名|的?名字)|(谁|哪个|哪位)(在)?(是|当|任)(局长|书记|主任|区长|镇长|负责人|领导|科长|部长|处长|院长|校长|队长)|谁是.{0,12}(局长|书记|主任|区长|负责人|领导|科长|部长|处长|院长|校长|队长)`)
)

// asksAfter matches the start of a question's rest that asks about the
// word before it (房价|多少, 店名|叫什么).
var asksAfter = regexp.MustCompile(`^\s*(了|是|有|的|为|叫|大概|一共|总共|到底)?\s*(多少|几|啥|什么|多久|多大|多长|怎么|咋|哪)`)

// genericNounFreq is the dictionary frequency from which a noun is too
// common to name a topic (事情 15354, 东西 18877; 房价 655).
const genericNounFreq = 10000

// asksBefore matches the end of a question's text before a word it asks
// about (哪家|农资店).
var asksBefore = regexp.MustCompile(`(哪|什么|啥)(家|个|些|位|种|类|样的?)?\s*$`)

// questionWords are the words that ask for a quantity: 多少 and 几, each
// with the measure word after it, 多大 (多大面积), and the words that ask
// for a day (什么时候, 哪天).
var questionWords = regexp.MustCompile(`(多少|几)(个|人次|人|名|件|起|家次|家|户|所|钱|元|天|日|次|回|张|条|项次|项|辆次|辆|公里|套|吨|批次|批|份|座|台|场|期|处|卷|本|艘次|艘|栋|学时|位|样)?|多大|(什么|啥)时候|哪一?天|何时`)

// dropQuestionWords replaces the asking words of text (多少户, 几个)
// with spaces, except inside a department's name (几江街道).
func (b *Base) dropQuestionWords(text string) string {
	var keep [][2]int // byte spans of the names in text
	for _, n := range b.askingNames {
		for at := 0; ; {
			i := strings.Index(text[at:], n)
			if i < 0 {
				break
			}
			keep = append(keep, [2]int{at + i, at + i + len(n)})
			at += i + len(n)
		}
	}
	var sb strings.Builder
	last := 0
	for _, m := range questionWords.FindAllStringIndex(text, -1) {
		if slices.ContainsFunc(keep, func(k [2]int) bool { return m[0] < k[1] && k[0] < m[1] }) {
			continue
		}
		sb.WriteString(text[last:m[0]])
		sb.WriteByte(' ')
		last = m[1]
	}
	sb.WriteString(text[last:])
	return sb.String()
}

// askingTail matches the 没(有) that ends a yes-or-no question (输了没,
// 罚了没有, 结案没).
var askingTail = regexp.MustCompile(`(没有|没)[呢啊嘛吗哦]?\s*[？?！!。]*\s*$`)

// askingClause matches the same 没(有) ending a clause that the question
// goes on after (官司输了没得 为啥子输的).
var askingClause = regexp.MustCompile(`(\p{Han})(没有|没)[呢啊嘛吗哦]?[\s，,？?！!。]+`)

// dropAskingPairs removes the A-not-A forms that turn a statement into a
// yes-or-no question (是不是, 有没有, 能不能, 会不会; 输了没): they phrase
// the question and name nothing the reports could hold.
func dropAskingPairs(text string) string {
	text = askingTail.ReplaceAllString(text, " ")
	text = askingClause.ReplaceAllString(text, "$1 ")
	rs := []rune(text)
	out := rs[:0:0]
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && (rs[i+1] == '不' || rs[i+1] == '没') && rs[i] == rs[i+2] && isHan(rs[i]) {
			out = append(out, ' ')
			i += 2
			continue
		}
		out = append(out, rs[i])
	}
	return string(out)
}

// dialectPassive matches 遭 as Chongqing speech uses it for 被 (遭告了,
// 遭罚): before a verb, not in 遭受, 遭遇 or 遭到.
var dialectPassive = regexp.MustCompile(`遭([^受遇到\P{Han}])`)

// doersOf matches the plain words for the people who do something (执法的人,
// 调解的那些人): two characters, then 的 and 人.
var doersOf = regexp.MustCompile(`(\p{Han}{2})的(那些|这些|那个|这个)?人`)

// staffWords reads the plain words for the people who do something as
// the reports name them (执法的人 → 执法人员), when the reports use that
// name.
func (b *Base) staffWords(text string) string {
	return doersOf.ReplaceAllStringFunc(text, func(m string) string {
		w := doersOf.FindStringSubmatch(m)[1] + "人员"
		if len(b.words[w]) == 0 {
			return m
		}
		return w
	})
}

// meaningWords ask what a term means or what a thing is called (三线一单
// 是啥意思, 那个规则叫什么名字). Like questionWords they phrase the
// question and name nothing the reports could hold.
var meaningWords = regexp.MustCompile(`(是|指)?(什么|啥子|啥|哪个)(意思|含义|名字|名称)|指的是|是指|意思是|叫个?(什么|啥子|啥)(名字|名称)?|(名字|名称)(是|叫)(什么|啥子|啥)|是?(拿来|用来)?(干|做)(什么|啥子|啥)的|有(什么|啥子|啥)用处?`)

var hanziDigits = map[rune]int{'〇': 0, '零': 0, '○': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// readYear finds the year a question asks about and returns the text with
// the year expression removed. It returns 0 when none is named.
func readYear(text string, now time.Time) (int, string) {
	if m := fourDigitYear.FindStringSubmatchIndex(text); m != nil {
		y, _ := strconv.Atoi(text[m[0] : m[0]+4])
		return y, text[:m[0]] + " " + text[m[1]:]
	}
	if m := hanziYear.FindStringSubmatchIndex(text); m != nil {
		y := 0
		for _, r := range text[m[2]:m[3]] {
			y = y*10 + hanziDigits[r]
		}
		return y, text[:m[0]] + " " + text[m[1]:]
	}
	if m := hanziShortYear.FindStringSubmatchIndex(text); m != nil {
		y := 0
		for _, r := range text[m[4]:m[5]] {
			y = y*10 + hanziDigits[r]
		}
		if y >= 15 { // as for "20年" below
			return 2000 + y, text[:m[4]] + " " + text[m[1]:]
		}
	}
	if m := twoDigitYear.FindStringSubmatchIndex(text); m != nil {
		// Two-digit years ("20年") only in the range reports exist for;
		// "10年" is more likely a duration than 2010.
		if y, _ := strconv.Atoi(text[m[4]:m[5]]); y >= 15 {
			return 2000 + y, text[:m[4]] + " " + text[m[1]:]
		}
	}
	if m := bareYear.FindStringSubmatchIndex(text); m != nil {
		y, _ := strconv.Atoi(text[m[4]:m[5]])
		return y, text[:m[4]] + " " + text[m[5]:]
	}
	for word, delta := range map[string]int{"前年": -2, "去年": -1, "今年": 0, "明年": 1, "来年": 1} {
		if i := strings.Index(text, word); i >= 0 {
			return now.Year() + delta, text[:i] + " " + text[i+len(word):]
		}
	}
	return 0, text
}

// isQuestionWord reports whether w asks for a quantity, like 几份, 几次
// or 多少个: 几 or 多少 followed by at most one measure word.
func isQuestionWord(w string) bool {
	for _, prefix := range []string{"几", "多少"} {
		if rest, ok := strings.CutPrefix(w, prefix); ok && utf8.RuneCountInString(rest) <= 1 {
			return true
		}
	}
	return false
}

// readDepartment finds the department a question names first (the longest
// alias where several start at the same place), and returns its canonical
// name, the alias used, and the text without it. "司法局帮区政府审合同"
// names 司法局.
func readDepartment(text string, depts []Department) (name, alias, rest string) {
	at := len(text)
	for _, d := range depts {
		for _, a := range append([]string{d.Name}, d.Aliases...) {
			i := strings.Index(text, a)
			if i >= 0 && (i < at || i == at && len(a) > len(alias)) {
				name, alias, at = d.Name, a, i
			}
		}
	}
	if alias == "" {
		return "", "", text
	}
	return name, alias, strings.Replace(text, alias, " ", 1)
}

// understand reads filters and terms from q.
func (b *Base) understand(q Query) understood {
	text := spokenNumbers(normalizeWidth(strings.TrimSpace(q.Text)))
	now := q.Now
	if now.IsZero() {
		now = b.now()
	}
	// Dialect and plain wording first (好多钱 → 多少钱), so that what the
	// question asks for is read from the standard wording.
	text, fixes := b.terms.standardWording(dialectPassive.ReplaceAllString(text, "被$1"))
	u := understood{asked: text, action: actionRequest.MatchString(text), official: officialIdentity.MatchString(text), figure: wantsFigure(text), units: expectedUnits(text), focus: q.Focus}
	u.ranking, u.contact, u.reportFact = asksRanking.MatchString(text), asksContact.MatchString(text), readReportFact(text)
	u.money, u.shortcomings, u.why = readsMoney(text, u.units), asksShortcomings.MatchString(text), asksWhy.MatchString(text)
	u.meaning, u.name = asksMeaning.MatchString(text), asksName.MatchString(text)
	u.organization = u.name && asksOrganization.MatchString(text)
	u.date, u.how = asksDate.MatchString(text), asksHow.MatchString(text)
	u.plans = asksPlans.MatchString(text)
	u.count = asksCount.MatchString(text) && !u.meaning
	u.year, text = readYear(text, now)
	if u.year != 0 {
		// A comparison names more years (2021年比2020年); none of them
		// is a search term.
		u.years = []int{u.year}
		for {
			y, rest := readYear(text, now)
			if y == 0 {
				break
			}
			u.years, text = append(u.years, y), rest
		}
	}
	// What the question asks for is read; the asking words themselves
	// (多少户, 几个) would only segment into noise (少户).
	text = b.dropQuestionWords(text)
	text = meaningWords.ReplaceAllString(text, " ")
	text = dropAskingPairs(text)
	text = b.staffWords(text)
	if q.Year != 0 {
		u.year = q.Year
	}
	// Then typos and short forms, before the department is read, so that
	// 施法局 names 司法局.
	text, sound := b.sound.correct(text, func(w string) bool { return b.reportsFor(w, u.year) })
	u.corrections = append(fixes, sound...)
	if len(sound) > 0 && !u.name && asksName.MatchString(text) {
		// Which organization is asked for may show only once a typo in
		// its kind is read (哪家律师事务锁 → 律师事务所).
		u.name, u.organization = true, asksOrganization.MatchString(text)
	}
	u.department, u.deptAlias, text = readDepartment(text, b.depts)
	if q.Department != "" {
		u.department, u.deptStrict = q.Department, true
	}
	tokens := b.joinSplitWords(b.seg.Tokens(text), text)
	terms, phrases := b.readTerms(tokens)
	seen := make(map[string]bool, len(terms))
	for _, w := range terms {
		seen[w] = true
	}
	u.terms = terms
	u.allPlans = len(u.terms) > 0 && !slices.ContainsFunc(u.terms, func(w string) bool { return !asksPlans.MatchString(w) })
	if allSingleRunes(u.terms) {
		// Lone characters (用, 说) are too vague to search on their own.
		u.terms = nil
	}
	for _, w := range q.Context {
		if !seen[w] {
			seen[w] = true
			u.context = append(u.context, w)
		}
	}
	// A term's role is looked up once per question, not once per search
	// and excerpt (each lookup asks the segmenter's dictionary).
	u.roles = make(map[string]float64, len(u.terms)+len(u.context))
	for _, w := range append(slices.Clip(u.terms), u.context...) {
		u.roles[w] = b.roleWeight(w)
	}
	for _, w := range u.terms {
		i := strings.Index(u.asked, w)
		if i < 0 {
			continue
		}
		if asksBefore.MatchString(u.asked[:i]) && len(b.words[w]) == 0 && b.seg.Freq(w) >= genericNounFreq {
			// 什么事情, 啥东西: a noun too common to name a topic, after
			// the word that asks, only says "what".
			u.roles[w] = phrasingWeight
			continue
		}
		if asksAfter.MatchString(u.asked[i+len(w):]) || asksBefore.MatchString(u.asked[:i]) {
			if u.askedFor == nil {
				u.askedFor = map[string]bool{}
			}
			u.askedFor[w] = true
		}
	}
	// The parts of a phrase the term lists read as another word (公司 of
	// 开公司, read as 企业开办) are how the citizen put it, not what the
	// reports must say: they weigh as phrasing.
	for _, tok := range tokens {
		if !tok.Sub || slices.Contains(phrases, tok.Text) {
			continue
		}
		role, isTerm := u.roles[tok.Text]
		if isTerm && slices.ContainsFunc(phrases, func(p string) bool { return strings.Contains(p, tok.Text) }) {
			u.roles[tok.Text] = min(role, phrasingWeight)
		}
	}
	return u
}

func allSingleRunes(words []string) bool {
	for _, w := range words {
		if utf8.RuneCountInString(w) > 1 {
			return false
		}
	}
	return true
}
