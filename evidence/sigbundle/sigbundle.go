// Package sigbundle signs a release's evidence (the checksums file, the
// provenance) into Sigstore bundles written beside it, with the Signer a
// magefile opts in to and the key file the user gives.
//
// It holds the package stage's side of signing and imports no
// cryptography: the signer itself (evidence/signing, with x/crypto for
// cosign's encrypted keys) reaches a build only through the opt-in
// targets/signing.
package sigbundle

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/safefile"
)

// A Signer signs a release's evidence into Sigstore bundles (JSON): a
// blob (the checksums file, published as name) and an in-toto statement
// (the provenance), exactly as given.
type Signer interface {
	SignBlob(ctx context.Context, name string, data []byte) ([]byte, error)
	SignStatement(ctx context.Context, stmt []byte) ([]byte, error)
}

// A Loader turns a key file's bytes and its password (nil when none is
// given) into a Signer. The package stage calls it when it runs, so
// nothing is read in init. Its error wraps ErrPassword when the key is
// encrypted and the password is missing or wrong.
type Loader func(keyPEM, password []byte) (Signer, error)

// ErrPassword is wrapped by a Loader's error for an encrypted key whose
// password is missing or wrong.
var ErrPassword = errors.New("the signing key's password is missing or wrong")

// maxKey bounds the key file (a PEM key is under a kilobyte).
const maxKey = 64 << 10

// Open reads the key file at path (regular, at most 64 KiB) and turns it
// into a Signer with load, password "" meaning none. An error that wraps
// ErrPassword is load's: the password is missing (when "") or wrong. A
// load that returns neither a Signer nor an error gives (nil, nil).
func Open(load Loader, path, password string) (Signer, error) {
	f, _, err := safefile.Open(path, maxKey)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keyPEM, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var pw []byte
	if password != "" {
		pw = []byte(password)
	}
	return load(keyPEM, pw)
}

// Key is the signing key a user gives: its file, the setting that named
// it and the password of an encrypted key.
type Key struct {
	// Path is the key file.
	Path string
	// From is the setting that named the file (KILN_SIGNING_KEY), for the
	// errors.
	From string
	// Password opens an encrypted key, given as cosign takes it
	// (COSIGN_PASSWORD); "": none.
	Password string
}

// Signer opens the key with load (see Open). Every error names the key's
// file and From, and for an encrypted key whether COSIGN_PASSWORD is
// missing or wrong. A load that returns neither a Signer nor an error
// gives (nil, nil).
func (k Key) Signer(load Loader) (Signer, error) {
	s, err := Open(load, k.Path, k.Password)
	switch {
	case errors.Is(err, ErrPassword) && k.Password == "":
		return nil, fmt.Errorf("the signing key %s (%s) is encrypted: set COSIGN_PASSWORD to its password", k.Path, k.From)
	case errors.Is(err, ErrPassword):
		return nil, fmt.Errorf("COSIGN_PASSWORD does not open the signing key %s (%s)", k.Path, k.From)
	case err != nil:
		return nil, fmt.Errorf("%s=%s: %w", k.From, k.Path, err)
	}
	return s, nil
}

// Dest is the output directory the bundles are written into.
type Dest struct {
	// Root is the output directory: every write goes through it.
	Root *safefile.Root
	// Dir is its path, where the signed files' entries are read and the
	// bundles' described.
	Dir string
	// Name is the bundles' entries' name (the project's).
	Name string
	// Path is a bundle's path beside the file it signs.
	Path func(of string) string
	// Wrote is told of each bundle written (nil: nobody).
	Wrote func(artifact.Artifact)
}

// Sign signs the files of the entries of, kiln's own files in d.Dir, each
// after checking it is still what its entry records: a provenance entry as
// an in-toto statement, any other as a blob. It writes each bundle at
// d.Path of the file and returns the bundles' entries (kind signature); on
// failure it removes the bundles it wrote.
func (d Dest) Sign(ctx context.Context, s Signer, of ...artifact.Artifact) ([]artifact.Artifact, error) {
	var made []artifact.Artifact
	fail := func(err error) ([]artifact.Artifact, error) {
		for _, a := range made {
			d.Root.Remove(a.Path)
		}
		return nil, err
	}
	for _, e := range of {
		data, err := readKept(d.Dir, e)
		if err != nil {
			return fail(err)
		}
		var bundle []byte
		if e.Kind == artifact.Provenance {
			bundle, err = s.SignStatement(ctx, data)
		} else {
			bundle, err = s.SignBlob(ctx, e.Path, data)
		}
		if err != nil {
			return fail(err)
		}
		rel := d.Path(e.Path)
		if err := d.Root.WriteFileAtomic(rel, bundle, 0o644); err != nil {
			return fail(err)
		}
		a, err := artifact.Describe(d.Dir, artifact.Artifact{Path: rel, Kind: artifact.Signature, Name: d.Name})
		if err != nil {
			d.Root.Remove(rel)
			return fail(err)
		}
		if d.Wrote != nil {
			d.Wrote(a)
		}
		made = append(made, a)
	}
	return made, nil
}

// readKept reads a file kiln just wrote into dir and checks it is still
// what its entry records.
func readKept(dir string, a artifact.Artifact) ([]byte, error) {
	data, sum, _, err := artifact.ReadAll(dir, a, a.Size)
	if err == nil && sum != a.SHA256 {
		err = fmt.Errorf("%s changed after it was written (sha256 %s, not %s)", a.Path, sum, a.SHA256)
	}
	return data, err
}
