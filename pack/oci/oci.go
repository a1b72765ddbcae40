// Package oci packs static linux binaries into a multi-platform OCI image
// index built FROM scratch, without a container engine, and writes it as an
// OCI image layout packed in a tar file (an "oci-archive").
//
// Every platform's image holds one layer:
//
//	/usr/local/bin/<name>               the binary (mode 0755)
//	/etc/ssl/certs/ca-certificates.crt  the CA bundle (Options.CACerts)
//	/etc/passwd, /etc/group             root and nonroot (65532) entries, so os/user works
//	/home/nonroot                       the nonroot user's home (owned by 65532)
//	/tmp                                mode 1777
//
// The image config runs the binary as 65532:65532 by default. The result is
// reproducible: every timestamp is Options.Created, tar entries are sorted
// and owned by root, gzip headers carry no name or time, so the same inputs
// give the same digests and a byte-identical archive.
//
// The archive is an OCI image layout whose index.json names one image index
// (tagged with the org.opencontainers.image.ref.name annotation) that lists
// one manifest per platform. Tools read it directly:
//
//	skopeo inspect --raw oci-archive:dist/app_1.2.3_oci.tar
//	skopeo copy oci-archive:dist/app_1.2.3_oci.tar docker://registry.example/app:1.2.3 --all
//
// Dockerfile renders the equivalent Dockerfile for users who build with
// Docker from the dist directory.
package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
)

// DefaultCACerts is the CA bundle copied into images when Options.CACerts
// is empty (Debian's ca-certificates package provides it).
const DefaultCACerts = "/etc/ssl/certs/ca-certificates.crt"

// DefaultUser is the image user when Options.User is empty: the nonroot
// user and group that the image's /etc/passwd and /etc/group define.
const DefaultUser = "65532:65532"

// BinDir is the directory of the binary inside the image.
const BinDir = "/usr/local/bin"

// Binary is one linux executable of a platform's image.
type Binary struct {
	Platform matrix.Platform
	// Path is the file to put into the image.
	Path string
	// Name is its name in BinDir; default Options.Name.
	Name string
	// Static is the caller's verdict that the binary loads no library
	// (kiln's verify stage decides it): a binary without it is refused.
	Static bool
	// DistPath is the binary's path below the output directory, for the
	// Dockerfile's COPY; default <Name>_<os>_<arch>[_<variant>]/<Name>.
	DistPath string
}

// Options describe the image. Name and Binaries are required; every other
// field has a default.
type Options struct {
	// Name is the program's name: the binary's name in the image and the
	// org.opencontainers.image.title label.
	Name string
	// Version and Revision (the commit) become labels; Version is also the
	// default tag.
	Version, Revision string
	// Source, Description, URL and Licenses become the matching
	// org.opencontainers.image.* labels when set.
	Source, Description, URL, Licenses string
	// Labels are extra labels; they override the standard ones.
	Labels map[string]string
	// Binaries are the static linux binaries: each platform's image holds
	// every binary of that platform.
	Binaries []Binary
	// Created is the time stamped on the image config, its history and
	// every file (use the commit time or SOURCE_DATE_EPOCH). The zero time
	// means the Unix epoch, so that builds stay reproducible.
	Created time.Time
	// CACerts is the path of the CA bundle to copy into the image; empty
	// means DefaultCACerts.
	CACerts string
	// User is the user the image runs as; empty means DefaultUser.
	User string
	// Entrypoint defaults to the binary; Cmd to nothing.
	Entrypoint, Cmd []string
	// ExposedPorts are ports such as "8080" or "53/udp" ("/tcp" is implied).
	ExposedPorts []string
	// Env is added after PATH and SSL_CERT_FILE, as KEY=VALUE strings.
	Env []string
	// DockerfileName is the Dockerfile's name in the output directory, for
	// the build command its comment shows (default "Dockerfile").
	DockerfileName string
	// Ref is the tag written in the org.opencontainers.image.ref.name
	// annotation; empty means Version, or "latest" when Version is empty.
	Ref string
}

// PlatformError is a problem with the binary of one platform.
type PlatformError struct {
	Platform matrix.Platform
	Path     string
	Err      error
}

func (e *PlatformError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("oci %s: %v", e.Platform, e.Err)
	}
	return fmt.Sprintf("oci %s: %s: %v", e.Platform, e.Path, e.Err)
}

func (e *PlatformError) Unwrap() error { return e.Err }

// Build writes the image index for o's binaries to dst (by convention
// dist/<name>_<version>_oci.tar) as a tarred OCI image layout and returns
// the digest of the image index ("sha256:…"). dst is written atomically: on
// any error nothing is left at dst.
func Build(ctx context.Context, dst string, o Options) (string, error) {
	o, err := o.withDefaults()
	if err != nil {
		return "", fmt.Errorf("oci %s: %w", dst, err)
	}
	if err := checkBinaries(o); err != nil {
		return "", fmt.Errorf("oci %s: %w", dst, err)
	}
	certs, err := os.ReadFile(o.CACerts)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("oci %s: CA bundle %s does not exist: install the ca-certificates package or set Options.CACerts to a PEM bundle", dst, o.CACerts)
	}
	if err != nil {
		return "", fmt.Errorf("oci %s: CA bundle: %w", dst, err)
	}

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, bins := range byPlatform(o.Binaries) {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("oci %s: %w", dst, err)
		}
		img, plat, err := platformImage(o, bins, certs)
		if err != nil {
			return "", &PlatformError{Platform: bins[0].Platform, Err: err}
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: plat},
		})
	}
	idx = mutate.Annotations(idx, o.annotations()).(v1.ImageIndex)
	h, err := idx.Digest()
	if err != nil {
		return "", fmt.Errorf("oci %s: %w", dst, err)
	}

	tmp, err := os.MkdirTemp("", "kiln-oci-*")
	if err != nil {
		return "", fmt.Errorf("oci %s: %w", dst, err)
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return "", fmt.Errorf("oci %s: write layout: %w", dst, err)
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{refNameAnnotation: o.Ref})); err != nil {
		return "", fmt.Errorf("oci %s: write layout: %w", dst, err)
	}
	err = atomicfile.Write(dst, 0o644, func(w io.Writer) error {
		return tarDir(w, tmp, o.Created)
	})
	if err != nil {
		return "", fmt.Errorf("oci: %w", err)
	}
	return h.String(), nil
}

const refNameAnnotation = "org.opencontainers.image.ref.name"

// refName is the grammar of org.opencontainers.image.ref.name in the OCI
// image-layout specification.
var refName = regexp.MustCompile(`^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$`)

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Name == "" || strings.ContainsAny(o.Name, `/\`) || o.Name == "." || o.Name == ".." {
		return o, fmt.Errorf("invalid name %q: want a file name", o.Name)
	}
	if len(o.Binaries) == 0 {
		return o, fmt.Errorf("no binaries: build the linux binaries first (mage crossall)")
	}
	o.Binaries = append([]Binary(nil), o.Binaries...)
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	o.Created = o.Created.UTC().Truncate(time.Second)
	if o.CACerts == "" {
		o.CACerts = DefaultCACerts
	}
	if o.User == "" {
		o.User = DefaultUser
	}
	if o.Entrypoint == nil {
		o.Entrypoint = []string{BinDir + "/" + o.Name}
	}
	if o.Ref == "" {
		o.Ref = o.Version
	}
	if o.Ref == "" {
		o.Ref = "latest"
	}
	if !refName.MatchString(o.Ref) {
		return o, fmt.Errorf("invalid ref %q: want letters, digits and single separators [-._:@+] (OCI ref.name)", o.Ref)
	}
	for i, b := range o.Binaries {
		if b.Name == "" {
			o.Binaries[i].Name = o.Name
		}
		if b.DistPath == "" {
			o.Binaries[i].DistPath = o.Name + "_" + b.Platform.Slug() + "/" + o.Binaries[i].Name
		}
	}
	return o, nil
}

// checkBinaries refuses non-linux platforms, duplicates, missing files and
// binaries that are not static, reporting every problem.
func checkBinaries(o Options) error {
	var errs *multierror.Error
	seen := map[string]matrix.Platform{}
	for _, b := range o.Binaries {
		fail := func(err error) {
			errs = multierror.Append(errs, &PlatformError{Platform: b.Platform, Path: b.Path, Err: err})
		}
		if b.Platform.OS != "linux" {
			fail(fmt.Errorf("only linux binaries go into an OCI image, not %s", b.Platform.OS))
			continue
		}
		key := ociPlatform(b.Platform).String() + " " + b.Name
		if prev, ok := seen[key]; ok {
			fail(fmt.Errorf("duplicate image platform %s for %s (also from %s)", ociPlatform(b.Platform), b.Name, prev))
			continue
		}
		seen[key] = b.Platform
		fi, err := os.Stat(b.Path)
		if errors.Is(err, os.ErrNotExist) {
			fail(fmt.Errorf("binary not found: run `mage crossall` (or `mage static`) first"))
			continue
		}
		if err != nil {
			fail(err)
			continue
		}
		if !fi.Mode().IsRegular() {
			fail(fmt.Errorf("not a regular file"))
			continue
		}
		if !b.Static {
			fail(fmt.Errorf("refusing a binary that is not static: an image FROM scratch has no libraries to load"))
		}
	}
	return errs.ErrorOrNil()
}

// annotations are the standard OCI annotations (and image labels).
func (o Options) annotations() map[string]string {
	a := map[string]string{
		"org.opencontainers.image.title":   o.Name,
		"org.opencontainers.image.created": gitinfo.FormatDate(o.Created),
	}
	for k, v := range map[string]string{
		"version": o.Version, "revision": o.Revision, "source": o.Source,
		"description": o.Description, "url": o.URL, "licenses": o.Licenses,
	} {
		if v != "" {
			a["org.opencontainers.image."+k] = v
		}
	}
	return a
}

// labels are the annotations plus o.Labels.
func (o Options) labels() map[string]string {
	l := o.annotations()
	for k, v := range o.Labels {
		l[k] = v
	}
	return l
}

// byPlatform groups binaries by platform, platforms sorted, binaries in
// the order given.
func byPlatform(all []Binary) [][]Binary {
	var groups [][]Binary
	at := map[matrix.Platform]int{}
	for _, b := range all {
		i, ok := at[b.Platform]
		if !ok {
			i = len(groups)
			at[b.Platform] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], b)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i][0].Platform.Less(groups[j][0].Platform) })
	return groups
}
