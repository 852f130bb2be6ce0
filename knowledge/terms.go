package knowledge

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"strings"
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
)

// LoadTerms reads the term lists from fsys. Lines starting with # are
// comments. It returns an error naming the file and line of a malformed
// entry, such as a synonym group with one word or a word in two groups.
func LoadTerms(fsys fs.FS) (*Terms, error) {
	t := &Terms{Canonical: map[string]string{}, Stopwords: map[string]bool{}}
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
	return t, nil
}

// SegmenterWords returns every word the segmenter must keep whole: the
// custom dictionary, the synonyms and the department names and aliases.
func (t *Terms) SegmenterWords() []string {
	words := append([]string(nil), t.Words...)
	for w := range t.Canonical {
		words = append(words, w)
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
