package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// TestSkopeoIndex: skopeo reads the archive as one OCI index with a
// manifest and a platform per binary, and the index digest is Build's.
func TestSkopeoIndex(t *testing.T) {
	skopeo := testtool.Need(t, "skopeo")[0]
	tarPath, digest := testArchive(t)
	raw := run(t, skopeo, "inspect", "--raw", "oci-archive:"+tarPath)
	got, _, err := v1.SHA256(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != digest {
		t.Errorf("digest of skopeo's raw index = %s, Build returned %s", got, digest)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal([]byte(raw), &idx); err != nil {
		t.Fatalf("index: %v\n%s", err, raw)
	}
	if idx.MediaType != types.OCIImageIndex {
		t.Errorf("index mediaType = %q, want %q", idx.MediaType, types.OCIImageIndex)
	}
	var plats []string
	for _, m := range idx.Manifests {
		if m.MediaType != types.OCIManifestSchema1 {
			t.Errorf("manifest %s mediaType = %q, want %q", m.Digest, m.MediaType, types.OCIManifestSchema1)
		}
		if m.ArtifactType != "" {
			t.Errorf("manifest %s artifactType = %q, want none", m.Digest, m.ArtifactType)
		}
		if m.Platform == nil {
			t.Errorf("manifest %s has no platform", m.Digest)
			continue
		}
		plats = append(plats, m.Platform.String())
	}
	want := []string{"linux/amd64", "linux/arm/v7", "linux/arm64"}
	if !slices.Equal(plats, want) {
		t.Errorf("index platforms = %q, want %q", plats, want)
	}
	if got := idx.Annotations["org.opencontainers.image.version"]; got != "1.2.3" {
		t.Errorf("index version annotation = %q, want 1.2.3", got)
	}
}

// TestSkopeoPlatform: skopeo picks each platform's image from the index
// and sees its labels, architecture, user and entrypoint.
func TestSkopeoPlatform(t *testing.T) {
	skopeo := testtool.Need(t, "skopeo")[0]
	tarPath, _ := testArchive(t)
	for _, p := range testPlatforms {
		t.Run(p.Slug(), func(t *testing.T) {
			args := overrides(p)
			var info struct {
				Architecture string
				Os           string
				Labels       map[string]string
			}
			out := run(t, skopeo, append(append([]string{"inspect"}, args...), "oci-archive:"+tarPath)...)
			if err := json.Unmarshal([]byte(out), &info); err != nil {
				t.Fatalf("skopeo inspect: %v\n%s", err, out)
			}
			if info.Architecture != p.Arch || info.Os != "linux" {
				t.Errorf("skopeo inspect %s: os/arch = %s/%s", p, info.Os, info.Architecture)
			}
			for k, v := range map[string]string{
				"org.opencontainers.image.title":    "probe",
				"org.opencontainers.image.version":  "1.2.3",
				"org.opencontainers.image.created":  "2024-05-17T12:30:00Z",
				"org.opencontainers.image.licenses": "Apache-2.0",
				"com.example.team":                  "kiln",
			} {
				if info.Labels[k] != v {
					t.Errorf("label %s = %q, want %q", k, info.Labels[k], v)
				}
			}
			var cfg v1.ConfigFile
			out = run(t, skopeo, append(append([]string{"inspect", "--config"}, args...), "oci-archive:"+tarPath)...)
			if err := json.Unmarshal([]byte(out), &cfg); err != nil {
				t.Fatalf("skopeo inspect --config: %v\n%s", err, out)
			}
			if cfg.Config.User != "65532:65532" {
				t.Errorf("config user = %q, want 65532:65532", cfg.Config.User)
			}
			if want := ociPlatform(p).Variant; cfg.Variant != want {
				t.Errorf("config variant = %q, want %q", cfg.Variant, want)
			}
			if want := []string{"/usr/local/bin/probe"}; !slices.Equal(cfg.Config.Entrypoint, want) {
				t.Errorf("entrypoint = %q, want %q", cfg.Config.Entrypoint, want)
			}
			if _, ok := cfg.Config.ExposedPorts["8080/tcp"]; !ok {
				t.Errorf("exposed ports = %v, want 8080/tcp", cfg.Config.ExposedPorts)
			}
			if !cfg.Created.Time.Equal(testCreated) || len(cfg.History) != 1 || !cfg.History[0].Created.Time.Equal(testCreated) {
				t.Errorf("created = %v, history = %+v, want all %v", cfg.Created, cfg.History, testCreated)
			}
		})
	}
}

// overrides are skopeo's flags that select p from an index.
func overrides(p matrix.Platform) []string {
	args := []string{"--override-os", p.OS, "--override-arch", p.Arch}
	if v := ociPlatform(p).Variant; v != "" {
		args = append(args, "--override-variant", v)
	}
	return args
}

// TestLayerContents reads every image of the layout back with
// go-containerregistry and checks the layer's files and their metadata.
func TestLayerContents(t *testing.T) {
	tarPath, _ := testArchive(t)
	dir := t.TempDir()
	untar(t, tarPath, dir)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 || im.Manifests[0].Annotations[refNameAnnotation] != "1.2.3" {
		t.Fatalf("index.json = %+v, %v; want one index tagged 1.2.3", im, err)
	}
	inner, err := idx.ImageIndex(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	ii, err := inner.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ii.Manifests {
		img, err := inner.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("%s: layers = %d, %v; want 1", d.Platform, len(layers), err)
		}
		rc, err := layers[0].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(rc)
		if err != nil {
			t.Fatal(err)
		}
		if !zr.ModTime.IsZero() || zr.Name != "" {
			t.Errorf("%s: gzip header name %q mtime %v, want none", d.Platform, zr.Name, zr.ModTime)
		}
		names := eachEntry(t, zr, func(h *tar.Header, _ io.Reader) {
			wantUID := 0
			if h.Name == "home/nonroot/" {
				wantUID = nonrootUID
			}
			if h.Uid != wantUID || h.Gid != wantUID || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(testCreated) {
				t.Errorf("%s: %s: uid %d gid %d %q %q mtime %v; want %d, no names, %v",
					d.Platform, h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime, wantUID, testCreated)
			}
			if h.Name == "usr/local/bin/probe" && h.Mode != 0o755 {
				t.Errorf("%s: binary mode %o, want 755", d.Platform, h.Mode)
			}
			if h.Name == "tmp/" && h.Mode != 0o1777 {
				t.Errorf("%s: /tmp mode %o, want 1777", d.Platform, h.Mode)
			}
		})
		zr.Close()
		rc.Close()
		if !sort.StringsAreSorted(names) {
			t.Errorf("%s: entries not sorted: %q", d.Platform, names)
		}
		for _, want := range []string{"etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt", "tmp/", "usr/local/bin/probe"} {
			if !slices.Contains(names, want) {
				t.Errorf("%s: layer lacks %s: %q", d.Platform, want, names)
			}
		}
	}
}

// TestArchiveTar: the outer tar is sorted, owned by root and stamped with
// Created.
func TestArchiveTar(t *testing.T) {
	tarPath, _ := testArchive(t)
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := eachEntry(t, f, func(h *tar.Header, _ io.Reader) {
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(testCreated) {
			t.Errorf("%s: uid %d gid %d mtime %v", h.Name, h.Uid, h.Gid, h.ModTime)
		}
	})
	if !sort.StringsAreSorted(names) || !slices.Contains(names, "oci-layout") || !slices.Contains(names, "index.json") {
		t.Errorf("archive entries = %q, want sorted with oci-layout and index.json", names)
	}
}

// TestReproducible: two builds of the same inputs give the same digest and
// the same bytes; another Created gives another digest.
func TestReproducible(t *testing.T) {
	bins := probeBinaries(t)
	dir := t.TempDir()
	o := testOptions(bins)
	build := func(name string, o Options) (string, []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		d, err := Build(context.Background(), p, o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return d, b
	}
	d1, b1 := build("a.tar", o)
	slices.Reverse(o.Binaries) // input order does not matter
	d2, b2 := build("b.tar", o)
	if d1 != d2 || !bytes.Equal(b1, b2) {
		t.Errorf("rebuild: digest %s vs %s, identical bytes %v; want the same", d1, d2, bytes.Equal(b1, b2))
	}
	t.Logf("index %s, %d bytes, twice", d1, len(b1))
	o.Created = o.Created.Add(time.Second)
	d3, b3 := build("c.tar", o)
	if d3 == d1 || bytes.Equal(b1, b3) {
		t.Errorf("Created +1s: digest %s, want different from %s", d3, d1)
	}
}

// TestRefuse: binaries that do not belong in the image are refused with a
// clear error, and nothing is left at the destination.
func TestRefuse(t *testing.T) {
	bins := probeBinaries(t)
	dir := t.TempDir()
	amd64 := testPlatforms[0]
	tests := []struct {
		name string
		edit func(*Options)
		want []string
		as   any
	}{
		{"not static", func(o *Options) { o.Binaries = []Binary{{Platform: amd64, Path: bins[0].Path}} }, []string{"linux/amd64", "not static"}, nil},
		{"darwin", func(o *Options) {
			o.Binaries = append(o.Binaries, Binary{Platform: matrix.MustParse("darwin/arm64"), Path: bins[0].Path, Static: true})
		}, []string{"darwin/arm64", "only linux"}, nil},
		{"missing", func(o *Options) {
			o.Binaries = append(o.Binaries, Binary{Platform: matrix.MustParse("linux/riscv64"), Path: filepath.Join(dir, "nope"), Static: true})
		}, []string{"linux/riscv64", "mage crossall"}, nil},
		{"duplicate", func(o *Options) { o.Binaries = append(o.Binaries, bins[1]) }, []string{"duplicate image platform linux/arm64"}, nil},
		{"duplicate variant", func(o *Options) {
			o.Binaries = append(o.Binaries, Binary{Platform: matrix.MustParse("linux/arm64/v8.0"), Path: bins[1].Path, Static: true})
		}, []string{"duplicate image platform linux/arm64"}, nil},
		{"no CA bundle", func(o *Options) { o.CACerts = filepath.Join(dir, "none.crt") }, []string{"ca-certificates", "Options.CACerts"}, nil},
		{"no binaries", func(o *Options) { o.Binaries = nil }, []string{"no binaries"}, nil},
		{"bad name", func(o *Options) { o.Name = "a/b" }, []string{"invalid name"}, nil},
		{"bad ref", func(o *Options) { o.Ref = "1.2.3 beta" }, []string{"invalid ref"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(slices.Clone(bins))
			tt.edit(&o)
			out := t.TempDir()
			dst := filepath.Join(out, "probe_1.2.3_oci.tar")
			_, err := Build(context.Background(), dst, o)
			if err == nil {
				t.Fatalf("Build = nil error, want one mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Build error = %q, want it to mention %q", err, w)
				}
			}
			if tt.as != nil && !errors.As(err, tt.as) {
				t.Errorf("Build error %q does not wrap %T", err, tt.as)
			}
			if left, _ := os.ReadDir(out); len(left) != 0 {
				t.Errorf("after a failed Build the output dir holds %v, want nothing", left)
			}
		})
	}
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		dst := filepath.Join(t.TempDir(), "probe.tar")
		if _, err := Build(ctx, dst, testOptions(bins)); !errors.Is(err, context.Canceled) {
			t.Errorf("Build(canceled) = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after a canceled Build: stat %s = %v, want not exist", dst, err)
		}
	})
	// The same options without the edit succeed: the refusals above are
	// about the edits.
	if _, err := Build(context.Background(), filepath.Join(dir, "ok.tar"), testOptions(bins)); err != nil {
		t.Fatalf("unedited options: %v", err)
	}
}

// eachEntry calls fn for every entry of the tar read from r and returns
// the entries' names in order.
func eachEntry(t *testing.T, r io.Reader, fn func(h *tar.Header, body io.Reader)) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		fn(h, tr)
	}
}

// untar extracts the archive at tarPath into dir.
func untar(t *testing.T, tarPath, dir string) {
	t.Helper()
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	eachEntry(t, f, func(h *tar.Header, body io.Reader) {
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o755)
			return
		}
		b, err := io.ReadAll(body)
		if err == nil {
			err = os.WriteFile(p, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
}
