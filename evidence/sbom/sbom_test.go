package sbom

import (
	"bytes"
	"maps"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/evidence/internal/gomod"
	"github.com/kiln-build/kiln/internal/testtool"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdxlib"
)

var commitTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))

// validate parses doc with the SPDX project's Go library, runs its
// validator, and checks what SPDX 2.3 requires that the validator does not.
func validate(t *testing.T, doc []byte) *spdx.Document {
	t.Helper()
	d, err := spdxjson.Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("tools-golang json.Read: %v\n%s", err, doc)
	}
	if err := spdxlib.ValidateDocument(d); err != nil {
		t.Fatalf("spdxlib.ValidateDocument: %v", err)
	}
	if d.SPDXVersion != "SPDX-2.3" || d.DataLicense != "CC0-1.0" || d.SPDXIdentifier != "DOCUMENT" {
		t.Errorf("header = %s %s %s, want SPDX-2.3 CC0-1.0 DOCUMENT", d.SPDXVersion, d.DataLicense, d.SPDXIdentifier)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(d.CreationInfo.Created) {
		t.Errorf("created = %q, want YYYY-MM-DDThh:mm:ssZ", d.CreationInfo.Created)
	}
	described, err := spdxlib.GetDescribedPackageIDs(d)
	if err != nil || len(described) != 1 {
		t.Errorf("described packages = %v, %v, want exactly one", described, err)
	}
	id := regexp.MustCompile(`^[A-Za-z0-9.-]+$`)
	seen := map[spdx.ElementID]bool{}
	for _, p := range d.Packages {
		if !id.MatchString(string(p.PackageSPDXIdentifier)) || seen[p.PackageSPDXIdentifier] {
			t.Errorf("package %s: SPDXID %q is malformed or repeated", p.PackageName, p.PackageSPDXIdentifier)
		}
		seen[p.PackageSPDXIdentifier] = true
		if p.PackageName == "" || p.PackageDownloadLocation == "" {
			t.Errorf("package %s: name and downloadLocation are required", p.PackageSPDXIdentifier)
		}
		if p.FilesAnalyzed || p.PackageVerificationCode != nil {
			t.Errorf("package %s: filesAnalyzed must be false without a verification code", p.PackageName)
		}
		for _, r := range p.PackageExternalReferences {
			if r.Category == "PACKAGE-MANAGER" && !regexp.MustCompile(`^pkg:golang/[^@]+(@[^@]+)?$`).MatchString(r.Locator) {
				t.Errorf("package %s: purl %q is malformed", p.PackageName, r.Locator)
			}
		}
		for _, c := range p.PackageChecksums {
			if c.Algorithm != "SHA256" || !isSHA256(c.Value) {
				t.Errorf("package %s: checksum %s %q, want SHA256 in hex", p.PackageName, c.Algorithm, c.Value)
			}
		}
	}
	return d
}

// TestSPDXRealBinaries builds real programs, validates their SBOMs with
// tools-golang, and compares the module packages with `go version -m`.
func TestSPDXRealBinaries(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(builds)) {
		t.Run(name, func(t *testing.T) {
			b := build(t, name)
			facts := FileFacts{Name: "app_linux_amd64/" + name, SHA256: b.sha256, Created: commitTime, Version: "v1.2.3", Tool: "kiln-test"}
			out, err := SPDX(b.bi, facts)
			if err != nil {
				t.Fatal(err)
			}
			d := validate(t, out)

			mainPath, wantMods := goVersionM(t, b.path)
			gotMods := map[string]string{}
			var gotMain, stdlib string
			for _, p := range d.Packages {
				switch {
				case "SPDXRef-"+string(p.PackageSPDXIdentifier) == mainID:
					gotMain = p.PackageName
				case p.PackageName == "stdlib":
					stdlib = p.PackageVersion
				case p.PrimaryPackagePurpose == "LIBRARY":
					gotMods[p.PackageName] = p.PackageVersion
				}
			}
			if gotMain != mainPath {
				t.Errorf("main module = %q, want %q (go version -m)", gotMain, mainPath)
			}
			if !maps.Equal(gotMods, wantMods) {
				t.Errorf("modules = %v, want %v (go version -m)", gotMods, wantMods)
			}
			if stdlib != b.bi.GoVersion {
				t.Errorf("stdlib version = %q, want %q", stdlib, b.bi.GoVersion)
			}
			if !bytes.Contains(out, []byte(`"checksumValue": "`+b.sha256+`"`)) {
				t.Errorf("SBOM does not carry the binary's sha256 %s", b.sha256)
			}
			if err := Check(out, b.sha256, b.bi); err != nil {
				t.Errorf("Check(own SBOM) = %v, want nil", err)
			}
			again, err := SPDX(b.bi, facts)
			if err != nil || !bytes.Equal(out, again) {
				t.Errorf("SPDX twice: different bytes (err %v)", err)
			}
		})
	}
}

// TestSPDXReplaced checks how replaced modules are written, on the real
// binary whose go.mod replaces x/text by an older version and
// example.com/local by a directory.
func TestSPDXReplaced(t *testing.T) {
	b := build(t, "prog")
	out, err := SPDX(b.bi, FileFacts{Name: "prog", SHA256: b.sha256, Created: commitTime})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"referenceLocator": "pkg:golang/golang.org/x/text@v0.20.0"`,
		`"sourceInfo": "replaced: golang.org/x/text v0.21.0 => golang.org/x/text v0.20.0"`,
		`"comment": "go.sum: h1:gK/Kv2otX8gz+wn7Rmb3vT96ZwuoxnQlY+HlJVj7Qug=`,
		`"sourceInfo": "replaced: example.com/local v0.0.0 => directory ./local (no version, no checksum)"`,
		`"referenceLocator": "pkg:golang/github.com/spf13/pflag@v1.0.6"`,
		`"referenceLocator": "pkg:golang/stdlib@` + strings.TrimPrefix(b.bi.GoVersion, "go") + `"`,
		`"comment": "go build setting GOOS=` + settings(b.bi)["GOOS"] + `"`,
		`"relationshipType": "GENERATED_FROM"`,
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("SBOM lacks %s", want)
		}
	}
	// pflag's h1 sum, in hex, as the SHA256 checksum.
	hex, _ := gomod.H1Hex("h1:jFzHGLGAlb3ruxLB8MhbI6A8+AQX/2eW4qeyNZXNp2o=")
	if !bytes.Contains(out, []byte(hex)) {
		t.Errorf("SBOM lacks pflag's h1 sum in hex %s", hex)
	}
}

func settings(bi interface{ String() string }) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(bi.String(), "\n") {
		if rest, ok := strings.CutPrefix(l, "build\t"); ok {
			k, v, _ := strings.Cut(rest, "=")
			out[k] = v
		}
	}
	return out
}

// goldenInfo is build info in the go command's text form, with a replaced
// module, a directory replacement and a +incompatible version.
// debug.ParseBuildInfo skips the go line: parseGolden sets GoVersion.
const goldenInfo = `path	example.com/app/cmd/app
mod	example.com/app	v1.4.0	h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
dep	github.com/Masterminds/semver/v3	v3.4.0	h1:Zog+i5UMtVoCU8oKka5P7i9q9HgrJeGzI9SA1Xbatp0=
dep	github.com/docker/docker	v28.0.0+incompatible	h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
dep	golang.org/x/text	v0.21.0
=>	github.com/fork/text	v0.21.1-fork	h1:gK/Kv2otX8gz+wn7Rmb3vT96ZwuoxnQlY+HlJVj7Qug=
dep	example.com/local	v0.0.0
=>	../local	(devel)	
build	-buildmode=exe
build	-compiler=gc
build	-tags=netgo,osusergo
build	-trimpath=true
build	CGO_ENABLED=0
build	GOARCH=arm
build	GOOS=linux
build	GOARM=7
`

// TestSPDXGolden pins the exact bytes for fixed build info.
func TestSPDXGolden(t *testing.T) {
	bi := parseGolden(t)
	sum := strings.Repeat("ab", 32)
	out, err := SPDX(bi, FileFacts{Name: "app_linux_arm_7/app", SHA256: sum, Created: commitTime, Tool: "kiln-v0.4.0"})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, out)
	if err := Check(out, sum, bi); err != nil {
		t.Errorf("Check(own SBOM) = %v", err)
	}
	testtool.Golden(t, filepath.Join("testdata", "golden.spdx.json"), "SPDX(golden build info)", out)
}

func parseGolden(t testing.TB) *debug.BuildInfo {
	t.Helper()
	bi, err := debug.ParseBuildInfo(goldenInfo)
	if err != nil {
		t.Fatal(err)
	}
	bi.GoVersion = "go1.26.8 X:boringcrypto"
	return bi
}

func TestSPDXFacts(t *testing.T) {
	bi := parseGolden(t)
	tests := []struct {
		name  string
		facts FileFacts
		want  string
	}{
		{"no name", FileFacts{SHA256: strings.Repeat("0", 64), Created: commitTime}, "no file name"},
		{"short sha", FileFacts{Name: "a", SHA256: "abc", Created: commitTime}, `sha256 "abc" is not 64 lowercase hex digits`},
		{"upper sha", FileFacts{Name: "a", SHA256: strings.Repeat("A", 64), Created: commitTime}, "not 64 lowercase hex"},
		{"no time", FileFacts{Name: "a", SHA256: strings.Repeat("0", 64)}, "no creation time"},
	}
	for _, tt := range tests {
		_, err := SPDX(bi, tt.facts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SPDX(%s) = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := SPDX(nil, FileFacts{}); err == nil {
		t.Error("SPDX(nil) = nil error")
	}
	// A different commit time is a different document.
	f := FileFacts{Name: "a", SHA256: strings.Repeat("0", 64), Created: commitTime}
	a, _ := SPDX(bi, f)
	f.Created = f.Created.Add(time.Second)
	b, _ := SPDX(bi, f)
	if bytes.Equal(a, b) {
		t.Error("SPDX with another creation time wrote the same bytes")
	}
}
