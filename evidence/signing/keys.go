package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// The PEM block types of the keys kiln reads.
const (
	pemPKCS8           = "PRIVATE KEY"
	pemSEC1            = "EC PRIVATE KEY"
	pemPublic          = "PUBLIC KEY"
	pemSigstoreEncrypt = "ENCRYPTED SIGSTORE PRIVATE KEY" // cosign generate-key-pair since v2.2
	pemCosignEncrypt   = "ENCRYPTED COSIGN PRIVATE KEY"   // cosign before v2.2
)

// ErrPasswordNeeded is wrapped by the error of an encrypted cosign key
// given without a password; ErrWrongPassword by one whose password does
// not open it. cosign reads the password from COSIGN_PASSWORD; so should
// the caller.
var (
	ErrPasswordNeeded = errors.New("the key is encrypted and needs its password")
	ErrWrongPassword  = errors.New("the password does not open the key")
)

// A KeyError says why a key could not be used.
type KeyError struct {
	// What is "private key" or "public key".
	What string
	Err  error
}

func (e *KeyError) Error() string { return "signing: " + e.What + ": " + e.Err.Error() }

func (e *KeyError) Unwrap() error { return e.Err }

// ParsePrivateKey reads an ECDSA P-256 private key in PEM: PKCS#8
// ("PRIVATE KEY", as openssl genpkey writes it), SEC 1 ("EC PRIVATE KEY")
// or cosign's encrypted format ("ENCRYPTED SIGSTORE PRIVATE KEY", or
// "ENCRYPTED COSIGN PRIVATE KEY" from older cosign: PKCS#8 sealed with
// NaCl secretbox under a scrypt key), which password opens. The password
// is ignored for an unencrypted key. Errors are *KeyError.
func ParsePrivateKey(pemBytes, password []byte) (*ecdsa.PrivateKey, error) {
	fail := func(err error) (*ecdsa.PrivateKey, error) { return nil, &KeyError{"private key", err} }
	block, err := onePEM(pemBytes)
	if err != nil {
		return fail(err)
	}
	der := block.Bytes
	switch block.Type {
	case pemSEC1:
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", block.Type, err))
		}
		return p256(k)
	case pemPKCS8:
	case pemSigstoreEncrypt, pemCosignEncrypt:
		if len(password) == 0 {
			return fail(fmt.Errorf("%s: %w", block.Type, ErrPasswordNeeded))
		}
		plain, err := encrypted.Decrypt(der, password)
		switch {
		case err != nil && strings.Contains(err.Error(), "decryption failed"):
			return fail(fmt.Errorf("%s: %w", block.Type, ErrWrongPassword))
		case err != nil:
			return fail(fmt.Errorf("%s: not cosign's encrypted format: %w", block.Type, err))
		}
		der = plain
	case pemPublic:
		return fail(errors.New("this is a public key; signing needs the private key (the public one verifies)"))
	default:
		return fail(fmt.Errorf("PEM block %q: want %q, %q or cosign's %q", block.Type, pemPKCS8, pemSEC1, pemSigstoreEncrypt))
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", block.Type, err))
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return fail(fmt.Errorf("a %T key; kiln signs with ECDSA P-256 keys (cosign generate-key-pair, or openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)", k))
	}
	return p256(ec)
}

// ParsePublicKey reads an ECDSA P-256 public key in PEM ("PUBLIC KEY",
// PKIX), as cosign generate-key-pair writes cosign.pub. Errors are
// *KeyError.
func ParsePublicKey(pemBytes []byte) (*ecdsa.PublicKey, error) {
	fail := func(err error) (*ecdsa.PublicKey, error) { return nil, &KeyError{"public key", err} }
	block, err := onePEM(pemBytes)
	if err != nil {
		return fail(err)
	}
	switch block.Type {
	case pemPublic:
	case pemPKCS8, pemSEC1, pemSigstoreEncrypt, pemCosignEncrypt:
		return fail(fmt.Errorf("this is a private key (%s): give the public key (cosign.pub), which is safe to publish", block.Type))
	default:
		return fail(fmt.Errorf("PEM block %q: want %q", block.Type, pemPublic))
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return fail(err)
	}
	ec, ok := k.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return fail(fmt.Errorf("a %T key; kiln's signatures are ECDSA P-256", k))
	}
	return ec, nil
}

// PublicKeyPEM returns k's public key as cosign writes cosign.pub.
func PublicKeyPEM(k *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, &KeyError{"public key", err}
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der}), nil
}

// onePEM decodes the first PEM block of b.
func onePEM(b []byte) (*pem.Block, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block (want a file that starts with -----BEGIN ...)")
	}
	return block, nil
}

func p256(k *ecdsa.PrivateKey) (*ecdsa.PrivateKey, error) {
	if k.Curve != elliptic.P256() {
		return nil, &KeyError{"private key", fmt.Errorf("ECDSA on %s; kiln signs with P-256 keys, as cosign does", k.Curve.Params().Name)}
	}
	return k, nil
}
