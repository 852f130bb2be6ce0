package knowledge

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Reports of one department repeat the same kinds of figures every year,
// and citizens compare them: "生态环境局2021年比2020年罚款多了多少",
// "这几年罚款分别是多少", "哪个部门2022年行政复议案件最多". Such a
// question is answered figure by figure: each report's passage is found by
// the same search, restricted to that report, and the figure is the one in
// the clause that best matches the question, in the unit it asks for. A
// figure is quoted as written; two figures are compared only in the same
// unit (万元 and 元 are converted), and a report that does not state the
// figure is named as such.

// comparison is the kind of comparison a question asks for.
type comparison int

const (
	noComparison       comparison = iota
	compareYears                  // two or more years of one department
	compareSeries                 // every year covered of one department
	compareDepartments            // every report of one year, ranked
)

var (
	// asksChange matches a question for the change between two years.
	asksChange = regexp.MustCompile(`比|相比|对比|比较|增加|减少|增长|下降|变化|涨|降|多了|少了|差了|差多少|差距`)
	// asksSeries matches a question for a figure in every year.
	asksSeries = regexp.MustCompile(`这几年|近几年|这些年|几年来|历年|每年|逐年|各年|每一年|每年度|各年度|分别|各有|各是|各为|各多少`)
	// asksMost matches a question for the top or bottom of a ranking.
	asksMost = regexp.MustCompile(`最(多|少|高|低|大|小)|排名|排第`)
	// asksWhichDepartment matches a question for the department or report
	// with the most or least of something.
	asksWhichDepartment = regexp.MustCompile(`(哪个|哪家|哪些|哪一个|什么)(部门|单位|局|委)`)
	// comparisonWords are the words that phrase a comparison and name
	// nothing a passage holds.
	comparisonWords = regexp.MustCompile(`^(比|相比|对比|比较|增加|减少|增长|下降|变化|涨|降|多|少|多了|少了|差|差距|这几年|近几年|这些年|几年|历年|每年|逐年|各年|分别|各有|各|部门|单位|哪个|哪家|最多|最少|最高|最低|最大|最小|排名|和|与|跟|同)$`)
)

// readComparison reports which comparison u asks for, given the years
// named in the question (and by the caller) and its text.
func (b *Base) readComparison(u understood, years []int, given bool, text string) comparison {
	switch {
	case u.department != "" && len(years) >= 2 && (given || asksChange.MatchString(text) || asksSeries.MatchString(text)):
		return compareYears
	case u.department != "" && len(years) == 0 && asksSeries.MatchString(text) && len(b.covered[u.department]) >= 2:
		// Only without a year: "2020年罚款和查封分别是多少" asks for two
		// figures of one year.
		return compareSeries
	case u.department == "" && u.year != 0 && asksMost.MatchString(text) && asksWhichDepartment.MatchString(text):
		return compareDepartments
	}
	return noComparison
}

// Figure is a number a report states, as used in a comparison.
type Figure struct {
	Hit    Hit     // the passage it is quoted from
	Clause string  // the clause that states it
	Text   string  // as written: "412.36万元"
	Value  float64 // in the unit without its scale: 4123600 for 412.36万元
	Unit   string  // the unit without its scale: 元, 件, %, …
	scale  string  // 万, 亿 or ""
}

// figurePattern matches a number, an optional scale and a unit.
var figurePattern = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(万|亿)?(个工作日|人次|家次|辆次|艘次|批次|学时|元|件|起|人|名|家|户|个|次|项|%|辆|艘|天|份|张|条|吨|所|处|场|台|套|座|本|卷|期)`)

// clauseBreak splits a passage into clauses.
var clauseBreak = regexp.MustCompile(`[，。,;；：:！？!?、]`)

// readFigures returns the figures of a clause.
func readFigures(clause string) []Figure {
	var out []Figure
	for _, m := range figurePattern.FindAllStringSubmatch(clause, -1) {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			continue
		}
		switch m[2] {
		case "万":
			v *= 1e4
		case "亿":
			v *= 1e8
		}
		out = append(out, Figure{Clause: clause, Text: m[0], Value: v, Unit: m[3], scale: m[2]})
	}
	return out
}

// minClauseShare is the least share of the question's own terms (by
// weight) that the clause stating a figure must hold: 不予处罚案件397件
// is not the number of 行政处罚案件.
const minClauseShare = 0.7

// unitFitBonus breaks a tie between two clauses for the one whose figure
// is in the unit a term of the question ends with (7件 for 案件).
const unitFitBonus = 1e-3

// clauseShare is the weighted share of the question's own terms that
// clause holds, among those it holds and those the whole passage lacks:
// a term the passage holds elsewhere only says what the passage is about,
// not which of its figures is asked for. A term found only by some of its
// character bigrams counts in proportion, discounted, and a term the
// figure's unit stands for counts fully (案件 for 7件). Only whole terms
// count, not their parts (行政处罚, not 处罚 as well): whole is
// wholeTerms of the question's terms. It also returns the
// weight of the terms the clause holds as written, which tells apart two
// clauses of one passage (收到行政复议申请312件 over 维持153件). A clause
// that holds none of the terms has share 0.
func clauseShare(clause, passage, unit string, whole []queryTerm) (share, written float64) {
	var sum, total float64
	for _, qt := range whole {
		switch {
		case strings.Contains(clause, qt.word):
			sum += qt.weight
			written += qt.weight
		case strings.HasSuffix(qt.word, unit) && len(qt.word) > len(unit):
			sum += qt.weight
			written += unitFitBonus // on a tie, the figure in the unit the question names
		case strings.Contains(passage, qt.word):
			continue // neutral
		case len(qt.bigrams) > 0:
			seen := 0
			for _, g := range qt.bigrams {
				if strings.Contains(clause, g) {
					seen++
				}
			}
			sum += qt.weight * partialCredit * float64(seen) / float64(len(qt.bigrams))
		}
		total += qt.weight
	}
	if total == 0 || sum == 0 {
		return 0, 0
	}
	return sum / total, written
}

// wholeTerms returns the question's own terms that are not part of
// another of them (行政处罚, not 处罚 too).
func wholeTerms(qts []queryTerm) []queryTerm {
	var out []queryTerm
	for _, qt := range qts {
		if !qt.context && !slices.ContainsFunc(qts, func(o queryTerm) bool {
			return !o.context && len(o.word) > len(qt.word) && strings.Contains(o.word, qt.word)
		}) {
			out = append(out, qt)
		}
	}
	return out
}

// pickFigure finds the figure q asks for in hits, best first: in a clause
// that holds at least minClauseShare of the question's own terms, in the
// unit asked for if any, the one whose clause holds the most of them as
// written. The first hit with such a figure decides. It reports false
// when no clause qualifies, and returns the other figures that qualify as
// well when the choice is ambiguous.
func pickFigure(hits []Hit, qts []queryTerm, units []string) (Figure, []Figure, bool) {
	const eps = 1e-9
	whole := wholeTerms(qts)
	for _, h := range hits {
		var best []Figure
		bestWritten := -1.0
		for _, clause := range clauseBreak.Split(h.Text, -1) {
			for _, f := range readFigures(clause) {
				if units != nil && !slices.Contains(units, f.Unit) {
					continue
				}
				share, written := clauseShare(clause, h.Text, f.Unit, whole)
				if share < minClauseShare {
					continue
				}
				f.Hit = h
				switch {
				case written > bestWritten+eps:
					best, bestWritten = []Figure{f}, written
				case written > bestWritten-eps && !slices.ContainsFunc(best, func(g Figure) bool { return g.Text == f.Text }):
					best = append(best, f)
				}
			}
		}
		if len(best) > 0 {
			return best[0], best[1:], true
		}
	}
	return Figure{}, nil, false
}

// reportFigure is one report's figure in a comparison.
type reportFigure struct {
	report *Report
	fig    Figure
	others []Figure // equally likely figures: the choice is ambiguous
	found  bool
}

// figureOf searches report r for the figure u asks for.
func (b *Base) figureOf(ctx context.Context, u understood, r *Report) (reportFigure, error) {
	ru := u
	ru.year, ru.department, ru.deptStrict, ru.focus = r.Year, r.Department, true, nil
	hits, err := b.rank(ctx, ru, 3, true)
	if err != nil {
		return reportFigure{}, err
	}
	var usable []Hit
	for _, h := range hits {
		if h.ReportID == r.ID && h.Confidence >= b.minConfidence {
			usable = append(usable, h)
		}
	}
	units := u.units
	if u.money {
		units = []string{"元"}
	}
	f, others, ok := pickFigure(usable, b.queryTerms(ru), units)
	return reportFigure{report: r, fig: f, others: others, found: ok}, nil
}

// comparisonTerms returns u with the words that phrase the comparison
// (比, 分别, 哪个部门 …) and the years dropped from its terms.
func comparisonTerms(u understood) understood {
	var terms []string
	for _, t := range u.terms {
		if !comparisonWords.MatchString(t) && !isYearNumber(t) {
			terms = append(terms, t)
		}
	}
	u.terms = terms
	return u
}

func isYearNumber(t string) bool {
	y, err := strconv.Atoi(t)
	return err == nil && (y >= 15 && y <= 99 || y >= 1990 && y <= 2100)
}

// answerComparison answers a question that compares a figure across years
// or departments (see readComparison); years are the years the question
// names, or those the caller gave (Query.Years). It reports false when the
// question is no comparison, or when no report states the figure, so that
// the question is answered as usual.
func (b *Base) answerComparison(ctx context.Context, u understood, q Query) (Answer, bool, error) {
	years, given := u.years, len(q.Years) >= 2
	if given {
		years = q.Years
	}
	kind := b.readComparison(u, years, given, q.Text)
	if kind == noComparison {
		return Answer{}, false, nil
	}
	cu := comparisonTerms(u)
	if len(cu.terms) == 0 {
		return Answer{}, false, nil
	}
	var reports []*Report
	switch kind {
	case compareYears, compareSeries:
		if kind == compareSeries && len(years) < 2 {
			years = b.covered[u.department]
		}
		years = slices.Compact(slices.Sorted(slices.Values(years)))
		for _, y := range years {
			reports = append(reports, b.reportOf(u.department, y)) // nil when not covered
		}
	case compareDepartments:
		for _, r := range b.reports {
			if r.Year == u.year {
				reports = append(reports, r)
			}
		}
		slices.SortFunc(reports, func(a, c *Report) int { return strings.Compare(string(a.ID), string(c.ID)) })
	}
	figs := make([]reportFigure, len(reports))
	found := 0
	for i, r := range reports {
		if r == nil {
			continue
		}
		f, err := b.figureOf(ctx, cu, r)
		if err != nil {
			return Answer{}, false, err
		}
		figs[i] = f
		if f.found {
			found++
		}
	}
	if found == 0 && kind != compareDepartments {
		return Answer{}, false, nil
	}
	if kind == compareDepartments {
		slices.SortStableFunc(figs, byValue)
	}
	a := Answer{Answered: true, Year: u.year, Department: u.department, Terms: u.terms, Corrections: u.corrections}
	for _, f := range figs {
		if f.found {
			a.Hits = append(a.Hits, f.fig.Hit)
			a.Figures = append(a.Figures, f.fig)
		}
	}
	switch kind {
	case compareDepartments:
		a.Text = renderRanking(u.year, figs)
	default:
		a.Text = renderYears(u.department, years, figs)
	}
	a.Excerpt = a.Text
	a.Text = Truncate(a.Text, MaxReplyBytes)
	return a, true, nil
}

// reportOf returns the report of dept for year y, nil when none.
func (b *Base) reportOf(dept string, y int) *Report {
	for _, r := range b.reports {
		if r.Department == dept && r.Year == y {
			return r
		}
	}
	return nil
}

// renderYears renders one line per year, oldest first, and the change
// from the first year to the last that states the figure.
func renderYears(dept string, years []int, figs []reportFigure) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "【%s·历年数字对比】\n", dept)
	var stated []reportFigure
	for i, y := range years {
		f := figs[i]
		switch {
		case f.report == nil:
			fmt.Fprintf(&sb, "%d年:目前没有收录该年度的报告。\n", y)
		case !f.found:
			fmt.Fprintf(&sb, "%d年:%d年度报告中没有找到这一数字。\n", y, y)
		case len(f.others) > 0:
			fmt.Fprintf(&sb, "%d年:报告中有几个可能的数字(%s),请换个更具体的说法再问。\n", y, figureList(f))
		default:
			fmt.Fprintf(&sb, "%d年:%s(%s)\n", y, f.fig.Text, source(f.fig.Hit))
			stated = append(stated, f)
		}
	}
	if len(stated) >= 2 {
		first, last := stated[0].fig, stated[len(stated)-1].fig
		sb.WriteString(describeChange(stated[len(stated)-1].report.Year, stated[0].report.Year, last, first))
	}
	return strings.TrimRight(sb.String(), "\n")
}

// byValue orders report figures: those stated, greatest first, then the
// others.
func byValue(a, c reportFigure) int {
	switch {
	case a.found != c.found:
		if a.found {
			return -1
		}
		return 1
	case a.fig.Value > c.fig.Value:
		return -1
	case a.fig.Value < c.fig.Value:
		return 1
	}
	return 0
}

// renderRanking renders the figure of every report of year y that states
// it, in the order of figs (most first), and names the reports that do not.
func renderRanking(y int, figs []reportFigure) string {
	var stated []reportFigure
	var silent, unclear []string
	for _, f := range figs {
		switch {
		case f.found && len(f.others) == 0:
			stated = append(stated, f)
		case f.found:
			unclear = append(unclear, fmt.Sprintf("%s(%s)", f.report.Department, figureList(f)))
		default:
			silent = append(silent, f.report.Department)
		}
	}
	units := map[string]bool{}
	for _, f := range stated {
		units[f.fig.Unit] = true
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "【%d年度各报告中的数字】\n", y)
	if len(units) > 1 {
		sb.WriteString("各报告的数字单位不同,不能直接比较:\n")
	}
	if len(stated) == 0 && len(unclear) == 0 {
		fmt.Fprintf(&sb, "%d年度的报告(%s)都没有提到这一数字,无法排名。", y, strings.Join(silent, "、"))
		return sb.String()
	}
	for i, f := range stated {
		fmt.Fprintf(&sb, "%d. %s:%s(%s)\n", i+1, f.report.Department, f.fig.Text, source(f.fig.Hit))
	}
	if len(unclear) > 0 {
		fmt.Fprintf(&sb, "以下报告有几个可能的数字,请换个说法再问:%s。\n", strings.Join(unclear, "、"))
	}
	if len(silent) > 0 {
		fmt.Fprintf(&sb, "以下报告没有提到这一数字:%s。\n", strings.Join(silent, "、"))
	}
	return strings.TrimRight(sb.String(), "\n")
}

// figureList joins a report figure's equally likely figures.
func figureList(f reportFigure) string {
	list := []string{f.fig.Text}
	for _, o := range f.others {
		list = append(list, o.Text)
	}
	return strings.Join(list, "、")
}

// source names where a figure is quoted from: the report's year and the
// heading the passage is under (the whole path is in the hit).
func source(h Hit) string {
	s := fmt.Sprintf("%d年度报告", h.Year)
	if len(h.Path) > 0 {
		s += "·" + h.Path[len(h.Path)-1]
	}
	return s
}

// describeChange renders the change from the figure of year from to that
// of year to, or says why the two cannot be compared.
func describeChange(to, from int, later, earlier Figure) string {
	if later.Unit != earlier.Unit {
		return fmt.Sprintf("%d年和%d年的数字单位不同(%s、%s),不能直接比较。", to, from, earlier.Text, later.Text)
	}
	// Show the difference in the larger of the two scales (万元 over 元).
	scale, div := "", 1.0
	for _, f := range []Figure{later, earlier} {
		switch {
		case f.scale == "亿":
			scale, div = "亿", 1e8
		case f.scale == "万" && scale != "亿":
			scale, div = "万", 1e4
		}
	}
	diff := later.Value - earlier.Value
	unit := scale + later.Unit
	amount := formatAmount(math.Abs(diff)/div) + unit
	calc := fmt.Sprintf("%s − %s = %s%s", later.Text, earlier.Text, formatAmount(diff/div), unit)
	if later.Unit == "%" {
		amount = formatAmount(math.Abs(diff)) + "个百分点"
	}
	switch {
	case diff == 0:
		return fmt.Sprintf("%d年与%d年持平。", to, from)
	case later.Unit == "%" && diff > 0:
		return fmt.Sprintf("%d年比%d年提高%s。", to, from, amount)
	case later.Unit == "%":
		return fmt.Sprintf("%d年比%d年降低%s。", to, from, amount)
	case earlier.Value == 0:
		return fmt.Sprintf("%d年比%d年增加%s(%s)。", to, from, amount, calc)
	case diff > 0:
		return fmt.Sprintf("%d年比%d年增加%s(%s),增长%s%%。", to, from, amount, calc, formatAmount(math.Round(diff/earlier.Value*1000)/10))
	}
	return fmt.Sprintf("%d年比%d年减少%s(%s),下降%s%%。", to, from, amount, calc, formatAmount(math.Round(-diff/earlier.Value*1000)/10))
}

// formatAmount renders x with at most two decimals and no trailing zeros.
func formatAmount(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}
