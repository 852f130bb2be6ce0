package knowledge

import (
	"slices"
	"testing"
)

// TestStatesWhatIsAsked: a quote answers a question for a kind of fact
// only when it states one.
func TestStatesWhatIsAsked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		u     understood
		quote string
		want  bool
	}{
		{"count stated", understood{count: true}, "全年受理教师申诉3件。", true},
		{"count in words", understood{count: true}, "下设两个执法大队。", true},
		{"share in words", understood{count: true}, "合格率达到百分之百。", true},
		{"count missing", understood{count: true}, "依法保障教师工资待遇,不低于当地公务员平均工资收入水平。", false},
		{"an item's number is no count", understood{count: true}, "5.在行政处罚等文书中,依法实施行政复议权利告知制度。", false},
		{"nor is a part's", understood{count: true}, "（五）依法实施行政复议权利告知制度。", false},
		{"money stated", understood{money: true}, "罚款316.79万元。", true},
		{"money missing", understood{money: true}, "查处违法超限超载车辆1136辆。", false},
		{"ranking missing", understood{ranking: true}, "全年受理投诉8046件。", false},
		{"ranking stated", understood{ranking: true}, "投诉量居前三的是…", true},
		{"contact missing", understood{contact: true}, "聘请律师事务所为法律顾问。", false},
		{"meaning stated", understood{meaning: true}, "三线一单(生态保护红线、环境质量底线…)", true},
		{"meaning missing", understood{meaning: true}, "依法实施行政复议权利告知制度。", false},
		{"an item's number is no gloss", understood{meaning: true}, "（三）扩大“一码管地”系统应用范围。", false},
		{"nothing asked", understood{}, "任何内容。", true},
	} {
		if got := tc.u.statesWhatIsAsked(tc.quote); got != tc.want {
			t.Errorf("%s: statesWhatIsAsked(%q) = %v, want %v", tc.name, tc.quote, got, tc.want)
		}
	}
}

// TestMeaningSubject: the term whose meaning is asked is the run of
// characters before the words that ask.
func TestMeaningSubject(t *testing.T) {
	for q, want := range map[string]string{
		"一码管地是什么意思":    "一码管地",
		"三线一单指的是什么":    "三线一单",
		"搞的那个一业一证是啥意思": "一业一证",
		"江城和事厅是拿来做什么的": "江城和事厅",
		"是啥意思":         "",
		"环保局的三线一单是啥意思": "三线一单",
	} {
		if got := meaningSubject(q); got != want {
			t.Errorf("meaningSubject(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestExpectedUnits: the unit a count question's answer should carry is
// read from the measure word asked for, whether or not it is listed.
func TestExpectedUnits(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"罚了多少人", []string{"人", "名"}},
		{"办了几件", []string{"件", "起"}},
		{"要培训多少学时", []string{"学时"}}, // not listed: itself
		{"开展了几场讲座", []string{"场"}},
		{"遭告了几回", []string{"次", "件", "起"}}, // 回 counts times
		{"有多少个", nil},                      // 个 counts anything
		{"什么时候开始的", nil},
		{"要多久", durationUnits},
	} {
		if got := expectedUnits(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("expectedUnits(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestStatesCause: a clause that opens with 因 gives a cause; 因此 and
// 因素 do not; the grounds of a refusal (不符合评定条件) are one.
func TestStatesCause(t *testing.T) {
	for text, want := range map[string]bool{
		"另有1件，因街道在强制拆除前未依法履行催告程序，被判决确认违法。": true,
		"主要原因是执法力量不足。":           true,
		"执法力量不足，因此效率不高。":         false,
		"存在不稳定因素。":               false,
		"全年受理投诉8046件。":           false,
		"对4件不符合评定条件的申请作出不予评定决定。": true,
	} {
		if got := statesCause.MatchString(text); got != want {
			t.Errorf("statesCause(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestReadsMoney: 多少亿 asks for a sum of money as 多少万 does.
func TestReadsMoney(t *testing.T) {
	for q, want := range map[string]bool{
		"一般公共预算收入是多少亿": true,
		"罚了多少钱":        true,
		"查了多少辆车":       false,
	} {
		if got := readsMoney(q, expectedUnits(q)); got != want {
			t.Errorf("readsMoney(%q) = %v, want %v", q, got, want)
		}
	}
}
