package ospackage_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/ospackage"
)

// packager returns pkgs and err for any request, recording the request.
type packager struct {
	pkgs []ospackage.Package
	err  error
	got  ospackage.Request
}

func (p *packager) PackageOS(_ context.Context, req ospackage.Request) ([]ospackage.Package, error) {
	p.got = req
	return p.pkgs, p.err
}

func (p *packager) CheckNames(string, []string) error { return nil }

// TestBuild: every package written reaches add; the packager's failure is
// named with the platform, add's failures are kept beside it, and the
// packages written before the packager failed are still added.
func TestBuild(t *testing.T) {
	req := ospackage.Request{Name: "tool", Version: "v1.2.3", Platform: "linux/arm/7"}
	deb := ospackage.Package{Format: "deb", Path: "/out/tool_1.2.3_armhf.deb"}
	rpm := ospackage.Package{Format: "rpm", Path: "/out/tool-1.2.3-1.armv7hl.rpm"}
	for _, tt := range []struct {
		name    string
		p       *packager
		refuse  string // the format add refuses
		added   []ospackage.Package
		wantErr []string
	}{
		{"all written", &packager{pkgs: []ospackage.Package{deb, rpm}}, "", []ospackage.Package{deb, rpm}, nil},
		{"the packager fails after one", &packager{pkgs: []ospackage.Package{deb}, err: errors.New("rpm: no space left")}, "",
			[]ospackage.Package{deb}, []string{"os packages linux/arm/7: rpm: no space left"}},
		{"add refuses one", &packager{pkgs: []ospackage.Package{deb, rpm}}, "deb", []ospackage.Package{rpm}, []string{"refused deb"}},
		{"both fail", &packager{pkgs: []ospackage.Package{deb}, err: errors.New("apk: bad")}, "deb", nil,
			[]string{"os packages linux/arm/7: apk: bad", "refused deb"}},
	} {
		var added []ospackage.Package
		err := ospackage.Build(context.Background(), tt.p, req, func(pkg ospackage.Package) error {
			if pkg.Format == tt.refuse {
				return errors.New("refused " + pkg.Format)
			}
			added = append(added, pkg)
			return nil
		})
		if !reflect.DeepEqual(tt.p.got, req) {
			t.Errorf("%s: the packager got %+v, want %+v", tt.name, tt.p.got, req)
		}
		if !reflect.DeepEqual(added, tt.added) {
			t.Errorf("%s: added %v, want %v", tt.name, added, tt.added)
		}
		if (err == nil) != (tt.wantErr == nil) {
			t.Errorf("%s: Build = %v, want errors %q", tt.name, err, tt.wantErr)
			continue
		}
		for _, w := range tt.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Build = %v, want it to say %q", tt.name, err, w)
			}
		}
	}
}
