package knowledge

import (
	"regexp"
	"strconv"
	"strings"
)

// Citizens who speak their question to the phone, or type as they speak,
// write numbers in words: 幺二三四五 for the 12345 hotline, 两千零二十一年
// for 2021. The reports write digits, so a question's spoken numbers are
// turned into digits before it is read.

// spokenDigits is a run of three or more digits said one by one (幺 is
// how 1 is said in a number).
var spokenDigits = regexp.MustCompile(`[幺一二三四五六七八九零〇○]{3,}`)

// spokenThousands is a year said as a number: 两千零二十一, 二千零二十,
// 两千零九.
var spokenThousands = regexp.MustCompile(`[两二]千零?(?:([一二三四五六七八九])?十([一二三四五六七八九])?|([一二三四五六七八九]))年`)

var digitOf = map[rune]byte{'幺': '1', '一': '1', '二': '2', '三': '3', '四': '4', '五': '5', '六': '6', '七': '7', '八': '8', '九': '9', '零': '0', '〇': '0', '○': '0'}

// spokenNumbers returns text with spoken digit runs and years in digits.
func spokenNumbers(text string) string {
	text = spokenThousands.ReplaceAllStringFunc(text, func(m string) string {
		sub := spokenThousands.FindStringSubmatch(m)
		n := 2000
		switch {
		case sub[3] != "": // 两千零九
			n += int(digitOf[[]rune(sub[3])[0]] - '0')
		default: // 两千零二十一, 两千零十
			tens := 1
			if sub[1] != "" {
				tens = int(digitOf[[]rune(sub[1])[0]] - '0')
			}
			n += 10 * tens
			if sub[2] != "" {
				n += int(digitOf[[]rune(sub[2])[0]] - '0')
			}
		}
		return strconv.Itoa(n) + "年"
	})
	return spokenDigits.ReplaceAllStringFunc(text, func(m string) string {
		var b strings.Builder
		for _, r := range m {
			b.WriteByte(digitOf[r])
		}
		return b.String()
	})
}
