package gobuild_test

import (
	"context"
	"debug/elf"
	"testing"
)

// TestExtraFlags: a Spec's Flags reach go build and the key, and the link
// decision sees them (-buildmode=pie needs an interpreter: not static).
func TestExtraFlags(t *testing.T) {
	s := keyModule(t)
	e := newEngine(t)
	plain := e.Build(context.Background(), s)
	if plain.Err != nil || !plain.Static {
		t.Fatalf("plain build: %v, static %v", plain.Err, plain.Static)
	}
	s.Flags = []string{"-buildmode=pie"}
	pie := e.Build(context.Background(), s)
	if pie.Err != nil {
		t.Fatal(pie.Err)
	}
	if pie.Key == plain.Key || pie.Status != "built" || pie.Static {
		t.Errorf("-buildmode=pie: %s, static %v, same key %v; want a new static=false build", pie.Status, pie.Static, pie.Key == plain.Key)
	}
	f, err := elf.Open(s.Out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		t.Errorf("ELF type %v, want ET_DYN: the flag did not reach go build", f.Type)
	}
}
