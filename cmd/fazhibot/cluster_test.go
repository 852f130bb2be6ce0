package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fazhibot/publishing"
	"fazhibot/storage/redisstore"
)

const (
	// sthjj2021Report adds the 2021 report of the environment bureau;
	// sthjj2021Question is answered only by it, with sthjj2021Figure.
	sthjj2021Report   = "../../knowledge/testdata/reports/jj-sthjj-2021.txt"
	sthjj2021Question = "生态环境局2021年罚款多少"
	sthjj2021Figure   = "412.36万元"

	// followTimeout is how soon another instance must serve a version
	// published through the console (the Redis announcement).
	followTimeout = 5 * time.Second
)

// publishResult is the console API's answer to a publish.
type publishResult struct {
	Version struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Live   bool   `json:"live"`
	} `json:"version"`
	Warning string `json:"warning"`
}

// saveAndPublish saves the upload preview id to the draft and publishes
// the draft through the console API at base; it returns the version.
func saveAndPublish(t *testing.T, base, token, previewID, summary string) publishResult {
	t.Helper()
	var saved struct {
		Saved []struct {
			ID string `json:"id"`
		} `json:"saved"`
	}
	bearerJSON(t, http.MethodPost, base+"/api/v1/admin/uploads/"+previewID+"/save", token, map[string]any{}, http.StatusOK, &saved)
	if len(saved.Saved) != 1 || saved.Saved[0].ID != "jj-sfj-2021" {
		t.Fatalf("saved %+v, want jj-sfj-2021", saved)
	}
	var pub publishResult
	bearerJSON(t, http.MethodPost, base+"/api/v1/admin/versions/publish", token, map[string]string{"summary": summary}, http.StatusCreated, &pub)
	if pub.Warning != "" || !pub.Version.Live || pub.Version.Status != "published" {
		t.Fatalf("publish = %+v, want a live version without warning", pub)
	}
	return pub
}

// TestTwoInstancesFollowPublish runs two instances on one PostgreSQL schema
// and one Redis, with a reload interval of an hour: a version published on
// A's console must reach B's citizens within followTimeout, which only the
// Redis announcement can explain. A third instance without Redis serves the
// new version from its start, and follows a publish made on the command
// line (no announcement) through its periodic check.
func TestTwoInstancesFollowPublish(t *testing.T) {
	tag := uniqueTag()
	apiToken := "cluster-" + tag
	admin, password := "admin-"+tag, "cluster-password-1"
	common := map[string]string{
		"FAZHIBOT_DATABASE_URL":              postgresSchemaURL(t),
		"FAZHIBOT_KNOWLEDGE_DICT_DIR":        "../../configs/jieba",
		"FAZHIBOT_SERVER_LISTEN":             "127.0.0.1:0",
		"FAZHIBOT_API_TOKENS":                apiToken,
		"FAZHIBOT_KNOWLEDGE_RELOAD_INTERVAL": "1h",
		"FAZHIBOT_REDIS_RATE_LIMIT":          "0", // the polls below ask often
	}
	clustered := withVars(common, "FAZHIBOT_REDIS_URL", programRedisURL(t, tag))

	// A seeds the empty schema and publishes version 1; B starts on it.
	a := startInstance(t, "A", mapEnv(clustered))
	b := startInstance(t, "B", mapEnv(clustered))
	for _, s := range []*servedInstance{a, b} {
		if out := s.stdout.String(); !strings.Contains(out, "知识库版本 1:") {
			t.Fatalf("%s did not start on version 1:\n%s", s.base, out)
		}
		if got := mustAsk(t, s.base, apiToken, "cluster-"+tag, sfjQuestion); got.Answered || !strings.Contains(got.Reply, sfjNotCovered) {
			t.Fatalf("%s answers %q before the publish: %+v", s.base, sfjQuestion, got)
		}
	}

	// An admin (in the shared database) publishes the report on A.
	runCommand(t, mapEnv(common), password+"\n", "user", "add", admin, "--role", "admin")
	token := consoleToken(t, a.base, admin, password)
	preview := uploadReports(t, a.base, token, copyReport(t, sfjReport))
	if len(preview.Files) != 1 || !preview.Files[0].OK || preview.Files[0].Report == nil || preview.Files[0].Report.ID != "jj-sfj-2021" {
		t.Fatalf("upload preview %+v", preview)
	}
	var figure bool
	for _, p := range preview.Files[0].Report.Passages {
		figure = figure || strings.Contains(p.Text, "全年共收到行政复议申请186件")
	}
	if !figure {
		t.Fatal("the preview lacks the passage with 186件")
	}
	pub := saveAndPublish(t, a.base, token, preview.ID, "导入司法局2021年度报告")
	if pub.Version.ID != 2 {
		t.Fatalf("published version %d, want 2", pub.Version.ID)
	}

	// A reloaded before answering the publish.
	if got := mustAsk(t, a.base, apiToken, "cluster-"+tag, sfjQuestion); !strings.Contains(got.Reply, sfjFigure) {
		t.Errorf("A right after its publish answers %+v", got)
	}
	// B follows on the announcement.
	var last askReply
	took, ok := pollUntil(followTimeout, 50*time.Millisecond, func() bool {
		last = mustAsk(t, b.base, apiToken, "cluster-"+tag, sfjQuestion)
		return last.Answered && strings.Contains(last.Reply, sfjFigure)
	})
	if !ok {
		t.Fatalf("B still answers %+v %v after the publish on A (want %s within %v)", last, took, sfjFigure, followTimeout)
	}
	t.Logf("B served version 2 %v after A's publish returned", took)
	if v := metricValue(t, b.base, "fazhibot_knowledge_version"); v != "2" {
		t.Errorf("B's fazhibot_knowledge_version = %q, want 2", v)
	}

	t.Run("catch-up without Redis", func(t *testing.T) {
		alone := withVars(common, "FAZHIBOT_KNOWLEDGE_RELOAD_INTERVAL", "2s")
		c := startInstance(t, "C", mapEnv(alone))
		if out := c.stdout.String(); !strings.Contains(out, "知识库版本 2:") {
			t.Errorf("C did not start on version 2:\n%s", out)
		}
		if got := mustAsk(t, c.base, apiToken, "cluster-"+tag, sfjQuestion); !strings.Contains(got.Reply, sfjFigure) {
			t.Errorf("C answers %+v, want %s", got, sfjFigure)
		}
		if got := mustAsk(t, c.base, apiToken, "cluster-"+tag, sthjj2021Question); got.Answered || strings.Contains(got.Reply, sthjj2021Figure) {
			t.Fatalf("C answers %q before it was published: %+v", sthjj2021Question, got)
		}

		// A publish in the database only: without redis.url the command line
		// cannot announce.
		runCommand(t, mapEnv(alone), "", "kb", "import", sthjj2021Report)
		if out := runCommand(t, mapEnv(alone), "", "kb", "publish", "-m", "导入生态环境局2021年度报告"); !strings.Contains(out, "已发布版本 3") {
			t.Fatalf("kb publish printed %q, want version 3", out)
		}
		var last askReply
		took, ok := pollUntil(10*time.Second, 100*time.Millisecond, func() bool {
			last = mustAsk(t, c.base, apiToken, "cluster-"+tag, sthjj2021Question)
			return last.Answered && strings.Contains(last.Reply, sthjj2021Figure)
		})
		if !ok {
			t.Fatalf("C still answers %+v %v after kb publish (reload interval 2s)", last, took)
		}
		t.Logf("C served version 3 %v after kb publish", took)
		if v := metricValue(t, c.base, "fazhibot_knowledge_version"); v != "3" {
			t.Errorf("C's fazhibot_knowledge_version = %q, want 3", v)
		}
		// For contrast (not asserted: the announcement channel is shared
		// with every instance on this Redis, so another test's publish can
		// wake B): B checks hourly and heard nothing.
		t.Logf("B's version after the command-line publish: %s", metricValue(t, b.base, "fazhibot_knowledge_version"))
	})

	// With redis.url set, the command line announces like the console: B,
	// checking hourly, serves a CLI publish and a CLI restore at once, and a
	// plain subscriber on the channel hears each new version.
	t.Run("command line announces", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sub, err := redisstore.Open(ctx, clustered["FAZHIBOT_REDIS_URL"], redisstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		heard := sub.Subscribe(ctx, publishing.Channel)

		steps := []struct {
			name    string
			args    []string
			printed string // what the command prints before the version
			answers bool   // whether the new version answers sthjj2021Question
		}{
			// The restore comes first: the draft then lacks the report the
			// publish imports again, so the publish has a change to make.
			{"kb restore", []string{"kb", "restore", "2"}, "已恢复:新版本 ", false},
			{"kb publish", []string{"kb", "publish", "-m", "命令行发布"}, "已发布版本 ", true},
		}
		for _, step := range steps {
			if step.answers {
				runCommand(t, mapEnv(clustered), "", "kb", "import", sthjj2021Report)
			}
			out := runCommand(t, mapEnv(clustered), "", step.args...)
			_, after, _ := strings.Cut(out, step.printed)
			var id int64
			if _, err := fmt.Sscanf(after, "%d", &id); err != nil {
				t.Fatalf("%s printed %q, want %q and a version", step.name, out, step.printed)
			}
			version := fmt.Sprint(id)
			if !heardVersion(heard, version, followTimeout) {
				t.Errorf("%s: no announcement of version %s on %q", step.name, version, publishing.Channel)
			}
			var last askReply
			took, ok := pollUntil(cliFollowTimeout, 50*time.Millisecond, func() bool {
				last = mustAsk(t, b.base, apiToken, "cluster-"+tag, sthjj2021Question)
				return metricValue(t, b.base, "fazhibot_knowledge_version") == version &&
					strings.Contains(last.Reply, sthjj2021Figure) == step.answers
			})
			if !ok {
				t.Fatalf("%s: B serves version %s and answers %+v %v after version %s went live (reload interval 1h, want it within %v)",
					step.name, metricValue(t, b.base, "fazhibot_knowledge_version"), last, took, version, cliFollowTimeout)
			}
			t.Logf("%s: B served version %s %v after the command returned", step.name, version, took)
		}
	})
}

// cliFollowTimeout is how soon a running instance must serve a version
// that went live on the command line with Redis configured.
const cliFollowTimeout = 2 * time.Second

// heardVersion reports whether version is among the messages on heard
// within timeout (others' announcements are skipped).
func heardVersion(heard <-chan string, version string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-heard:
			if !ok {
				return false
			}
			if m == version {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// TestPublishUnderLoad asks one instance 1,000 questions from 20 citizens
// at once while a version is published through its console midway. Every
// ask must succeed, every reply must come from exactly one version, and
// no ask may see the old version once an earlier one saw the new.
func TestPublishUnderLoad(t *testing.T) {
	const (
		asks         = 1000
		workers      = 20
		publishAt    = asks / 2 // the publish starts when this ask starts
		afterPublish = 100      // the last asks wait for the publish to return
	)
	tag := uniqueTag()
	apiToken := "load-" + tag
	admin, password := "admin-"+tag, "load-password-1"
	getenv := mapEnv(map[string]string{
		"FAZHIBOT_DATABASE_URL":              "sqlite:" + filepath.Join(t.TempDir(), "fazhibot.db"),
		"FAZHIBOT_KNOWLEDGE_DICT_DIR":        "../../configs/jieba",
		"FAZHIBOT_SERVER_LISTEN":             "127.0.0.1:0",
		"FAZHIBOT_API_TOKENS":                apiToken,
		"FAZHIBOT_REDIS_RATE_LIMIT":          "0",  // 50 asks a citizen
		"FAZHIBOT_KNOWLEDGE_RELOAD_INTERVAL": "1h", // only the console's publish reloads
	})
	// Version 1 is the bundled report; the draft adds the 2021 report of
	// the justice bureau, which the publish makes version 2.
	runCommand(t, getenv, "", "kb", "import", sfjReport)
	runCommand(t, getenv, password+"\n", "user", "add", admin, "--role", "admin")
	srv := startInstance(t, "serve", getenv)
	token := consoleToken(t, srv.base, admin, password)

	questions := []struct {
		text string
		// version tells which version a reply comes from: 1 or 2, 0 when
		// both give it, -1 when it comes from neither.
		version func(askReply) int
	}{
		{sfjQuestion, func(r askReply) int {
			switch {
			case !r.Answered && strings.Contains(r.Reply, sfjNotCovered) && len(r.Hits) == 0 && !strings.Contains(r.Reply, sfjFigure):
				return 1
			case r.Answered && strings.Contains(r.Reply, sfjFigure) && len(r.Hits) > 0 && r.Hits[0].ReportID == "jj-sfj-2021":
				return 2
			}
			return -1
		}},
		{bundledQuestion, func(r askReply) int {
			if !r.Answered || !strings.Contains(r.Reply, bundledFigure) || len(r.Hits) == 0 {
				return -1
			}
			for _, h := range r.Hits {
				if h.ReportID != "jj-sthjj-2020" {
					return -1
				}
			}
			return 0
		}},
	}

	type result struct {
		question   int
		start, end time.Time
		status     int
		reply      askReply
		err        error
	}
	results := make([]result, asks)
	var (
		next           atomic.Int64
		wg             sync.WaitGroup
		startPublish   = make(chan struct{})
		published      = make(chan struct{})
		closePublished sync.Once
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	for w := range workers {
		user := fmt.Sprintf("load-%s-%02d", tag, w)
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= asks {
					return
				}
				if i == publishAt {
					close(startPublish)
				}
				if i >= asks-afterPublish {
					<-published
				}
				q := i % len(questions)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				r := result{question: q, start: time.Now()}
				r.reply, r.status, r.err = askAPI(ctx, client, srv.base, apiToken, user, questions[q].text)
				r.end = time.Now()
				cancel()
				results[i] = r
			}
		})
	}
	defer func() { // also when the publish fails
		closePublished.Do(func() { close(published) })
		wg.Wait()
	}()

	<-startPublish
	publishStart := time.Now()
	var pub publishResult
	bearerJSON(t, http.MethodPost, srv.base+"/api/v1/admin/versions/publish", token, map[string]string{"summary": "导入司法局2021年度报告"}, http.StatusCreated, &pub)
	publishEnd := time.Now()
	closePublished.Do(func() { close(published) })
	if pub.Version.ID != 2 || !pub.Version.Live || pub.Warning != "" {
		t.Errorf("publish = %+v, want live version 2 without warning", pub)
	}
	wg.Wait()

	// Every ask succeeded with a reply of exactly one version.
	seen := map[int]int{}
	firstNew := time.Time{} // the earliest end of an ask that saw version 2
	var slowest time.Duration
	failures := 0
	for i, r := range results {
		slowest = max(slowest, r.end.Sub(r.start))
		v := -1
		if r.err == nil && r.status == http.StatusOK && r.reply.Reply != "" {
			v = questions[r.question].version(r.reply)
		}
		seen[v]++
		if v < 0 {
			if failures++; failures <= 5 {
				t.Errorf("ask %d %q: status %d, err %v, reply %+v: not a reply of version 1 or 2", i, questions[r.question].text, r.status, r.err, r.reply)
			}
			continue
		}
		if v == 2 && (firstNew.IsZero() || r.end.Before(firstNew)) {
			firstNew = r.end
		}
	}
	if failures > 0 {
		t.Fatalf("%d of %d asks failed or mixed versions", failures, asks)
	}
	// Versions only move forward: after the publish returned, and after
	// any ask saw version 2, no ask that started later sees version 1.
	during, backwards := 0, 0
	for i, r := range results {
		if r.start.Before(publishEnd) && r.end.After(publishStart) {
			during++
		}
		if questions[r.question].version(r.reply) != 1 {
			continue
		}
		var why string
		switch {
		case r.start.After(publishEnd):
			why = fmt.Sprintf("started %v after the publish returned", r.start.Sub(publishEnd))
		case !firstNew.IsZero() && r.start.After(firstNew):
			why = fmt.Sprintf("started %v after an ask had seen version 2", r.start.Sub(firstNew))
		default:
			continue
		}
		if backwards++; backwards <= 5 {
			t.Errorf("ask %d %s and got version 1", i, why)
		}
	}
	if backwards > 5 {
		t.Errorf("… %d asks in all went back to version 1", backwards)
	}
	if seen[1] == 0 || seen[2] < afterPublish/len(questions) {
		t.Errorf("replies by version %v: want both versions seen, and version 2 by at least the last %d asks' %d", seen, afterPublish, afterPublish/len(questions))
	}
	if v := metricValue(t, srv.base, "fazhibot_knowledge_version"); v != "2" {
		t.Errorf("fazhibot_knowledge_version = %q, want 2", v)
	}
	t.Logf("%d asks by %d citizens: %d from version 1, %d from version 2, %d from both; the publish took %v with %d asks in flight; slowest ask %v",
		asks, workers, seen[1], seen[2], seen[0], publishEnd.Sub(publishStart), during, slowest)
}
