package oci

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/kiln-build/kiln/internal/reprotar"
	"github.com/kiln-build/kiln/matrix"
)

// nonrootUID is the uid and gid of the image's nonroot user.
const nonrootUID = 65532

const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group = "root:x:0:\n" +
		"nonroot:x:65532:\n"
)

// ociPlatform maps a Go platform to an OCI one: GOARM 7 is variant "v7",
// GOARM64 v8.x is none and v9.x "v9", GOAMD64 v3 stays "v3"; variants of other
// architectures have no OCI spelling and are dropped.
func ociPlatform(p matrix.Platform) v1.Platform {
	o := v1.Platform{OS: p.OS, Architecture: p.Arch}
	switch p.Arch {
	case "arm":
		if p.Variant != "" {
			o.Variant = "v" + p.Variant
		}
	case "arm64":
		// v8 is arm64's baseline, which OCI spells without a variant.
		if major, _, _ := strings.Cut(p.Variant, "."); major != "v8" {
			o.Variant = major
		}
	case "amd64":
		o.Variant = p.Variant
	}
	return o
}

// platformImage builds the image of one platform's binaries.
func platformImage(o Options, bins []Binary, certs []byte) (v1.Image, *v1.Platform, error) {
	progs := map[string][]byte{}
	for _, b := range bins {
		data, err := os.ReadFile(b.Path)
		if err != nil {
			return nil, nil, err
		}
		progs[b.Name] = data
	}
	b := bins[0]
	rootfs, err := rootfsTar(o, progs, certs)
	if err != nil {
		return nil, nil, fmt.Errorf("layer: %w", err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(rootfs)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
	if err != nil {
		return nil, nil, fmt.Errorf("layer: %w", err)
	}
	plat := ociPlatform(b.Platform)
	created := v1.Time{Time: o.Created}
	cfg := &v1.ConfigFile{
		Architecture: plat.Architecture,
		OS:           plat.OS,
		Variant:      plat.Variant,
		Created:      created,
		Config: v1.Config{
			User:         o.User,
			Env:          append([]string{"PATH=" + BinDir + ":/usr/bin:/bin", "SSL_CERT_FILE=" + DefaultCACerts}, o.Env...),
			Entrypoint:   o.Entrypoint,
			Cmd:          o.Cmd,
			ExposedPorts: exposedPorts(o.ExposedPorts),
			Labels:       o.labels(),
			WorkingDir:   "/",
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, nil, err
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   created,
			CreatedBy: "kiln pack/oci: " + o.Name + " " + o.Version,
			Comment:   "static " + b.Platform.String() + " binary, CA certificates, nonroot user",
		},
	})
	if err != nil {
		return nil, nil, err
	}
	return plainImage{img}, &plat, nil
}

// plainImage hides the artifactType that go-containerregistry derives from
// the config media type, so that the index describes ordinary images the
// way docker and buildkit write them.
type plainImage struct{ v1.Image }

// ArtifactType returns "": an image is not an artifact.
func (plainImage) ArtifactType() (string, error) { return "", nil }

func exposedPorts(ports []string) map[string]struct{} {
	if len(ports) == 0 {
		return nil
	}
	m := make(map[string]struct{}, len(ports))
	for _, p := range ports {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		m[p] = struct{}{}
	}
	return m
}

// entry is one file or directory of the image's filesystem.
// rootfsTar returns the layer: a tar of the image's files, sorted by name,
// every entry stamped with o.Created; progs are the binaries by name.
func rootfsTar(o Options, progs map[string][]byte, certs []byte) ([]byte, error) {
	dir := func(name string, mode int64) reprotar.Entry { return reprotar.Entry{Name: name, Mode: mode} }
	entries := []reprotar.Entry{
		dir("etc/", 0o755),
		reprotar.Data("etc/group", 0o644, []byte(group)),
		reprotar.Data("etc/passwd", 0o644, []byte(passwd)),
		dir("etc/ssl/", 0o755),
		dir("etc/ssl/certs/", 0o755),
		reprotar.Data("etc/ssl/certs/ca-certificates.crt", 0o644, certs),
		dir("home/", 0o755),
		{Name: "home/nonroot/", Mode: 0o700, UID: nonrootUID, GID: nonrootUID},
		dir("tmp/", 0o1777),
		dir("usr/", 0o755),
		dir("usr/local/", 0o755),
		dir("usr/local/bin/", 0o755),
	}
	for name, data := range progs {
		entries = append(entries, reprotar.Data(path.Join(BinDir[1:], name), 0o755, data))
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return reprotar.Bytes(entries, o.Created, tar.FormatPAX)
}
