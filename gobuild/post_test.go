package gobuild_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
)

// appendPost is a post-link step that appends its key to the file, and
// counts its runs.
func appendPost(key string, runs *atomic.Int32) *gobuild.Post {
	return &gobuild.Post{Key: key, Apply: func(_ context.Context, path string) error {
		runs.Add(1)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteString("post:" + key)
		return errors.Join(err, f.Close())
	}}
}

// TestPost: the post-link step changes the output before it is recorded
// (the result's sha256 is the final file's); the same step again is up to
// date without running it; another Key rebuilds; a failing step fails the
// build and leaves neither the output nor a temporary file.
func TestPost(t *testing.T) {
	s := keyModule(t)
	u := upToDate{t: t}
	var runs atomic.Int32
	s.Post = appendPost("one", &runs)
	r := u.build("first build", s, gobuild.Built)
	data := mustRead(t, s.Out)
	if !bytes.HasSuffix(data, []byte("post:one")) || runs.Load() != 1 {
		t.Fatalf("after the first build: the file ends %q, the step ran %d times; want post:one, once", data[len(data)-8:], runs.Load())
	}
	if sum := sha256.Sum256(data); r.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Result.SHA256 %s is not the patched file's", r.SHA256)
	}
	u.build("same step", s, gobuild.UpToDate)
	if runs.Load() != 1 {
		t.Errorf("the step ran again for an up-to-date build (%d runs)", runs.Load())
	}
	s.Post = appendPost("two", &runs)
	r2 := u.build("another key", s, gobuild.Built)
	if !bytes.HasSuffix(mustRead(t, s.Out), []byte("post:two")) || r2.Key == r.Key {
		t.Errorf("another key: the file does not end with post:two, or the build key %s did not change", r2.Key)
	}

	s.Out = filepath.Join(t.TempDir(), "failed")
	s.Post = &gobuild.Post{Key: "fails", Apply: func(context.Context, string) error { return errors.New("resource patch refused") }}
	fr := newEngine(t).Build(context.Background(), s)
	if fr.Err == nil || !strings.Contains(fr.Err.Error(), "resource patch refused") || fr.Status != gobuild.Failed {
		t.Fatalf("a failing step: %v (%s), want the failure", fr.Err, fr.Status)
	}
	if names := listTree(t, filepath.Dir(s.Out)); len(names) != 0 {
		t.Errorf("a failed step left %v", names)
	}
}
