package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"fazhibot/knowledge"
)

// evalQuestion is one line of a question set in the schema of
// shared/corpus/questions.jsonl. Unknown fields are ignored; report may be
// a string, a list or null and is only informative.
type evalQuestion struct {
	ID     string          `json:"id"`
	Kind   string          `json:"kind"`
	Report json.RawMessage `json:"report"`
	Turns  []string        `json:"turns"`
	Expect [][]string      `json:"expect"`
}

// turnResult is what the bot did with one turn.
type turnResult struct {
	Answered bool
	Reply    string
}

// evalTurnCorrect judges one turn: a fact turn needs an answer containing
// one of the expected strings verbatim; a turn with no expected strings
// (negative, chitchat) must not be answered from a report.
func evalTurnCorrect(expect []string, r turnResult) bool {
	if len(expect) == 0 {
		return !r.Answered
	}
	if !r.Answered {
		return false
	}
	for _, s := range expect {
		if strings.Contains(r.Reply, s) {
			return true
		}
	}
	return false
}

func readQuestions(r io.Reader) ([]evalQuestion, error) {
	var qs []evalQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q evalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("第%d行不是有效的 JSON: %w", n, err)
		}
		if len(q.Turns) == 0 || len(q.Expect) != len(q.Turns) {
			return nil, fmt.Errorf("第%d行(%s): turns 与 expect 的数量必须相同且不为空", n, q.ID)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

func runEval(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	verbose := fs.Bool("v", false, "列出每个问题的回答")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "用法: fazhibot eval [-v] 问题集.jsonl")
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	qs, err := readQuestions(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	base, err := a.base(ctx)
	if err != nil {
		return err
	}
	type tally struct{ ok, total int }
	byKind := map[string]*tally{}
	skipped := 0
	for _, q := range qs {
		if len(q.Turns) > 1 {
			skipped++
			continue
		}
		ans, err := base.Answer(ctx, knowledge.Query{Text: q.Turns[0]})
		if err != nil {
			return err
		}
		r := turnResult{Answered: ans.Answered, Reply: ans.Text}
		ok := evalTurnCorrect(q.Expect[0], r)
		t := byKind[q.Kind]
		if t == nil {
			t = &tally{}
			byKind[q.Kind] = t
		}
		t.total++
		if ok {
			t.ok++
		}
		if !ok || *verbose {
			mark := "✗"
			if ok {
				mark = "✓"
			}
			top := ""
			if len(ans.Hits) > 0 {
				h := ans.Hits[0]
				top = fmt.Sprintf(" 首条: %s#%d 置信度%.2f", h.ReportID, h.Seq, h.Confidence)
			}
			fmt.Fprintf(e.stdout, "%s %s [%s] %s\n    期望: %s\n    回答(%v,%s):%s %s\n", mark, q.ID, q.Kind, q.Turns[0], strings.Join(q.Expect[0], " / "), ans.Answered, ans.Reason, top, firstLines(ans.Text, 2))
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintln(e.stdout, "\n准确率:")
	var ok, total int
	for _, k := range kinds {
		t := byKind[k]
		ok, total = ok+t.ok, total+t.total
		fmt.Fprintf(e.stdout, "  %-9s %3d/%-3d %5.1f%%\n", k, t.ok, t.total, 100*float64(t.ok)/float64(t.total))
	}
	fmt.Fprintf(e.stdout, "  %-9s %3d/%-3d %5.1f%%\n", "全部", ok, total, 100*float64(ok)/float64(max(total, 1)))
	if skipped > 0 {
		fmt.Fprintf(e.stdout, "  (跳过 %d 个多轮问题)\n", skipped)
	}
	return nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " ⏎ ")
}
