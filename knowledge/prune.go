package knowledge

import (
	"context"
	"math/bits"
	"slices"
	"sort"
)

// Questions made of words nearly every passage holds (法治, 政府, 建设,
// 行政) walk posting lists of hundreds of thousands of passages, although
// the passages that can make the best few are those that also hold the
// question's rarer words: what a common word adds to a score is bounded,
// and small. scorePruned finds the same best passages, with the same
// scores to the last bit, while walking only part of the lists:
//
//  1. It walks the lists from the one that can add most (rare words,
//     which are short lists) to the one that can add least, adding up each
//     passage's partial score. A list adds less than weight × idf × (k1+1),
//     its bound, to any passage: BM25's tf / (tf + norm) is below 1.
//  2. Before some of the long lists it checks whether it can stop. It
//     scores in full the rerankDepth passages with the best partial scores
//     among those touched first (the rare words'): the least of their
//     boosted scores, θ, is a real passage's, so the last of the best can
//     only be higher. Once the bounds of the lists left, summed and boosted
//     as much as rank boosts, fall below θ, no passage not yet touched can
//     make the best, and neither can one touched whose partial score plus
//     those bounds falls below θ; the others are the candidates. It stops
//     when looking the candidates up in the lists left costs less than
//     half of walking them.
//  3. It looks the candidates up in the lists left, from the one that can
//     add most, dropping those that fall below θ as the bounds left shrink.
//  4. The candidates left are scored again, from zero, each list looked up
//     for them in rank's order, so that every score adds up in the order
//     rank's full walk adds it up: to the same bits, and so to the same
//     best passages in the same order.
//
// When it walked every list without stopping, the candidates are the
// passages within the slack of the last place, scored again likewise.
// Every bound is compared with a relative slack, pruneSlack, far above the
// rounding of a few dozen additions and far below the margin of the bounds
// (tf / (tf + norm) is at most 1023 / 1023.3).

// bound is more than the list can add to any passage's score: BM25's
// tf / (tf + norm) is below 1, as norm is above 0.
func (l *termList) bound() float64 { return l.weight * l.idf * (k1 + 1) }

// rankBoost is how rank boosts a passage's score before it keeps the best.
type rankBoost struct {
	dept    int32
	hasDept bool // boost dept's passages by departmentBoost
	figure  bool // penalise passages without a figure by noFigurePenalty
}

func (m rankBoost) of(b *Base, doc int32) float64 {
	v := 1.0
	if m.hasDept && b.ranks[doc].dept == m.dept {
		v *= departmentBoost
	}
	if m.figure && !b.figures[doc] {
		v *= noFigurePenalty
	}
	return v
}

func (m rankBoost) max() float64 {
	if m.hasDept {
		return departmentBoost
	}
	return 1
}

// pruning holds when scorePruned runs; tests lower it to run it on small
// bases.
type pruning struct {
	// minWalk is the fewest postings a search must walk for scorePruned
	// to run: below, walking them all costs less than its bookkeeping.
	minWalk int
	// checkLen: scorePruned checks whether it can stop only before a list
	// at least this long; shorter ones it walks anyway.
	checkLen int
	// anyCost: stop as soon as the bounds allow, whatever the candidates
	// cost to look up.
	anyCost bool
}

var defaultPruning = pruning{minWalk: 200_000, checkLen: 4096}

const (
	// pruneSlack is the relative margin of every bound comparison.
	pruneSlack = 1e-9
	// thetaSample is how many of the passages touched first (those of
	// the rarest words) a check looks at for the best partial scores.
	thetaSample = 8192
	// gallopFactor: a list longer than gallopFactor × the candidates is
	// searched for each candidate rather than walked alongside them.
	gallopFactor = 16
)

// scorePruned leaves in sc the scores of the passages that can make the
// best rerankDepth of a walk over lists, exactly as the walk would, and
// lists those passages in sc.touched (see the comment above). The filters
// are walk's; m is how rank boosts. The error is non-nil only when ctx is
// done.
func (b *Base) scorePruned(ctx context.Context, sc *scratch, lists []termList, year int32, deptOnly bool, m rankBoost) error {
	order := make([]int, 0, len(lists))
	left := 0 // postings not walked
	for k := range lists {
		if len(lists[k].postings) > 0 {
			order = append(order, k)
			left += len(lists[k].postings)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return lists[order[i]].bound() > lists[order[j]].bound() })
	// rest sums the bounds of the lists from order[i] on, afresh each time:
	// a running difference would drift.
	rest := func(i int) float64 {
		sum := 0.0
		for _, k := range order[i:] {
			sum += lists[k].bound()
		}
		return sum
	}
	theta, at := 0.0, len(order) // at: where the walk stopped in order
	var cands []int32
	walked, next := 0, 0 // postings walked; to walk before the next check
	for i, k := range order {
		l := &lists[k]
		// After a check that could stop but found too many candidates (a
		// pass over the passages touched), the next waits until as many
		// postings were walked.
		if len(l.postings) >= b.pruning.checkLen && len(sc.touched) >= rerankDepth && walked >= next {
			sample := sc.touched[:min(len(sc.touched), thetaSample)]
			theta = max(theta, sc.lowerBound(b, lists, m, sample)*(1-pruneSlack))
			if r := rest(i); r*m.max()*(1+pruneSlack) < theta {
				if b.pruning.anyCost || pruneLookups(sc.countCandidates(b, m, r, theta), lists, order[i:]) < left/2 {
					cands = sc.candidates(b, m, r, theta)
					at = i
					break
				}
				next = walked + len(sc.touched)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sc.walk(l.postings, b.ranks, l.bigram, l.weight, l.idf, year, deptOnly, m.dept, true)
		walked += len(l.postings)
		left -= len(l.postings)
	}
	if at == len(order) {
		// Every list was walked, in another order than rank's: the scores
		// are complete, but may differ from rank's in the last bits.
		theta = max(theta, sc.lowerBound(b, lists, m, sc.touched)*(1-pruneSlack))
		cands = sc.candidates(b, m, 0, theta)
	}
	for i, k := range order[at:] {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := rest(at + i + 1)
		cands = sc.score(&lists[k], cands, b.ranks, func(doc int32) bool { return m.keeps(b, doc, sc.scores[doc]+r, theta) })
	}
	sc.clear()
	for k := range lists {
		sc.score(&lists[k], cands, b.ranks, nil)
	}
	sc.touched = append(sc.touched, cands...)
	return nil
}

// keeps reports whether a passage whose full score is at most most can
// make the best, whose last place scores at least theta.
func (m rankBoost) keeps(b *Base, doc int32, most, theta float64) bool {
	// Most fail even boosted as much as can be: no lookup for them.
	return most*m.max()*(1+pruneSlack) >= theta && most*m.of(b, doc)*(1+pruneSlack) >= theta
}

// countCandidates counts the passages candidates would list.
func (sc *scratch) countCandidates(b *Base, m rankBoost, rest, theta float64) int {
	n := 0
	for _, doc := range sc.touched {
		if m.keeps(b, doc, sc.scores[doc]+rest, theta) {
			n++
		}
	}
	return n
}

// candidates lists, in passage order, the passages touched that lists
// whose bounds sum to rest may still lift to theta.
func (sc *scratch) candidates(b *Base, m rankBoost, rest, theta float64) []int32 {
	if len(sc.touched) > len(sc.scores)/4 {
		// Many: a scan of the scores finds them in order, for less than a sort.
		cands := make([]int32, 0, 1024)
		for doc, v := range sc.scores {
			if v != 0 && m.keeps(b, int32(doc), v+rest, theta) {
				cands = append(cands, int32(doc))
			}
		}
		return cands
	}
	cands := make([]int32, 0, 1024)
	for _, doc := range sc.touched {
		if m.keeps(b, doc, sc.scores[doc]+rest, theta) {
			cands = append(cands, doc)
		}
	}
	slices.Sort(cands)
	return cands
}

// pruneLookups estimates the steps of looking c candidates up in the lists
// of order (see score), to compare with walking them.
func pruneLookups(c int, lists []termList, order []int) int {
	cost := 0
	for _, k := range order {
		n := len(lists[k].postings)
		if n > gallopFactor*c {
			cost += c * 2 * bits.Len(uint(n/max(c, 1)))
		} else {
			cost += n + c
		}
	}
	return cost
}

// lowerBound returns the least boosted full score of the rerankDepth
// passages with the best boosted partial scores, or 0 when fewer were
// touched. Those passages are scored in full, looked up in every list in
// order, so the bound is a real passage's score: the last place of the
// best can only be higher.
func (sc *scratch) lowerBound(b *Base, lists []termList, m rankBoost, sample []int32) float64 {
	type entry struct {
		v   float64
		doc int32
	}
	var best [rerankDepth]entry // ascending
	n := 0
	for _, doc := range sample {
		v := sc.scores[doc] * m.of(b, doc)
		if n < rerankDepth {
			i := n
			for ; i > 0 && best[i-1].v > v; i-- {
				best[i] = best[i-1]
			}
			best[i] = entry{v, doc}
			n++
			continue
		}
		if v <= best[0].v {
			continue
		}
		i := 0
		for ; i+1 < n && best[i+1].v < v; i++ {
			best[i] = best[i+1]
		}
		best[i] = entry{v, doc}
	}
	if n < rerankDepth {
		return 0
	}
	least := 0.0
	for i, e := range best {
		full := 0.0
		for k := range lists {
			l := &lists[k]
			if p, ok := findPosting(l.postings, e.doc); ok {
				norm := b.ranks[e.doc].words
				if l.bigram {
					norm = b.ranks[e.doc].bigrams
				}
				full += l.weight * bm25(p.tf(), norm, l.idf)
			}
		}
		if v := full * m.of(b, e.doc); i == 0 || v < least {
			least = v
		}
	}
	return least
}

// score adds l's contributions to the scores of cands, which are sorted,
// as walk would add them: walking l alongside cands when it is short,
// looking each candidate up in it when it is long. With keep, it returns
// the candidates keep keeps once their scores are added (in cands'
// storage); without, cands.
func (sc *scratch) score(l *termList, cands []int32, ranks []docRank, keep func(int32) bool) []int32 {
	ps := l.postings
	at, kept := 0, 0
	long := len(ps) > gallopFactor*len(cands)
	for _, doc := range cands {
		if long {
			at = gallop(ps, at, doc)
		} else {
			for at < len(ps) && ps[at].doc() < doc {
				at++
			}
		}
		if at < len(ps) && ps[at].doc() == doc {
			norm := ranks[doc].words
			if l.bigram {
				norm = ranks[doc].bigrams
			}
			sc.scores[doc] += l.weight * bm25(ps[at].tf(), norm, l.idf)
		}
		if keep == nil || keep(doc) {
			cands[kept] = doc
			kept++
		}
	}
	return cands[:kept]
}

// gallop returns the first index from at on whose posting's passage is
// doc or later, or len(ps): it doubles its step, then halves it.
func gallop(ps []posting, at int, doc int32) int {
	if at >= len(ps) || ps[at].doc() >= doc {
		return at
	}
	lo, step := at, 1 // ps[lo] is before doc
	for lo+step < len(ps) && ps[lo+step].doc() < doc {
		lo += step
		step *= 2
	}
	hi := min(lo+step, len(ps)) // ps[hi] is doc or later, or the end
	return lo + 1 + sort.Search(hi-lo-1, func(i int) bool { return ps[lo+1+i].doc() >= doc })
}

// clear zeroes the scores touched and forgets them.
func (sc *scratch) clear() {
	for _, doc := range sc.touched {
		sc.scores[doc] = 0
	}
	sc.touched = sc.touched[:0]
}
