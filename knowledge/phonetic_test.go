package knowledge

import (
	"fmt"
	"strings"
	"testing"
)

// testSoundIndex indexes a small vocabulary; the dictionary cut splits
// only the given dictionary words, and stopwords are 了 有 多少.
func testSoundIndex(vocab map[string]int, dictWords ...string) *soundIndex {
	cut := func(text string) []string {
		var out []string
		for text != "" {
			piece := text[:len(string([]rune(text)[0]))]
			for _, w := range dictWords {
				if strings.HasPrefix(text, w) && len(w) > len(piece) {
					piece = w
				}
			}
			out = append(out, piece)
			text = text[len(piece):]
		}
		return out
	}
	stop := func(w string) bool {
		return w == "了" || w == "有" || w == "多少" || w == "就" || w == "区" || w == "几"
	}
	freq := func(w string) int {
		switch w {
		case "意思", "统一", "出发":
			return commonWordFreq
		case "货车", "平价":
			return typedWordFreq
		case "律诗":
			return 81 // a rare word: an input method's pick for 律师
		}
		return 0
	}
	// The reports' text, for stretches they write verbatim.
	written := func(w string) bool { return strings.Contains("开设院坝法治课78场", w) }
	return newSoundIndex(vocab, map[string]int{"货运车辆": 2, "信用评价": 2, "区政府同意": 2, "处罚决定": 2}, cut, freq, stop, written)
}

func TestSoundIndexCorrects(t *testing.T) {
	x := testSoundIndex(map[string]int{
		"公证处": 3, "公证": 5, "公正": 2, "复议": 9, "农民工": 4, "司法局": aliasDF, "市监局": aliasDF,
		"人社局": aliasDF, "住建委": aliasDF, "信访": 3, "仲裁": 2, "审查": 6, "生态环境局": aliasDF,
		"业主委员会": 2, "排污许可证": 5, "排污": 8, "许可证": 7, "意识": 3, "有机": 1, "所有": 9, "罚了": 4,
		"律师": 6, "火车": 3, "督学": 2, "工单": 3, "单位": 9, "区政府": aliasDF, "同意": 3, "行政复议": 7, "现行": 3, "评价": 4, "信用": 5, "业主": 3, "委员会": 6, "许可": 9, "货运": 2, "车辆": 8, "就业": 5, "区委": 2, "宅基地": 3, "法治": 9, "法制科": 2,
		"统一": 6, "处罚": 9, "决定": 5,
	}, "几个", "那个", "限行", "货车", "平价", "统一", "出发", "律诗")
	for _, tc := range []struct {
		text, want string
		fixes      string
	}{
		// Same toneless pinyin, inside a longer stretch.
		{"公正处办了多少件公证", "公证处办了多少件公证", "[公正处 → 公证处(同音)]"},
		{"行政复意怎么申请", "行政复议怎么申请", "[行政复意 → 行政复议(同音)]"},
		// Each pair southwestern Mandarin merges.
		{"龙民工欠薪", "农民工欠薪", "[龙民工 → 农民工(近音)]"},     // n/l
		{"初次幸访", "初次信访", "[幸访 → 信访(近音)]"},         // in/ing
		{"仍社局的工单", "人社局的工单", "[仍社局 → 人社局(近音)]"},   // en/eng
		{"劳动纵裁", "劳动仲裁", "[纵裁 → 仲裁(近音)]"},         // z/zh
		{"森查合同", "审查合同", "[森查 → 审查(近音)]"},         // s/sh
		{"四监局", "市监局", "[四监局 → 市监局(近音)]"},         // s/sh in a department alias
		{"祖建委", "住建委", "[祖建委 → 住建委(近音)]"},         // z/zh
		{"施法局", "司法局", "[施法局 → 司法局(近音)]"},         // sh/s
		{"生态环镜局", "生态环境局", "[生态环镜局 → 生态环境局(同音)]"}, // a department one character off
		{"执业律狮", "执业律师", "[律狮 → 律师(同音)]"},
		{"请的律诗是哪家", "请的律师是哪家", "[律诗 → 律师(同音)]"}, // a rare dictionary word
		// A polyphone of the question read in its other reading: 都 as du.
		{"责任都学", "责任督学", "[都学 → 督学(同音)]"},
		// Short forms derived from the vocabulary.
		{"新成立的业委会", "新成立的业主委员会", "[业委会 → 业主委员会(缩写)]"},
		{"排污证变更", "排污许可证变更", "[排污证 → 排污许可证(缩写)]"},
		// A compound of two words; 货车 is a real word, so it is never
		// read as the sound-alike 火车.
		{"查了好多货车", "查了好多货运车辆", "[货车 → 货运车辆(缩写)]"},
		// Left alone: known words, common words, stretches across a
		// dictionary word, stopword anchors, particles, dictionary words.
		{"公证处", "公证处", "[]"},
		{"是啥子意思", "是啥子意思", "[]"},
		{"有几个", "有几个", "[]"},
		{"说有", "说有", "[]"},
		{"工单有几件", "工单有几件", "[]"},     // 单有 cuts the report word 工单; 有 is also read wei
		{"区政府统一办理", "区政府统一办理", "[]"}, // a common word the reports use is not rewritten into a compound
		// … one they never use is, into one of exactly its sound.
		{"出发决定有几件", "处罚决定有几件", "[出发决定 → 处罚决定(同音)]"},
		{"发了", "发了", "[]"},
		{"新增就叶多少", "新增就业多少", "[就叶 → 就业(同音)]"},
		{"摘鸡地审批", "宅基地审批", "[摘鸡地 → 宅基地(同音)]"}, // every syllable of three: one kept character is enough // a kept stopword anchors the same sound
		{"区有几家", "区有几家", "[]"},                // … not when it replaces one (有 is also read wei)
		// A real word is read as a sound-alike only where, with its
		// neighbours, it sounds like a longer vocabulary word.
		{"环境信用平价", "环境信用评价", "[信用平价 → 信用评价(同音)]"},
		{"2021年", "2021年", "[]"},
		// A stretch the reports write verbatim is what the citizen meant,
		// though it sounds like a vocabulary word (法制科).
		{"院坝法治课开了几场", "院坝法治课开了几场", "[]"},
		{"法制课在哪", "法制科在哪", "[法制课 → 法制科(同音)]"},
	} {
		got, fixes := x.correct(tc.text, nil)
		if got != tc.want || fmt.Sprint(fixes) != tc.fixes {
			t.Errorf("correct(%q) = %q %v, want %q %s", tc.text, got, fixes, tc.want, tc.fixes)
		}
	}
}

func TestTonelessReadings(t *testing.T) {
	for r, want := range map[rune]string{'中': "[zhong]", '行': "[xing hang heng]", '女': "[nv ru]", '调': "[diao tiao]", 'a': "[]"} {
		if got := fmt.Sprint(tonelessReadings(r)); got != want {
			t.Errorf("tonelessReadings(%q) = %s, want %s", r, got, want)
		}
	}
}

func TestFuzzySyllable(t *testing.T) {
	for in, want := range map[string]string{
		"zhong": "zong", "chen": "cen", "shen": "sen", "nong": "long", "xing": "xin", "reng": "ren",
		"ng": "ng", "lv": "lv", "nv": "lv", "an": "an",
	} {
		if got := fuzzySyllable(in); got != want {
			t.Errorf("fuzzySyllable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSoundIndexPrefers: of two words that read a stretch equally well,
// the one prefer names wins (the department with a report of the year).
func TestSoundIndexPrefers(t *testing.T) {
	x := testSoundIndex(map[string]int{"交委": aliasDF, "教委": aliasDF})
	for _, want := range []string{"交委", "教委"} {
		got, _ := x.correct("叫委的报告", func(w string) bool { return w == want })
		if got != want+"的报告" {
			t.Errorf("preferring %s: %q", want, got)
		}
	}
}
