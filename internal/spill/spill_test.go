package spill

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSpillMergesRunsInOrder writes records from several writers with tiny
// buffers (many runs each) and reads them back: every record, sorted by
// key then value, duplicates kept.
func TestSpillMergesRunsInOrder(t *testing.T) {
	s, err := New(t.TempDir(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	var want []string
	writers := []*Writer{s.Writer(100), s.Writer(1000), s.Writer(1 << 20)}
	for i := range 5000 {
		key := binary.BigEndian.AppendUint32(nil, rng.Uint32N(500))
		value := make([]byte, rng.IntN(40))
		for j := range value {
			value[j] = byte(rng.IntN(3))
		}
		if err := writers[i%len(writers)].Add(key, value); err != nil {
			t.Fatal(err)
		}
		want = append(want, string(key)+"|"+string(value))
	}
	for _, w := range writers {
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.runs) < 50 {
		t.Fatalf("%d runs: the small buffers did not spill", len(s.runs))
	}
	slices.Sort(want)
	var got []string
	err = s.Merge(func(key, value []byte) error {
		got = append(got, string(key)+"|"+string(value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("merged %d records, want %d, or out of order", len(got), len(want))
	}
}

// TestMergeRefusesACorruptLength: a record length longer than its run (a
// damaged temporary file) is an error, not a huge allocation or a panic.
func TestMergeRefusesACorruptLength(t *testing.T) {
	s, err := New(t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := s.Writer(1 << 10)
	if err := w.Add([]byte("ab"), []byte("value")); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	huge := binary.AppendUvarint(nil, 100) // where the length (5) was
	if _, err := s.file.WriteAt(huge, 2); err != nil {
		t.Fatal(err)
	}
	err = s.Merge(func(key, value []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("error = %v, want the corrupt length refused", err)
	}
}
