package knowledge

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
)

// A snapshot is a built index written to a file, so that a start or a
// reload reads it instead of segmenting every passage again. It holds
// what segmenting produced: each passage's word and bigram counts and
// sentences, the posting lists, the vocabularies of the sentence index
// and the pairs of adjacent words the sound index reads. Everything a
// report says of itself (departments, years, the passages' text) comes
// from the reports the caller passes, as do the FAQs, which are indexed
// again: a snapshot is valid only for exactly the inputs it was built
// from, which its header names by hash.
//
// The file, little-endian:
//
//	header, snapshotHeaderSize bytes:
//	  magic    [8]byte   snapshotMagic
//	  format   uint32    snapshotFormat
//	  version  int64     the knowledge-base version it was written for
//	  inputs   [32]byte  SHA-256 of everything the index is built from (see Library.inputs)
//	  length   uint64    bytes of payload that follow the header
//	  crc      uint32    CRC-32C of those bytes
//	payload:
//	  uvarint docs, sentences, sentence-ID bytes
//	  the word table, then the bigram table: uvarint vocabulary size V and
//	    strings S, then S × (uvarint length, bytes, uvarint postings); the
//	    first V strings have sentence-index IDs 0…V-1
//	  docs × (uvarint words, bigrams, figure (0 or 1), sentences, ID bytes,
//	    then per sentence uvarint start, end, off, words, grams)
//	  the sentence-ID bytes of all docs, in order
//	  the word postings, then the bigram postings, uint32 each, list after
//	    list in table order
//	  uvarint compounds, then compounds × (uvarint length, bytes, uvarint count)

// snapshotMagic starts every snapshot file.
const snapshotMagic = "FZBINDEX"

// snapshotFormat is the layout version of the file. Bump it whenever the
// layout changes; what the index holds is covered by the inputs hash,
// which includes the executable.
const snapshotFormat = 1

const snapshotHeaderSize = 8 + 4 + 8 + 32 + 8 + 4

// snapshotHeader is the fixed start of a snapshot file.
type snapshotHeader struct {
	format  uint32
	version int64
	inputs  [32]byte
	length  uint64
	crc     uint32
}

func (h snapshotHeader) encode() []byte {
	buf := make([]byte, 0, snapshotHeaderSize)
	buf = append(buf, snapshotMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, h.format)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(h.version))
	buf = append(buf, h.inputs[:]...)
	buf = binary.LittleEndian.AppendUint64(buf, h.length)
	return binary.LittleEndian.AppendUint32(buf, h.crc)
}

func decodeSnapshotHeader(buf []byte) (snapshotHeader, bool) {
	if len(buf) != snapshotHeaderSize || string(buf[:8]) != snapshotMagic {
		return snapshotHeader{}, false
	}
	var h snapshotHeader
	h.format = binary.LittleEndian.Uint32(buf[8:])
	h.version = int64(binary.LittleEndian.Uint64(buf[12:]))
	copy(h.inputs[:], buf[20:52])
	h.length = binary.LittleEndian.Uint64(buf[52:])
	h.crc = binary.LittleEndian.Uint32(buf[60:])
	return h, true
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errSnapshotStale means a snapshot was written for other inputs, another
// version or another layout: it is not corrupt, only not this index's.
var errSnapshotStale = errors.New("snapshot is for other inputs")

// writeSnapshot writes b, which build returned with compounds, to f (at
// its start; f must be empty) as the index of version built from inputs.
func writeSnapshot(f *os.File, b *Base, compounds map[string]int, version int64, inputs [32]byte) error {
	if _, err := f.Write(make([]byte, snapshotHeaderSize)); err != nil {
		return err
	}
	crc := crc32.New(castagnoli)
	counted := &countWriter{w: io.MultiWriter(f, crc)}
	w := &snapWriter{w: bufio.NewWriterSize(counted, 1<<20)}

	words, wordLists := snapshotTable(b.words, b.wordIDs)
	grams, gramLists := snapshotTable(b.bigrams, b.gramIDs)
	sents, idBytes := 0, 0
	for i := range b.docs {
		sents += len(b.docs[i].sents)
		idBytes += len(b.docs[i].ids)
	}
	w.uvarint(uint64(len(b.docs)))
	w.uvarint(uint64(sents))
	w.uvarint(uint64(idBytes))
	w.table(words, wordLists, len(b.wordIDs))
	w.table(grams, gramLists, len(b.gramIDs))
	for i := range b.docs {
		d := &b.docs[i]
		figure := uint64(0)
		if d.figure {
			figure = 1
		}
		w.uvarint(uint64(d.words))
		w.uvarint(uint64(d.bigrams))
		w.uvarint(figure)
		w.uvarint(uint64(len(d.sents)))
		w.uvarint(uint64(len(d.ids)))
		for _, s := range d.sents {
			w.uvarint(uint64(s.start))
			w.uvarint(uint64(s.end))
			w.uvarint(uint64(s.off))
			w.uvarint(uint64(s.words))
			w.uvarint(uint64(s.grams))
		}
	}
	for i := range b.docs {
		w.write(b.docs[i].ids)
	}
	w.postings(wordLists)
	w.postings(gramLists)
	w.uvarint(uint64(len(compounds)))
	for _, c := range slices.Sorted(maps.Keys(compounds)) {
		w.str(c)
		w.uvarint(uint64(compounds[c]))
	}
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	h := snapshotHeader{format: snapshotFormat, version: version, inputs: inputs, length: counted.n, crc: crc.Sum32()}
	_, err := f.WriteAt(h.encode(), 0)
	return err
}

// snapshotTable orders the keys of a posting map for a snapshot: first
// the words of the sentence index by ID, then the others sorted. It
// returns them with their lists (nil for an ID without postings).
func snapshotTable(lists map[string][]posting, ids vocab) ([]string, [][]posting) {
	keys := make([]string, len(ids), len(lists)+len(ids))
	for w, id := range ids {
		keys[id] = w
	}
	var rest []string
	for w := range lists {
		if _, ok := ids[w]; !ok {
			rest = append(rest, w)
		}
	}
	slices.Sort(rest)
	keys = append(keys, rest...)
	out := make([][]posting, len(keys))
	for i, w := range keys {
		out[i] = lists[w]
	}
	return keys, out
}

type countWriter struct {
	w io.Writer
	n uint64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	return n, err
}

// snapWriter writes a payload; the first error sticks.
type snapWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

func (w *snapWriter) write(p []byte) {
	if w.err == nil {
		_, w.err = w.w.Write(p)
	}
}

func (w *snapWriter) uvarint(v uint64) {
	w.buf = binary.AppendUvarint(w.buf[:0], v)
	w.write(w.buf)
}

func (w *snapWriter) str(s string) {
	w.uvarint(uint64(len(s)))
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

func (w *snapWriter) table(keys []string, lists [][]posting, vocabSize int) {
	w.uvarint(uint64(vocabSize))
	w.uvarint(uint64(len(keys)))
	for i, k := range keys {
		w.str(k)
		w.uvarint(uint64(len(lists[i])))
	}
}

func (w *snapWriter) postings(lists [][]posting) {
	for _, ps := range lists {
		for len(ps) > 0 {
			n := min(len(ps), 1<<14)
			w.buf = w.buf[:0]
			for _, p := range ps[:n] {
				w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(p))
			}
			w.write(w.buf)
			ps = ps[n:]
		}
	}
}

// readSnapshot reads from f the index of reports that writeSnapshot wrote
// for version and inputs, and returns it as a Base with opts, as Build
// would have. It returns an error wrapping errSnapshotStale when the file
// is a snapshot of other inputs, another version or another format, and
// another error when it is not a snapshot, is truncated or corrupt, or
// does not fit the reports; it never panics on a bad file, and decodes
// nothing unless the whole payload matches its checksum.
func readSnapshot(f *os.File, reports []*Report, opts Options, version int64, inputs [32]byte) (b *Base, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("corrupt snapshot: %v", p)
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, snapshotHeaderSize)
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	h, ok := decodeSnapshotHeader(head)
	switch {
	case !ok:
		return nil, errors.New("not a snapshot file")
	case h.format != snapshotFormat:
		return nil, fmt.Errorf("%w: format %d, not %d", errSnapshotStale, h.format, snapshotFormat)
	case h.version != version:
		return nil, fmt.Errorf("%w: version %d, not %d", errSnapshotStale, h.version, version)
	case h.inputs != inputs:
		return nil, errSnapshotStale
	case uint64(fi.Size()) != snapshotHeaderSize+h.length:
		return nil, fmt.Errorf("snapshot truncated or extended: %d bytes, the header says %d", fi.Size(), snapshotHeaderSize+h.length)
	}
	// The checksum is verified before anything is decoded: a second read,
	// from the page cache, costs less than decoding a damaged file.
	crc := crc32.New(castagnoli)
	if _, err := io.CopyBuffer(crc, io.LimitReader(f, int64(h.length)), make([]byte, 1<<20)); err != nil {
		return nil, err
	}
	if crc.Sum32() != h.crc {
		return nil, errors.New("snapshot checksum mismatch")
	}
	if _, err := f.Seek(snapshotHeaderSize, io.SeekStart); err != nil {
		return nil, err
	}
	r := &snapReader{r: bufio.NewReaderSize(io.LimitReader(f, int64(h.length)), 1<<20), limit: h.length}
	b, places, err := newBase(reports, opts)
	if err != nil {
		return nil, err
	}
	compounds, err := r.payload(b, places)
	if err != nil {
		return nil, err
	}
	if _, err := r.r.ReadByte(); err != io.EOF {
		return nil, errors.New("snapshot payload longer than its contents")
	}
	b.finish(compounds)
	b.fromSnapshot = true
	return b, nil
}

// snapReader reads a payload whose checksum matched. Counts are still
// checked against the payload's length before anything is allocated for
// them, and everything the Base indexes by against what it indexes, so
// that even a damaged file that matched by chance fails rather than
// asking for more memory than the file holds or panicking later.
type snapReader struct {
	r     *bufio.Reader
	limit uint64 // payload bytes
	buf   []byte
}

var errSnapshotCorrupt = errors.New("corrupt snapshot")

func (r *snapReader) uvarint() (uint64, error) {
	v, err := binary.ReadUvarint(r.r)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errSnapshotCorrupt, err)
	}
	return v, nil
}

// count reads a count of items taking at least size bytes each in the
// payload, or a value up to max when size is 0.
func (r *snapReader) count(size, max uint64) (int, error) {
	v, err := r.uvarint()
	if err != nil {
		return 0, err
	}
	if size > 0 && v > r.limit/size || size == 0 && v > max || v > math.MaxInt32 {
		return 0, fmt.Errorf("%w: count %d out of range", errSnapshotCorrupt, v)
	}
	return int(v), nil
}

func (r *snapReader) bytes(n int) ([]byte, error) {
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		return nil, fmt.Errorf("%w: %v", errSnapshotCorrupt, err)
	}
	return r.buf, nil
}

func (r *snapReader) str() (string, error) {
	n, err := r.count(1, 0)
	if err != nil {
		return "", err
	}
	p, err := r.bytes(n)
	return string(p), err
}

// table reads a word or bigram table into lists (postings to be filled
// in) and ids, returning the strings and their posting counts.
func (r *snapReader) table() (keys []string, counts []int, vocabSize int, err error) {
	if vocabSize, err = r.count(1, 0); err != nil {
		return
	}
	n, err := r.count(2, 0) // each string takes a length and a count
	if err != nil {
		return
	}
	if vocabSize > n {
		return nil, nil, 0, fmt.Errorf("%w: %d IDs for %d strings", errSnapshotCorrupt, vocabSize, n)
	}
	keys, counts = make([]string, 0, min(n, 1<<16)), make([]int, 0, min(n, 1<<16))
	for range n {
		k, err := r.str()
		if err != nil {
			return nil, nil, 0, err
		}
		c, err := r.count(4, 0)
		if err != nil {
			return nil, nil, 0, err
		}
		keys, counts = append(keys, k), append(counts, c)
	}
	return keys, counts, vocabSize, nil
}

// postings reads the lists of a table, of counts postings each, into one
// array, checking that each list is in passage order and names passages
// below docs. keys[i] maps to its list; an empty list is no entry.
func (r *snapReader) postings(keys []string, counts []int, docs int) (map[string][]posting, error) {
	total := uint64(0)
	for _, c := range counts {
		total += uint64(c)
	}
	if total > r.limit/4 {
		return nil, fmt.Errorf("%w: %d postings", errSnapshotCorrupt, total)
	}
	all := make([]posting, total)
	out := make(map[string][]posting, len(keys))
	at := 0
	for i, c := range counts {
		list := all[at : at+c : at+c]
		at += c
		prev := int32(-1)
		for k := 0; k < c; {
			n := min(c-k, 1<<14)
			p, err := r.bytes(4 * n)
			if err != nil {
				return nil, err
			}
			for j := range n {
				ps := posting(binary.LittleEndian.Uint32(p[4*j:]))
				if d := ps.doc(); d <= prev || int(d) >= docs || ps&maxTF == 0 {
					return nil, fmt.Errorf("%w: posting list of %q out of order", errSnapshotCorrupt, keys[i])
				}
				prev = ps.doc()
				list[k+j] = ps
			}
			k += n
		}
		if c > 0 {
			out[keys[i]] = list
		}
	}
	return out, nil
}

// payload reads the payload into b, whose passages are at places, and
// returns the compounds.
func (r *snapReader) payload(b *Base, places []place) (map[string]int, error) {
	docs, err := r.count(5, 0) // each doc takes five counts
	if err != nil {
		return nil, err
	}
	if docs != len(places) {
		return nil, fmt.Errorf("snapshot of %d passages, the reports have %d", docs, len(places))
	}
	nSents, err := r.count(5, 0)
	if err != nil {
		return nil, err
	}
	nIDBytes, err := r.count(1, 0)
	if err != nil {
		return nil, err
	}
	wordKeys, wordCounts, wordVocab, err := r.table()
	if err != nil {
		return nil, err
	}
	gramKeys, gramCounts, gramVocab, err := r.table()
	if err != nil {
		return nil, err
	}
	// Every doc's sentences and sentence IDs are parts of one array each.
	sents := make([]sentence, nSents)
	ids := make([]byte, nIDBytes)
	b.docs = make([]doc, docs)
	sentAt, idAt := 0, 0
	for i := range b.docs {
		d := places[i].doc()
		text := places[i].passage().Text
		var counts [5]uint64
		for k := range counts {
			if counts[k], err = r.uvarint(); err != nil {
				return nil, err
			}
		}
		n, idLen := counts[3], counts[4]
		if counts[0] > math.MaxUint32 || counts[1] > math.MaxUint32 || counts[2] > 1 ||
			n > uint64(nSents-sentAt) || idLen > uint64(nIDBytes-idAt) {
			return nil, fmt.Errorf("%w: passage %d", errSnapshotCorrupt, i)
		}
		d.words, d.bigrams, d.figure = float64(counts[0]), float64(counts[1]), counts[2] == 1
		d.sents = sents[sentAt : sentAt+int(n) : sentAt+int(n)]
		d.ids = ids[idAt : idAt+int(idLen) : idAt+int(idLen)]
		sentAt += int(n)
		idAt += int(idLen)
		for k := range d.sents {
			var v [5]uint64
			for j := range v {
				if v[j], err = r.uvarint(); err != nil {
					return nil, err
				}
			}
			if v[0] > v[1] || v[1] > uint64(len(text)) || v[2] > idLen || v[3] > idLen || v[4] > idLen {
				return nil, fmt.Errorf("%w: sentence %d of passage %d", errSnapshotCorrupt, k, i)
			}
			d.sents[k] = sentence{start: int32(v[0]), end: int32(v[1]), off: uint32(v[2]), words: uint32(v[3]), grams: uint32(v[4])}
		}
		b.docs[i] = d
	}
	if sentAt != nSents || idAt != nIDBytes {
		return nil, fmt.Errorf("%w: sentence counts", errSnapshotCorrupt)
	}
	if _, err := io.ReadFull(r.r, ids); err != nil {
		return nil, fmt.Errorf("%w: %v", errSnapshotCorrupt, err)
	}
	if b.words, err = r.postings(wordKeys, wordCounts, docs); err != nil {
		return nil, err
	}
	if b.bigrams, err = r.postings(gramKeys, gramCounts, docs); err != nil {
		return nil, err
	}
	b.wordIDs = make(vocab, wordVocab)
	for id, w := range wordKeys[:wordVocab] {
		b.wordIDs[w] = uint32(id)
	}
	b.gramIDs = make(vocab, gramVocab)
	for id, g := range gramKeys[:gramVocab] {
		b.gramIDs[g] = uint32(id)
	}
	if len(b.wordIDs) != wordVocab || len(b.gramIDs) != gramVocab {
		return nil, fmt.Errorf("%w: repeated vocabulary", errSnapshotCorrupt)
	}
	n, err := r.count(2, 0)
	if err != nil {
		return nil, err
	}
	compounds := make(map[string]int, n)
	for range n {
		c, err := r.str()
		if err != nil {
			return nil, err
		}
		k, err := r.count(0, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		compounds[c] = k
	}
	return compounds, nil
}

// snapshotInputs hashes what an index is built from besides the
// segmenter and the code (which the caller adds): the reports, every
// field of them, in order, and the term lists.
func snapshotInputs(h hash.Hash, c *Content) {
	w := &hashWriter{h: h}
	names := slices.Sorted(maps.Keys(c.TermFiles))
	w.int(len(names))
	for _, name := range names {
		w.str(name)
		w.str(c.TermFiles[name])
	}
	w.int(len(c.Reports))
	for _, r := range c.Reports {
		for _, s := range []string{string(r.ID), r.Title, r.Department, r.PublishDate, r.DocNumber, r.SourceURL, string(r.Format)} {
			w.str(s)
		}
		w.int(r.Year)
		w.int(len(r.Passages))
		for _, p := range r.Passages {
			w.int(p.Seq)
			w.str(p.Text)
			w.strs(p.Path)
			w.strs(p.Keywords)
		}
	}
	w.flush()
}

// hashWriter feeds a hash through a buffer: many small writes straight
// to SHA-256 cost more than the hashing.
type hashWriter struct {
	h   hash.Hash
	buf []byte
}

func (w *hashWriter) int(v int) {
	w.buf = strconv.AppendInt(w.buf, int64(v), 10)
	w.buf = append(w.buf, '\n')
	w.maybeFlush()
}

func (w *hashWriter) str(s string) {
	w.int(len(s))
	if len(s) > 1<<16 {
		w.flush()
		io.WriteString(w.h, s)
		return
	}
	w.buf = append(w.buf, s...)
	w.maybeFlush()
}

func (w *hashWriter) strs(ss []string) {
	w.int(len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *hashWriter) maybeFlush() {
	if len(w.buf) >= 1<<16 {
		w.flush()
	}
}

func (w *hashWriter) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}

// fileHash is the SHA-256 of the file at path.
func fileHash(path string) ([32]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}
