package sqldbtest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"fazhibot/console"
	"fazhibot/storage/sqldb"
)

// testDismissQuestions dismisses texts from the unanswered queue: they
// persist across a reopen, a repeat changes nothing stored, each call is
// audited once, and bad input is refused without a trace.
func testDismissQuestions(t *testing.T, h harness) {
	loc := h.NewLocation(t)
	db := h.open(t, loc)
	ctx := t.Context()
	if got, err := db.DismissedQuestions(ctx); err != nil || len(got) != 0 {
		t.Fatalf("fresh: %v, %v", got, err)
	}
	first := []console.DismissedText{{Text: "你们几点下班", Sample: "你们几点下班？"}, {Text: "几点下班", Sample: "几点下班"}}
	if err := db.DismissQuestions(ctx, first, "张管理"); err != nil {
		t.Fatal(err)
	}
	if err := db.DismissQuestions(ctx, first[1:], "李编辑"); err != nil { // already dismissed: no error
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		texts []console.DismissedText
	}{
		{"none", nil},
		{"empty text", []console.DismissedText{{Text: "", Sample: "？"}}},
		{"not normalised", []console.DismissedText{{Text: "几点 下班？", Sample: "几点 下班？"}}},
		{"NUL", []console.DismissedText{{Text: "a\x00b", Sample: "a"}}},
		{"invalid UTF-8 sample", []console.DismissedText{{Text: "天气", Sample: "\xff"}}},
		{"too many", make([]console.DismissedText, console.MaxDismissTexts+1)},
		{"good then bad", []console.DismissedText{{Text: "天气", Sample: "天气"}, {Text: "", Sample: ""}}},
	} {
		if err := db.DismissQuestions(ctx, tc.texts, "张管理"); !errors.Is(err, console.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}

	want := map[string]bool{"你们几点下班": true, "几点下班": true}
	again := h.open(t, loc)
	for _, d := range []*sqldb.DB{db, again} {
		got, err := d.DismissedQuestions(ctx)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("dismissed %v, %v; want %v", got, err, want)
		}
	}
	var dismissals []string
	for _, e := range auditOf(t, db) {
		if e.Action == console.ActionQuestionDismiss {
			dismissals = append(dismissals, e.Actor+" "+e.Target+" "+e.Detail)
		}
	}
	// Newest first.
	if got, want := strings.Join(dismissals, " | "), "李编辑 question:几点下班 1 | 张管理 question:你们几点下班？ 2"; got != want {
		t.Errorf("audit %q, want %q", got, want)
	}
}
