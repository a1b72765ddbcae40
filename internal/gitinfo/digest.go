package gitinfo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/internal/safefile"
)

// DirDigest is the content digest of the directory dir, "sha256:<hex>":
// the sha256 of one line per entry, sorted by path (slash form, relative
// to dir, written as a Go quoted string), skipping every directory or file
// named .git:
//
//	<sha256 hex of the file's bytes>  "<path>"\n   for a regular file
//	symlink  "<path>" -> "<target>"\n              for a symbolic link (not followed)
//	<mode>  "<path>"\n                             for anything else (not read)
//
// Directories contribute through their files only. Same tree, same digest,
// wherever it is and whatever the files' times; a changed byte, a renamed
// or added file changes it.
func DirDigest(dir string) (string, error) {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			lines = append(lines, "symlink  "+strconv.Quote(rel)+" -> "+strconv.Quote(target)+"\n")
		case t.IsRegular():
			sum, err := fileSHA256(p)
			if err != nil {
				return err
			}
			lines = append(lines, sum+"  "+strconv.Quote(rel)+"\n")
		default:
			lines = append(lines, t.String()+"  "+strconv.Quote(rel)+"\n")
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("digest of %s: %w", dir, err)
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(linePath(a), linePath(b)) })
	return digestBytes([]byte(strings.Join(lines, ""))), nil
}

// linePath is the path of a DirDigest line, its sort key.
func linePath(line string) string {
	_, p, _ := strings.Cut(line, "  ")
	if q, err := strconv.QuotedPrefix(p); err == nil {
		p, _ = strconv.Unquote(q)
	}
	return p
}

func fileSHA256(p string) (string, error) {
	f, _, err := safefile.Open(p, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func digestBytes(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
