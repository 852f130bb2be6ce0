package knowledge

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
)

// SameIndex returns an error naming the first part of the index in which
// a and b differ (the tests of snapshots compare a Base read from one
// with the Base that was built).
func SameIndex(a, b *Base) error {
	if len(a.docs) != len(b.docs) {
		return fmt.Errorf("%d docs, %d docs", len(a.docs), len(b.docs))
	}
	for i := range a.docs {
		x, y := &a.docs[i], &b.docs[i]
		if x.report != y.report || x.seq != y.seq || x.words != y.words || x.bigrams != y.bigrams ||
			x.figure != y.figure || x.year != y.year || x.dept != y.dept ||
			!slices.Equal(x.sents, y.sents) || !slices.Equal(x.ids, y.ids) {
			return fmt.Errorf("doc %d: %+v, %+v", i, *x, *y)
		}
	}
	same := func(x, y []posting) bool { return slices.Equal(x, y) }
	switch {
	case !maps.EqualFunc(a.words, b.words, same):
		return fmt.Errorf("word postings")
	case !maps.EqualFunc(a.bigrams, b.bigrams, same):
		return fmt.Errorf("bigram postings")
	case !maps.Equal(a.wordIDs, b.wordIDs) || !maps.Equal(a.gramIDs, b.gramIDs):
		return fmt.Errorf("sentence-index vocabularies")
	case a.avgWords != b.avgWords || a.avgBigrams != b.avgBigrams:
		return fmt.Errorf("averages %v %v, %v %v", a.avgWords, a.avgBigrams, b.avgWords, b.avgBigrams)
	case !reflect.DeepEqual(a.covered, b.covered) || !reflect.DeepEqual(a.years, b.years) ||
		!reflect.DeepEqual(a.deptIDs, b.deptIDs) || !reflect.DeepEqual(a.deptDocs, b.deptDocs) ||
		!reflect.DeepEqual(a.yearDocs, b.yearDocs) || !reflect.DeepEqual(a.firstDoc, b.firstDoc):
		return fmt.Errorf("departments and years")
	case !reflect.DeepEqual(a.depts, b.depts):
		return fmt.Errorf("departments questions may name")
	case len(a.faqVariants) != len(b.faqVariants):
		return fmt.Errorf("FAQ variants")
	}
	x, y := a.sound, b.sound
	switch {
	case !reflect.DeepEqual(x.known, y.known):
		return fmt.Errorf("sound index: known words")
	case !reflect.DeepEqual(x.byKey, y.byKey):
		return fmt.Errorf("sound index: by key")
	case !reflect.DeepEqual(x.byFirst, y.byFirst):
		return fmt.Errorf("sound index: by first character")
	case !reflect.DeepEqual(x.readings, y.readings) || x.maxRunes != y.maxRunes:
		return fmt.Errorf("sound index: readings")
	}
	return nil
}

// SetPruning sets when b's searches prune their walk (see scorePruned):
// tests run it on small bases with minWalk 0, checkLen 0 and anyCost (stop
// as soon as the bounds allow), and turn it off with minWalk math.MaxInt.
func SetPruning(b *Base, minWalk, checkLen int, anyCost bool) {
	b.pruning = pruning{minWalk: minWalk, checkLen: checkLen, anyCost: anyCost}
}
