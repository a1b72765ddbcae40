package setting

import "testing"

func TestIs(t *testing.T) {
	for n, want := range map[Name]string{
		"KILN_NAME":                       `KILN_NAME="a/b"`,
		"Config.Name":                     `Config.Name "a/b"`,
		"KILN_WINE/Config.Verify.Windows": `KILN_WINE/Config.Verify.Windows "a/b"`,
	} {
		if got := n.Is("a/b"); got != want {
			t.Errorf("%s.Is = %s, want %s", n, got, want)
		}
	}
}
