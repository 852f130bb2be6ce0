package bot

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestEvaluateSampleQuestions(t *testing.T) {
	f, err := os.Open("../knowledge/testdata/questions.jsonl")
	if err != nil {
		t.Skip("no sample question set yet:", err)
	}
	defer f.Close()
	qs, err := ReadQuestions(f)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	d, err := New(Options{Knowledge: mustBase(t), Sessions: newFakeStore(), Logger: rec})
	if err != nil {
		t.Fatal(err)
	}
	rep := Evaluate(context.Background(), d, qs)
	for _, k := range rep.Kinds {
		t.Logf("%-9s %3d/%-3d %5.1f%%  (turns %d/%d)", k.Kind, k.OK, k.Total, 100*k.Accuracy(), k.TurnsOK, k.Turns)
	}
	t.Logf("all       %3d/%-3d", rep.OK, rep.Total)
	intents := map[Intent]int{}
	for _, e := range rec.all() {
		intents[e.Intent]++
	}
	t.Logf("intents: %v", intents)
	for _, m := range rep.Misses {
		t.Logf("miss %s#%d [%s] %s\n    expected %q, answered=%v intent=%s: %s", m.ID, m.Turn, m.Kind, m.Question,
			m.Expected, m.Answered, m.Intent, strings.ReplaceAll(firstLine(m.Reply, 160), "\n", "⏎"))
	}
	if multi := rep.Score("multi"); multi.Total > 0 && multi.Accuracy() < 0.5 {
		t.Errorf("multi-turn accuracy %d/%d, want at least 50%%", multi.OK, multi.Total)
	}
	for _, kind := range []string{"negative", "chitchat"} {
		if s := rep.Score(kind); s.OK != s.Total {
			t.Errorf("%s: %d/%d, want all", kind, s.OK, s.Total)
		}
	}
}

func firstLine(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func TestReadQuestions(t *testing.T) {
	good := `{"id":"q1","report":"jj-sthjj-2020","kind":"fact","turns":["生态环境局2020年罚款多少"],"expect":[["316.79万元"]],"note":"ignored"}

{"id":"q2","report":["jj-sthjj-2020","jj-sthjj-2021"],"kind":"multi","turns":["a","b"],"expect":[["x"],["y","z"]]}
{"id":"q3","report":null,"kind":"chitchat","turns":["你好"],"expect":[[]]}
`
	qs, err := ReadQuestions(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%d %s %s %s %q %q %s %s", len(qs), qs[0].ID, qs[0].Report, qs[1].Report, qs[1].Turns, qs[1].Expect, qs[2].Report, qs[2].Kind)
	want := `3 q1 "jj-sthjj-2020" ["jj-sthjj-2020","jj-sthjj-2021"] ["a" "b"] [["x"] ["y" "z"]] null chitchat`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, tt := range []struct{ in, err string }{
		{`{"id":"a","turns":["x"],"expect":[[]]}` + "\n{oops", "第2行不是有效的 JSON"},
		{`{"turns":["x"],"expect":[[]]}`, "第1行缺少 id"},
		{"\n" + `{"id":"a","turns":[],"expect":[]}`, "第2行(a)缺少 turns"},
		{`{"id":"a","turns":["x","y"],"expect":[["1"]]}`, "第1行(a): expect 应有 2 组(每轮一组),实为 1 组"},
		{`{"id":"a","turns":[" "],"expect":[[]]}`, "第1行(a)第1轮提问为空"},
		{`{"id":"a","turns":["x"],"expect":[[]]}` + "\n\n" + `{"id":"a","turns":["x"],"expect":[[]]}`, "第3行的 id \"a\" 与第1行重复"},
	} {
		if _, err := ReadQuestions(strings.NewReader(tt.in)); err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestEvaluate(t *testing.T) {
	qs := []Question{
		{ID: "f1", Kind: "fact", Turns: []string{"生态环境局2020年罚款多少"}, Expect: [][]string{{"316.79万元"}}},
		{ID: "f2", Kind: "fact", Turns: []string{"生态环境局2020年罚款多少"}, Expect: [][]string{{"999万元", "412.36万元"}}},
		{ID: "m1", Kind: "multi", Turns: []string{"生态环境局2020年罚款多少", "那2021年呢"}, Expect: [][]string{{"316.79万元"}, {"412.36万元"}}},
		{ID: "n1", Kind: "negative", Turns: []string{"生态环境局2020年罚款多少"}, Expect: [][]string{{}}},
		{ID: "n2", Kind: "negative", Turns: []string{"明天江津天气怎么样"}, Expect: [][]string{{}}},
		{ID: "c1", Kind: "chitchat", Turns: []string{"你好"}, Expect: [][]string{{}}},
	}
	d, err := New(Options{Knowledge: mustBase(t), Sessions: newFakeStore()})
	if err != nil {
		t.Fatal(err)
	}
	rep := Evaluate(context.Background(), d, qs)
	got := fmt.Sprint(rep.OK, "/", rep.Total, " ", rep.Kinds)
	want := "4/6 [{chitchat 1 1 1 1} {fact 1 2 1 2} {multi 1 1 2 2} {negative 1 2 1 2}]"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(rep.Misses) != 2 {
		t.Fatalf("misses %+v", rep.Misses)
	}
	if m := rep.Misses[0]; m.ID != "f2" || m.Turn != 1 || !m.Answered || fmt.Sprint(m.Expected) != "[999万元 412.36万元]" || !strings.Contains(m.Reply, "316.79万元") {
		t.Errorf("miss %+v", m)
	}
	if m := rep.Misses[1]; m.ID != "n1" || m.Kind != "negative" || !m.Answered || m.Intent != IntentAnswer {
		t.Errorf("miss %+v", m)
	}
	if s := rep.Score("multi"); s.Accuracy() != 1 || rep.Score("none").Total != 0 {
		t.Errorf("scores %+v", s)
	}
	// A done context stops the run.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rep := Evaluate(ctx, d, qs); rep.Total != 0 {
		t.Errorf("ran %d questions after cancel", rep.Total)
	}
}
