package gobuild

import (
	"context"
	"fmt"
)

// Post is a step that changes a linked binary before the engine records
// it: patching in Windows resources, for example. It runs on the
// temporary output, after go build and before the file is hashed, made
// executable and renamed into place, so the recorded sha256 and the
// up-to-date stamp are those of the final bytes and an unchanged run
// neither relinks nor runs the step again.
type Post struct {
	// Key identifies what Apply does: its code's version and its options.
	// It is part of the build's key, so a change of options rebuilds and
	// the same options stay up to date. Required.
	Key string
	// Apply changes the file at path in place. It must be deterministic:
	// the same input and Key give the same bytes.
	Apply func(ctx context.Context, path string) error `json:"-"`
}

// apply runs the spec's post-link step, if any, on the linked file.
func (s Spec) applyPost(ctx context.Context, path string) error {
	if s.Post == nil {
		return nil
	}
	if s.Post.Key == "" || s.Post.Apply == nil {
		return fmt.Errorf("post-link step needs a Key and an Apply function")
	}
	if err := s.Post.Apply(ctx, path); err != nil {
		return fmt.Errorf("after linking: %w", err)
	}
	return nil
}

// postKey is the post-link step's line in the build's key ("" when there
// is none, so the keys of other builds do not change).
func (s Spec) postKey() string {
	if s.Post == nil {
		return ""
	}
	return fmt.Sprintf("post %q\n", s.Post.Key)
}
