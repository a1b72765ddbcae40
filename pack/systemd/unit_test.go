package systemd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// network is the typical unit: a network service with an argument list
// that needs quoting and a little environment.
func network(execStart string) Unit {
	return Unit{
		Name:          "kiln-sample",
		Description:   "kiln sample service (100% Go)",
		Documentation: "https://example.com/kiln https://example.com/kiln/docs",
		ExecStart:     execStart,
		Args:          []string{"serve", "--addr", ":8080", "--greeting", `hello "world" $HOME 50% ; \o/`, "", `C:\`},
		Environment:   map[string]string{"TZ": "UTC", "GODEBUG": "madvdontneed=1", "MSG": "a b"},
	}
}

func TestRenderGolden(t *testing.T) {
	got, err := network("/usr/bin/kiln-sample").Render()
	if err != nil {
		t.Fatal(err)
	}
	testtool.Golden(t, filepath.Join("testdata", "kiln-sample.service"), "Render()", got)
	again, _ := network("/usr/bin/kiln-sample").Render()
	if !bytes.Equal(got, again) {
		t.Error("Render() is not deterministic")
	}
}

// program creates an executable file for ExecStart: systemd-analyze
// verify checks that it exists.
func program(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeUnit renders u into a directory of its own and returns the path.
func writeUnit(t *testing.T, u Unit) string {
	t.Helper()
	data, err := u.Render()
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	p := filepath.Join(t.TempDir(), u.FileName())
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// analyze runs systemd-analyze and returns stdout, stderr and the error.
func analyze(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	tool := testtool.Need(t, "systemd-analyze")[0]
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(context.Background(), tool, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

var exposureRE = regexp.MustCompile(`Overall exposure level for \S+: ([0-9]+(?:\.[0-9]+)?) `)

// exposure returns the overall exposure `systemd-analyze security` gives
// the unit at path, and the full report.
func exposure(t *testing.T, path string) (float64, string) {
	t.Helper()
	out, stderr, err := analyze(t, "security", "--offline=true", path)
	if err != nil {
		t.Fatalf("systemd-analyze security %s: %v\n%s%s", path, err, out, stderr)
	}
	m := exposureRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no overall exposure level in the output:\n%s", out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v, out
}

func withCaps(execStart string) Unit {
	u := network(execStart)
	u.Capabilities = []string{"CAP_NET_BIND_SERVICE"}
	u.Args = []string{"--addr", ":80"}
	u.User = "www-data"
	u.Restart = "on-failure"
	u.StateDirectory = "kiln-sample"
	u.ReadWritePaths = []string{"-/var/cache/kiln-sample"}
	u.SystemCallFilter = []string{"~@mount"}
	u.AddressFamilies = []string{"AF_INET", "AF_INET6"}
	u.Extra = [][2]string{{"Type", "notify"}, {"PrivateDevices", "no"}, {"LimitNOFILE", "65536"}, {"RestartSec", "2s"}}
	return u
}

func TestVerify(t *testing.T) {
	exe := program(t)
	for name, u := range map[string]Unit{
		"network": network(exe),
		"minimal": {Name: "m", ExecStart: exe},
		"hatches": withCaps(exe),
	} {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := analyze(t, "verify", writeUnit(t, u))
			if err != nil || stderr != "" {
				t.Errorf("systemd-analyze verify: err=%v\nstdout:\n%s\nstderr:\n%s", err, out, stderr)
			}
		})
	}
}

// TestVerifyCanFail proves that the conditions TestVerify checks can fail:
// a missing program and broken quoting fail verify, an unknown key warns.
func TestVerifyCanFail(t *testing.T) {
	raw := filepath.Join(t.TempDir(), "quoting.service")
	if err := os.WriteFile(raw, []byte("[Service]\nExecStart="+program(t)+` "unbalanced`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := analyze(t, "verify", raw); err == nil || !strings.Contains(stderr, "quoting") {
		t.Errorf("verify accepted broken quoting: err=%v, stderr:\n%s", err, stderr)
	}
	u := Unit{Name: "missing", ExecStart: filepath.Join(t.TempDir(), "does-not-exist")}
	if _, stderr, err := analyze(t, "verify", writeUnit(t, u)); err == nil && stderr == "" {
		t.Error("verify accepted a unit whose program does not exist")
	}
	u = Unit{Name: "unknown", ExecStart: program(t), Extra: [][2]string{{"NoSuchSetting", "yes"}}}
	if _, stderr, _ := analyze(t, "verify", writeUnit(t, u)); !strings.Contains(stderr, "NoSuchSetting") {
		t.Errorf("verify did not warn about an unknown key; stderr:\n%s", stderr)
	}
}

func TestSecurityExposure(t *testing.T) {
	exe := program(t)
	got, report := exposure(t, writeUnit(t, network(exe)))
	t.Logf("hardened network unit: exposure %.1f", got)
	if got > 2.0 {
		t.Errorf("exposure of the default unit = %.1f, want <= 2.0:\n%s", got, report)
	}

	naive := filepath.Join(t.TempDir(), "naive.service")
	if err := os.WriteFile(naive, []byte("[Service]\nExecStart="+exe+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := exposure(t, naive); got < 9 {
		t.Errorf("exposure of a unit with only ExecStart = %.1f, want >= 9 (the check must be able to fail)", got)
	}

	got, report = exposure(t, writeUnit(t, withCaps(exe)))
	t.Logf("unit with escape hatches: exposure %.1f", got)
	for _, want := range []string{
		"CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE",
		"AmbientCapabilities=",
		"PrivateDevices=",
		"PrivateUsers=",
	} {
		if !regexp.MustCompile(`✗ ` + regexp.QuoteMeta(want)).MatchString(report) {
			t.Errorf("security report does not flag %s as granted:\n%s", want, report)
		}
	}
	if got > 5 {
		t.Errorf("exposure with escape hatches = %.1f, want a moderate value (<= 5)", got)
	}
}

func TestRenderEscapeHatches(t *testing.T) {
	data, err := withCaps("/usr/bin/kiln-sample").Render()
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{
		"\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n",
		"\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n",
		"\nUser=www-data\n",
		"\nRestart=on-failure\n",
		"\nStateDirectory=kiln-sample\n",
		"\nReadWritePaths=-/var/cache/kiln-sample\n",
		"\nSystemCallFilter=~@mount\n",
		"\nRestrictAddressFamilies=AF_INET AF_INET6\n",
		"\nType=notify\n",
		"\nPrivateDevices=no\n",
		"\nLimitNOFILE=65536\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("unit lacks %q:\n%s", strings.TrimSpace(want), s)
		}
	}
	for _, unwanted := range []string{"DynamicUser=", "PrivateUsers=", "Type=exec", "PrivateDevices=yes"} {
		if strings.Contains(s, unwanted) {
			t.Errorf("unit has %q, which the configuration replaced or turned off:\n%s", unwanted, s)
		}
	}
}

func TestRenderInvalid(t *testing.T) {
	ok := Unit{Name: "app", ExecStart: "/usr/bin/app"}
	for _, tc := range []struct {
		name  string
		edit  func(*Unit)
		field string
	}{
		{"empty name", func(u *Unit) { u.Name = "" }, "Name"},
		{"name with slash", func(u *Unit) { u.Name = "a/b" }, "Name"},
		{"relative ExecStart", func(u *Unit) { u.ExecStart = "bin/app" }, "ExecStart"},
		{"empty ExecStart", func(u *Unit) { u.ExecStart = "" }, "ExecStart"},
		{"newline in description", func(u *Unit) { u.Description = "a\nExecStartPre=/bin/evil" }, "Description"},
		{"newline in arg", func(u *Unit) { u.Args = []string{"ok", "a\nb"} }, "Args[1]"},
		{"newline in env", func(u *Unit) { u.Environment = map[string]string{"A": "x\ny"} }, "Environment[A]"},
		{"bad env name", func(u *Unit) { u.Environment = map[string]string{"A B": "x"} }, "Environment"},
		{"trailing backslash", func(u *Unit) { u.Description = `a\` }, "Description"},
		{"invalid UTF-8", func(u *Unit) { u.Description = "\xff" }, "Description"},
		{"bad doc URI", func(u *Unit) { u.Documentation = "example.com" }, "Documentation"},
		{"bad restart", func(u *Unit) { u.Restart = "sometimes" }, "Restart"},
		{"bad user", func(u *Unit) { u.User = "a b" }, "User"},
		{"bad capability", func(u *Unit) { u.Capabilities = []string{"NET_BIND_SERVICE"} }, "Capabilities"},
		{"bad family", func(u *Unit) { u.AddressFamilies = []string{"AF_INET", "none"} }, "AddressFamilies"},
		{"relative rw path", func(u *Unit) { u.ReadWritePaths = []string{"var/lib"} }, "ReadWritePaths"},
		{"state dir escapes", func(u *Unit) { u.StateDirectory = "../etc" }, "StateDirectory"},
		{"empty syscall filter", func(u *Unit) { u.SystemCallFilter = []string{" "} }, "SystemCallFilter"},
		{"extra owned key", func(u *Unit) { u.Extra = [][2]string{{"User", "root"}} }, "Extra"},
		{"extra bad key", func(u *Unit) { u.Extra = [][2]string{{"a=b", "x"}} }, "Extra"},
		{"extra newline", func(u *Unit) { u.Extra = [][2]string{{"Nice", "1\nUser=root"}} }, "Extra[Nice]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := ok
			tc.edit(&u)
			data, err := u.Render()
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Render() = %q, %v; want a *FieldError", data, err)
			}
			if fe.Field != tc.field {
				t.Errorf("Render() error field = %q, want %q (%v)", fe.Field, tc.field, err)
			}
		})
	}
	if _, err := ok.Render(); err != nil {
		t.Errorf("valid unit: Render() = %v", err)
	}
}

func TestRenderReportsAllErrors(t *testing.T) {
	_, err := Unit{ExecStart: "app", Restart: "x"}.Render()
	for _, want := range []string{"Name", "ExecStart", "Restart"} {
		if err == nil || !strings.Contains(err.Error(), want+" ") {
			t.Errorf("Render() = %v, want it to name %s", err, want)
		}
	}
}

func TestQuoteWord(t *testing.T) {
	for _, tc := range []struct {
		in   string
		vars bool
		want string
	}{
		{"/usr/bin/app", true, "/usr/bin/app"},
		{"--addr=:8080", true, "--addr=:8080"},
		{"", true, `""`},
		{"a b", true, `"a b"`},
		{`say "hi"`, true, `"say \"hi\""`},
		{`C:\dir`, true, `"C:\\dir"`},
		{"$HOME", true, "$$HOME"},
		{"$HOME", false, "$HOME"},
		{"50%", false, "50%%"},
		{";", true, `";"`},
		{"it's", true, `"it's"`},
		{"héllo", true, `"héllo"`},
	} {
		if got := quoteWord(tc.in, tc.vars); got != tc.want {
			t.Errorf("quoteWord(%q, %v) = %s, want %s", tc.in, tc.vars, got, tc.want)
		}
	}
}

// TestWithDefaults: an empty Name, ExecStart and Description take the
// package's defaults; a set one is kept.
func TestWithDefaults(t *testing.T) {
	got := Unit{Args: []string{"serve"}}.WithDefaults("tool", "toold", "A tool.")
	if got.Name != "tool" || got.ExecStart != "/usr/bin/toold" || got.Description != "A tool." || len(got.Args) != 1 {
		t.Errorf("Unit{}.WithDefaults = %+v, want tool, /usr/bin/toold, A tool.", got)
	}
	set := Unit{Name: "svc", ExecStart: "/opt/bin/svc", Description: "Mine."}
	if got := set.WithDefaults("tool", "toold", "A tool."); got.Name != "svc" || got.ExecStart != "/opt/bin/svc" || got.Description != "Mine." {
		t.Errorf("%+v.WithDefaults = %+v, want it unchanged", set, got)
	}
}
