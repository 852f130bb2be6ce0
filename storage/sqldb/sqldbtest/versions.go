package sqldbtest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

func loadVersion(t *testing.T, db *sqldb.DB, id console.VersionID) *knowledge.Content {
	t.Helper()
	c, err := db.LoadVersion(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadVersion(%d): %v", id, err)
	}
	return c
}

func liveID(t *testing.T, db *sqldb.DB) console.VersionID {
	t.Helper()
	v, err := db.LiveVersion(t.Context())
	if err != nil {
		t.Fatalf("LiveVersion: %v", err)
	}
	if !v.Live || v.Status != console.StatusPublished {
		t.Errorf("LiveVersion: %+v", v)
	}
	return v.ID
}

func testPublish(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	_, err := db.Publish(ctx, "管理员", "空的")
	wantErr(t, "Publish of an empty draft", err, console.ErrInvalid)
	_, err = db.LiveVersion(ctx)
	wantErr(t, "LiveVersion of a new database", err, console.ErrNotFound)

	draft := fillDraft(t, db, "第一版")
	before := time.Now()
	v1, err := db.Publish(ctx, "管理员", "首次发布")
	if err != nil {
		t.Fatal(err)
	}
	inRange(t, "CreatedAt", v1.CreatedAt, before, time.Now())
	want := console.Version{ID: 1, Status: console.StatusPublished, CreatedAt: v1.CreatedAt, CreatedBy: "管理员",
		Summary: "首次发布", ApprovedBy: "管理员", ApprovedAt: v1.CreatedAt, Live: true}
	wantEqual(t, "Publish", v1, want)
	live, err := db.LiveVersion(ctx)
	wantErr(t, "LiveVersion", err, nil)
	wantEqual(t, "LiveVersion", live, v1)
	wantEqual(t, "LoadVersion equals the draft", loadVersion(t, db, 1), draft)

	// An unchanged draft makes no version, published or submitted.
	audit := auditOf(t, db)
	_, err = db.Publish(ctx, "管理员", "没有改动")
	wantErr(t, "Publish of an unchanged draft", err, console.ErrUnchanged)
	_, err = db.Submit(ctx, "编辑甲", "没有改动")
	wantErr(t, "Submit of an unchanged draft", err, console.ErrUnchanged)
	if vs, _ := db.Versions(ctx); len(vs) != 1 {
		t.Errorf("%d versions after refused publishes, want 1", len(vs))
	}
	wantEqual(t, "audit after refused publishes", auditOf(t, db), audit)

	// Editing the draft leaves the version alone.
	if _, err := db.UpdatePassage(ctx, "a", 0, "改过的段落", nil, 0, "编辑甲"); err != nil {
		t.Fatal(err)
	}
	saveFAQ(t, db, faq("新增"), 0)
	wantEqual(t, "LoadVersion after edits", loadVersion(t, db, 1), draft)
	if id := liveID(t, db); id != 1 {
		t.Errorf("live version %d, want 1", id)
	}

	v2, err := db.Publish(ctx, "管理员乙", "第二版")
	if err != nil {
		t.Fatal(err)
	}
	if v2.ID != 2 || !v2.Live {
		t.Errorf("second Publish: %+v", v2)
	}
	wantEqual(t, "LoadVersion(2)", loadVersion(t, db, 2), draftOf(t, db))
	before2, err := db.PublishedBefore(ctx, 2)
	wantErr(t, "PublishedBefore(2)", err, nil)
	if before2.ID != 1 {
		t.Errorf("PublishedBefore(2) = %d, want 1", before2.ID)
	}
	_, err = db.PublishedBefore(ctx, 1)
	wantErr(t, "PublishedBefore(1)", err, console.ErrNotFound)
	_, err = db.PublishedBefore(ctx, 99)
	wantErr(t, "PublishedBefore(99)", err, console.ErrNotFound)
	versions, err := db.Versions(ctx)
	wantErr(t, "Versions", err, nil)
	v1.Live = false
	wantEqual(t, "Versions", versions, []console.Version{v2, v1})
	got, err := db.Version(ctx, 1)
	wantErr(t, "Version", err, nil)
	wantEqual(t, "Version(1)", got, v1)
	_, err = db.LoadVersion(ctx, 99)
	wantErr(t, "LoadVersion(99)", err, console.ErrNotFound)
	_, err = db.Version(ctx, 99)
	wantErr(t, "Version(99)", err, console.ErrNotFound)

	changes := changesOf(t, db)
	wantEqual(t, "audit of publications", []change{changes[6], changes[len(changes)-1]}, []change{
		{"管理员", console.ActionVersionPublish, "version:1", "首次发布"},
		{"管理员乙", console.ActionVersionPublish, "version:2", "第二版"},
	})
}

func testApprovalFlow(t *testing.T, h harness) {
	tests := []struct {
		name      string
		published bool // a version is published before the submission
		approve   bool // approve, or else reject
	}{
		{"approve first version", false, true},
		{"approve over a live version", true, true},
		{"reject first version", false, false},
		{"reject keeps the live version", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := h.fresh(t)
			ctx := t.Context()
			var published *knowledge.Content
			var pubID console.VersionID
			if tt.published {
				published = fillDraft(t, db, "已发布")
				v, err := db.Publish(ctx, "管理员", "已发布")
				if err != nil {
					t.Fatal(err)
				}
				pubID = v.ID
			}
			submitted := fillDraft(t, db, "待审")
			if tt.published {
				submitted = draftOf(t, db)
			}
			sub, err := db.Submit(ctx, "编辑甲", "请审核")
			if err != nil {
				t.Fatal(err)
			}
			if sub.Status != console.StatusPending || sub.Live || sub.CreatedBy != "编辑甲" || sub.Summary != "请审核" || sub.ApprovedBy != "" || !sub.ApprovedAt.IsZero() {
				t.Errorf("Submit: %+v", sub)
			}
			wantEqual(t, "submitted snapshot", loadVersion(t, db, sub.ID), submitted)
			live, err := db.LiveVersion(ctx)
			if tt.published {
				if err != nil || live.ID != pubID {
					t.Errorf("LiveVersion after Submit: %+v, %v; want %d", live, err, pubID)
				}
			} else {
				wantErr(t, "LiveVersion after Submit", err, console.ErrNotFound)
			}

			// The draft moves on after the submission.
			if _, err := db.UpdatePassage(ctx, "a", 0, "提交之后的修改", nil, 0, "编辑甲"); err != nil {
				t.Fatal(err)
			}

			before := time.Now()
			var got console.Version
			want := sub
			if tt.approve {
				got, err = db.Approve(ctx, sub.ID, "管理员")
				want.Status, want.ApprovedBy, want.ApprovedAt, want.Live = console.StatusPublished, "管理员", got.ApprovedAt, true
				inRange(t, "ApprovedAt", got.ApprovedAt, before, time.Now())
			} else {
				got, err = db.Reject(ctx, sub.ID, "管理员", "数据有误")
				want.Status, want.RejectedBy, want.RejectedAt, want.RejectReason = console.StatusRejected, "管理员", got.RejectedAt, "数据有误"
				inRange(t, "RejectedAt", got.RejectedAt, before, time.Now())
			}
			wantErr(t, "Approve/Reject", err, nil)
			wantEqual(t, "decided version", got, want)
			wantEqual(t, "snapshot after the decision", loadVersion(t, db, sub.ID), submitted)

			live, err = db.LiveVersion(ctx)
			switch {
			case tt.approve:
				wantEqual(t, "LiveVersion", live, got)
			case tt.published:
				if err != nil || live.ID != pubID {
					t.Errorf("LiveVersion: %+v, %v; want %d", live, err, pubID)
				}
				wantEqual(t, "live content", loadVersion(t, db, live.ID), published)
			default:
				wantErr(t, "LiveVersion", err, console.ErrNotFound)
			}

			decision, detail := console.ActionVersionApprove, ""
			if !tt.approve {
				decision, detail = console.ActionVersionReject, "数据有误"
			}
			changes := changesOf(t, db)
			wantEqual(t, "audit", changes[len(changes)-3:], []change{
				{"编辑甲", console.ActionVersionSubmit, versionTargetOf(sub.ID), "请审核"},
				{"编辑甲", console.ActionPassageUpdate, "passage:a#0", ""},
				{"管理员", decision, versionTargetOf(sub.ID), detail},
			})
		})
	}

	t.Run("approving an older submission makes it live", func(t *testing.T) {
		db := h.fresh(t)
		old := fillDraft(t, db, "旧")
		sub, err := db.Submit(t.Context(), "编辑甲", "旧的")
		if err != nil {
			t.Fatal(err)
		}
		fillDraft(t, db, "新")
		if _, err := db.Publish(t.Context(), "管理员", "新的"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Approve(t.Context(), sub.ID, "管理员"); err != nil {
			t.Fatal(err)
		}
		if id := liveID(t, db); id != sub.ID {
			t.Errorf("live version %d, want the approved %d", id, sub.ID)
		}
		wantEqual(t, "live content", loadVersion(t, db, sub.ID), old)
		versions, _ := db.Versions(t.Context())
		var live []console.VersionID
		for _, v := range versions {
			if v.Live {
				live = append(live, v.ID)
			}
		}
		wantEqual(t, "live versions in Versions", live, []console.VersionID{sub.ID})
	})
}

func versionTargetOf(id console.VersionID) string {
	return "version:" + strconv.FormatInt(int64(id), 10)
}

func testApprovalErrors(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	fillDraft(t, db, "审核")
	published, err := db.Publish(ctx, "管理员", "直接发布")
	if err != nil {
		t.Fatal(err)
	}
	save(t, db, fictional("c", 1, "将通过"))
	approved, err := db.Submit(ctx, "编辑甲", "将通过")
	if err != nil {
		t.Fatal(err)
	}
	save(t, db, fictional("c", 1, "将驳回"))
	rejected, err := db.Submit(ctx, "编辑甲", "将驳回")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Approve(ctx, approved.ID, "管理员"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reject(ctx, rejected.ID, "管理员", "不行"); err != nil {
		t.Fatal(err)
	}
	versions, _ := db.Versions(ctx)
	audit := auditOf(t, db)

	tests := []struct {
		name    string
		approve bool
		id      console.VersionID
		wantErr error
	}{
		{"approve approved", true, approved.ID, console.ErrConflict},
		{"approve rejected", true, rejected.ID, console.ErrConflict},
		{"approve published", true, published.ID, console.ErrConflict},
		{"approve missing", true, 99, console.ErrNotFound},
		{"reject approved", false, approved.ID, console.ErrConflict},
		{"reject rejected", false, rejected.ID, console.ErrConflict},
		{"reject missing", false, 99, console.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.approve {
				_, err = db.Approve(ctx, tt.id, "管理员乙")
			} else {
				_, err = db.Reject(ctx, tt.id, "管理员乙", "再驳回")
			}
			wantErr(t, "Approve/Reject", err, tt.wantErr)
			got, _ := db.Versions(ctx)
			wantEqual(t, "Versions", got, versions)
			wantEqual(t, "Audit", auditOf(t, db), audit)
		})
	}
}

func testRestore(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	first := fillDraft(t, db, "第一版")
	firstImports := listOf(t, db) // imported by 测试员
	if _, err := db.Publish(ctx, "管理员", "第一版"); err != nil {
		t.Fatal(err)
	}
	fillDraft(t, db, "第二版")
	save(t, db, fictional("c", 1, "第二版丙"))
	saveTerms(t, db, knowledge.StopwordsFile, fixture(t, "stopwords.txt"), 0)
	if _, err := db.Publish(ctx, "管理员", "第二版"); err != nil {
		t.Fatal(err)
	}
	saveFAQ(t, db, faq("待审"), 0)
	pending, err := db.Submit(ctx, "编辑甲", "待审")
	if err != nil {
		t.Fatal(err)
	}
	// Unpublished edits, with revisions an editor holds.
	faqs, _ := db.FAQs(ctx)
	held := faqs[0]
	heldPassage, _ := db.Passage(ctx, "a", 0)
	heldTerms, _ := db.TermFile(ctx, knowledge.StopwordsFile)
	saveFAQ(t, db, faq("未发布"), 0)

	_, err = db.Restore(ctx, pending.ID, "管理员")
	wantErr(t, "Restore of a pending version", err, console.ErrInvalid)
	_, err = db.PublishedBefore(ctx, pending.ID)
	wantErr(t, "PublishedBefore of a pending version", err, console.ErrInvalid)
	_, err = db.Restore(ctx, 99, "管理员")
	wantErr(t, "Restore of a missing version", err, console.ErrNotFound)

	before := time.Now()
	v, err := db.Restore(ctx, 1, "管理员乙")
	if err != nil {
		t.Fatal(err)
	}
	inRange(t, "CreatedAt", v.CreatedAt, before, time.Now())
	wantEqual(t, "Restore", v, console.Version{ID: 4, Status: console.StatusPublished, CreatedAt: v.CreatedAt,
		CreatedBy: "管理员乙", Summary: "恢复自版本 1", ApprovedBy: "管理员乙", ApprovedAt: v.CreatedAt,
		RestoredFrom: 1, Live: true})
	if id := liveID(t, db); id != 4 {
		t.Errorf("live version %d, want 4", id)
	}
	wantEqual(t, "restored version's content", loadVersion(t, db, 4), first)
	wantEqual(t, "draft after restore", draftOf(t, db), first)
	// Each report keeps who imported it and when, not the restorer.
	wantEqual(t, "reports after restore", listOf(t, db), firstImports)
	changes := changesOf(t, db)
	wantEqual(t, "audit of the restore", changes[len(changes)-1], change{"管理员乙", console.ActionVersionRestore, "version:4", "version:1"})

	// Editors of the old draft get conflicts.
	_, err = db.SaveFAQ(ctx, held.FAQ, held.Rev, "编辑甲")
	wantErr(t, "SaveFAQ with a revision from before the restore", err, console.ErrConflict)
	_, err = db.UpdatePassage(ctx, "a", 0, "旧编辑", nil, heldPassage.Rev, "编辑甲")
	wantErr(t, "UpdatePassage with a revision from before the restore", err, console.ErrConflict)
	_, err = db.SaveTermFile(ctx, knowledge.StopwordsFile, "吗", heldTerms.Rev, "编辑甲")
	wantErr(t, "SaveTermFile with a revision from before the restore", err, console.ErrConflict)
	// The term file version 1 lacked is gone from the draft, and is not
	// seeded again: it has been saved before.
	_, err = db.TermFile(ctx, knowledge.StopwordsFile)
	wantErr(t, "TermFile dropped by the restore", err, console.ErrNotFound)
	wantErr(t, "SeedTermFiles", db.SeedTermFiles(ctx, map[string]string{knowledge.StopwordsFile: "吗"}), nil)
	wantEqual(t, "draft after seeding", draftOf(t, db), first)

	// The pending version is untouched and can still be approved.
	if _, err := db.Approve(ctx, pending.ID, "管理员"); err != nil {
		t.Errorf("Approve after restore: %v", err)
	}
	changes = changesOf(t, db)
	wantEqual(t, "audit of the restore", changes[len(changes)-2], change{"管理员乙", console.ActionVersionRestore, "version:4", "version:1"})
}

func testConcurrentPublish(t *testing.T, h harness) {
	loc := h.NewLocation(t)
	dbs := []*sqldb.DB{h.open(t, loc), h.open(t, loc)}
	fillDraft(t, dbs[0], "并发")
	const each = 10
	ids := make([][]console.VersionID, len(dbs))
	errs := make(chan error, len(dbs)*each*2)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			for k := range each {
				// Each handle edits its own passage, then publishes; the
				// other handle's publish may have taken the edit already,
				// which leaves this one nothing to publish.
				text := fmt.Sprintf("并发修改：第%d个连接第%d次", i, k)
				if _, err := db.UpdatePassage(t.Context(), "a", i, text, nil, 0, "编辑甲"); err != nil {
					errs <- err
					continue
				}
				v, err := db.Publish(t.Context(), "管理员", "并发发布")
				if errors.Is(err, console.ErrUnchanged) {
					continue
				}
				if err != nil {
					errs <- err
					continue
				}
				ids[i] = append(ids[i], v.ID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantEqual(t, "live content after concurrent publishes", loadVersion(t, dbs[0], liveID(t, dbs[0])), draftOf(t, dbs[1]))
	var all []console.VersionID
	for i, list := range ids {
		if !slices.IsSorted(list) {
			t.Errorf("handle %d got IDs out of order: %v", i, list)
		}
		all = append(all, list...)
	}
	slices.Sort(all)
	if len(all) < each {
		t.Errorf("%d versions published, want at least %d (every edit is published by someone)", len(all), each)
	}
	var want []console.VersionID
	for id := range console.VersionID(len(all)) {
		want = append(want, id+1)
	}
	wantEqual(t, "all IDs", all, want)
	versions, err := dbs[1].Versions(t.Context())
	wantErr(t, "Versions", err, nil)
	for i, v := range versions {
		if v.ID != want[len(want)-1-i] || v.Live != (i == 0) {
			t.Errorf("Versions[%d] = %+v", i, v)
		}
	}
	if id := liveID(t, dbs[1]); id != want[len(want)-1] {
		t.Errorf("live version %d, want %d", id, want[len(want)-1])
	}
}
