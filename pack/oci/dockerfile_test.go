package oci

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

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
	testtool.Golden(t, filepath.Join("testdata", "Dockerfile.golden"), "Dockerfile(o)", got)
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

	// Two binaries per platform: each platform is listed and staged once.
	two := testOptions([]Binary{
		{Platform: matrix.MustParse("linux/amd64"), Path: "dist/probe_linux_amd64/probe", Name: "probe"},
		{Platform: matrix.MustParse("linux/amd64"), Path: "dist/probe_linux_amd64/probed", Name: "probed"},
		{Platform: matrix.MustParse("linux/arm64"), Path: "dist/probe_linux_arm64/probe", Name: "probe"},
		{Platform: matrix.MustParse("linux/arm64"), Path: "dist/probe_linux_arm64/probed", Name: "probed"},
	})
	df := string(Dockerfile(two))
	if !strings.Contains(df, "--platform linux/amd64,linux/arm64 ") || strings.Count(df, "FROM scratch AS linux-amd64\n") != 1 ||
		!strings.Contains(df, "COPY ${DIST}/probe_linux_arm64/probed /usr/local/bin/probed\n") {
		t.Errorf("Dockerfile of two binaries per platform:\n%s", df)
	}
}

// TestSettingsApply: a project's image settings reach the image as Build
// and Dockerfile see them: the entrypoint binary in BinDir (the program's
// name when none is set), its arguments, environment, ports and labels.
func TestSettingsApply(t *testing.T) {
	s := Settings{Entrypoint: "probed", Cmd: []string{"serve"}, Env: []string{"MODE=prod"}, ExposedPorts: []string{"53/udp"},
		Labels: map[string]string{"team": "infra"}, CACerts: "certs.pem"}
	o := s.Apply(Options{Name: "probe", Version: "1.2.3",
		Binaries: []Binary{{Platform: matrix.MustParse("linux/amd64"), Path: "dist/probe_linux_amd64/probed", Name: "probed"}}})
	if o.Name != "probe" || o.Version != "1.2.3" || len(o.Binaries) != 1 || o.CACerts != "certs.pem" {
		t.Errorf("Apply changed what the settings do not set, or lost the CA bundle: %+v", o)
	}
	df := string(Dockerfile(o))
	for _, want := range []string{`ENTRYPOINT ["/usr/local/bin/probed"]` + "\n", `CMD ["serve"]` + "\n", `ENV MODE="prod"`, "EXPOSE 53/udp\n", `team="infra"`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile of the applied settings lacks %q:\n%s", want, df)
		}
	}
	if df := string(Dockerfile(Settings{}.Apply(Options{Name: "probe", Binaries: o.Binaries}))); !strings.Contains(df, `ENTRYPOINT ["/usr/local/bin/probe"]`+"\n") {
		t.Errorf("without an entrypoint the image does not run its program's name:\n%s", df)
	}
}
