package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/knowledge/knowledgetest"
)

// bombDocx returns a valid .docx whose word/document.xml is about
// xmlBytes of ordinary paragraphs; it compresses to a small file.
func bombDocx(t testing.TB, xmlBytes int) []byte {
	t.Helper()
	var chunk bytes.Buffer
	for i := 0; chunk.Len() < 1<<20; i++ {
		fmt.Fprintf(&chunk, `<w:p><w:pPr><w:spacing w:line="360"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="仿宋"/></w:rPr>`+
			`<w:t>第%d项：全面推进依法行政，全年办理行政复议案件12件，行政诉讼应诉15件，行政执法案件2418件。</w:t></w:r></w:p>`, i)
	}
	return knowledgetest.Docx(t, func(w io.Writer) error {
		for written := 0; written < xmlBytes; written += chunk.Len() {
			if _, err := w.Write(chunk.Bytes()); err != nil {
				return err
			}
		}
		return nil
	})
}

// heapSampler records the largest HeapAlloc seen until stopped.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > h.peak.Load() {
				h.peak.Store(m.HeapAlloc)
			}
			select {
			case <-h.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak.Load()
}

// heapAfterGC returns HeapAlloc after a collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestAdminUploadDocxBomb uploads a valid .docx of under 1 MB whose
// word/document.xml is 60 MB of ordinary paragraphs, twice in one request
// (the attack): each is refused with a message naming the file and
// the limit, well within the upload deadline, while the heap stays bounded
// and nothing is kept afterwards. With the size limit raised, the passage
// and then the character limit stop the decoding stream instead. Not
// parallel, so that the heap measures only this request.
func TestAdminUploadDocxBomb(t *testing.T) {
	bomb := bombDocx(t, 60<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("the docx is %d bytes, want a small file", len(bomb))
	}
	t.Logf("docx of %d KB with a 60 MB word/document.xml", len(bomb)>>10)
	const unbounded = 1 << 30
	tests := []struct {
		name string
		lim  knowledge.Limits
		want error
		msg  string // names the limit
	}{
		{"default limits: uncompressed size", knowledge.Limits{}, knowledge.ErrTooLarge, "16 MB"},
		{"size raised: passages stop the stream", knowledge.Limits{MaxBytes: unbounded}, knowledge.ErrTooManyPassages, "10000 段"},
		{"size and passages raised: characters stop the stream", knowledge.Limits{MaxBytes: unbounded, MaxPassages: unbounded},
			knowledge.ErrTooManyChars, "1000000 字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) {
				o.Parse = func(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error) {
					return knowledge.ParseStated(ctx, name, data, tt.lim, st) // keywords are never reached
				}
			}))
			body := &multipartBody{files: []multipartFile{{"files", "bomb-2021.docx", bomb}, {"files", "bomb2-2021.docx", bomb}}}

			before := heapAfterGC()
			sampler := sampleHeap()
			start := time.Now()
			rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: body}, http.StatusOK)
			elapsed := time.Since(start)
			peak := sampler.Stop()
			p := apiJSON[uploadPreview](t, rec)
			rec = nil
			retained := int64(heapAfterGC()) - int64(before)
			grew := int64(peak) - int64(before)
			t.Logf("answered in %v; heap peak +%d MB, retained %+d MB", elapsed.Round(time.Millisecond), grew>>20, retained>>20)

			if len(p.Files) != 2 {
				t.Fatalf("preview %+v", p)
			}
			for _, f := range p.Files {
				if f.OK || f.Report != nil || !strings.HasPrefix(f.Error, f.Name+": "+tt.want.Error()) || !strings.Contains(f.Error, tt.msg) {
					t.Errorf("file %s: OK %v, error %q; want refused, naming the file and %q", f.Name, f.OK, f.Error, tt.msg)
				}
			}
			if elapsed > DefaultUploadTimeout {
				t.Errorf("answered after %v, past the upload deadline %v", elapsed, DefaultUploadTimeout)
			}
			// Generous bounds: before the limits one such file pinned over 700 MB.
			const maxPeak, maxRetained = 256 << 20, 32 << 20
			if grew > maxPeak {
				t.Errorf("heap grew by %d MB while parsing, want under %d MB", grew>>20, maxPeak>>20)
			}
			if retained > maxRetained {
				t.Errorf("heap keeps %d MB after the answer, want under %d MB", retained>>20, maxRetained>>20)
			}
			if n, size := e.srv.admin.previews.usage(); n != 1 || size > 64<<10 {
				t.Errorf("previews: %d holding %d bytes, want the one refused upload, small", n, size)
			}
		})
	}
}

// TestAdminUploadDeadline: a parser that overruns the upload deadline
// does not hold the answer back; staff get it in time, naming the file.
func TestAdminUploadDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) {
		o.UploadTimeout = 300 * time.Millisecond
		o.Parse = func(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error) {
			if strings.HasPrefix(name, "slow") {
				<-release // ignores ctx, as a stuck parser would
			}
			return testParse(ctx, name, data, st)
		}
	}))
	body := uploadFiles(t, "jj-sfj-2021.txt")
	body.files = append(body.files, multipartFile{"files", "slow-2021.txt", body.files[0].data}, multipartFile{"files", "after-2021.txt", body.files[0].data})
	start := time.Now()
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: body}, http.StatusOK)
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("answered after %v with an upload deadline of 300ms", elapsed)
	}
	p := apiJSON[uploadPreview](t, rec)
	if len(p.Files) != 3 || !p.Files[0].OK {
		t.Fatalf("preview %+v", p)
	}
	for _, f := range p.Files[1:] {
		if f.OK || !strings.HasPrefix(f.Error, f.Name+": 解析超时") {
			t.Errorf("file %s: OK %v, error %q; want a timeout naming the file", f.Name, f.OK, f.Error)
		}
	}
}

// TestAdminUploadPreviewMemory: one upload keeps at most MaxPreviewBytes
// of parsed reports (the rest are refused by name), and a preview's
// memory is released when it is saved or discarded.
func TestAdminUploadPreviewMemory(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, withConsole(func(o *ConsoleOptions) { o.MaxPreviewBytes = 100 << 10 }))
	rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token,
		multi: uploadFiles(t, "jj-sfj-2021.txt", "jj-sthjj-2021.txt", "fx-md-2023.md", "fx-table-2022.docx")}, http.StatusOK)
	p := apiJSON[uploadPreview](t, rec)
	ok, refused := 0, 0
	for _, f := range p.Files {
		switch {
		case f.OK:
			ok++
		case strings.HasPrefix(f.Error, f.Name+": 本次上传的报告内容过多") && strings.Contains(f.Error, "分批上传"):
			refused++
		default:
			t.Errorf("file %s: %q", f.Name, f.Error)
		}
	}
	n, size := e.srv.admin.previews.usage()
	t.Logf("%d kept, %d refused; store holds %d previews of %d KB", ok, refused, n, size>>10)
	if ok == 0 || refused == 0 || n != 1 || size > 100<<10 {
		t.Fatalf("%d kept, %d refused, store %d previews of %d bytes; want some of each within 100 KB", ok, refused, n, size)
	}

	// Discarding releases it; a discarded preview is gone.
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "uploads/" + p.ID, bearer: e.staff.token}, http.StatusOK)
	if n, size := e.srv.admin.previews.usage(); n != 0 || size != 0 {
		t.Errorf("after discarding: %d previews of %d bytes", n, size)
	}
	e.mustDo(request{method: "GET", path: adminAPIPrefix + "uploads/" + p.ID, bearer: e.staff.token}, http.StatusNotFound)
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "uploads/" + p.ID, bearer: e.staff.token}, http.StatusNotFound)

	// The page's discard button, and saving, release theirs too.
	s := e.sessionFor(e.staff)
	for _, finish := range []func(id string){
		func(id string) {
			rec := e.mustDo(request{method: "POST", path: adminPrefix + "uploads/" + id + "/discard", as: s, form: map[string][]string{}}, http.StatusSeeOther)
			if loc := rec.Header().Get("Location"); loc != adminPrefix+"reports?ok=discarded" {
				t.Errorf("discard redirects to %q", loc)
			}
		},
		func(id string) {
			e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads/" + id + "/save", bearer: e.staff.token, json: previewSave{}}, http.StatusOK)
		},
	} {
		rec := e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: uploadFiles(t, "jj-sfj-2021.txt")}, http.StatusOK)
		id := apiJSON[uploadPreview](t, rec).ID
		if n, _ := e.srv.admin.previews.usage(); n != 1 {
			t.Fatalf("store holds %d previews", n)
		}
		finish(id)
		if n, size := e.srv.admin.previews.usage(); n != 0 || size != 0 {
			t.Errorf("after finishing: %d previews of %d bytes", n, size)
		}
	}

	// Another account cannot discard a preview.
	rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "uploads", bearer: e.staff.token, multi: uploadFiles(t, "jj-sfj-2021.txt")}, http.StatusOK)
	id := apiJSON[uploadPreview](t, rec).ID
	e.mustDo(request{method: "DELETE", path: adminAPIPrefix + "uploads/" + id, bearer: e.admin.token}, http.StatusNotFound)
	if _, ok := e.srv.admin.previews.get(id, e.staff.user.ID); !ok {
		t.Error("another account discarded the preview")
	}
}

func TestPreviewStoreBytes(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	s := newPreviewStore(30*time.Minute, 10, 10_000, func() time.Time { return now })
	add := func(id string, owner console.UserID, size int64) *uploadPreview {
		now = now.Add(time.Minute)
		p := &uploadPreview{ID: id, Owner: owner, CreatedAt: now, Files: []previewFile{{Name: id, OK: true, size: size}}}
		s.put(p)
		return p
	}
	tests := []struct {
		name      string
		id        string
		owner     console.UserID
		size      int64
		wantKept  []string
		wantGone  []string
		wantBytes bool // the store's bytes stay within its bound
	}{
		// Each preview adds about 500 bytes to its files' sizes.
		{"first", "a", 1, 2500, []string{"a"}, nil, true},
		{"second", "b", 2, 2500, []string{"a", "b"}, nil, true},
		{"third", "c", 3, 2500, []string{"a", "b", "c"}, nil, true},
		{"fourth pushes the oldest out", "d", 4, 2500, []string{"b", "c", "d"}, []string{"a"}, true},
		{"a big one pushes two out", "e", 5, 5000, []string{"d", "e"}, []string{"b", "c"}, true},
		{"one over the bound is kept alone", "f", 6, 20_000, []string{"f"}, []string{"d", "e"}, false},
	}
	owners := map[string]console.UserID{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owners[tt.id] = tt.owner
			add(tt.id, tt.owner, tt.size)
			for _, id := range tt.wantKept {
				if _, ok := s.get(id, owners[id]); !ok {
					t.Errorf("%s was dropped", id)
				}
			}
			for _, id := range tt.wantGone {
				if _, ok := s.get(id, owners[id]); ok {
					t.Errorf("%s was kept", id)
				}
			}
			n, size := s.usage()
			if n != len(tt.wantKept) || (tt.wantBytes && size > s.maxBytes) {
				t.Errorf("store holds %d previews of %d bytes", n, size)
			}
		})
	}
	if !s.remove("f", 6) {
		t.Fatal("remove found nothing")
	}
	if n, size := s.usage(); n != 0 || size != 0 {
		t.Errorf("after removing all: %d previews of %d bytes", n, size)
	}
}
