package gomod

import "testing"

func TestPURL(t *testing.T) {
	tests := []struct{ path, version, want string }{
		{"github.com/spf13/pflag", "v1.0.6", "pkg:golang/github.com/spf13/pflag@v1.0.6"},
		{"github.com/Masterminds/semver/v3", "v3.4.0", "pkg:golang/github.com/Masterminds/semver/v3@v3.4.0"},
		{"github.com/docker/docker", "v28.0.0+incompatible", "pkg:golang/github.com/docker/docker@v28.0.0%2Bincompatible"},
		{"stdlib", "1.26.8", "pkg:golang/stdlib@1.26.8"},
		{"example.com/m", "", "pkg:golang/example.com/m"},
		{"a@b/c d", "v1/2", "pkg:golang/a%40b/c%20d@v1%2F2"},
	}
	for _, tt := range tests {
		if got := PURL(tt.path, tt.version); got != tt.want {
			t.Errorf("PURL(%q, %q) = %q, want %q", tt.path, tt.version, got, tt.want)
		}
	}
}

func TestH1Hex(t *testing.T) {
	tests := []struct {
		sum, want string
		ok        bool
	}{
		// in-toto's digest_set.md example.
		{"h1:Khu2En+0gcYPZ2kuIihfswbzxv/mIHXgzPZ018Oty48=", "2a1bb6127fb481c60f67692e22285fb306f3c6ffe62075e0ccf674d7c3adcb8f", true},
		{"h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true},
		{"h2:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "", false},
		{"h1:!!!", "", false},
		{"h1:AAAA", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := H1Hex(tt.sum)
		if got != tt.want || ok != tt.ok {
			t.Errorf("H1Hex(%q) = %q, %v, want %q, %v", tt.sum, got, ok, tt.want, tt.ok)
		}
	}
}
