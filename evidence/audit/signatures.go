package audit

import (
	"encoding/hex"
	"errors"
	"strings"

	"github.com/kiln-build/kiln/evidence/sigcheck"
	"github.com/kiln-build/kiln/layout"
)

// signatures verifies every bundle in the directory against the key, and
// requires one for the checksums file and the provenance when a key is
// given.
func (a *auditor) signatures() {
	required := []string{a.rel.checksums}
	if a.rel.provenance != "" {
		required = append(required, a.rel.provenance)
	}
	for _, f := range required {
		b := layout.BundlePath(f)
		switch {
		case a.rel.has(b):
		case a.verifier != nil:
			a.add(b, "signature", Failed, "missing: a public key was given, so %s must be signed (publish %s with the release)", f, b)
		default:
			a.add(b, "signature", NotChecked, "not here: %s is not signed", f)
		}
	}
	for _, b := range a.rel.files {
		target, ok := strings.CutSuffix(b, layout.BundleSuffix)
		if !ok {
			continue
		}
		switch {
		case !a.rel.has(target):
			a.add(b, "signature", NotChecked, "signs %s, which is not in the directory", target)
			continue
		case a.verifier == nil:
			a.add(b, "signature", NotChecked, "no public key given (kiln check --key KEY.pub) to verify it with")
			continue
		}
		bundle, err := a.read(b, MaxEvidence)
		if err != nil {
			a.add(b, "signature", Failed, "unreadable: %v", err)
			continue
		}
		if target == a.rel.provenance {
			var data []byte
			if data, err = a.read(target, MaxEvidence); err == nil {
				err = a.verifier.VerifyStatement(b, bundle, data)
			}
		} else {
			// Any published file may be signed (an archive too): by its
			// digest, streamed.
			var sum string
			if sum, err = a.hash(target); err == nil {
				digest, _ := hex.DecodeString(sum)
				err = a.verifier.VerifyBlobSHA256(b, bundle, digest)
			}
		}
		if ve := (*sigcheck.VerifyError)(nil); errors.As(err, &ve) {
			err = ve.Err // the row names the bundle already
		}
		if err != nil {
			a.add(b, "signature", Failed, "over %s: %v", target, err)
			continue
		}
		a.add(b, "signature", OK, "%s is signed by the key", target)
	}
}
