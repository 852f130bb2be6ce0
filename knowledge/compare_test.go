package knowledge

import "testing"

func TestReadFigures(t *testing.T) {
	for _, tc := range []struct {
		clause     string
		text, unit string
		value      float64
	}{
		{"罚款412.36万元", "412.36万元", "元", 4123600},
		{"共下达处罚决定47件", "47件", "件", 47},
		{"即办率提高到86%", "86%", "%", 86},
		{"涉及金额86.4亿元", "86.4亿元", "元", 8.64e9},
		{"公示期满后1个工作日内", "1个工作日", "个工作日", 1},
	} {
		figs := readFigures(tc.clause)
		if len(figs) != 1 || figs[0].Text != tc.text || figs[0].Unit != tc.unit || !near(figs[0].Value, tc.value) {
			t.Errorf("readFigures(%q) = %+v, want %s (%v %s)", tc.clause, figs, tc.text, tc.value, tc.unit)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-6*(1+b) && b-a < 1e-6*(1+b) }

// TestDescribeChange covers the arithmetic and the units rules: figures
// are compared only in one unit, converted between scales (万元 and 元),
// and percentages change by points.
func TestDescribeChange(t *testing.T) {
	fig := func(clause string) Figure { return readFigures(clause)[0] }
	for _, tc := range []struct {
		later, earlier string
		want           string
	}{
		{"412.36万元", "316.79万元", "2021年比2020年增加95.57万元(412.36万元 − 316.79万元 = 95.57万元),增长30.2%。"},
		{"30件", "47件", "2021年比2020年减少17件(30件 − 47件 = -17件),下降36.2%。"},
		{"1.5万元", "5000元", "2021年比2020年增加1万元(1.5万元 − 5000元 = 1万元),增长200%。"},
		{"86%", "80%", "2021年比2020年提高6个百分点。"},
		{"12件", "12件", "2021年与2020年持平。"},
		{"12件", "12人", "2021年和2020年的数字单位不同(12人、12件),不能直接比较。"},
	} {
		if got := describeChange(2021, 2020, fig(tc.later), fig(tc.earlier)); got != tc.want {
			t.Errorf("describeChange(%s, %s) = %s, want %s", tc.later, tc.earlier, got, tc.want)
		}
	}
}

// TestPickFigure: the figure whose clause holds the question's terms, in
// the unit asked for; two equally good figures are returned as a choice,
// and a clause without the terms gives none.
func TestPickFigure(t *testing.T) {
	qts := func(words ...string) []queryTerm {
		var out []queryTerm
		for _, w := range words {
			out = append(out, queryTerm{word: w, weight: 1})
		}
		return out
	}
	for _, tc := range []struct {
		text  string
		terms []queryTerm
		units []string
		want  string // the figure, then the others; "" for none
	}{
		{"全年共下达处罚决定47件，罚款412.36万元。", qts("罚款"), []string{"元"}, "412.36万元"},
		{"全年共下达处罚决定47件，罚款412.36万元。", qts("处罚决定"), nil, "47件"},
		{"受理行政复议申请312件，制发意见书8份。", qts("行政复议", "案件"), nil, "312件"}, // 案件 is what 件 counts
		{"全年办理案件12件，办结案件10件。", qts("案件"), nil, "12件 10件"},
		{"全年办理公证6215件。", qts("律师"), nil, ""},
	} {
		f, others, ok := pickFigure([]Hit{{Text: tc.text}}, tc.terms, tc.units)
		got := ""
		if ok {
			got = f.Text
			for _, o := range others {
				got += " " + o.Text
			}
		}
		if got != tc.want {
			t.Errorf("pickFigure(%q, %v) = %q, want %q", tc.text, tc.terms, got, tc.want)
		}
	}
}
