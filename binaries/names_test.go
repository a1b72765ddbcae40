package binaries

import (
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/project"
)

// TestProject: the project's name comes from the first of Config.Project,
// the one binary's Name, the release config and the module path; every
// bad name the user set (or the module gave) is named as its setting.
func TestProject(t *testing.T) {
	mod := &project.Module{Path: "example.com/tool/v2"}
	withRelease := &project.Module{Path: "example.com/tool", Release: &project.Config{ProjectName: "toolkit"}}
	badModule := &project.Module{Path: "example.com/con"}
	tests := []struct {
		name          string
		mod           *project.Module
		proj, binName string
		want          string
		bad           []string
	}{
		{"module's last element, major version dropped", mod, "", "", "tool", nil},
		{"release config's project name", withRelease, "", "", "toolkit", nil},
		{"the one binary's name", withRelease, "", "cli", "cli", nil},
		{"Config.Project first", withRelease, "proj", "cli", "proj", nil},
		{"bad Config.Project", mod, "a b", "", "a b", []string{`Config.Project "a b": want a file name`}},
		{"bad module name", badModule, "", "", "con", []string{`the project's name "con", the last element of module example.com/con (set Config.Project): a device name on windows`}},
		{"bad binary name", mod, "", "x.exe", "x.exe", []string{"KILN_NAME=x.exe: drop the .exe"}},
		{"both bad, the project first", mod, "-p", "x.exe", "-p", []string{`Config.Project "-p"`, "KILN_NAME=x.exe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := Project(tt.mod, tt.proj, tt.binName, "KILN_NAME="+tt.binName)
			if got != tt.want {
				t.Errorf("Project = %q, want %q", got, tt.want)
			}
			if len(bad) != len(tt.bad) {
				t.Fatalf("bad = %q, want %d starting %q", bad, len(tt.bad), tt.bad)
			}
			for i, want := range tt.bad {
				if !strings.HasPrefix(bad[i], want) {
					t.Errorf("bad[%d] = %q, want it to start %q", i, bad[i], want)
				}
			}
		})
	}
}

// TestMainBinaryOf: the image and service run the binary named after the project,
// else the first.
func TestMainBinaryOf(t *testing.T) {
	bins := []Bin{{Name: "ctl"}, {Name: "tool"}}
	if got := Names(bins); !slices.Equal(got, []string{"ctl", "tool"}) {
		t.Errorf("Names = %q", got)
	}
	if got := Main(bins, "tool"); got != "tool" {
		t.Errorf("Main(tool) = %q, want the binary named after the project", got)
	}
	if got := Main(bins, "other"); got != "ctl" {
		t.Errorf("Main(other) = %q, want the first binary", got)
	}
}
