package signing

import "testing"

// FuzzParsePrivateKey: no key file makes the parser panic.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add(pkcs8PEM(f, newKey(f)), []byte(""))
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), []byte("x"))
	f.Fuzz(func(t *testing.T, pemBytes, password []byte) {
		k, err := ParsePrivateKey(pemBytes, password)
		if err == nil && k == nil {
			t.Fatal("no key and no error")
		}
		_, _ = ParsePublicKey(pemBytes)
	})
}
