package errlist

import (
	"errors"
	"testing"

	"github.com/hashicorp/go-multierror"
)

func TestListed(t *testing.T) {
	got := Listed("merge: refusing", []error{errors.New("a"), errors.New("b\nmore")})
	want := "merge: refusing: 2 problem(s):\n  * a\n  * b\n    more"
	if got != want {
		t.Fatalf("Listed = %q, want %q", got, want)
	}
}

func TestFlat(t *testing.T) {
	if Flat(nil) != nil {
		t.Fatal("Flat(nil) is not nil")
	}
	err := Flat(multierror.Append(nil, errors.New("a"), errors.New("b")))
	if err == nil || err.Error() != "a; b" {
		t.Fatalf("Flat = %v, want a; b", err)
	}
}
