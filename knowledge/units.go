package knowledge

import (
	"regexp"
	"strings"
)

// A question that asks for a count names what it counts: 多少人, 几家,
// 多少钱. The passage that answers it holds a number with a matching unit
// (4317名, 27家, 316.79万元), which tells it from a passage that only holds
// other figures.

// askedUnit finds the measure word after 多少 or 几 (多少人 → 人).
var askedUnit = regexp.MustCompile(`(?:多少|几)(个|人次|人|名|件|起|家次|家|户|所|钱|元|天|日|次|回|张|条|项次|项|辆次|辆|公里|套|吨|批次|批|份|座|台|场|期|处|卷|本|艘次|艘|栋|学时|课时|小时|位)`)

// unitAnswers maps a measure word asked for to the units that answer it.
var unitAnswers = map[string][]string{
	"人": {"人", "名"}, "人次": {"人次"}, "名": {"名", "人"},
	"件": {"件", "起"}, "起": {"起", "件"}, "份": {"份", "件"},
	"家": {"家", "户", "所"}, "户": {"户", "家"}, "所": {"所", "家"},
	"钱": {"元"}, "元": {"元"},
	"天": {"天", "日", "工作日"}, "日": {"日", "天"},
	"次": {"次"}, "回": {"次", "件", "起"}, "张": {"张", "件"}, "条": {"条"}, "项": {"项"}, "辆": {"辆"},
	"公里": {"公里"}, "套": {"套"}, "吨": {"吨"}, "批次": {"批次"}, "批": {"批"},
	"座": {"座"}, "台": {"台"},
}

// expectedUnits returns the units a question's answer should carry, or nil
// when it names none (多少个 counts anything). A measure word without
// entry in unitAnswers is answered by itself (多少学时 → 学时).
func expectedUnits(question string) []string {
	m := askedUnit.FindStringSubmatch(question)
	if m == nil {
		if asksDuration.MatchString(question) {
			return durationUnits
		}
		return nil
	}
	if m[1] == "个" {
		return nil
	}
	if units, ok := unitAnswers[m[1]]; ok {
		return units
	}
	return []string{m[1]}
}

// asksDuration matches a question for a length of time (多久, 多长时间,
// 几个工作日); durationUnits are the units that answer it.
var (
	asksDuration  = regexp.MustCompile(`多久|多长时间|多少时间|几个工作日|多少个工作日|几个月|多少天`)
	durationUnits = []string{"个工作日", "工作日", "天", "日", "个月", "小时", "分钟"}
)

// figureWithUnit matches a number and the word after it (316.79万元 →
// 万元…); the unit is checked by prefix.
var figureWithUnit = regexp.MustCompile(`\d[\d.,]*\s*[万亿]?`)

// hasFigureIn reports whether text holds a number followed by one of units.
func hasFigureIn(text string, units []string) bool {
	for _, loc := range figureWithUnit.FindAllStringIndex(text, -1) {
		rest := text[loc[1]:]
		for _, u := range units {
			if strings.HasPrefix(rest, u) {
				return true
			}
		}
	}
	return false
}
