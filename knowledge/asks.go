package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Some questions ask for a kind of fact that a passage must state in so
// many words, however well it matches the question's topic: a ranking
// (哪个镇街投诉最多), contact details (律师电话多少), or a fact about the
// report itself (报告是哪天发布的, 文号是多少).

var (
	// asksRanking matches a question for the top or bottom of a ranking.
	asksRanking = regexp.MustCompile(`(哪个|哪家|哪些|哪一|哪里|哪位|谁).{0,10}最(多|少|高|低|大|小|好|差|快|慢|贵|便宜|长|短|早|晚|远|难|严重|突出|频繁|集中)|最(多|少|高|低|大|小|贵)的(是|有)?(哪|什么|谁)`)
	// statesRanking matches a passage that ranks.
	statesRanking = regexp.MustCompile(`最(多|少|高|低|大|小)|第一|排名|首位|之首|居前|前三|前十`)
	// asksContact matches a question for a phone number or an address.
	asksContact = regexp.MustCompile(`电话|手机号|联系方式|联系人|微信号|邮箱|地址在`)
	// statesContact matches a phone number.
	statesContact = regexp.MustCompile(`\d{5,}`)
	// asksPublishDate and asksDocNumber match questions about the report
	// itself: when it was published, and its document number.
	// asksDate matches a question for the day something happened, and
	// statesDate a date that answers it (2021年7月1日, 9月28日).
	asksDate        = regexp.MustCompile(`哪天|哪一天|什么时候|啥时候|何时|几月几[日号]|哪个月`)
	statesDate      = regexp.MustCompile(`\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}[日号]?`)
	asksPublishDate = regexp.MustCompile(`(发布|印发|发出|公布|出台|发表|报送|上报|出的|发的).{0,6}(日期|时间|哪天|哪一天|什么时候|几号|啥时候|何时)|(哪天|哪一天|什么时候|何时|啥时候|几号).{0,6}(发布|印发|发出|公布|出台|发表|报送|上报|发的|出的)`)
	asksDocNumber   = regexp.MustCompile(`文号|发文字号|文件编号|发文号`)
	// asksMoney matches a question for a sum of money (罚了多少钱, 涉及金额
	// 多少); statesMoney, a sum in yuan (316.79万元).
	asksMoney   = regexp.MustCompile(`金额|多少钱|多少万|多少亿|罚了多少|罚款(是|有|一共|总共|共)?多少$|罚没款`)
	statesMoney = regexp.MustCompile(`\d[\d.,]*\s*[万亿]?元`)
	// asksShortcomings matches a question about what a report says went
	// less well, or why; inShortcomings, the heading of the part of a
	// report that says so (存在的不足和原因, 存在的问题).
	asksShortcomings = regexp.MustCompile(`不足|短板|差距|薄弱|欠缺|不够好|(什么|哪些|啥)(地方)?不够|不够的地方|原因|(什么|哪些|啥)(问题|困难|毛病)|问题(是|有)(什么|哪些|啥)`)
	inShortcomings   = regexp.MustCompile(`不足|问题|差距|短板|薄弱`)
	// statesShortcoming matches a sentence that names something that went
	// less well (还不够多样化, 力量相对薄弱); not 差距, which the sentence
	// introducing them says (与群众期盼相比仍有差距).
	statesShortcoming = regexp.MustCompile(`不够|不足|不强|不高|不到位|不完善|不充分|不平衡|薄弱|欠缺|短板|有待|仍需|滞后|偏少|偏低`)
	// asksWhy matches a question for a cause; statesCause, a sentence
	// that gives one, or the grounds of a refusal (不符合评定条件).
	asksWhy = regexp.MustCompile(`为什么|为何|为啥|原因|怎么会|咋会|咋个会`)
	// asksHow matches a question for how to do something (怎么申请, 去哪
	// 办); statesMethod, a passage that says by what means (窗口, 网上申请,
	// 邮寄).
	asksHow      = regexp.MustCompile(`(怎么|如何|咋|咋个|怎样)(申请|办理|办|提出|提起|投诉|举报|反映|查询|预约|咨询|补办)|流程|去哪|到哪|哪里(办|申请|投诉|反映)|找哪|找谁|该找|怎么办`)
	statesMethod = regexp.MustCompile(`窗口|网上|线上|邮寄|现场|渠道|方式|途径|平台|热线|一站式|一窗|受理`)
	statesCause  = regexp.MustCompile(`原因|由于|因为|导致|造成|之所以|(^|[，,；;。])因[^此素]|不符合|不属于|不具备|不满足`)
	// asksCount matches a question for how many of something there are
	// (多少人, 几件, 多少); statesNumber, a quote that states a number.
	asksCount    = regexp.MustCompile(`多少|几(个|件|家|名|人|次|项|起|户|所|张|条|辆|艘|天|批|份|台|处)`)
	statesNumber = regexp.MustCompile(`\d|百分之|[一二两三四五六七八九十百千万]+(个|件|家|名|人|次|项|起|户|所|张|条|批|份|台|处|类|种|倍|成)`)
	// asksMeaning matches a question for what a term means; statesMeaning,
	// a quote that spells one out (三线一单(生态保护红线…), 即…, 是指…).
	asksMeaning   = regexp.MustCompile(`意思|含义|是指|指的是|指什么|指啥|(拿来|用来)?(干|做)(什么|啥)的|有(什么|啥)用`)
	statesMeaning = regexp.MustCompile(`[(（][^)）]{2,}[)）]|即|是指|指的是|就是|包括`)
	// asksName matches a question for what a thing is called, or which
	// organization (哪家律所); quotesName, a quote that names something in
	// 《…》 or “…” (see also Base.statesName).
	asksName   = regexp.MustCompile(`叫个?(什么|啥|啥子)|名字|名称|哪(个|家|一家)\p{Han}{0,4}(所|公司|医院|机构)`)
	quotesName = regexp.MustCompile(`[《“"]`)
)

// reportFact is a fact about a report itself that a question asks for.
type reportFact int

const (
	noReportFact reportFact = iota
	factPublishDate
	factDocNumber
)

// namesAnotherDocument matches a question about a document other than
// the report (管公务卡那个文件的文号, 那个办法的文号).
var namesAnotherDocument = regexp.MustCompile(`(文件|办法|规定|通知|方案|意见|制度|细则)的?(文号|发文字号|文件编号|发文号)|(管|关于).{1,8}(文件|办法|规定|通知|方案|制度)`)

// readReportFact reports which fact about the report itself text asks for.
func readReportFact(text string) reportFact {
	switch {
	case asksDocNumber.MatchString(text) && !namesAnotherDocument.MatchString(text):
		return factDocNumber
	case asksPublishDate.MatchString(text) && strings.Contains(text, "报告"):
		return factPublishDate
	}
	return noReportFact
}

// statesWhatIsAsked reports whether the quoted text states the kind of
// fact u asks for, when u asks for a ranking, contact details, a sum of
// money or what a term means (what a thing is called: Base.statesName).
func (u understood) statesWhatIsAsked(quote string) bool {
	// An item's number (5., （五）) states nothing.
	quote = itemNumber.ReplaceAllString(quote, "")
	if u.ranking && !statesRanking.MatchString(quote) {
		return false
	}
	if u.contact && !statesContact.MatchString(quote) {
		return false
	}
	if u.money && !statesMoney.MatchString(quote) {
		return false
	}
	if u.count && !statesNumber.MatchString(quote) {
		return false
	}
	if u.how && !u.figure && !statesMethod.MatchString(quote) {
		return false
	}
	if u.meaning && !statesMeaning.MatchString(quote) {
		return false
	}
	return true
}

// readsMoney reports whether text asks for a sum of money, given the
// units the count it asks for comes in: 罚了多少钱 does, 罚款多少件 does not.
func readsMoney(text string, units []string) bool {
	if units != nil && !slices.Contains(units, "元") {
		return false
	}
	return asksMoney.MatchString(text) || slices.Contains(units, "元")
}

// itemNumber matches the number that opens an item of a list, at the
// start of a quote or of one of its lines (5., 5、, （五）, 五、).
var itemNumber = regexp.MustCompile(`(?m)^\s*(\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)`)

// organization matches the words that end an organization's name
// (重庆衡屿律师事务所, 某某公司); asksOrganization, a question about one.
var (
	organization     = regexp.MustCompile(`律师事务所|事务所|公司|医院|协会|银行|集团`)
	asksOrganization = regexp.MustCompile(`律所|事务所|公司|医院|协会|银行|集团`)
)

// statesName reports whether quote gives the name u asks for: an
// organization by its own name when u asks which organization (哪家律所),
// otherwise that or a title in 《》 or a name in quotation marks.
func (b *Base) statesName(u understood, quote string) bool {
	if u.organization {
		return b.namesOrganization(quote)
	}
	return quotesName.MatchString(quote) || b.namesOrganization(quote)
}

// namesOrganization reports whether quote names an organization by its
// own name (聘请重庆衡屿律师事务所), which the two characters before the
// word for its kind tell: not a word of the dictionary (衡屿), nor ending
// in a particle, a measure word or a verb of having (全区有律师事务所27家).
func (b *Base) namesOrganization(quote string) bool {
	for _, loc := range organization.FindAllStringIndex(quote, -1) {
		before := []rune(quote[:loc[0]])
		if len(before) < 2 {
			continue
		}
		name := before[len(before)-2:]
		if isHan(name[0]) && isHan(name[1]) && !strings.ContainsRune("的有为是在等了家名个", name[1]) && b.seg.Freq(string(name)) == 0 {
			return true
		}
	}
	return false
}

// onPlans reports whether a passage under path is in the part of a report
// on the next year's plans, which its first heading names (三、2023年工作
// 打算).
func onPlans(path []string) bool {
	return len(path) > 0 && asksPlans.MatchString(path[0])
}

// onShortcomings reports whether a passage under path is in the part of a
// report on what went less well.
func onShortcomings(path []string) bool {
	for _, h := range path {
		if inShortcomings.MatchString(h) {
			return true
		}
	}
	return false
}

// answerReportFact answers a question about the report itself (its
// publication date or document number) when the question's department
// and year single out one report that records that fact.
func (b *Base) answerReportFact(u understood) (Answer, bool) {
	if u.reportFact == noReportFact || (u.department == "" && u.year == 0) {
		return Answer{}, false
	}
	var found []*Report
	for _, r := range b.reports {
		if (u.department == "" || r.Department == u.department) && (u.year == 0 || r.Year == u.year) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return Answer{}, false
	}
	r := found[0]
	var text string
	switch {
	case u.reportFact == factPublishDate && r.PublishDate != "":
		text = fmt.Sprintf("《%s》的发布日期是%s。", r.Title, r.PublishDate)
	case u.reportFact == factDocNumber && r.DocNumber != "":
		text = fmt.Sprintf("《%s》的文号是%s。", r.Title, r.DocNumber)
	default:
		return Answer{}, false
	}
	a := Answer{Answered: true, Year: u.year, Department: u.department, Terms: u.terms, Corrections: u.corrections, Excerpt: text}
	if len(r.Passages) > 0 {
		h := b.hitOf(r, 0)
		h.Path = nil
		a.Hits = []Hit{h}
	}
	a.Text = fmt.Sprintf("【%s·%d年度法治政府建设报告】\n%s", r.Department, r.Year, text)
	if r.SourceURL != "" && r.SourceURL != "-" {
		a.Text += "\n(原文:" + r.SourceURL + ")"
	}
	return a, true
}

// asksChangeBy matches a question for by how much something changed: a verb
// of two characters, 了, then the asking word (压缩了多少, 下降了几个百分点).
var asksChangeBy = regexp.MustCompile(`(\p{Han}{2})了(多少|几)`)

// askedChange returns the verb of a question for by how much something
// changed, or "" when it asks no such thing.
func askedChange(question string) string {
	if m := asksChangeBy.FindStringSubmatch(question); m != nil {
		return m[1]
	}
	return ""
}

// changesBy reports whether sentence says by how much verb changed
// something (压缩78.6%), rather than to what (压缩至8个工作日).
func changesBy(sentence, verb string) bool {
	for at := 0; ; {
		i := strings.Index(sentence[at:], verb)
		if i < 0 {
			return false
		}
		at += i + len(verb)
		rest := strings.TrimPrefix(sentence[at:], "了")
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsDigit(r) {
			return true
		}
	}
}
