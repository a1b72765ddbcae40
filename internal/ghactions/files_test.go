package ghactions

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// parseOutputs reads a $GITHUB_OUTPUT file the way the runner does: "k=v"
// lines and "k<<DELIM" blocks ending at a line equal to DELIM.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		name, delim, ok := strings.Cut(l, "<<")
		if !ok {
			k, v, _ := strings.Cut(l, "=")
			out[k] = v
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("output %s: delimiter %q never closes", name, delim)
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func TestSetOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github_output")
	if err := os.WriteFile(path, []byte("earlier=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	matrix := "{\n  \"include\": [\n    {\"shard\": \"1/2\"},\n    {\"shard\": \"2/2\"}\n  ]\n}"
	values := map[string]string{
		"matrix":   matrix,
		"empty":    "",
		"trailing": "a\n",
		"tricky":   "EOF\nname<<EOF\nghadelimiter_\n",
	}
	for _, name := range []string{"matrix", "empty", "trailing", "tricky"} {
		if err := SetOutput(path, name, values[name]); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^matrix<<ghadelimiter_[A-Z2-7]{26}\n\{\n`).Match(data) {
		t.Errorf("output file does not hold matrix in the name<<DELIM form:\n%s", data)
	}
	got := parseOutputs(t, string(data))
	values["earlier"] = "1"
	for k, want := range values {
		if got[k] != want {
			t.Errorf("output %s = %q, want %q\nfile:\n%s", k, got[k], want, data)
		}
	}
}

func TestSetOutputErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	for _, name := range []string{"", "a=b", "a<<b", "a\nb", "1st", "-x", "a b"} {
		if err := SetOutput(path, name, "v"); err == nil {
			t.Errorf("SetOutput(%q) = nil, want an error", name)
		}
	}
	for _, name := range []string{"shards", "_x", "a-b_2"} {
		if err := SetOutput(path, name, "v"); err != nil {
			t.Errorf("SetOutput(%q) = %v, want nil", name, err)
		}
	}
	if err := SetOutput("", "x", "v"); err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT") {
		t.Errorf(`SetOutput("", …) = %v, want an error naming GITHUB_OUTPUT`, err)
	}
}

func TestAppendSummaryTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	one := NewTable("platform", "size").Row("linux/amd64", "6.3 MB").String()
	if err := AppendSummary(path, "## kiln\n"+one); err != nil {
		t.Fatal(err)
	}
	if err := AppendSummary(path, "second block"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "## kiln\n| platform | size |\n| --- | --- |\n| linux/amd64 | 6.3 MB |\n\nsecond block\n\n"
	if string(data) != want {
		t.Errorf("summary =\n%q\nwant\n%q", data, want)
	}
	if err := AppendSummary("", "x"); err == nil {
		t.Error(`AppendSummary("", …) = nil, want an error`)
	}
	if err := AppendSummary(path, strings.Repeat("x", MaxSummary)); err == nil {
		t.Error("AppendSummary past MaxSummary = nil, want an error")
	}
}
