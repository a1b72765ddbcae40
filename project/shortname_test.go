package project

import "testing"

func TestShortName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.com/tool", "tool"},
		{"example.com/tool/v2", "tool"},
		{"example.com/tool/v10", "tool"},
		{"github.com/kiln-build/kiln/sample-app", "sample-app"},
		{"gopkg.in/yaml.v3", "yaml"},
		{"gopkg.in/check.v1", "check"},
		{"example.com/v2", "example.com"},
		{"tool", "tool"},
		{"example.com/tool/v1", "v1"}, // not a major-version suffix: v1 is never one
		{"example.com/tool/v2x", "v2x"},
	} {
		if got := ShortName(tc.in); got != tc.want {
			t.Errorf("ShortName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
