// Package signing signs a release's evidence with the user's key and
// verifies it, in process and offline, in Sigstore's own formats, so that
// cosign checks what kiln signs and kiln checks what cosign signs:
//
//   - a blob (the checksums file) gets a Sigstore bundle v0.3 holding a
//     message signature over its SHA-256;
//   - an in-toto statement (the provenance) gets a bundle holding a DSSE
//     envelope (payload type application/vnd.in-toto+json) signed over
//     DSSE's pre-authentication encoding;
//
// both with a public-key hint (base64 of the SHA-256 of the PKIX public
// key, as cosign writes it), no certificate, no transparency log entry and
// no timestamp: a keyed signature, verifiable offline. Each is written as
// <file>.sigstore.json, Sigstore's convention. cosign v2.6.5 verifies them:
//
//	cosign verify-blob --key cosign.pub --bundle F.sigstore.json \
//	  --new-bundle-format --trusted-root TR --insecure-ignore-tlog=true F
//	cosign verify-blob-attestation --key cosign.pub --bundle P.sigstore.json \
//	  --new-bundle-format --trusted-root TR --insecure-ignore-tlog=true \
//	  --type slsaprovenance1 --check-claims=false
//
// where TR is a trusted root holding no authority at all (TrustedRootJSON:
// the key is the only trust).
//
// Keys are ECDSA P-256 (ParsePrivateKey). Signing is deterministic: ECDSA
// with RFC 6979 nonces and a fixed JSON layout, so the same key and the
// same bytes give the same bundle, run after run.
//
// This package pulls sigstore-go and its module tree into the program that
// imports it: only opt-in code (cmd/kiln, targets/signing) does.
package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
)

// InTotoPayloadType is the DSSE payload type of an in-toto statement.
const InTotoPayloadType = "application/vnd.in-toto+json"

// TrustedRootJSON is a Sigstore trusted root that trusts no certificate
// authority, log or timestamp authority: what cosign's --trusted-root
// needs to verify a keyed bundle offline.
const TrustedRootJSON = `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}` + "\n"

// A Signer signs with one ECDSA P-256 key.
type Signer struct {
	key  *ecdsa.PrivateKey
	hint string
}

// NewSigner returns a signer for key (see ParsePrivateKey).
func NewSigner(key *ecdsa.PrivateKey) (*Signer, error) {
	if key == nil {
		return nil, &KeyError{"private key", fmt.Errorf("none given")}
	}
	if _, err := p256(key); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, &KeyError{"private key", err}
	}
	sum := sha256.Sum256(der)
	return &Signer{key: key, hint: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// PublicKey returns the key that verifies the signer's bundles.
func (s *Signer) PublicKey() *ecdsa.PublicKey { return &s.key.PublicKey }

// SignBlob returns the Sigstore bundle (JSON) of a signature over data,
// the file published as name; name only labels errors.
func (s *Signer) SignBlob(ctx context.Context, name string, data []byte) ([]byte, error) {
	b, err := s.bundle(ctx, &sign.PlainData{Data: data})
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", name, err)
	}
	return b, nil
}

// SignStatement returns the Sigstore bundle (JSON) of a DSSE envelope
// carrying stmt, an in-toto statement, exactly as given: its bytes are
// the envelope's payload.
func (s *Signer) SignStatement(ctx context.Context, stmt []byte) ([]byte, error) {
	var st struct {
		Type string `json:"_type"`
	}
	if err := json.Unmarshal(stmt, &st); err != nil || st.Type == "" {
		return nil, fmt.Errorf("sign statement: not an in-toto statement (no _type): %v", err)
	}
	b, err := s.bundle(ctx, &sign.DSSEData{Data: stmt, PayloadType: InTotoPayloadType})
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	return b, nil
}

// bundle signs content and writes the bundle as indented JSON. protojson
// varies its whitespace from build to build on purpose; re-indenting
// gives one layout (its field order is the protobuf's, fixed).
func (s *Signer) bundle(ctx context.Context, content sign.Content) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pb, err := sign.Bundle(content, keypair{s}, sign.BundleOptions{Context: ctx})
	if err != nil {
		return nil, err
	}
	raw, err := protojson.Marshal(pb)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// keypair is the signer as sigstore-go's sign.Keypair, signing with
// RFC 6979 deterministic nonces.
type keypair struct{ s *Signer }

func (keypair) GetHashAlgorithm() protocommon.HashAlgorithm {
	return protocommon.HashAlgorithm_SHA2_256
}

func (keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256
}

func (k keypair) GetHint() []byte { return []byte(k.s.hint) }

func (keypair) GetKeyAlgorithm() string { return "ECDSA" }

func (k keypair) GetPublicKey() crypto.PublicKey { return k.s.PublicKey() }

func (k keypair) GetPublicKeyPem() (string, error) {
	b, err := PublicKeyPEM(k.s.PublicKey())
	return string(b), err
}

// SignData returns the signature of data's SHA-256 and that digest. A nil
// random source makes crypto/ecdsa derive the nonce from the key and the
// digest (RFC 6979).
func (k keypair) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	digest := sha256.Sum256(data)
	sig, err := k.s.key.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return sig, digest[:], nil
}
