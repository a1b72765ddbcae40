// Package signing signs a release's evidence with the user's key, in
// process and offline, in Sigstore's own formats, so that cosign (and
// evidence/sigcheck) verify what kiln signs:
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
// The bundles are written from plain structs in the layout of Sigstore's
// protobuf JSON, with the standard library alone (and x/crypto for
// cosign's encrypted keys): a magefile that signs pulls no Sigstore
// library. Verification, which needs sigstore-go, is evidence/sigcheck's.
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
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sign %s: %w", name, err)
	}
	digest := sha256.Sum256(data)
	sig, err := s.sign(digest[:])
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", name, err)
	}
	return s.bundle(bundle{MessageSignature: &messageSignature{
		MessageDigest: hashOutput{Algorithm: "SHA2_256", Digest: digest[:]},
		Signature:     sig,
	}})
}

// SignStatement returns the Sigstore bundle (JSON) of a DSSE envelope
// carrying stmt, an in-toto statement, exactly as given: its bytes are
// the envelope's payload, signed over DSSE's pre-authentication encoding.
func (s *Signer) SignStatement(ctx context.Context, stmt []byte) ([]byte, error) {
	var st struct {
		Type string `json:"_type"`
	}
	if err := json.Unmarshal(stmt, &st); err != nil || st.Type == "" {
		return nil, fmt.Errorf("sign statement: not an in-toto statement (no _type): %v", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	digest := sha256.Sum256(PAE(InTotoPayloadType, stmt))
	sig, err := s.sign(digest[:])
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	return s.bundle(bundle{DSSEEnvelope: &envelope{Payload: stmt, PayloadType: InTotoPayloadType,
		Signatures: []envelopeSignature{{Sig: sig}}}})
}

// PAE is DSSE's pre-authentication encoding of a payload: what the
// signature covers.
func PAE(payloadType string, payload []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload)
}

// sign signs a SHA-256 digest, ASN.1 DER. A nil random source makes
// crypto/ecdsa derive the nonce from the key and the digest (RFC 6979).
func (s *Signer) sign(digest []byte) ([]byte, error) {
	return s.key.Sign(nil, digest, crypto.SHA256)
}

// bundle completes b with the media type and the key hint and writes it
// as indented JSON with a trailing newline.
func (s *Signer) bundle(b bundle) ([]byte, error) {
	b.MediaType = BundleMediaType
	b.VerificationMaterial.PublicKey.Hint = s.hint
	raw, err := json.Marshal(b)
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

// BundleMediaType is the Sigstore bundle format kiln writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// The Sigstore bundle v0.3 as JSON (protobuf-specs' Bundle through
// protojson: camelCase names, bytes in standard base64, enums by name),
// reduced to a keyed signature. Field order is the protobuf's.
type bundle struct {
	MediaType            string               `json:"mediaType"`
	VerificationMaterial verificationMaterial `json:"verificationMaterial"`
	MessageSignature     *messageSignature    `json:"messageSignature,omitempty"`
	DSSEEnvelope         *envelope            `json:"dsseEnvelope,omitempty"`
}

type verificationMaterial struct {
	PublicKey struct {
		Hint string `json:"hint"`
	} `json:"publicKey"`
}

type messageSignature struct {
	MessageDigest hashOutput `json:"messageDigest"`
	Signature     []byte     `json:"signature"`
}

type hashOutput struct {
	Algorithm string `json:"algorithm"`
	Digest    []byte `json:"digest"`
}

type envelope struct {
	Payload     []byte              `json:"payload"`
	PayloadType string              `json:"payloadType"`
	Signatures  []envelopeSignature `json:"signatures"`
}

type envelopeSignature struct {
	Sig []byte `json:"sig"`
}
