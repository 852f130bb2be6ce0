package sqldbtest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

func testUpdatePassage(t *testing.T, h harness) {
	const stale = -1 // replaced by the revision before another editor's save
	tests := []struct {
		name     string
		before   func(t *testing.T, db *sqldb.DB) // another editor, after rev was read
		id       knowledge.ReportID
		seq      int
		text     string
		keywords []string
		rev      int64 // 0: unchecked; stale: the revision read first
		wantErr  error
		wantText string // of passage r#1 afterwards
	}{
		{name: "unchecked", id: "r", seq: 1, text: "新文字", keywords: []string{"新词"}, wantText: "新文字"},
		{name: "current revision", id: "r", seq: 1, text: "新文字", rev: stale, wantText: "新文字"},
		{name: "no keywords", id: "r", seq: 1, text: "新文字", keywords: []string{}, wantText: "新文字"},
		{
			name: "stale revision",
			before: func(t *testing.T, db *sqldb.DB) {
				if _, err := db.UpdatePassage(t.Context(), "r", 1, "别人的文字", nil, 0, "编辑乙"); err != nil {
					t.Fatal(err)
				}
			},
			id: "r", seq: 1, text: "新文字", rev: stale, wantErr: console.ErrConflict, wantText: "别人的文字",
		},
		{
			name:   "re-imported since",
			before: func(t *testing.T, db *sqldb.DB) { save(t, db, fictional("r", 3, "重新导入")) },
			id:     "r", seq: 1, text: "新文字", rev: stale, wantErr: console.ErrConflict,
			wantText: fictional("r", 3, "重新导入").Passages[1].Text,
		},
		{name: "missing passage", id: "r", seq: 99, text: "新文字", wantErr: console.ErrNotFound, wantText: fictional("r", 3, "原文").Passages[1].Text},
		{name: "missing report", id: "zzz", seq: 1, text: "新文字", wantErr: console.ErrNotFound, wantText: fictional("r", 3, "原文").Passages[1].Text},
		{name: "blank text", id: "r", seq: 1, text: " \n", wantErr: console.ErrInvalid, wantText: fictional("r", 3, "原文").Passages[1].Text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			save(t, db, fictional("r", 3, "原文"))
			read, err := db.Passage(t.Context(), "r", 1)
			if err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "Passage", read.Passage, fictional("r", 3, "原文").Passages[1])
			if read.Report != "r" || read.Rev <= 0 || read.UpdatedBy != "测试员" || read.UpdatedAt.IsZero() {
				t.Errorf("Passage: got %+v", read)
			}
			if tt.before != nil {
				tt.before(t, db)
			}
			auditBefore := auditOf(t, db)
			rev := tt.rev
			if rev == stale {
				rev = read.Rev
			}

			before := time.Now()
			got, err := db.UpdatePassage(t.Context(), tt.id, tt.seq, tt.text, tt.keywords, rev, "编辑甲")
			wantErr(t, "UpdatePassage", err, tt.wantErr)

			r, err := db.Report(t.Context(), "r")
			if err != nil {
				t.Fatal(err)
			}
			if r.Passages[1].Text != tt.wantText {
				t.Errorf("text afterwards: got %q, want %q", r.Passages[1].Text, tt.wantText)
			}
			if tt.wantErr != nil {
				wantEqual(t, "audit after failure", auditOf(t, db), auditBefore)
				return
			}
			want := r.Passages[1]
			want.Path = fictional("r", 3, "原文").Passages[1].Path // kept
			if len(tt.keywords) > 0 {
				wantEqual(t, "keywords", want.Keywords, tt.keywords)
			} else if want.Keywords != nil {
				t.Errorf("keywords: got %#v, want nil", want.Keywords)
			}
			wantEqual(t, "returned passage", got.Passage, want)
			if got.Rev <= read.Rev || got.UpdatedBy != "编辑甲" {
				t.Errorf("returned: Rev %d (was %d), UpdatedBy %q", got.Rev, read.Rev, got.UpdatedBy)
			}
			inRange(t, "UpdatedAt", got.UpdatedAt, before, time.Now())
			again, err := db.Passage(t.Context(), "r", 1)
			if err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "Passage after update", again, got)
			// The other passages keep their revisions.
			if other, _ := db.Passage(t.Context(), "r", 0); other.Rev != read.Rev {
				t.Errorf("passage 0 revision changed from %d to %d", read.Rev, other.Rev)
			}
			wantEqual(t, "audit", changesOf(t, db)[len(auditBefore):], []change{
				{"编辑甲", console.ActionPassageUpdate, "passage:r#1", ""},
			})
		})
	}
}

func testFAQ(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	if list, err := db.FAQs(ctx); err != nil || list != nil {
		t.Fatalf("FAQs of a new database: %v, %v", list, err)
	}

	// Create with a new ID, then with a chosen one.
	first := saveFAQ(t, db, faq("一"), 0)
	if !strings.HasPrefix(string(first.ID), "faq-") || first.Rev <= 0 || first.UpdatedBy != "编辑甲" {
		t.Errorf("new entry: %+v", first)
	}
	want := faq("一")
	want.ID = first.ID
	wantEqual(t, "new entry", first.FAQ, want)
	chosen := faq("二")
	chosen.ID, chosen.Report, chosen.Seq = "faq-chosen", "jj-sthjj-2020", 3
	second := saveFAQ(t, db, chosen, 0)
	wantEqual(t, "chosen entry", second.FAQ, chosen)
	third := saveFAQ(t, db, faq("三"), 0)
	if first.ID == third.ID {
		t.Fatal("two entries got the same ID")
	}

	got, err := db.FAQ(ctx, first.ID)
	wantErr(t, "FAQ", err, nil)
	wantEqual(t, "FAQ", got, first)
	list, err := db.FAQs(ctx)
	wantErr(t, "FAQs", err, nil)
	wantEqual(t, "FAQs in creation order", list, []console.FAQEntry{first, second, third})

	// Update keeps the position and advances the revision.
	changed := second.FAQ
	changed.Answer = "改过的答案。"
	updated := saveFAQ(t, db, changed, second.Rev)
	if updated.Rev <= second.Rev || updated.Answer != "改过的答案。" {
		t.Errorf("updated: %+v", updated)
	}
	_, err = db.SaveFAQ(ctx, chosen, second.Rev, "编辑乙")
	wantErr(t, "SaveFAQ with a stale revision", err, console.ErrConflict)
	list, _ = db.FAQs(ctx)
	wantEqual(t, "FAQs after update", list, []console.FAQEntry{first, updated, third})

	// Delete.
	wantErr(t, "DeleteFAQ with a stale revision", db.DeleteFAQ(ctx, second.ID, second.Rev, "编辑乙"), console.ErrConflict)
	wantErr(t, "DeleteFAQ", db.DeleteFAQ(ctx, second.ID, updated.Rev, "编辑乙"), nil)
	_, err = db.FAQ(ctx, second.ID)
	wantErr(t, "FAQ after delete", err, console.ErrNotFound)
	wantErr(t, "DeleteFAQ again", db.DeleteFAQ(ctx, second.ID, 0, "编辑乙"), console.ErrNotFound)
	_, err = db.SaveFAQ(ctx, changed, updated.Rev, "编辑甲")
	wantErr(t, "SaveFAQ of a deleted entry with its revision", err, console.ErrConflict)
	list, _ = db.FAQs(ctx)
	wantEqual(t, "FAQs after delete", list, []console.FAQEntry{first, third})

	// Re-created without a revision, it goes to the end.
	again := saveFAQ(t, db, changed, 0)
	list, _ = db.FAQs(ctx)
	wantEqual(t, "FAQs after re-create", list, []console.FAQEntry{first, third, again})
	if again.Rev <= updated.Rev {
		t.Errorf("re-created revision %d not above %d", again.Rev, updated.Rev)
	}

	wantEqual(t, "audit", changesOf(t, db), []change{
		{"编辑甲", console.ActionFAQSave, "faq:" + string(first.ID), faq("一").Questions[0]},
		{"编辑甲", console.ActionFAQSave, "faq:faq-chosen", chosen.Questions[0]},
		{"编辑甲", console.ActionFAQSave, "faq:" + string(third.ID), faq("三").Questions[0]},
		{"编辑甲", console.ActionFAQSave, "faq:faq-chosen", chosen.Questions[0]},
		{"编辑乙", console.ActionFAQDelete, "faq:faq-chosen", chosen.Questions[0]},
		{"编辑甲", console.ActionFAQSave, "faq:faq-chosen", chosen.Questions[0]},
	})
}

func testFAQInvalid(t *testing.T, h harness) {
	db := h.fresh(t)
	stored := saveFAQ(t, db, faq("原"), 0)
	tests := []struct {
		name string
		edit func(f *knowledge.FAQ)
		rev  int64
	}{
		{"no questions", func(f *knowledge.FAQ) { f.Questions = nil }, 0},
		{"blank question", func(f *knowledge.FAQ) { f.Questions = append(f.Questions, " ") }, 0},
		{"blank answer", func(f *knowledge.FAQ) { f.Answer = "\t" }, 0},
		{"answer too long", func(f *knowledge.FAQ) { f.Answer = strings.Repeat("长", knowledge.MaxReplyBytes/3+1) }, 0},
		{"negative seq", func(f *knowledge.FAQ) { f.Report, f.Seq = "r", -1 }, 0},
		{"revision without ID", func(f *knowledge.FAQ) { f.ID = "" }, stored.Rev},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := stored.FAQ
			f.Questions = append([]string(nil), f.Questions...)
			tt.edit(&f)
			_, err := db.SaveFAQ(t.Context(), f, tt.rev, "编辑甲")
			wantErr(t, "SaveFAQ", err, console.ErrInvalid)
			list, _ := db.FAQs(t.Context())
			wantEqual(t, "FAQs", list, []console.FAQEntry{stored})
		})
	}
	if n := len(auditOf(t, db)); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

func testFAQConcurrentEdit(t *testing.T, h harness) {
	loc := h.NewLocation(t)
	dbs := []*sqldb.DB{h.open(t, loc), h.open(t, loc)}
	entry := saveFAQ(t, dbs[0], faq("原"), 0)
	const rounds = 10
	for round := range rounds {
		editors := []string{"编辑甲", "编辑乙"}
		results := make([]console.FAQEntry, len(editors))
		errs := make([]error, len(editors))
		var wg sync.WaitGroup
		for i, editor := range editors {
			wg.Go(func() {
				f := entry.FAQ
				f.Answer = editor + "的答案"
				results[i], errs[i] = dbs[i].SaveFAQ(t.Context(), f, entry.Rev, editor)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner == -1:
				winner = i
			case err == nil:
				t.Fatalf("round %d: both editors won", round)
			default:
				wantErr(t, "loser's SaveFAQ", err, console.ErrConflict)
			}
		}
		if winner == -1 {
			t.Fatalf("round %d: nobody won: %v", round, errs)
		}
		got, err := dbs[1-winner].FAQ(t.Context(), entry.ID)
		wantErr(t, "FAQ", err, nil)
		wantEqual(t, "stored entry", got, results[winner])
		if got.Answer != editors[winner]+"的答案" || got.UpdatedBy != editors[winner] {
			t.Errorf("round %d: stored %+v, want the winner %s's", round, got, editors[winner])
		}
		entry = got
	}
	if n := len(auditOf(t, dbs[0])); n != 1+rounds {
		t.Errorf("%d audit entries, want %d", n, 1+rounds)
	}
}

func testTermFiles(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	syn, syn2 := fixture(t, "synonyms.txt"), fixture(t, "synonyms-v2.txt")

	files, err := db.TermFiles(ctx)
	if err != nil || files == nil || len(files) != 0 {
		t.Fatalf("TermFiles of a new database: %#v, %v", files, err)
	}
	_, err = db.TermFile(ctx, knowledge.SynonymsFile)
	wantErr(t, "TermFile never saved", err, console.ErrNotFound)
	_, err = db.TermFile(ctx, "passwords.txt")
	wantErr(t, "TermFile of an unknown name", err, console.ErrInvalid)

	before := time.Now()
	first := saveTerms(t, db, knowledge.SynonymsFile, syn, 0)
	if first.Name != knowledge.SynonymsFile || first.Text != syn || first.Rev <= 0 || first.UpdatedBy != "编辑甲" {
		t.Errorf("SaveTermFile: %+v", first)
	}
	inRange(t, "UpdatedAt", first.UpdatedAt, before, time.Now())
	got, err := db.TermFile(ctx, knowledge.SynonymsFile)
	wantErr(t, "TermFile", err, nil)
	wantEqual(t, "TermFile", got, first)

	tests := []struct {
		name, file, text string
		rev              int64
		wantErr          error
	}{
		{"unknown name", "../synonyms.txt", syn, 0, console.ErrInvalid},
		{"text LoadTerms rejects", knowledge.SynonymsFile, fixture(t, "synonyms-bad.txt"), 0, console.ErrInvalid},
		{"revision of a file never saved", knowledge.StopwordsFile, "吗", first.Rev, console.ErrConflict},
		{"current revision", knowledge.SynonymsFile, syn2, first.Rev, nil},
		{"stale revision", knowledge.SynonymsFile, syn, first.Rev, console.ErrConflict},
		{"unchecked", knowledge.DepartmentsFile, fixture(t, "departments.txt"), 0, nil},
		{"empty list", knowledge.StopwordsFile, "", 0, nil},
	}
	want := map[string]string{knowledge.SynonymsFile: syn}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved, err := db.SaveTermFile(ctx, tt.file, tt.text, tt.rev, "编辑乙")
			wantErr(t, "SaveTermFile", err, tt.wantErr)
			if err == nil {
				want[tt.file] = tt.text
				if saved.Rev <= first.Rev {
					t.Errorf("revision %d not above %d", saved.Rev, first.Rev)
				}
			}
			files, err := db.TermFiles(ctx)
			wantErr(t, "TermFiles", err, nil)
			wantEqual(t, "TermFiles", files, want)
		})
	}
	// Each save records the lines it added and removed (the empty list
	// saved over nothing changed no line).
	wantEqual(t, "audit", changesOf(t, db), []change{
		{"编辑甲", console.ActionTermsSave, "terms:synonyms.txt", console.TermsChange{
			Added: []string{"# 测试用同义词表(虚构)。", "罚款 罚钱 罚金", "行政复议 复议"}}.Detail()},
		{"编辑乙", console.ActionTermsSave, "terms:synonyms.txt", console.TermsChange{
			Added:   []string{"# 测试用同义词表(虚构),第二版。", "罚款 罚钱 罚金 罚没款", "法律顾问 律师"},
			Removed: []string{"# 测试用同义词表(虚构)。", "罚款 罚钱 罚金"}}.Detail()},
		{"编辑乙", console.ActionTermsSave, "terms:departments.txt", console.TermsChange{
			Added: []string{"# 测试用部门表(虚构)。", "江津区示例局 示例局"}}.Detail()},
		{"编辑乙", console.ActionTermsSave, "terms:stopwords.txt", ""},
	})
}

func testSeedTermFiles(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	syn, syn2 := fixture(t, "synonyms.txt"), fixture(t, "synonyms-v2.txt")
	dep, stop := fixture(t, "departments.txt"), fixture(t, "stopwords.txt")
	saveTerms(t, db, knowledge.SynonymsFile, syn2, 0)

	steps := []struct {
		name    string
		seed    map[string]string
		wantErr error
		want    map[string]string
	}{
		{"only unsaved names", map[string]string{knowledge.SynonymsFile: syn, knowledge.DepartmentsFile: dep},
			nil, map[string]string{knowledge.SynonymsFile: syn2, knowledge.DepartmentsFile: dep}},
		{"seeded names stay", map[string]string{knowledge.DepartmentsFile: "江津区另一局", knowledge.StopwordsFile: stop},
			nil, map[string]string{knowledge.SynonymsFile: syn2, knowledge.DepartmentsFile: dep, knowledge.StopwordsFile: stop}},
		{"unknown name stores nothing", map[string]string{knowledge.DictFile: "行政复议", "other.txt": ""},
			console.ErrInvalid, map[string]string{knowledge.SynonymsFile: syn2, knowledge.DepartmentsFile: dep, knowledge.StopwordsFile: stop}},
		{"invalid text stores nothing", map[string]string{knowledge.DictFile: "行政复议", knowledge.SynonymsFile: fixture(t, "synonyms-bad.txt")},
			console.ErrInvalid, map[string]string{knowledge.SynonymsFile: syn2, knowledge.DepartmentsFile: dep, knowledge.StopwordsFile: stop}},
	}
	for _, step := range steps {
		wantErr(t, step.name, db.SeedTermFiles(ctx, step.seed), step.wantErr)
		files, err := db.TermFiles(ctx)
		wantErr(t, step.name+": TermFiles", err, nil)
		wantEqual(t, step.name+": TermFiles", files, step.want)
	}
	if f, err := db.TermFile(ctx, knowledge.DepartmentsFile); err != nil || f.UpdatedBy != console.SeedActor {
		t.Errorf("seeded file: %+v, %v", f, err)
	}
	wantEqual(t, "audit", changesOf(t, db), []change{
		{"编辑甲", console.ActionTermsSave, "terms:synonyms.txt", console.TermsChange{
			Added: []string{"# 测试用同义词表(虚构),第二版。", "罚款 罚钱 罚金 罚没款", "行政复议 复议", "法律顾问 律师"}}.Detail()},
		{console.SeedActor, console.ActionTermsSeed, "terms:departments.txt", ""},
		{console.SeedActor, console.ActionTermsSeed, "terms:stopwords.txt", ""},
	})
}

// fillDraft stores a draft with two reports, two FAQ entries and two term
// files, all carrying tag, and returns it as Draft should.
func fillDraft(t *testing.T, db *sqldb.DB, tag string) *knowledge.Content {
	t.Helper()
	a, b := fictional("a", 3, tag+"甲"), fictional("b", 2, tag+"乙")
	save(t, db, b, a)
	f1, f2 := faq(tag+"一"), faq(tag+"二")
	f2.Report, f2.Seq = "a", 1
	e1, e2 := saveFAQ(t, db, f1, 0), saveFAQ(t, db, f2, 0)
	dict := "行政复议\n" + tag + "\n"
	saveTerms(t, db, knowledge.DictFile, dict, 0)
	saveTerms(t, db, knowledge.SynonymsFile, fixture(t, "synonyms.txt"), 0)
	return &knowledge.Content{
		Reports:   []*knowledge.Report{a, b},
		FAQs:      []knowledge.FAQ{e1.FAQ, e2.FAQ},
		TermFiles: map[string]string{knowledge.DictFile: dict, knowledge.SynonymsFile: fixture(t, "synonyms.txt")},
	}
}

func testDraft(t *testing.T, h harness) {
	db := h.fresh(t)
	wantEqual(t, "Draft of a new database", draftOf(t, db), &knowledge.Content{TermFiles: map[string]string{}})
	want := fillDraft(t, db, "草稿")
	wantEqual(t, "Draft", draftOf(t, db), want)

	// Edits show up in the draft.
	p, err := db.UpdatePassage(t.Context(), "b", 0, "改过的段落", []string{"改"}, 0, "编辑甲")
	if err != nil {
		t.Fatal(err)
	}
	want.Reports[1].Passages[0] = p.Passage
	if err := db.DeleteFAQ(t.Context(), want.FAQs[0].ID, 0, "编辑甲"); err != nil {
		t.Fatal(err)
	}
	want.FAQs = want.FAQs[1:]
	wantEqual(t, "Draft after edits", draftOf(t, db), want)
	wantEqual(t, "Reports", reportsOf(t, db), want.Reports)
	files, _ := db.TermFiles(t.Context())
	wantEqual(t, "TermFiles", files, want.TermFiles)
}
