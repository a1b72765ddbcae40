// Package sigcheck verifies Sigstore bundles against one public key,
// offline and in process, with sigstore-go's verifier: the bundles
// evidence/signing writes, and cosign's keyed bundles (cosign sign-blob
// and attest-blob with --new-bundle-format). It is the heavy half of
// signing (sigstore-go and its module tree): kiln check imports it, a
// magefile that only signs does not.
package sigcheck

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/kiln-build/kiln/evidence/signing"
)

// MaxBundle is the largest bundle Verify reads: kiln's are a few KiB, a
// provenance's a little more than the statement.
const MaxBundle = 16 << 20

// A VerifyError says why a bundle does not vouch for a file: not a
// bundle, signed by another key, or over other bytes.
type VerifyError struct {
	// Bundle is the bundle's name, as given to the Verify call.
	Bundle string
	Err    error
}

func (e *VerifyError) Error() string { return e.Bundle + ": " + e.Err.Error() }

func (e *VerifyError) Unwrap() error { return e.Err }

// A Verifier checks bundles against one public key, offline: no
// transparency log, no timestamp, no certificate, the key the only trust.
type Verifier struct {
	v *verify.Verifier
}

// NewVerifier returns a verifier for key (see signing.ParsePublicKey).
func NewVerifier(key *ecdsa.PublicKey) (*Verifier, error) {
	if key == nil {
		return nil, &signing.KeyError{What: "public key", Err: errors.New("none given")}
	}
	sv, err := signature.LoadVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, &signing.KeyError{What: "public key", Err: err}
	}
	// Every hint maps to the one key: a bundle naming another key still
	// has to verify with this one.
	tm := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(sv, time.Time{}, time.Time{}), nil
	})
	v, err := verify.NewVerifier(tm, verify.WithNoObserverTimestamps())
	if err != nil {
		return nil, err
	}
	return &Verifier{v: v}, nil
}

// VerifyBlob checks that bundleJSON, the bundle named name, holds a
// signature by the verifier's key over exactly data. Errors are
// *VerifyError.
func (v *Verifier) VerifyBlob(name string, bundleJSON, data []byte) error {
	sum := sha256.Sum256(data)
	return v.VerifyBlobSHA256(name, bundleJSON, sum[:])
}

// VerifyBlobSHA256 is VerifyBlob of the blob whose SHA-256 is digest: a
// large file need not be in memory.
func (v *Verifier) VerifyBlobSHA256(name string, bundleJSON, digest []byte) error {
	b, err := parseBundle(bundleJSON)
	if err != nil {
		return &VerifyError{name, err}
	}
	if b.GetMessageSignature() == nil {
		return &VerifyError{name, errors.New("holds no message signature (a DSSE envelope? use it for the provenance)")}
	}
	policy := verify.NewPolicy(verify.WithArtifactDigest("sha256", digest), verify.WithKey())
	if _, err := v.v.Verify(b, policy); err != nil {
		return &VerifyError{name, fmt.Errorf("does not verify with the key: %w", err)}
	}
	return nil
}

// VerifyStatement checks that bundleJSON, the bundle named name, holds a
// DSSE envelope signed by the verifier's key whose payload is an in-toto
// statement byte-identical to stmt. Errors are *VerifyError.
func (v *Verifier) VerifyStatement(name string, bundleJSON, stmt []byte) error {
	b, err := parseBundle(bundleJSON)
	if err != nil {
		return &VerifyError{name, err}
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return &VerifyError{name, errors.New("holds no DSSE envelope (a blob signature? use it for the checksums file)")}
	}
	// The signature covers the envelope's payload: verify it, then that
	// the payload is the statement given.
	policy := verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithKey())
	if _, err := v.v.Verify(b, policy); err != nil {
		return &VerifyError{name, fmt.Errorf("does not verify with the key: %w", err)}
	}
	if env.GetPayloadType() != signing.InTotoPayloadType {
		return &VerifyError{name, fmt.Errorf("payload type %q, want %q", env.GetPayloadType(), signing.InTotoPayloadType)}
	}
	if !bytes.Equal(env.GetPayload(), stmt) {
		return &VerifyError{name, errors.New("signs another statement: its payload differs from the file")}
	}
	return nil
}

// parseBundle reads a Sigstore bundle; sigstore-go validates its media
// type and content. Its parser is not documented as safe on hostile
// input: a panic is a malformed bundle.
func parseBundle(data []byte) (b *bundle.Bundle, err error) {
	if len(data) > MaxBundle {
		return nil, fmt.Errorf("larger than %d bytes: not a kiln bundle", MaxBundle)
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("not a Sigstore bundle: %v", r)
		}
	}()
	b = &bundle.Bundle{}
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("not a Sigstore bundle: %w", err)
	}
	return b, nil
}
