package oci

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestDockerfile compares Dockerfile's output with testdata/Dockerfile.golden
// (go test -run Dockerfile -update rewrites it).
func TestDockerfile(t *testing.T) {
	o := testOptions([]Binary{
		{Platform: matrix.MustParse("linux/arm/7"), Path: "dist/probe_linux_arm_7/probe"},
		{Platform: matrix.MustParse("linux/amd64"), Path: "dist/probe_linux_amd64/probe"},
		{Platform: matrix.MustParse("darwin/arm64"), Path: "dist/probe_darwin_arm64/probe"},
		{Platform: matrix.MustParse("linux/arm64"), Path: "dist/probe_linux_arm64/probe"},
	})
	got := Dockerfile(o)
	golden := filepath.Join("testdata", "Dockerfile.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run Dockerfile -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Dockerfile(o) differs from %s (rerun with -update after checking):\n%s", golden, got)
	}
	// The facts the golden file pins, so a careless -update cannot lose them.
	for _, s := range []string{
		"FROM scratch AS linux-armv7\n",
		"COPY ${DIST}/probe_linux_arm_7/probe /usr/local/bin/probe\n",
		"FROM ${TARGETOS}-${TARGETARCH}${TARGETVARIANT}\n",
		"USER 65532:65532\n",
		`ENTRYPOINT ["/usr/local/bin/probe"]` + "\n",
		`CMD ["hello","world"]` + "\n",
		"EXPOSE 8080/tcp\n",
		`org.opencontainers.image.version="1.2.3"`,
		"--platform linux/amd64,linux/arm/v7,linux/arm64 ",
	} {
		if !strings.Contains(string(got), s) {
			t.Errorf("Dockerfile(o) lacks %q", s)
		}
	}
	if strings.Contains(string(got), "darwin") {
		t.Errorf("Dockerfile(o) mentions the darwin binary")
	}
}
