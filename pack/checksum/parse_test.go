package checksum

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

const (
	sumA = "caf90169eefa5f807d577486b9f795ab86ae2983c5c20806cff959117e90af18"
	sumB = "340d600392818df2413382dc7d8325c360d83ea49a262d31760348484bbc10b5"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		lines    []int // the lines reported, in order
		want     string
	}{
		{"empty", "", nil, "no files listed"},
		{"one space", sumA + " a.tar.gz\n", []int{1}, `checksums line 1 "` + sumA + ` a.tar.gz": want two spaces`},
		{"short sum", "abc  a.tar.gz\n", []int{1}, `checksums line 1 "abc  a.tar.gz": want "<sha256>  <name>"`},
		{"upper hex", strings.ToUpper(sumA) + "  a\n", []int{1}, "not 64 lowercase hex"},
		{"no name", sumA + "  \n", []int{1}, "no file name"},
		{"md5sum", "d41d8cd98f00b204e9800998ecf8427e  a\n", []int{1}, "checksums line 1"},
		{"bad escape", `\` + sumA + `  a\tb` + "\n", []int{1}, "bad escape"},
		{"twice", sumA + "  a\n" + sumB + "  a\n", []int{2}, "a is also listed on line 1"},
		{"several", sumA + "  a\n\ngarbage\n" + sumB + "  b\nmore garbage\n", []int{3, 5}, `checksums line 3 "garbage"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) = %v, %v, want an error containing %q", tt.in, s, err, tt.want)
			}
			var got []int
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					var le *LineError
					if errors.As(e, &le) {
						got = append(got, le.Line)
					}
				}
			}
			if !slices.Equal(got, tt.lines) {
				t.Errorf("Parse(%q) reported lines %v, want %v", tt.in, got, tt.lines)
			}
		})
	}
}

func TestParse(t *testing.T) {
	in := sumA + "  dir/a.tar.gz\r\n" + sumB + " *b.zip\n" + `\` + sumA + `  new\nline\\x` + "\n"
	got, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{{"dir/a.tar.gz", sumA}, {"b.zip", sumB}, {"new\nline\\x", sumA}}
	if len(got) != len(want) {
		t.Fatalf("Parse = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("subject %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// FuzzParse: any input is lines or an error, never a panic; every line
// has a name inside the directory and a well-formed sha256, and Format
// writes lines Parse reads back the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sumA + "  a\n" + sumB + " *b\n"))
	f.Add([]byte(`\` + sumA + `  a\\b\n`))
	f.Add([]byte("\n\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := Parse(data)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Name == "" || len(l.SHA256) != 64 || !isHex(l.SHA256) {
				t.Fatalf("Parse(%q) returned %q", data, l)
			}
		}
		out, err := Format(lines)
		if err != nil {
			t.Fatalf("Format(Parse(%q)) = %v", data, err)
		}
		again, err := Parse(out)
		if err != nil || len(again) != len(lines) {
			t.Fatalf("Parse(Format(Parse(%q))) = %q, %v", data, again, err)
		}
		slices.SortFunc(lines, func(a, b Line) int { return strings.Compare(a.Name, b.Name) })
		if !slices.Equal(again, lines) {
			t.Fatalf("Parse(Format(%q)) = %q", lines, again)
		}
	})
}

// TestSHA256SumFormat: Parse reads the files coreutils' sha256sum writes
// (text and binary mode, an escaped name), and sha256sum -c checks the
// file Write writes for the same names.
func TestSHA256SumFormat(t *testing.T) {
	bin := testtool.Need(t, "sha256sum")[0]
	dir := t.TempDir()
	for name, content := range map[string]string{"a.tar.gz": "a", "b c.zip": "b", `back\slash`: "c"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range []string{"-t", "-b"} {
		cmd := exec.Command(bin, mode, "a.tar.gz", "b c.zip", `back\slash`)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		subjects, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(sha256sum %s) = %v\n%s", mode, err, out)
		}
		if len(subjects) != 3 || subjects[1].Name != "b c.zip" || subjects[2].Name != `back\slash` {
			t.Errorf("Parse(sha256sum %s) = %v", mode, subjects)
		}
	}
	sums := filepath.Join(dir, "sums.txt")
	if err := Write(sums, dir, []string{"a.tar.gz", "b c.zip", `back\slash`}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", "--strict", "sums.txt")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), `back\slash: OK`) {
		t.Errorf("sha256sum -c of Write's file = %v\n%s", err, out)
	}
	if err := Verify(sums, dir); err != nil {
		t.Errorf("Verify of Write's file = %v", err)
	}
}

// TestFormatRefuses: a name twice, a bad sha256 or a name leaving the
// directory is not written.
func TestFormatRefuses(t *testing.T) {
	for _, lines := range [][]Line{
		{{"a", sumA}, {"a", sumB}},
		{{"a", strings.ToUpper(sumA)}},
		{{"../a", sumA}},
		{{"/a", sumA}},
	} {
		if out, err := Format(lines); err == nil {
			t.Errorf("Format(%q) = %q, want an error", lines, out)
		}
	}
}
