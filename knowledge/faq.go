package knowledge

// faqMinSimilarity is how similar a question must be to one of an FAQ
// entry's variants for the entry to win over the report passages.
const faqMinSimilarity = 0.6

// faqVariant is one indexed question variant of an FAQ entry.
type faqVariant struct {
	faq   int // index into Base.faqs
	u     understood
	terms map[string]bool
}

// indexFAQs understands every question variant of b.faqs.
func (b *Base) indexFAQs() {
	for i, f := range b.faqs {
		for _, q := range f.Questions {
			u := b.understand(Query{Text: q})
			if len(u.terms) == 0 {
				continue
			}
			set := make(map[string]bool, len(u.terms))
			for _, t := range u.terms {
				set[t] = true
			}
			b.faqVariants = append(b.faqVariants, faqVariant{faq: i, u: u, terms: set})
		}
	}
}

// matchFAQ returns the FAQ entry most similar to u and its similarity, a
// weighted Jaccard index over the terms of the two questions (rare terms
// weigh more). It returns false when no entry reaches faqMinSimilarity or
// when the entry is about another year or department, or one question asks
// for a figure and the other does not.
func (b *Base) matchFAQ(u understood) (FAQ, float64, bool) {
	best, bestSim := -1, 0.0
	for _, v := range b.faqVariants {
		if u.figure != v.u.figure || // "多少件复议申请" is not "怎么申请复议"
			(u.year != 0 && v.u.year != 0 && u.year != v.u.year) ||
			(u.department != "" && v.u.department != "" && u.department != v.u.department) {
			continue
		}
		var inter, union float64
		seen := map[string]bool{}
		for _, t := range u.terms {
			seen[t] = true
			w := b.idf(len(b.words[t]))
			union += w
			if v.terms[t] {
				inter += w
			}
		}
		for t := range v.terms {
			if !seen[t] {
				union += b.idf(len(b.words[t]))
			}
		}
		if union > 0 && inter/union > bestSim {
			best, bestSim = v.faq, inter/union
		}
	}
	if best < 0 || bestSim < faqMinSimilarity {
		return FAQ{}, bestSim, false
	}
	return b.faqs[best], bestSim, true
}
