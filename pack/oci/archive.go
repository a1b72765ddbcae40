package oci

import (
	"archive/tar"
	"fmt"
	"io"
	"time"

	"github.com/kiln-build/kiln/internal/reprotar"
)

// tarDir writes the tree under dir to w as a reproducible tar: entries in
// lexical order, every one owned by root with mtime, directories 0755 and
// files 0644, no user or group names.
func tarDir(w io.Writer, dir string, mtime time.Time) error {
	entries, err := reprotar.Dir(dir)
	if err == nil {
		err = reprotar.Write(w, entries, mtime, tar.FormatPAX)
	}
	if err != nil {
		return fmt.Errorf("tar layout: %w", err)
	}
	return nil
}
