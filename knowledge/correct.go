package knowledge

// CorrectionKind says how a question's wording was mapped onto the
// knowledge base's own words.
type CorrectionKind string

// The kinds of correction.
const (
	// CorrectHomophone: same toneless pinyin (公正处 → 公证处).
	CorrectHomophone CorrectionKind = "homophone"
	// CorrectFuzzySound: same pinyin once the sounds southwestern Mandarin
	// merges are merged: n/l, in/ing, en/eng, z/zh, c/ch, s/sh (龙民工 → 农民工).
	CorrectFuzzySound CorrectionKind = "fuzzy_sound"
	// CorrectAbbreviation: a short form expanded to a knowledge-base term
	// (业委会 → 业主委员会).
	CorrectAbbreviation CorrectionKind = "abbreviation"
	// CorrectColloquial: a dialect or plain word from the colloquial term
	// list (好多 → 多少, 告上法院 → 行政诉讼).
	CorrectColloquial CorrectionKind = "colloquial"
)

// Label is the kind in Chinese, as staff see it: 同音, 近音, 缩写, 口语.
func (k CorrectionKind) Label() string {
	switch k {
	case CorrectHomophone:
		return "同音"
	case CorrectFuzzySound:
		return "近音"
	case CorrectAbbreviation:
		return "缩写"
	case CorrectColloquial:
		return "口语"
	}
	return string(k)
}

// Correction is one rewrite applied to a question before searching.
type Correction struct {
	From string         // as the citizen typed it
	To   string         // the knowledge base's word
	Kind CorrectionKind // how From was mapped to To
}

// String renders c for staff: "公正处 → 公证处(同音)".
func (c Correction) String() string {
	return c.From + " → " + c.To + "(" + c.Kind.Label() + ")"
}
