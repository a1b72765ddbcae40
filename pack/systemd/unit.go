// Package systemd renders a hardened systemd service unit from Go values.
//
// A Unit with only Name and ExecStart set renders a service that runs under
// a dynamic user with a read-only view of the system, no capabilities, no
// devices, a system-call allow list and the address families a network
// service needs (AF_INET, AF_INET6, AF_UNIX): `systemd-analyze security`
// rates it about 1.0 ("OK"), where a unit with only ExecStart rates 9.6
// ("UNSAFE").
//
// Services that need more say so through the escape hatches, each named for
// what it grants: Capabilities, AddressFamilies, ReadWritePaths,
// StateDirectory, SystemCallFilter. Any other default of the [Service]
// section (see Defaults) is replaced by an Extra entry with the same key,
// and Extra adds keys kiln does not manage. There is deliberately no switch
// that turns all hardening off: relax one setting at a time, so that the
// unit keeps saying what the service needs.
//
// Render validates everything it writes and produces the same bytes for
// the same Unit.
package systemd

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Unit describes one service. Only Name and ExecStart are required.
type Unit struct {
	// Name is the unit name without ".service", e.g. "myapp".
	Name string
	// Description is the one-line description (default: Name).
	Description string
	// Documentation is a space-separated list of URIs (https:, http:,
	// file:, info:, man:), e.g. the project's homepage. Note that
	// `systemd-analyze verify` fails on a man: page that is not installed.
	Documentation string

	// ExecStart is the absolute path of the program, e.g. /usr/bin/myapp.
	ExecStart string
	// Args are the program's arguments, passed verbatim: Render quotes and
	// escapes them so that systemd neither splits them nor expands "$" or
	// "%" in them.
	Args []string
	// Environment is written as Environment= lines sorted by name; values
	// are passed verbatim.
	Environment map[string]string

	// User runs the service as this existing user. Empty means
	// DynamicUser=yes: a transient user allocated when the service starts.
	User string
	// Restart is the Restart= policy (default "always").
	Restart string

	// AddressFamilies are the socket address families the service may use
	// (default AF_INET AF_INET6 AF_UNIX); "none" allows none.
	AddressFamilies []string
	// ReadWritePaths are absolute paths the service may write despite
	// ProtectSystem=strict. A path must exist when the service starts
	// unless it is prefixed with "-".
	ReadWritePaths []string
	// StateDirectory is a directory under /var/lib that systemd creates,
	// owned by the service's user, e.g. the Name ("" means none).
	StateDirectory string
	// Capabilities are granted as both bounding and ambient capabilities,
	// e.g. CAP_NET_BIND_SERVICE to listen on a port below 1024. They turn
	// PrivateUsers= off: in a private user namespace a capability has no
	// power over the host's network or files.
	Capabilities []string
	// SystemCallFilter are further SystemCallFilter= lines written after
	// the defaults (@system-service, then ~@privileged @resources): a group
	// or call re-allows it ("@resources"), a "~" entry denies more.
	SystemCallFilter []string
	// Extra are raw [Service] settings, written in order after the
	// hardening block. An Extra key that names a default (see Defaults)
	// replaces that default, e.g. {"PrivateDevices", "no"} or
	// {"Type", "notify"}. Keys that have a field above are rejected.
	// Values are written as they are: systemd expands "%" specifiers in
	// them.
	Extra [][2]string
}

// FileName returns the unit's file name, Name + ".service".
func (u Unit) FileName() string { return u.Name + ".service" }

// WithDefaults is u as the service of a program that an OS package
// installs as /usr/bin/<binary>: an empty Name becomes name, an empty
// ExecStart /usr/bin/<binary>, an empty Description description.
func (u Unit) WithDefaults(name, binary, description string) Unit {
	u.Name = cmpOr(u.Name, name)
	u.ExecStart = cmpOr(u.ExecStart, "/usr/bin/"+binary)
	u.Description = cmpOr(u.Description, description)
	return u
}

// Defaults returns the [Service] settings every unit gets unless an Extra
// entry with the same key replaces them, in the order they are written.
// PrivateUsers=yes is left out of a unit that has Capabilities.
func Defaults() [][2]string {
	return slices.Clone(defaults)
}

var defaults = [][2]string{
	{"Type", "exec"},
	{"NoNewPrivileges", "yes"},
	{"ProtectSystem", "strict"},
	{"ProtectHome", "yes"},
	{"PrivateTmp", "yes"},
	{"PrivateDevices", "yes"},
	{"PrivateUsers", "yes"},
	{"PrivateIPC", "yes"},
	{"PrivateMounts", "yes"},
	{"ProtectKernelTunables", "yes"},
	{"ProtectKernelModules", "yes"},
	{"ProtectKernelLogs", "yes"},
	{"ProtectControlGroups", "yes"},
	{"ProtectClock", "yes"},
	{"ProtectHostname", "yes"},
	{"ProtectProc", "invisible"},
	{"ProcSubset", "pid"},
	{"RestrictNamespaces", "yes"},
	{"RestrictRealtime", "yes"},
	{"RestrictSUIDSGID", "yes"},
	{"LockPersonality", "yes"},
	{"MemoryDenyWriteExecute", "yes"},
	{"RemoveIPC", "yes"},
	{"DevicePolicy", "closed"},
	{"KeyringMode", "private"},
	{"SystemCallArchitectures", "native"},
	// EPERM instead of killing the process: a Go program that probes a
	// denied call gets an error it can handle.
	{"SystemCallErrorNumber", "EPERM"},
	{"UMask", "0077"},
}

// defaultAddressFamilies is what a network service needs.
var defaultAddressFamilies = []string{"AF_INET", "AF_INET6", "AF_UNIX"}

// owned maps the [Service] keys that have a Unit field to that field, so
// that Extra cannot set them behind the field's back.
var owned = map[string]string{
	"ExecStart":               "ExecStart/Args",
	"Environment":             "Environment",
	"User":                    "User",
	"DynamicUser":             "User",
	"Restart":                 "Restart",
	"RestrictAddressFamilies": "AddressFamilies",
	"ReadWritePaths":          "ReadWritePaths",
	"StateDirectory":          "StateDirectory",
	"CapabilityBoundingSet":   "Capabilities",
	"AmbientCapabilities":     "Capabilities",
	"SystemCallFilter":        "SystemCallFilter",
	"Description":             "Description",
	"Documentation":           "Documentation",
}

// Render validates u and returns the unit file. All problems are reported
// together, each as a *FieldError.
func (u Unit) Render() ([]byte, error) {
	if err := u.validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	line := func(k, v string) { fmt.Fprintf(&b, "%s=%s\n", k, v) }

	b.WriteString("# Generated by kiln from Go configuration.\n")
	b.WriteString("[Unit]\n")
	line("Description", escapeSpecifiers(cmpOr(u.Description, u.Name)))
	if u.Documentation != "" {
		line("Documentation", strings.Join(strings.Fields(u.Documentation), " "))
	}

	b.WriteString("\n[Service]\n")
	line("ExecStart", u.commandLine())
	line("Restart", cmpOr(u.Restart, "always"))
	for _, k := range sortedKeys(u.Environment) {
		line("Environment", quoteWord(k+"="+u.Environment[k], false))
	}
	if u.User == "" {
		line("DynamicUser", "yes")
	} else {
		line("User", u.User)
	}
	if u.StateDirectory != "" {
		line("StateDirectory", u.StateDirectory)
	}
	for _, p := range u.ReadWritePaths {
		line("ReadWritePaths", escapeSpecifiers(p))
	}

	b.WriteString("\n# Hardening: relax one setting at a time.\n")
	caps := strings.Join(u.Capabilities, " ")
	line("CapabilityBoundingSet", caps)
	line("AmbientCapabilities", caps)
	line("RestrictAddressFamilies", strings.Join(cmpOrSlice(u.AddressFamilies, defaultAddressFamilies), " "))
	line("SystemCallFilter", "@system-service")
	line("SystemCallFilter", "~@privileged @resources")
	for _, f := range u.SystemCallFilter {
		line("SystemCallFilter", f)
	}
	replaced := map[string]bool{}
	for _, kv := range u.Extra {
		replaced[kv[0]] = true
	}
	for _, kv := range defaults {
		if replaced[kv[0]] || kv[0] == "PrivateUsers" && len(u.Capabilities) > 0 {
			continue
		}
		line(kv[0], kv[1])
	}
	if len(u.Extra) > 0 {
		b.WriteString("\n# Extra settings from the configuration.\n")
		for _, kv := range u.Extra {
			line(kv[0], kv[1])
		}
	}

	b.WriteString("\n[Install]\nWantedBy=multi-user.target\n")
	return b.Bytes(), nil
}

// commandLine renders ExecStart and Args as one systemd command line.
func (u Unit) commandLine() string {
	words := make([]string, 0, 1+len(u.Args))
	words = append(words, quoteWord(u.ExecStart, true))
	for _, a := range u.Args {
		words = append(words, quoteWord(a, true))
	}
	return strings.Join(words, " ")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cmpOrSlice(s, def []string) []string {
	if len(s) == 0 {
		return def
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
