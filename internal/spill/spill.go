// Package spill sorts more records than memory should hold, as tippecanoe
// and planetiler sort their features: each writer keeps records in a
// buffer up to its budget, then sorts the buffer and appends it to a
// temporary file as one sorted run; Merge reads every run back as one
// sorted stream.
//
// A record is a fixed-length key and a value. Records sort by key, then by
// value, so the stream's order does not depend on which writer wrote what
// or when.
//
// No library of the registries does this for byte records with a bounded
// buffer per writer (the external sorters there sort whole values through
// channels, one goroutine each), hence this package.
package spill

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// Spill is one sort: its temporary file and the runs written to it.
type Spill struct {
	keyLen int
	file   *os.File
	mu     sync.Mutex // guards file's end and runs
	end    int64
	runs   []run
	closed bool
}

type run struct{ offset, length int64 }

// mergeBufferBytes is what the read buffers of a merge may take together.
const mergeBufferBytes = 16 << 20

// New makes a sort of records whose keys are keyLen bytes long, with its
// temporary file in dir ("": the system's).
func New(dir string, keyLen int) (*Spill, error) {
	f, err := os.CreateTemp(dir, "territoires-*.spill")
	if err != nil {
		return nil, fmt.Errorf("spill: temporary file: %w", err)
	}
	os.Remove(f.Name()) // the open file stays readable; nothing is left behind, even on a crash (Unix)
	return &Spill{keyLen: keyLen, file: f}, nil
}

// Close releases the temporary file.
func (s *Spill) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.file.Close()
}

// Runs is how many sorted runs were written.
func (s *Spill) Runs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.runs)
}

// Bytes is how much the runs take on disk.
func (s *Spill) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end
}

// Writer is one writer's buffer; it is not safe for concurrent use.
type Writer struct {
	s      *Spill
	budget int
	arena  []byte
	starts []int // where each record of the arena starts
}

// Writer returns a writer that keeps up to budget bytes before writing a
// run.
func (s *Spill) Writer(budget int) *Writer {
	return &Writer{s: s, budget: budget}
}

// Add appends a record; key must be the spill's key length.
func (w *Writer) Add(key, value []byte) error {
	if len(key) != w.s.keyLen {
		panic("spill: key of the wrong length")
	}
	size := len(key) + binary.MaxVarintLen64 + len(value)
	if len(w.arena) > 0 && len(w.arena)+size > w.budget {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	w.starts = append(w.starts, len(w.arena))
	w.arena = append(w.arena, key...)
	w.arena = binary.AppendUvarint(w.arena, uint64(len(value)))
	w.arena = append(w.arena, value...)
	return nil
}

// record is the i-th record of the arena, key and value with its length.
func (w *Writer) record(i int) []byte {
	end := len(w.arena)
	if i+1 < len(w.starts) {
		end = w.starts[i+1]
	}
	return w.arena[w.starts[i]:end]
}

// Flush sorts the buffer and writes it as one run.
func (w *Writer) Flush() error {
	if len(w.starts) == 0 {
		return nil
	}
	order := make([]int, len(w.starts))
	for i := range order {
		order[i] = i
	}
	keyLen := w.s.keyLen
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := w.record(a), w.record(b)
		if c := bytes.Compare(ra[:keyLen], rb[:keyLen]); c != 0 {
			return c
		}
		_, va := splitValue(ra[keyLen:])
		_, vb := splitValue(rb[keyLen:])
		return bytes.Compare(va, vb)
	})
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	out := bufio.NewWriterSize(io.NewOffsetWriter(s.file, s.end), 256<<10)
	for _, i := range order {
		out.Write(w.record(i))
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("spill: writing the temporary file: %w", err)
	}
	s.runs = append(s.runs, run{s.end, int64(len(w.arena))})
	s.end += int64(len(w.arena))
	w.arena, w.starts = w.arena[:0], w.starts[:0]
	return nil
}

// Finish writes what is left and lets the buffer go: a writer that is
// done must not hold its budget while the others work.
func (w *Writer) Finish() error {
	err := w.Flush()
	w.arena, w.starts = nil, nil
	return err
}

func splitValue(b []byte) (n int, value []byte) {
	l, k := binary.Uvarint(b)
	return k + int(l), b[k : k+int(l)]
}

// Merge calls fn with every record of every run, in order. key and value
// are valid until fn returns. Every writer must have been flushed.
func (s *Spill) Merge(fn func(key, value []byte) error) error {
	h := &runHeap{keyLen: s.keyLen}
	// The runs' read buffers share a fixed budget: many runs read in
	// smaller pieces rather than take more memory.
	size := max(4<<10, min(64<<10, mergeBufferBytes/max(1, len(s.runs))))
	for _, r := range s.runs {
		rr := &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.file, r.offset, r.length), size), length: r.length, keyLen: s.keyLen}
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			h.readers = append(h.readers, rr)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		rr := h.readers[0]
		if err := fn(rr.key, rr.value); err != nil {
			return err
		}
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

type runReader struct {
	r          *bufio.Reader
	length     int64 // the run's
	keyLen     int
	key, value []byte
}

// next reads the run's next record; false at its end.
func (rr *runReader) next() (bool, error) {
	if cap(rr.key) < rr.keyLen {
		rr.key = make([]byte, rr.keyLen)
	}
	rr.key = rr.key[:rr.keyLen]
	if _, err := io.ReadFull(rr.r, rr.key); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, fmt.Errorf("spill: reading the temporary file: %w", err)
	}
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return false, fmt.Errorf("spill: reading the temporary file: %w", err)
	}
	if n > uint64(rr.length) { // a corrupt length: no record is longer than its run
		return false, fmt.Errorf("spill: corrupt temporary file: a record of %d bytes in a run of %d", n, rr.length)
	}
	rr.value = slices.Grow(rr.value[:0], int(n))[:n]
	if _, err := io.ReadFull(rr.r, rr.value); err != nil {
		return false, fmt.Errorf("spill: reading the temporary file: %w", err)
	}
	return true, nil
}

type runHeap struct {
	keyLen  int
	readers []*runReader
}

func (h *runHeap) Len() int { return len(h.readers) }
func (h *runHeap) Less(i, j int) bool {
	a, b := h.readers[i], h.readers[j]
	if c := bytes.Compare(a.key, b.key); c != 0 {
		return c < 0
	}
	return bytes.Compare(a.value, b.value) < 0
}
func (h *runHeap) Swap(i, j int) { h.readers[i], h.readers[j] = h.readers[j], h.readers[i] }
func (h *runHeap) Push(x any)    { h.readers = append(h.readers, x.(*runReader)) }
func (h *runHeap) Pop() any {
	last := h.readers[len(h.readers)-1]
	h.readers = h.readers[:len(h.readers)-1]
	return last
}
