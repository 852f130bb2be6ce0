package knowledge

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Citizens name a department the way people in Chongqing say it:
// 发改委, 人社局, 卫健委, 规资局, 市监局. The term list holds such aliases
// for the departments staff listed, but a newly imported report may come
// from a department nobody listed yet. So the Base derives aliases from
// every department's name, listed or read from a report: the name without
// the district (发展和改革委员会), 委员会 shortened to 委, a commission
// called a bureau (教育局), and the short
// forms made of the first character of each part of the name (发展和改革
// → 发改, 卫生健康 → 卫健), followed by the kind of office (局, 委, 办).
// A township's or a street's government goes by the place's name
// (白沙镇人民政府: 白沙镇政府, 白沙镇, 白沙).

// districtPrefixes are stripped from a department's name.
var districtPrefixes = []string{"重庆市", "江津区", "江津"}

// officeKinds are the endings that say what kind of office a department
// is, longest first, with the short form used in abbreviations.
var officeKinds = []struct{ full, short string }{
	{"委员会", "委"}, {"办公室", "办"}, {"办事处", ""}, {"中心", "中心"},
	{"局", "局"}, {"委", "委"}, {"办", "办"}, {"院", "院"}, {"队", "队"}, {"馆", "馆"}, {"所", "所"},
}

// minDerivedAlias is the shortest alias derived from a name: two
// characters (发改, 城管) are too often something else.
const minDerivedAlias = 3

// derivedAliases returns the aliases of a department's canonical name
// (see the comment at the top of this file), without the name itself.
// cut segments a part of the name into dictionary words.
func derivedAliases(name string, cut func(string) []string) []string {
	bare := name
	for _, p := range districtPrefixes {
		if rest, ok := strings.CutPrefix(bare, p); ok {
			bare = rest
			break
		}
	}
	var out []string
	add := func(a string) {
		if utf8.RuneCountInString(a) >= minDerivedAlias && a != name && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	add(bare)
	// A place alone (吴滩 for 吴滩镇) is what people call it: a place name
	// of two characters is rarely anything else.
	addPlace := func(locality string) {
		if p := placeName(locality); utf8.RuneCountInString(p) >= 2 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if place, ok := strings.CutSuffix(bare, "人民政府"); ok && isLocality(place) {
		add(place + "政府")
		add(place)
		addPlace(place)
		return out
	}
	core, kind := bare, ""
	for _, k := range officeKinds {
		if c, ok := strings.CutSuffix(bare, k.full); ok && c != "" {
			core, kind = c, k.short
			if k.short != k.full {
				add(c + k.short) // 发展和改革委
			}
			if k.full == "办事处" {
				add(c + "办") // 几江街道办
				if isLocality(c) {
					addPlace(c)
				}
			}
			break
		}
	}
	// A commission is often called a bureau (教育局 for 教育委员会); the
	// other way round is rarer, and an alias is also a likely reading of a
	// typo (公安委 would turn 公安立 into it).
	if kind == "委" {
		add(core + "局")
	}
	if kind == "" && core == bare {
		return out // not an office name: nothing to abbreviate
	}
	var parts [][]string // the words of each part joined by 和
	for _, p := range strings.FieldsFunc(core, func(r rune) bool { return r == '和' || r == '与' || r == '及' }) {
		var words []string
		for _, w := range cut(p) {
			if strings.TrimSpace(w) != "" {
				words = append(words, w)
			}
		}
		if len(words) > 0 {
			parts = append(parts, words)
		}
	}
	initial := func(w string) string { r, _ := utf8.DecodeRuneInString(w); return string(r) }
	switch {
	case len(parts) > 1:
		// One character per part, from the part's first word or its last
		// (人力资源和社会保障 → 人社; 住房和城乡建设 → 住建).
		var first, last strings.Builder
		for _, words := range parts {
			first.WriteString(initial(words[0]))
			last.WriteString(initial(words[len(words)-1]))
		}
		add(first.String() + kind)
		add(last.String() + kind)
	case len(parts) == 1 && len(parts[0]) > 1:
		// One character per word (卫生健康 → 卫健, 城市管理 → 城管), per
		// the first two words (市场监督管理 → 市监), and the first word
		// alone (应急管理 → 应急).
		words := parts[0]
		var all strings.Builder
		for _, w := range words {
			all.WriteString(initial(w))
		}
		add(all.String() + kind)
		add(initial(words[0]) + initial(words[1]) + kind)
		add(words[0] + kind)
	}
	return out
}

// placeName returns a locality's name without its kind (吴滩 of 吴滩镇,
// 几江 of 几江街道).
func placeName(locality string) string {
	for _, kind := range []string{"街道", "镇", "乡"} {
		if p, ok := strings.CutSuffix(locality, kind); ok {
			return p
		}
	}
	return locality
}

// isLocality reports whether name is a township's or a street's
// (白沙镇, 嘉平乡, 几江街道), not a whole district's.
func isLocality(name string) bool {
	return utf8.RuneCountInString(name) >= 2 && (strings.HasSuffix(name, "镇") || strings.HasSuffix(name, "乡") || strings.HasSuffix(name, "街道"))
}

// departmentsOf returns the departments a Base recognises in questions:
// those listed, each with the aliases derived from its name added, and
// those the reports name that the list lacks, with derived aliases. A
// derived alias is dropped when it is another department's name or alias,
// or a common word (common reports whether it is).
func departmentsOf(listed []Department, reports []*Report, cut func(string) []string, common func(string) bool) []Department {
	out := make([]Department, 0, len(listed))
	for _, d := range listed {
		out = append(out, Department{Name: d.Name, Aliases: slices.Clone(d.Aliases)})
	}
	for _, r := range reports {
		if r.Department != "" && !slices.ContainsFunc(out, func(d Department) bool { return d.Name == r.Department }) {
			out = append(out, Department{Name: r.Department})
		}
	}
	taken := map[string]bool{}
	for _, d := range out {
		taken[d.Name] = true
		for _, a := range d.Aliases {
			taken[a] = true
		}
	}
	derived := make([][]string, len(out))
	count := map[string]int{}
	for i, d := range out {
		derived[i] = derivedAliases(d.Name, cut)
		for _, a := range derived[i] {
			count[a]++
		}
	}
	for i := range out {
		for _, a := range derived[i] {
			if !taken[a] && count[a] == 1 && !common(a) {
				out[i].Aliases = append(out[i].Aliases, a)
			}
		}
	}
	return out
}

// reportsFor reports whether name names a department (by its name or an
// alias) that has a report of year, or any report when year is 0.
func (b *Base) reportsFor(name string, year int) bool {
	for _, d := range b.depts {
		if d.Name == name || slices.Contains(d.Aliases, name) {
			years := b.covered[d.Name]
			return len(years) > 0 && (year == 0 || slices.Contains(years, year))
		}
	}
	return false
}
