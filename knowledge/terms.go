package knowledge

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Terms are the lists staff maintain beside the reports: synonyms,
// department aliases, custom dictionary words, question stopwords and
// sensitive words. A Terms value is read-only once loaded and safe for
// concurrent use.
type Terms struct {
	// Canonical maps each synonym to its group's canonical word
	// (罚钱 → 罚款). Canonical words map to themselves.
	Canonical map[string]string
	// Departments lists known departments with their aliases, including
	// departments that have no report yet.
	Departments []Department
	// Words must stay whole when segmenting (行政复议, 三线一单 …).
	Words []string
	// Stopwords are ignored in questions (多少, 哪个, 吗 …).
	Stopwords map[string]bool
	// Sensitive words make the bot refuse politely.
	Sensitive []string
	// Colloquial maps a dialect or plain wording to the standard one
	// (好多 → 多少, 告上法院 → 行政诉讼). Unlike synonyms, colloquial
	// forms are rewritten in the question's text before it is read, so
	// they also change what the question asks for (好多钱 asks for a
	// figure) and apply whatever the segmenter makes of them.
	Colloquial map[string]string

	colloquialByFirst map[rune][]string // forms by first rune, longest first
	// splitByFirst holds, by first rune, the phrases of three characters
	// or more (colloquial forms and synonyms) that a citizen may split
	// after their first character (开个公司, 打了官司), longest first.
	splitByFirst map[rune][]string
}

// Department is a government department and the names citizens use for it.
type Department struct {
	Name    string   // canonical, e.g. 江津区生态环境局
	Aliases []string // e.g. 生态环境局, 环保局
}

// Term list file names inside a terms directory. Missing files are treated
// as empty lists.
const (
	SynonymsFile    = "synonyms.txt"
	DepartmentsFile = "departments.txt"
	DictFile        = "dict.txt"
	StopwordsFile   = "stopwords.txt"
	SensitiveFile   = "sensitive.txt"
	ColloquialFile  = "colloquial.txt"
)

// TermFileNames returns the names of every term-list file, in the order
// staff see them.
func TermFileNames() []string {
	return []string{SynonymsFile, ColloquialFile, DepartmentsFile, DictFile, StopwordsFile, SensitiveFile}
}

// LoadTerms reads the term lists from fsys. Lines starting with # are
// comments. It returns an error naming the file and line of a malformed
// entry, such as a synonym group with one word or a word in two groups.
func LoadTerms(fsys fs.FS) (*Terms, error) {
	t := &Terms{Canonical: map[string]string{}, Stopwords: map[string]bool{}, Colloquial: map[string]string{}}
	err := readLines(fsys, SynonymsFile, func(line int, fields []string) error {
		if len(fields) < 2 {
			return errors.New("同义词组至少需要两个词")
		}
		for _, w := range fields {
			if prev, ok := t.Canonical[w]; ok && prev != fields[0] {
				return fmt.Errorf("词语 %q 已属于同义词组 %q", w, prev)
			}
			t.Canonical[w] = fields[0]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readLines(fsys, DepartmentsFile, func(line int, fields []string) error {
		t.Departments = append(t.Departments, Department{Name: fields[0], Aliases: fields[1:]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readLines(fsys, DictFile, func(line int, fields []string) error {
		t.Words = append(t.Words, fields...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readLines(fsys, StopwordsFile, func(line int, fields []string) error {
		for _, w := range fields {
			t.Stopwords[w] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readLines(fsys, SensitiveFile, func(line int, fields []string) error {
		t.Sensitive = append(t.Sensitive, fields...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readLines(fsys, ColloquialFile, func(line int, fields []string) error {
		if len(fields) < 2 {
			return errors.New("口语说法每行至少需要两个词:标准说法在前,口语说法在后")
		}
		for _, w := range fields[1:] {
			if utf8.RuneCountInString(w) < 2 {
				return fmt.Errorf("口语说法 %q 至少要两个字", w)
			}
			if prev, ok := t.Colloquial[w]; ok && prev != fields[0] {
				return fmt.Errorf("口语说法 %q 已对应 %q", w, prev)
			}
			t.Colloquial[w] = fields[0]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.colloquialByFirst = byFirstRune(slices.Collect(maps.Keys(t.Colloquial)))
	var phrases []string
	for _, words := range []map[string]string{t.Colloquial, t.Canonical} {
		for w := range words {
			if utf8.RuneCountInString(w) >= 3 && allHan(w) {
				phrases = append(phrases, w)
			}
		}
	}
	t.splitByFirst = byFirstRune(phrases)
	return t, nil
}

// phraseInfixes are what a citizen puts between a verb and its object
// (开个公司, 打了官司, 开了一个公司), longest first.
var phraseInfixes = []string{"了一个", "了一家", "了个", "一个", "一家", "了", "个", "家", "过"}

// byFirstRune indexes words by their first rune, each list longest first
// (then in byte order), without repeats.
func byFirstRune(words []string) map[rune][]string {
	out := map[rune][]string{}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !slices.Contains(out[r], w) {
			out[r] = append(out[r], w)
		}
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	}
	return out
}

// rewrite scans text once, left to right; at each place, match returns
// how many bytes of text it rewrites to what, or 0. It returns the new
// text and a colloquial Correction for each rewrite.
func rewrite(text string, match func(at string) (n int, to string)) (string, []Correction) {
	var sb strings.Builder
	var fixes []Correction
	for i := 0; i < len(text); {
		if n, to := match(text[i:]); n > 0 {
			sb.WriteString(to)
			fixes = append(fixes, Correction{From: text[i : i+n], To: to, Kind: CorrectColloquial})
			i += n
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		sb.WriteString(text[i : i+size])
		i += size
	}
	if fixes == nil {
		return text, nil
	}
	return sb.String(), fixes
}

// joinSplitPhrases rewrites a phrase of the term lists that the text
// splits after its first character (开个公司) to the phrase (开公司), so
// that the lists and the segmenter find it.
func (t *Terms) joinSplitPhrases(text string) (string, []Correction) {
	return rewrite(text, func(at string) (int, string) {
		r, size := utf8.DecodeRuneInString(at)
		for _, phrase := range t.splitByFirst[r] {
			for _, infix := range phraseInfixes {
				if after, ok := strings.CutPrefix(at[size:], infix); ok && strings.HasPrefix(after, phrase[size:]) {
					return len(phrase) + len(infix), phrase
				}
			}
		}
		return 0, ""
	})
}

// standardWording rewrites the colloquial forms in text to their standard
// wording, the longest form at each place, and returns the corrections. A
// phrase of the lists split after its first character (开个公司) is joined
// first.
func (t *Terms) standardWording(text string) (string, []Correction) {
	text, joined := t.joinSplitPhrases(text)
	text, fixes := rewrite(text, func(at string) (int, string) {
		r, _ := utf8.DecodeRuneInString(at)
		for _, form := range t.colloquialByFirst[r] {
			if strings.HasPrefix(at, form) {
				return len(form), t.Colloquial[form]
			}
		}
		return 0, ""
	})
	return text, append(joined, fixes...)
}

// SegmenterWords returns every word the segmenter must keep whole: the
// custom dictionary, the synonyms and the department names and aliases.
func (t *Terms) SegmenterWords() []string {
	words := append([]string(nil), t.Words...)
	for w := range t.Canonical {
		words = append(words, w)
	}
	for _, std := range t.Colloquial {
		words = append(words, std)
	}
	for _, d := range t.Departments {
		words = append(words, d.Name)
		words = append(words, d.Aliases...)
	}
	return words
}

// canonical returns w's canonical synonym, or w itself.
func (t *Terms) canonical(w string) string {
	if c, ok := t.Canonical[w]; ok {
		return c
	}
	return w
}

func readLines(fsys fs.FS, name string, fn func(line int, fields []string) error) error {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("读取词表 %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(n, strings.Fields(line)); err != nil {
			return fmt.Errorf("词表 %s 第%d行: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("读取词表 %s: %w", name, err)
	}
	return nil
}
