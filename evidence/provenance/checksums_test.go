package provenance

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	sumA = "caf90169eefa5f807d577486b9f795ab86ae2983c5c20806cff959117e90af18"
	sumB = "340d600392818df2413382dc7d8325c360d83ea49a262d31760348484bbc10b5"
)

func TestSubjectsFromChecksumsErrors(t *testing.T) {
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
			s, err := SubjectsFromChecksums([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SubjectsFromChecksums(%q) = %v, %v, want an error containing %q", tt.in, s, err, tt.want)
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
				t.Errorf("SubjectsFromChecksums(%q) reported lines %v, want %v", tt.in, got, tt.lines)
			}
		})
	}
}

func TestSubjectsFromChecksums(t *testing.T) {
	in := sumA + "  dir/a.tar.gz\r\n" + sumB + " *b.zip\n" + `\` + sumA + `  new\nline\\x` + "\n"
	got, err := SubjectsFromChecksums([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Subject{{"dir/a.tar.gz", sumA}, {"b.zip", sumB}, {"new\nline\\x", sumA}}
	if len(got) != len(want) {
		t.Fatalf("SubjectsFromChecksums = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("subject %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestStatementInvalid(t *testing.T) {
	r := release(t, []byte(sumA+"  a\n"))
	r.Subjects = append(r.Subjects, Subject{"a", "xyz"}, Subject{"", sumB})
	r.Source.Commit = "abc"
	r.BuilderID = ""
	r.External.Version = ""
	r.FinishedOn = r.StartedOn.Add(-1)
	_, err := Statement(r)
	if err == nil {
		t.Fatal("Statement(invalid) = nil error")
	}
	for _, want := range []string{"subject a is listed twice", `subject a: sha256 "xyz"`, "subject 3 has no name",
		`source commit "abc"`, "no builder id", "no release version", "before it started"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Statement(invalid) = %v, want it to say %q", err, want)
		}
	}
	if _, err := Statement(Release{}); err == nil || !strings.Contains(err.Error(), "no subjects") {
		t.Errorf("Statement(Release{}) = %v", err)
	}
}

// FuzzSubjectsFromChecksums: any input is subjects or an error, never a
// panic, and every subject has a name and a well-formed sha256.
func FuzzSubjectsFromChecksums(f *testing.F) {
	f.Add([]byte(sumA + "  a\n" + sumB + " *b\n"))
	f.Add([]byte(`\` + sumA + `  a\\b\n`))
	f.Add([]byte("\n\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		subjects, err := SubjectsFromChecksums(data)
		if err != nil {
			return
		}
		for _, s := range subjects {
			if s.Name == "" || len(s.SHA256) != 64 || !isHex(s.SHA256) {
				t.Fatalf("SubjectsFromChecksums(%q) returned %q", data, s)
			}
		}
		if _, err := Statement(Release{Subjects: subjects, Source: Source{URI: "u", Commit: strings.Repeat("a", 40)},
			BuilderID: "b", External: External{Version: "v1"}}); err != nil {
			t.Fatalf("Statement(subjects of %q) = %v", data, err)
		}
	})
}
