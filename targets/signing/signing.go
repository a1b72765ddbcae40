// Package signing turns on signing in kiln's package stage: a Sigstore
// bundle (<file>.sigstore.json) for the checksums file and a DSSE-signed
// one for the provenance, made in process with your key and verifiable
// offline by cosign and by `kiln check --key`. It is a separate package
// so that a magefile that does not sign compiles none of it (signing
// itself needs only the standard library and x/crypto's scrypt and
// secretbox, for cosign's encrypted keys). In your magefile:
//
//	func init() {
//		targets.Config.Package.Signing = signing.New()
//	}
//
// The key is an ECDSA P-256 private key in PEM (PKCS#8 or SEC 1) or
// cosign's encrypted key (cosign generate-key-pair), whose password the
// package stage reads from COSIGN_PASSWORD. See
// github.com/kiln-build/kiln/evidence/signing for the formats.
package signing

import (
	"errors"
	"fmt"

	"github.com/kiln-build/kiln/evidence/sigbundle"
	evsigning "github.com/kiln-build/kiln/evidence/signing"
)

// Signer is what the package stage signs with: a blob (the checksums
// file) and an in-toto statement (the provenance), each into a Sigstore
// bundle's JSON.
type Signer = sigbundle.Signer

// Loader turns a key file's bytes and its password (nil for an
// unencrypted key) into a Signer. The package stage calls it when it runs,
// with the key it resolved (KILN_SIGNING_KEY or Config.Package.SigningKey)
// and COSIGN_PASSWORD, so nothing is read in init.
type Loader = sigbundle.Loader

// New returns the loader of kiln's in-process Sigstore signer. A missing or
// wrong password of an encrypted key is sigbundle.ErrPassword (the
// package stage names COSIGN_PASSWORD); any other key problem is an
// *evidence/signing.KeyError.
func New() Loader {
	return func(keyPEM, password []byte) (Signer, error) {
		key, err := evsigning.ParsePrivateKey(keyPEM, password)
		if errors.Is(err, evsigning.ErrPasswordNeeded) || errors.Is(err, evsigning.ErrWrongPassword) {
			return nil, fmt.Errorf("%w: %w", sigbundle.ErrPassword, err)
		}
		if err != nil {
			return nil, err
		}
		return evsigning.NewSigner(key)
	}
}
