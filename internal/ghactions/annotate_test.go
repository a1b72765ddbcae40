package ghactions

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestAnnotations(t *testing.T) {
	const repo = "/src/repo"
	tests := []struct {
		name      string
		out       string
		moduleDir string
		want      []Annotation
	}{
		{
			name:      "root package and a cmd package, with continuation lines",
			moduleDir: repo,
			out: "# example.com/m\n" +
				"./main.go:2:15: declared and not used: x\n" +
				"# example.com/m/cmd/a\n" +
				"cmd/a/main.go:3:16: not enough return values\n" +
				"\thave ()\n" +
				"\twant (int)\n" +
				"cmd/a/main.go:4:19: declared and not used: s\n",
			want: []Annotation{
				{"error", "main.go", 2, 15, "example.com/m", "declared and not used: x"},
				{"error", "cmd/a/main.go", 3, 16, "example.com/m/cmd/a", "not enough return values\nhave ()\nwant (int)"},
				{"error", "cmd/a/main.go", 4, 19, "example.com/m/cmd/a", "declared and not used: s"},
			},
		},
		{
			name:      "module in a subdirectory of the repository",
			moduleDir: repo + "/sample-app",
			out:       "# example.com/sample\n./main.go:7:2: undefined: y\n../verify/verify.go:1:1: expected 'package'\n",
			want: []Annotation{
				{"error", "sample-app/main.go", 7, 2, "example.com/sample", "undefined: y"},
				{"error", "verify/verify.go", 1, 1, "example.com/sample", "expected 'package'"},
			},
		},
		{
			name:      "column missing",
			moduleDir: repo,
			out:       "asm_amd64.s:12: unexpected EOF\n",
			want:      []Annotation{{"error", "asm_amd64.s", 12, 0, "", "unexpected EOF"}},
		},
		{
			name:      "CRLF line endings",
			moduleDir: repo,
			out:       "# example.com/m\r\n./main.go:2:15: declared and not used: x\r\n\thave ()\r\n",
			want:      []Annotation{{"error", "main.go", 2, 15, "example.com/m", "declared and not used: x\nhave ()"}},
		},
		{
			name:      "absolute paths: inside the module made relative, outside kept",
			moduleDir: repo,
			out: "/src/repo/internal/x/x.go:5:3: undefined: z\n" +
				"/root/go/pkg/mod/example.com/dep@v1.0.0/dep.go:9:1: syntax error\n" +
				"/src/repository-other/a.go:1:1: m\n" +
				"../outside/b.go:2:2: m\n" +
				`C:\a\b c\main.go:4:2: undefined: w` + "\n",
			want: []Annotation{
				{"error", "internal/x/x.go", 5, 3, "", "undefined: z"},
				{"error", "/root/go/pkg/mod/example.com/dep@v1.0.0/dep.go", 9, 1, "", "syntax error"},
				{"error", "/src/repository-other/a.go", 1, 1, "", "m"},
				{"error", "../outside/b.go", 2, 2, "", "m"},
				{"error", `C:\a\b c\main.go`, 4, 2, "", "undefined: w"},
			},
		},
		{
			name:      "cgo's C compiler: levels",
			moduleDir: repo,
			out:       "# example.com/m/cgo\n./hello.c:3:1: error: unknown type name 'x'\n./hello.c:5:2: warning: unused variable 'y'\n",
			want: []Annotation{
				{"error", "hello.c", 3, 1, "example.com/m/cgo", "unknown type name 'x'"},
				{"warning", "hello.c", 5, 2, "example.com/m/cgo", "unused variable 'y'"},
			},
		},
		{
			name:      "garbage lines ignored, a tab after garbage is no continuation",
			moduleDir: repo,
			out: "go: downloading example.com/dep v1.0.0\n" +
				"note: module requires Go 1.27\n" +
				"\torphan continuation\n" +
				"vet: ./main.go:1:2: prefixed\n" +
				"main.go:0:1: line zero\n" +
				"main.go:x:1: not a number\n" +
				"main.txt:1:1: not source\n" +
				"main.go:1:2:no space\n" +
				"main.go:99999999999999999999:1: overflow\n" +
				"/usr/bin/ld: cannot find -lfoo\n" +
				"\n" +
				"too many errors\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Annotations(tt.out, tt.moduleDir, repo)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Annotations(%q) =\n%#v\nwant\n%#v", tt.out, got, tt.want)
			}
		})
	}
}

func TestAnnotationString(t *testing.T) {
	tests := []struct {
		in   Annotation
		want string
	}{
		{Annotation{Level: "error", File: "cmd/a/main.go", Line: 3, Col: 2, Message: "undefined: x"},
			"::error file=cmd/a/main.go,line=3,col=2::undefined: x"},
		{Annotation{File: "a.go", Line: 3, Message: "m"}, "::error file=a.go,line=3::m"},
		{Annotation{Level: "warning", File: "a.c", Line: 1, Col: 1, Message: "unused"}, "::warning file=a.c,line=1,col=1::unused"},
		{Annotation{Level: "error", File: `C:\x,y%.go`, Line: 1, Message: "100% wrong\r\nhave ()\nwant (int)"},
			`::error file=C%3A\x%2Cy%25.go,line=1::100%25 wrong%0D%0Ahave ()%0Awant (int)`},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteAnnotationsOnce(t *testing.T) {
	a := Annotation{Level: "error", File: "main.go", Line: 1, Col: 2, Message: "undefined: x"}
	b := a
	b.Line = 2
	var buf bytes.Buffer
	if err := WriteAnnotations(&buf, []Annotation{a, b, a}); err != nil {
		t.Fatal(err)
	}
	want := a.String() + "\n" + b.String() + "\n"
	if buf.String() != want {
		t.Errorf("WriteAnnotations = %q, want %q", buf.String(), want)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		in, data, property string
	}{
		{"plain", "plain", "plain"},
		{"50%", "50%25", "50%25"},
		{"%0A", "%250A", "%250A"},
		{"a\r\nb\n", "a%0D%0Ab%0A", "a%0D%0Ab%0A"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
		}
	}
}

func TestEnabledAndGroup(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"GITHUB_ACTIONS": "true"}, true},
		{map[string]string{"GITHUB_ACTIONS": "false"}, false},
		{map[string]string{"CI": "true"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := Enabled(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("Enabled(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
	var buf bytes.Buffer
	if err := Group(&buf, "build linux/arm/7\n100%"); err != nil {
		t.Fatal(err)
	}
	if err := EndGroup(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "::group::build linux/arm/7%0A100%25\n::endgroup::\n"; buf.String() != want {
		t.Errorf("Group+EndGroup wrote %q, want %q", buf.String(), want)
	}
	if strings.Count(buf.String(), "\n") != 2 {
		t.Errorf("a title's newline must not end the command: %q", buf.String())
	}
}
