// Benchmarks of the knowledge base at scale: search and answer latency over
// a generated knowledge base of 1,000, 5,000 and 10,000 reports (about 50
// passages each), a start from a snapshot of one, import throughput and
// the cost of Build.
//
// Run them with
//
//	go test ./knowledge/ -run '^$' -bench 'Search|Answer|Import|Build' -benchtime 2000x -timeout 30m
//	go test ./knowledge/ -run '^$' -bench 'Snapshot' -benchtime 2x -timeout 30m
//
// Add FAZHIBOT_BENCH_LARGE=1 to the environment to include reports=10000
// (about 500k passages; it needs about twice the time and memory of
// reports=5000); nothing else, -benchtime included, enables it. With -short
// only reports=1000 runs. Without -bench nothing
// here runs: the generator only starts inside a benchmark, so
// `go test ./knowledge/` stays fast.
//
// The metrics, besides ns/op, B/op and allocs/op:
//
//	BenchmarkSearch/reports=N  p50-ms, p99-ms   latency of one Base.Search over the b.N recorded calls
//	                           hits/op          hits returned per call (a sanity check: it must not be 0)
//	                           passages         passages indexed
//	                           build-s          wall time of knowledge.Build over the N reports
//	                           heap-MB          runtime HeapInuse after the build and a GC
//	                           rss-MB           VmRSS of the process after the build and a GC; it includes
//	                                            the segmenter's dictionaries (C++ memory, not Go heap)
//	                           build-peak-rss-MB  VmHWM during the build (reset after generating the reports,
//	                                            where the kernel allows: /proc/self/clear_refs); the Go
//	                                            collector lets the heap grow to about twice what is live, so
//	                                            this depends on GOGC and GOMEMLIMIT (logged with it)
//	BenchmarkAnswer/reports=N  p50-ms, p99-ms   the same for Base.Answer, which also picks and renders the excerpt
//	                           answered-%       share of questions answered rather than "not covered"
//	BenchmarkImport            MB/s, reports/s  knowledge.Parse + knowledge.AssignKeywords of the real
//	                                            sample files, one file per op (MB are file bytes)
//	                           parse-ms/op, keywords-ms/op  the two steps apart
//	BenchmarkBuild             passages/s       knowledge.Build of one generated report (~50 passages) per op
//	BenchmarkSnapshot/reports=N                 see its comment: a start from a snapshot in a new process
//
// BenchmarkSearch also logs a digest of every hit of its questions, scores
// to the last bit: a change meant only to make search faster must leave it
// as it was.
//
// None of them asserts a timing: speed goals are read from these figures.
// testdata/bench/README.md describes the generated data; BENCHMARKS.md at
// the module root records measured figures.
package knowledge_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fazhibot/knowledge"
)

// benchSeed seeds every random choice of the generator and of the question
// variants, so that each run indexes and asks exactly the same texts.
const benchSeed = 20240601

// benchSizes are the knowledge base sizes, in reports, that BenchmarkSearch
// and BenchmarkAnswer measure. Sizes above benchLargeSize need
// FAZHIBOT_BENCH_LARGE=1.
var benchSizes = []int{1000, 5000, 10000}

const benchLargeSize = 5000

// The generated reports cover these years and hold between
// benchMinPassages and benchMaxPassages passages.
const (
	benchFirstYear   = 2015
	benchLastYear    = 2030
	benchMinPassages = 45
	benchMaxPassages = 55
)

// benchNow is the clock of the generated bases, so 去年 is always 2023.
var benchNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// benchTemplateFiles are the sample reports whose passages are the templates
// of the generated ones; they are also the files BenchmarkImport imports.
var benchTemplateFiles = []string{
	"jj-sthjj-2020.txt", "jj-sthjj-2021.txt", "jj-sfj-2021.txt", "jj-scjgj-2022.txt",
	"jj-jtj-2020.html", "jj-rsj-2023.txt", "jj-zjw-2021.docx", "jj-qzf-2022.txt", "jj-jw-2022.txt",
}

// benchExtraDepartments complete the departments of configs/terms to about
// 40 district departments. A deployment with reports from that many
// departments would list them all in departments.txt, so they are added to
// the benchmark's Terms (and thus to the segmenter's words) too.
var benchExtraDepartments = []knowledge.Department{
	{Name: "江津区发展和改革委员会", Aliases: []string{"发展和改革委员会", "发改委"}},
	{Name: "江津区经济和信息化委员会", Aliases: []string{"经济和信息化委员会", "经信委"}},
	{Name: "江津区科学技术局", Aliases: []string{"科学技术局", "科技局"}},
	{Name: "江津区体育局", Aliases: []string{"体育局"}},
	{Name: "江津区大数据发展局", Aliases: []string{"大数据发展局", "大数据局"}},
	{Name: "江津区机关事务管理局", Aliases: []string{"机关事务管理局", "机关事务局"}},
	{Name: "江津区信访办公室", Aliases: []string{"信访办公室", "信访办"}},
	{Name: "江津区政务服务管理办公室", Aliases: []string{"政务服务管理办公室", "政务办"}},
	{Name: "江津区乡村振兴局", Aliases: []string{"乡村振兴局"}},
	{Name: "江津区人民防空办公室", Aliases: []string{"人民防空办公室", "人防办"}},
	{Name: "江津区粮食和物资储备局", Aliases: []string{"粮食和物资储备局", "粮食局"}},
	{Name: "江津区国有资产监督管理委员会", Aliases: []string{"国有资产监督管理委员会", "国资委"}},
	{Name: "江津区档案馆", Aliases: []string{"档案馆"}},
	{Name: "江津区消防救援支队", Aliases: []string{"消防救援支队", "消防支队"}},
	{Name: "江津区供销合作社", Aliases: []string{"供销合作社", "供销社"}},
}

// benchFixture is what every benchmark shares: loaded once per test binary.
type benchFixture struct {
	seg       *knowledge.Segmenter
	terms     *knowledge.Terms
	termFiles map[string]string   // the text of terms, for a Library
	files     []benchFile         // the template files as read, for BenchmarkImport
	templates []*knowledge.Report // the template files parsed, with keywords
	// conversations are the question turns of testdata/questions.jsonl
	// and their variants, one conversation per element.
	conversations [][]string
	rssMB         float64 // VmRSS once the segmenter is loaded, before any base
}

type benchFile struct {
	name string
	data []byte
}

var benchShared struct {
	once sync.Once
	fx   *benchFixture
	err  error
}

// loadBench loads the segmenter, the terms, the templates and the questions
// once per test binary.
func loadBench(b *testing.B) *benchFixture {
	b.Helper()
	benchShared.once.Do(func() { benchShared.fx, benchShared.err = newBenchFixture() })
	if benchShared.err != nil {
		b.Fatalf("loading the benchmark fixture: %v", benchShared.err)
	}
	return benchShared.fx
}

func newBenchFixture() (*benchFixture, error) {
	termFiles, err := knowledge.ReadTermFiles(os.DirFS("../configs/terms"))
	if err != nil {
		return nil, err
	}
	var depts strings.Builder
	depts.WriteString(termFiles[knowledge.DepartmentsFile])
	for _, d := range benchExtraDepartments {
		fmt.Fprintf(&depts, "\n%s %s", d.Name, strings.Join(d.Aliases, " "))
	}
	termFiles[knowledge.DepartmentsFile] = depts.String() + "\n"
	terms, err := knowledge.LoadTerms(knowledge.TermTexts(termFiles))
	if err != nil {
		return nil, err
	}
	seg, err := knowledge.NewSegmenter("../configs/jieba", terms.SegmenterWords())
	if err != nil {
		return nil, err
	}
	fx := &benchFixture{seg: seg, terms: terms, termFiles: termFiles}
	for _, name := range benchTemplateFiles {
		data, err := os.ReadFile(filepath.Join("testdata", "reports", name))
		if err != nil {
			return nil, err
		}
		r, err := knowledge.Parse(name, data)
		if err != nil {
			return nil, err
		}
		knowledge.AssignKeywords(r, seg)
		fx.files = append(fx.files, benchFile{name: name, data: data})
		fx.templates = append(fx.templates, r)
	}
	if fx.conversations, err = benchConversations(terms); err != nil {
		return nil, err
	}
	runtime.GC()
	debug.FreeOSMemory()
	fx.rssMB = benchStatusMB("VmRSS")
	return fx, nil
}

// The generator.
//
// Report i of a generated base belongs to department i mod 40 and to year
// 2015 + (i/40) mod 16, so every size spreads evenly over departments and
// years (at 5,000 reports each department has about 8 reports per year).
// Its passages are those of a randomly chosen sample report, in order,
// topped up with passages of other sample reports to 45–55 passages, with
// these changes to texts, headings and keywords:
//   - the template's department name becomes the new department's, and
//     its aliases of three or more characters become the new name without
//     江津区 (生态环境局 → 司法局);
//   - years (four-digit numbers 1990–2040) move by the difference between
//     the new year and the template's;
//   - every other figure has its digits mapped through a random permutation
//     of 0–9 drawn for the report (day and month numbers of dates are kept).
//
// Keywords are not recomputed with AssignKeywords (it would make generating
// 5,000 reports take minutes of gojieba time): each passage reuses its
// template passage's keywords, changed the same way as the text.
// BenchmarkImport measures AssignKeywords on its own.

// benchGenerate returns n generated reports. The same n always gives the
// same reports, and report i is the same whatever n.
func benchGenerate(fx *benchFixture, n int) []*knowledge.Report {
	out := make([]*knowledge.Report, n)
	for i := range out {
		out[i] = benchGenerateReport(fx, i)
	}
	return out
}

func benchGenerateReport(fx *benchFixture, i int) *knowledge.Report {
	rng := rand.New(rand.NewPCG(benchSeed, uint64(i)))
	depts := fx.terms.Departments
	dept := depts[i%len(depts)]
	year := benchFirstYear + (i/len(depts))%(benchLastYear-benchFirstYear+1)
	var perm [10]byte
	for k, d := range rng.Perm(10) {
		perm[k] = byte('0' + d)
	}
	t := fx.templates[rng.IntN(len(fx.templates))]
	tr := newBenchTransform(fx.terms, t, dept, year, perm)
	r := &knowledge.Report{
		ID:          knowledge.ReportID(fmt.Sprintf("gen-%05d", i)),
		Title:       tr.apply(t.Title),
		Department:  dept.Name,
		Year:        year,
		PublishDate: benchShiftDate(t.PublishDate, year-t.Year),
		DocNumber:   tr.apply(t.DocNumber),
		Format:      t.Format,
	}
	want := benchMinPassages + rng.IntN(benchMaxPassages-benchMinPassages+1)
	r.Passages = make([]knowledge.Passage, 0, want)
	src := t.Passages
	for len(r.Passages) < want {
		for _, p := range src {
			if len(r.Passages) == want {
				break
			}
			kws := make([]string, len(p.Keywords))
			for k, w := range p.Keywords {
				kws[k] = tr.apply(w)
			}
			path := make([]string, len(p.Path))
			for k, h := range p.Path {
				path[k] = tr.apply(h)
			}
			r.Passages = append(r.Passages, knowledge.Passage{
				Seq:      len(r.Passages),
				Path:     path,
				Text:     tr.apply(p.Text),
				Keywords: kws,
			})
		}
		// Top up from another template, without its 报告信息 header.
		t = fx.templates[rng.IntN(len(fx.templates))]
		tr = newBenchTransform(fx.terms, t, dept, year, perm)
		src = t.Passages[1:]
	}
	return r
}

// benchTransform rewrites a template's text for a generated report.
type benchTransform struct {
	names     *strings.Replacer
	yearDelta int
	perm      [10]byte
}

func newBenchTransform(terms *knowledge.Terms, t *knowledge.Report, dept knowledge.Department, year int, perm [10]byte) benchTransform {
	short := strings.TrimPrefix(dept.Name, "江津区") // 区司法局 → 区人民政府, not 区区政府
	pairs := []string{t.Department, dept.Name}
	for _, d := range terms.Departments {
		if d.Name != t.Department {
			continue
		}
		// Longer aliases first: the Replacer tries its pairs in order.
		aliases := slices.Clone(d.Aliases)
		slices.SortFunc(aliases, func(a, b string) int { return len(b) - len(a) })
		for _, a := range aliases {
			if utf8.RuneCountInString(a) >= 3 {
				pairs = append(pairs, a, short)
			}
		}
	}
	return benchTransform{names: strings.NewReplacer(pairs...), yearDelta: year - t.Year, perm: perm}
}

func (tr benchTransform) apply(s string) string {
	s = tr.names.Replace(s)
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); {
		if !benchIsDigit(s[i]) {
			sb.WriteByte(s[i]) // digits are ASCII, never inside a multi-byte rune
			i++
			continue
		}
		j := i
		for j < len(s) && benchIsDigit(s[j]) {
			j++
		}
		sb.WriteString(tr.number(s, i, j))
		i = j
	}
	return sb.String()
}

// number rewrites the digit run s[i:j].
func (tr benchTransform) number(s string, i, j int) string {
	run := s[i:j]
	if len(run) == 4 {
		if y, _ := strconv.Atoi(run); y >= 1990 && y <= 2040 {
			return strconv.Itoa(y + tr.yearDelta)
		}
	}
	if len(run) <= 2 && (i > 0 && s[i-1] == '-' || strings.HasPrefix(s[j:], "月") || strings.HasPrefix(s[j:], "日")) {
		return run // a month or a day
	}
	out := []byte(run)
	for k, c := range out {
		out[k] = tr.perm[c-'0']
	}
	if len(out) > 1 && out[0] == '0' {
		out[0] = '1' + byte(i%9) // no leading zero
	}
	return string(out)
}

func benchIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// benchShiftDate moves a YYYY-MM-DD date by delta years.
func benchShiftDate(date string, delta int) string {
	y, err := strconv.Atoi(date[:min(4, len(date))])
	if err != nil || len(date) < 4 {
		return date
	}
	return strconv.Itoa(y+delta) + date[4:]
}

// The questions.

var (
	benchYear4 = regexp.MustCompile(`20(1[5-9]|2\d|30)年`)
	benchYear2 = regexp.MustCompile(`(^|[^\d])(1[5-9]|2\d)年`)
)

// benchConversations reads the turns of testdata/questions.jsonl and adds,
// for each conversation that names a year or a department, a variant with
// another year (2015–2030) and one with another department, so that the
// questions reach the whole generated base.
func benchConversations(terms *knowledge.Terms) ([][]string, error) {
	f, err := os.Open(filepath.Join("testdata", "questions.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(benchSeed, 0))
	var out [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q struct {
			Turns []string `json:"turns"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("questions.jsonl: %w", err)
		}
		out = append(out, q.Turns)
		if v, ok := benchOtherYear(q.Turns, rng); ok {
			out = append(out, v)
		}
		if v, ok := benchOtherDepartment(q.Turns, terms.Departments, rng); ok {
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// benchOtherYear moves every year the turns name by the same random offset,
// keeping the years within 2015–2030.
func benchOtherYear(turns []string, rng *rand.Rand) ([]string, bool) {
	delta := 1 + rng.IntN(benchLastYear-benchFirstYear)
	shift := func(y int) int {
		return benchFirstYear + (y-benchFirstYear+delta)%(benchLastYear-benchFirstYear+1)
	}
	changed := false
	out := make([]string, len(turns))
	for i, t := range turns {
		t = benchYear4.ReplaceAllStringFunc(t, func(m string) string {
			changed = true
			y, _ := strconv.Atoi(m[:4])
			return strconv.Itoa(shift(y)) + "年"
		})
		t = benchYear2.ReplaceAllStringFunc(t, func(m string) string {
			changed = true
			prefix, digits := m[:len(m)-len("年")-2], m[len(m)-len("年")-2:len(m)-len("年")]
			y, _ := strconv.Atoi(digits)
			return prefix + strconv.Itoa(shift(2000+y)%100) + "年"
		})
		out[i] = t
	}
	return out, changed
}

// benchOtherDepartment replaces the first department name or alias the
// turns use with a name or alias of another department.
func benchOtherDepartment(turns []string, depts []knowledge.Department, rng *rand.Rand) ([]string, bool) {
	found, from := -1, ""
	for _, t := range turns {
		at := len(t)
		for k, d := range depts {
			for _, a := range append([]string{d.Name}, d.Aliases...) {
				if i := strings.Index(t, a); i >= 0 && (i < at || i == at && len(a) > len(from)) {
					found, from, at = k, a, i
				}
			}
		}
		if found >= 0 {
			break
		}
	}
	if found < 0 || from == "全区" {
		return nil, false
	}
	k := rng.IntN(len(depts) - 1)
	if k >= found {
		k++
	}
	to := depts[k].Name
	if from != depts[found].Name && len(depts[k].Aliases) > 0 {
		to = depts[k].Aliases[rng.IntN(len(depts[k].Aliases))]
	}
	out := make([]string, len(turns))
	for i, t := range turns {
		out[i] = strings.ReplaceAll(t, from, to)
	}
	return out, true
}

// benchQueries turns the conversations into queries, follow-up turns
// carrying the terms of the earlier turns as Context (as the bot does), in a
// fixed shuffled order so that any prefix mixes all kinds of questions.
func benchQueries(fx *benchFixture, base *knowledge.Base) []knowledge.Query {
	var qs []knowledge.Query
	for _, turns := range fx.conversations {
		var context []string
		for _, t := range turns {
			q := knowledge.Query{Text: t, Now: benchNow, Context: slices.Clone(context)}
			qs = append(qs, q)
			for _, w := range base.Understand(q).Terms {
				if !slices.Contains(context, w) {
					context = append(context, w)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(benchSeed, 1))
	rng.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	return qs
}

// The generated bases.

// benchKB is one generated base and what building it cost.
type benchKB struct {
	reports int
	base    *knowledge.Base
	build   time.Duration
	heapMB  float64
	rssMB   float64
	peakMB  float64 // VmHWM during the build
}

// benchCache holds the last base built. Only one is kept, so that the
// memory figures of a size are not inflated by another size's base.
var benchCache struct {
	mu sync.Mutex
	kb *benchKB
}

// benchBase returns the generated base of n reports, building it unless it
// is the one last built. Building is outside the benchmark's timer.
func benchBase(b *testing.B, fx *benchFixture, n int) *benchKB {
	b.Helper()
	benchCache.mu.Lock()
	defer benchCache.mu.Unlock()
	if kb := benchCache.kb; kb != nil && kb.reports == n {
		return kb
	}
	b.StopTimer()
	defer b.StartTimer()
	benchCache.kb = nil
	runtime.GC()
	debug.FreeOSMemory()

	start := time.Now()
	reports := benchGenerate(fx, n)
	generated := time.Since(start)
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM
	start = time.Now()
	base, err := knowledge.Build(reports, knowledge.Options{
		Segmenter:     fx.seg,
		Terms:         fx.terms,
		Now:           func() time.Time { return benchNow },
		NoAnswerCache: true, // each question is measured, not a cache lookup
	})
	if err != nil {
		b.Fatal(err)
	}
	kb := &benchKB{reports: n, base: base, build: time.Since(start), peakMB: benchStatusMB("VmHWM")}
	reports = nil
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	kb.heapMB = float64(ms.HeapInuse) / (1 << 20)
	kb.rssMB = benchStatusMB("VmRSS")
	_, passages := base.Size()
	limit := "none"
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		limit = fmt.Sprintf("%d MiB", l>>20)
	}
	b.Logf("generated %d reports (%d passages) in %v; Build took %v (%.0f passages/s), peak RSS during it %.0f MB (Go memory limit: %s); heap in use %.0f MB, RSS %.0f MB (%.0f MB before any base)",
		n, passages, generated.Round(time.Millisecond), kb.build.Round(time.Millisecond),
		float64(passages)/kb.build.Seconds(), kb.peakMB, limit, kb.heapMB, kb.rssMB, fx.rssMB)
	benchCache.kb = kb
	return kb
}

// benchStatusMB reads a memory line of /proc/self/status, such as VmRSS,
// in MB. It returns 0 where /proc is not available.
func benchStatusMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// benchSkip skips sizes the run does not ask for.
func benchSkip(b *testing.B, n int) {
	b.Helper()
	if testing.Short() && n > benchSizes[0] {
		b.Skip("-short runs only the smallest base")
	}
	if n > benchLargeSize && os.Getenv("FAZHIBOT_BENCH_LARGE") != "1" {
		b.Skip("set FAZHIBOT_BENCH_LARGE=1 to benchmark bases above 5,000 reports")
	}
}

// The benchmarks.

// BenchmarkSearch measures Base.Search over generated bases of growing size.
func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			benchSkip(b, n)
			fx := loadBench(b)
			kb := benchBase(b, fx, n)
			hits := 0
			qs := benchQueries(fx, kb.base)
			benchLatencies(b, qs, func(ctx context.Context, q knowledge.Query) error {
				h, err := kb.base.Search(ctx, q)
				hits += len(h)
				return err
			})
			b.Logf("results digest %s over %d questions", benchDigest(b, kb.base, qs), len(qs))
			// After the timed loop: ResetTimer drops metrics reported before it.
			_, passages := kb.base.Size()
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
			b.ReportMetric(float64(passages), "passages")
			b.ReportMetric(kb.build.Seconds(), "build-s")
			b.ReportMetric(kb.heapMB, "heap-MB")
			b.ReportMetric(kb.rssMB, "rss-MB")
			b.ReportMetric(kb.peakMB, "build-peak-rss-MB")
		})
	}
}

// BenchmarkSnapshot measures a start from a snapshot. It builds a
// generated base of N reports with a Library, which writes its snapshot;
// then each op runs this test binary again (TestBenchSnapshotStart), as a
// restarted server: the child generates the same reports (the content a
// server reads from its database) and times one Library.Load of them,
// which reads the segmenter's dictionaries, hashes the executable and the
// content, and reads the snapshot. The child checks that the base read
// answers every benchmark question exactly as the one built did. Run it
// with a small -benchtime, such as 2x: each op takes seconds.
//
//	ns/op, load-s  the child's Library.Load
//	read-s         of which reading the snapshot, as the Library logs it
//	build-s        the first Load: Build and writing the snapshot
//	write-s        of which writing the snapshot
//	file-MB        size of the snapshot
//	heap-MB        the child's runtime HeapInuse after the load and a GC
//	rss-MB         the child's VmRSS after the load and a GC
//	before-rss-MB  the child's VmRSS before the load, with the reports in memory
//	peak-rss-MB    the child's VmHWM, reset just before the load (where the
//	               kernel allows: /proc/self/clear_refs)
func BenchmarkSnapshot(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			benchSkip(b, n)
			fx := loadBench(b)
			b.StopTimer()
			benchCache.mu.Lock()
			benchCache.kb = nil // free the memory of another benchmark's base
			benchCache.mu.Unlock()
			dir := b.TempDir()
			var log strings.Builder
			lib := benchLibrary(dir, &log)
			start := time.Now()
			built, err := lib.Load(&knowledge.Content{Reports: benchGenerate(fx, n), TermFiles: fx.termFiles}, 1)
			if err != nil {
				b.Fatal(err)
			}
			build := time.Since(start)
			want := benchDigest(b, built, benchQueries(fx, built))
			built, lib = nil, nil
			runtime.GC()
			fi, err := os.Stat(filepath.Join(dir, "kb-1.idx"))
			if err != nil {
				b.Fatal(err)
			}
			var sum benchStart
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run=^TestBenchSnapshotStart$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), fmt.Sprintf("FAZHIBOT_BENCH_SNAPSHOT=%d %s", n, dir))
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("the child failed: %v\n%s", err, out)
				}
				_, line, ok := strings.Cut(string(out), "bench-snapshot: ")
				line, _, _ = strings.Cut(line, "\n")
				var r benchStart
				if err := json.Unmarshal([]byte(line), &r); !ok || err != nil {
					b.Fatalf("no result from the child (%v):\n%s", err, out)
				}
				if r.Digest != want {
					b.Errorf("the base read answers differently: digest %s, built %s", r.Digest, want)
				}
				b.Logf("child: load %.2f s (snapshot read %.2f s), heap %.0f MB, RSS %.0f MB (%.0f MB before), peak %.0f MB",
					r.Load, r.Read, r.HeapMB, r.RSSMB, r.BeforeMB, r.PeakMB)
				sum.Load += r.Load
				sum.Read += r.Read
				sum.HeapMB = max(sum.HeapMB, r.HeapMB)
				sum.RSSMB = max(sum.RSSMB, r.RSSMB)
				sum.BeforeMB = max(sum.BeforeMB, r.BeforeMB)
				sum.PeakMB = max(sum.PeakMB, r.PeakMB)
			}
			b.Logf("%d reports: first Load (build and write) %v, snapshot %.0f MB\n%s",
				n, build.Round(time.Millisecond), float64(fi.Size())/(1<<20), log.String())
			k := float64(b.N)
			b.ReportMetric(sum.Load/k*1e9, "ns/op")
			b.ReportMetric(sum.Load/k, "load-s")
			b.ReportMetric(sum.Read/k, "read-s")
			b.ReportMetric(build.Seconds(), "build-s")
			b.ReportMetric(benchLoggedSeconds(log.String(), "index snapshot written"), "write-s")
			b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
			b.ReportMetric(sum.HeapMB, "heap-MB")
			b.ReportMetric(sum.RSSMB, "rss-MB")
			b.ReportMetric(sum.BeforeMB, "before-rss-MB")
			b.ReportMetric(sum.PeakMB, "peak-rss-MB")
		})
	}
}

// benchStart is what TestBenchSnapshotStart measured, in seconds and MB.
type benchStart struct {
	Load, Read                      float64
	HeapMB, RSSMB, BeforeMB, PeakMB float64
	Digest                          string
}

// TestBenchSnapshotStart is BenchmarkSnapshot's child process: with
// FAZHIBOT_BENCH_SNAPSHOT="N DIR" it generates the base of N reports and
// loads it with a Library keeping its snapshots in DIR, and prints what
// that cost as a "bench-snapshot: " JSON line. Without, it skips.
func TestBenchSnapshotStart(t *testing.T) {
	spec := os.Getenv("FAZHIBOT_BENCH_SNAPSHOT")
	if spec == "" {
		t.Skip("BenchmarkSnapshot runs it")
	}
	var n int
	var dir string
	if _, err := fmt.Sscanf(spec, "%d %s", &n, &dir); err != nil {
		t.Fatalf("FAZHIBOT_BENCH_SNAPSHOT=%q: %v", spec, err)
	}
	fx, err := newBenchFixture()
	if err != nil {
		t.Fatal(err)
	}
	content := &knowledge.Content{Reports: benchGenerate(fx, n), TermFiles: fx.termFiles}
	fx.seg.Close() // a server has only its Library's
	fx.seg = nil
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM
	r := benchStart{BeforeMB: benchStatusMB("VmRSS")}
	var log strings.Builder
	start := time.Now()
	base, err := benchLibrary(dir, &log).Load(content, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.Load = time.Since(start).Seconds()
	if !base.FromSnapshot() {
		t.Fatalf("the snapshot was not read:\n%s", log.String())
	}
	r.Read = benchLoggedSeconds(log.String(), "index snapshot read")
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.HeapMB = float64(ms.HeapInuse) / (1 << 20)
	r.RSSMB, r.PeakMB = benchStatusMB("VmRSS"), benchStatusMB("VmHWM")
	r.Digest = benchDigest(t, base, benchQueries(fx, base))
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("bench-snapshot: %s\n", out)
}

// benchLibrary returns a Library over the benchmark's dictionaries that
// keeps its snapshots in dir and logs to log.
func benchLibrary(dir string, log *strings.Builder) *knowledge.Library {
	return knowledge.NewLibrary(knowledge.LibraryOptions{
		DictDir:     "../configs/jieba",
		Now:         func() time.Time { return benchNow },
		SnapshotDir: dir,
		Log:         slog.New(slog.NewTextHandler(log, nil)),
	})
}

// benchLoggedSeconds returns the ms attribute of the last line of log
// holding msg, in seconds.
func benchLoggedSeconds(log, msg string) float64 {
	secs := 0.0
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, msg) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "ms="); ok {
				ms, _ := strconv.ParseFloat(v, 64)
				secs = ms / 1000
			}
		}
	}
	return secs
}

// BenchmarkAnswer measures Base.Answer, which searches and then picks and
// renders the excerpt. The sizes run largest first, so that the base
// BenchmarkSearch built last is reused rather than built again.
func BenchmarkAnswer(b *testing.B) {
	for _, n := range slices.Backward(benchSizes) {
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			benchSkip(b, n)
			fx := loadBench(b)
			kb := benchBase(b, fx, n)
			answered := 0
			benchLatencies(b, benchQueries(fx, kb.base), func(ctx context.Context, q knowledge.Query) error {
				a, err := kb.base.Answer(ctx, q)
				if a.Answered {
					answered++
				}
				return err
			})
			b.ReportMetric(100*float64(answered)/float64(b.N), "answered-%")
		})
	}
}

// benchDigest returns a hash of the hits of every question in qs, scores
// to the last bit included: a change meant to make search faster must
// leave it as it was.
func benchDigest(b testing.TB, base *knowledge.Base, qs []knowledge.Query) string {
	h := sha256.New()
	for _, q := range qs {
		hits, err := base.Search(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(h, "%q\n", q.Text)
		for _, hit := range hits {
			fmt.Fprintf(h, "%s %d %x %x %q %t\n", hit.ReportID, hit.Seq,
				math.Float64bits(hit.Score), math.Float64bits(hit.Confidence), hit.Matched, hit.Focus)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// benchLatencies runs b.N calls of fn over qs in turn, recording each call's
// latency, and reports their p50-ms and p99-ms.
func benchLatencies(b *testing.B, qs []knowledge.Query, fn func(context.Context, knowledge.Query) error) {
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := fn(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	if b.N >= len(qs) {
		benchLogSlowest(b, qs, lat, 5)
	}
	slices.Sort(lat)
	b.ReportMetric(benchPercentile(lat, 0.50), "p50-ms")
	b.ReportMetric(benchPercentile(lat, 0.99), "p99-ms")
}

// benchLogSlowest logs the n questions with the highest worst latency, to
// show what the tail is made of.
func benchLogSlowest(b *testing.B, qs []knowledge.Query, lat []time.Duration, n int) {
	worst := make([]time.Duration, len(qs))
	for i, d := range lat {
		worst[i%len(qs)] = max(worst[i%len(qs)], d)
	}
	order := make([]int, len(qs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return int(worst[j] - worst[i]) })
	var sb strings.Builder
	for _, i := range order[:min(n, len(order))] {
		fmt.Fprintf(&sb, "\n\t%7.2f ms  %q", float64(worst[i])/float64(time.Millisecond), qs[i].Text)
		if len(qs[i].Context) > 0 {
			fmt.Fprintf(&sb, " context %q", qs[i].Context)
		}
	}
	b.Logf("slowest of %d questions:%s", len(qs), sb.String())
}

// benchPercentile returns the nearest-rank percentile of sorted latencies,
// in milliseconds.
func benchPercentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}

// BenchmarkImport measures the import pipeline: Parse and AssignKeywords of
// one real sample file per op, the files taken in turn.
func BenchmarkImport(b *testing.B) {
	fx := loadBench(b)
	var bytes, passages int
	var parsing, keywords time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f := fx.files[i%len(fx.files)]
		start := time.Now()
		r, err := knowledge.Parse(f.name, f.data)
		if err != nil {
			b.Fatal(err)
		}
		parsed := time.Now()
		knowledge.AssignKeywords(r, fx.seg)
		keywords += time.Since(parsed)
		parsing += parsed.Sub(start)
		bytes += len(f.data)
		passages += len(r.Passages)
	}
	b.StopTimer()
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(bytes)/1e6/s, "MB/s")
	b.ReportMetric(float64(b.N)/s, "reports/s")
	b.ReportMetric(float64(passages)/s, "passages/s")
	b.ReportMetric(parsing.Seconds()*1e3/float64(b.N), "parse-ms/op")
	b.ReportMetric(keywords.Seconds()*1e3/float64(b.N), "keywords-ms/op")
}

// BenchmarkBuild measures knowledge.Build: each op indexes one generated
// report of about 50 passages into a new Base, the reports taken in turn
// from a pool of 100. The cost of one build at scale is build-s of
// BenchmarkSearch.
func BenchmarkBuild(b *testing.B) {
	fx := loadBench(b)
	pool := benchGenerate(fx, 100)
	opts := knowledge.Options{Segmenter: fx.seg, Terms: fx.terms, Now: func() time.Time { return benchNow }}
	passages := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := pool[i%len(pool)]
		if _, err := knowledge.Build([]*knowledge.Report{r}, opts); err != nil {
			b.Fatal(err)
		}
		passages += len(r.Passages)
	}
	b.StopTimer()
	b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
}
