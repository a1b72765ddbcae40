package verify

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Wine runs windows/amd64 binaries under Debian's wine64 for the smoke
// check, in a wine prefix (WINEPREFIX) that kiln owns: created on first
// use, reused after, never the user's ~/.wine.
//
// Debian 12's wine 8.0 cannot start a Go 1.22+ program by itself: the Go
// runtime needs ProcessPrng from bcryptprimitives.dll, which that wine
// lacks. kiln builds a small DLL providing it (C source embedded here,
// compiled with mingw-w64) into the prefix's system32 when it creates the
// prefix. Every wine process runs in bubblewrap with its own empty network
// namespace, with wine's Mono and Gecko installers and menu integration
// off, WINEDEBUG showing only module-loading errors, and the binary copied
// alone into a fresh directory inside the prefix (no DLLs beside it).
//
// A Wine is safe for concurrent use. Close stops the prefix's wineserver.
type Wine struct {
	prefix string
	look   func(string) (string, error) // exec.LookPath; a test seam

	mu      sync.Mutex
	checked bool
	notRun  string // why nothing can run; set once by setup
	wine    string // wine64
	server  string // wineserver
	bwrap   string
	created time.Duration // how long creating the prefix took; 0: reused
}

// DefaultWineTimeout bounds each run under wine when SmokeOptions.Timeout
// is zero: wine's first start of a prefix's wineserver takes a second or
// more on a loaded machine.
const DefaultWineTimeout = 30 * time.Second

// wineSetupTimeout bounds creating a prefix (~5-15 s, ~700 MB).
const wineSetupTimeout = 3 * time.Minute

//go:embed wineshim/bcryptprimitives.c
var shimSource []byte

//go:embed wineshim/bcryptprimitives.def
var shimDef []byte

// shimFlags are the mingw-w64 flags of the shim: no timestamp in the DLL.
var shimFlags = []string{"-shared", "-O2", "-s", "-Wl,--no-insert-timestamp"}

// wineMarker names kiln's marker in a prefix it owns.
const wineMarker = "kiln-wine-prefix.json"

// winePrefixState is the marker's content.
type winePrefixState struct {
	Owner string `json:"owner"` // "kiln"
	Shim  string `json:"shim"`  // shimHash of the installed shim
}

// NewWine returns a runner using the wine prefix at prefix (an absolute
// directory; kiln creates it, and refuses one it did not create).
func NewWine(prefix string) *Wine {
	return &Wine{prefix: prefix, look: exec.LookPath}
}

// Prefix is the wine prefix's directory.
func (w *Wine) Prefix() string { return w.prefix }

// DefaultWinePrefix is where kiln keeps its wine prefix for this user:
// kiln/wine under the user's cache directory (~/.cache/kiln/wine).
func DefaultWinePrefix() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("wine prefix: %w", err)
	}
	return filepath.Join(dir, "kiln", "wine"), nil
}

// WineTools returns the commands Wine needs (wine64, bubblewrap, and the
// mingw-w64 compiler that builds the ProcessPrng shim when the prefix is
// created) with their Debian packages, for an installer.
func WineTools() []Tool {
	wine := "wine64"
	if _, err := exec.LookPath(wine); err != nil {
		wine = debianWine64 // Debian installs it outside PATH
	}
	return []Tool{
		{Command: wine, DebianPackage: "wine64"},
		{Command: "bwrap", DebianPackage: "bubblewrap"},
		{Command: "x86_64-w64-mingw32-gcc", DebianPackage: "gcc-mingw-w64-x86-64"},
	}
}

// debianWine64 is where Debian's wine64 package puts wine64.
const debianWine64 = "/usr/lib/wine/wine64"

// shimHash identifies the shim's source and flags.
func shimHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q\n%s\n%s", shimFlags, shimSource, shimDef)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Setup finds wine and prepares the prefix, once: it returns "" when
// binaries can run, else why not (a missing tool, a prefix kiln does not
// own, a failed creation). Smoke calls it; callers may call it first to
// show the one-time cost (see Created).
func (w *Wine) Setup(ctx context.Context) (notRun string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.checked {
		return w.notRun
	}
	w.checked = true
	w.notRun = w.setup(ctx)
	return w.notRun
}

// Created is how long Setup took to create the prefix; 0 when it reused
// one (or has not run).
func (w *Wine) Created() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.created
}

func (w *Wine) setup(ctx context.Context) string {
	if !filepath.IsAbs(w.prefix) {
		return fmt.Sprintf("wine prefix %q is not an absolute path", w.prefix)
	}
	tools := WineTools()
	var err error
	if w.wine, err = w.look(tools[0].Command); err != nil {
		return tools[0].NotFound()
	}
	if w.bwrap, err = w.look(tools[1].Command); err != nil {
		return tools[1].NotFound() + ": wine runs without network in its own namespace"
	}
	w.server = wineServer(w.wine)
	state, err := readPrefixState(w.prefix)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && state == nil:
		start := time.Now()
		if why := w.create(ctx); why != "" {
			return why
		}
		w.created = time.Since(start)
		return ""
	case err != nil:
		return err.Error()
	case state.Shim != shimHash():
		// A prefix of another kiln version: replace the shim only.
		if why := w.installShim(ctx, w.prefix); why != "" {
			return why
		}
		return writePrefixState(w.prefix)
	}
	return ""
}

// wineServer finds the wineserver that belongs to wine64: beside it.
func wineServer(wine string) string {
	if real, err := filepath.EvalSymlinks(wine); err == nil {
		if s := filepath.Join(filepath.Dir(real), "wineserver"); isExec(s) {
			return s
		}
	}
	if s, err := exec.LookPath("wineserver"); err == nil {
		return s
	}
	return filepath.Join(filepath.Dir(wine), "wineserver")
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// readPrefixState reads kiln's marker in dir: nil state and nil error for
// an empty directory; an error for a directory that holds something else.
func readPrefixState(dir string) (*winePrefixState, error) {
	data, err := os.ReadFile(filepath.Join(dir, wineMarker))
	if err == nil {
		var st winePrefixState
		if json.Unmarshal(data, &st) == nil && st.Owner == "kiln" {
			return &st, nil
		}
	}
	entries, derr := os.ReadDir(dir)
	if derr != nil {
		return nil, derr
	}
	if len(entries) == 0 {
		return nil, nil
	}
	return nil, fmt.Errorf("wine prefix %s exists but kiln did not create it (no valid %s in it): kiln only uses a prefix of its own; remove it or choose another directory", dir, wineMarker)
}

func writePrefixState(dir string) string {
	data, _ := json.Marshal(winePrefixState{Owner: "kiln", Shim: shimHash()})
	if err := os.WriteFile(filepath.Join(dir, wineMarker), append(data, '\n'), 0o644); err != nil {
		return "wine prefix: " + err.Error()
	}
	return ""
}

// create makes the prefix in a temporary directory beside it and renames
// it into place, so that a prefix is either complete or absent; a
// concurrent creator that wins the rename is used instead.
func (w *Wine) create(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, wineSetupTimeout)
	defer cancel()
	parent := filepath.Dir(w.prefix)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "wine prefix: " + err.Error()
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(w.prefix)+".tmp-")
	if err != nil {
		return "wine prefix: " + err.Error()
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if a := w.command(ctx, tmp, tmp, w.wine, "wineboot", "--init"); a.exit != 0 {
		return "creating the wine prefix failed (wineboot --init): " + attemptText(a)
	}
	// The wineserver writes the registry when it exits.
	if a := w.command(ctx, tmp, tmp, w.server, "--wait"); a.exit != 0 {
		return "creating the wine prefix failed (wineserver --wait): " + attemptText(a)
	}
	if why := w.installShim(ctx, tmp); why != "" {
		return why
	}
	if why := writePrefixState(tmp); why != "" {
		return why
	}
	if err := os.Rename(tmp, w.prefix); err != nil {
		if st, rerr := readPrefixState(w.prefix); rerr == nil && st != nil {
			return "" // another run created it meanwhile
		}
		return "wine prefix: " + err.Error()
	}
	done = true
	return ""
}

// installShim builds the ProcessPrng shim into prefix's system32.
func (w *Wine) installShim(ctx context.Context, prefix string) string {
	cc, err := w.look("x86_64-w64-mingw32-gcc")
	if err != nil {
		return "x86_64-w64-mingw32-gcc not found (apt-get install gcc-mingw-w64-x86-64): kiln builds wine's missing bcryptprimitives.dll with it"
	}
	src, err := os.MkdirTemp("", "kiln-wineshim-")
	if err != nil {
		return "wine shim: " + err.Error()
	}
	defer os.RemoveAll(src)
	c, def := filepath.Join(src, "bcryptprimitives.c"), filepath.Join(src, "bcryptprimitives.def")
	if err := errors.Join(os.WriteFile(c, shimSource, 0o644), os.WriteFile(def, shimDef, 0o644)); err != nil {
		return "wine shim: " + err.Error()
	}
	out := filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	argv := append(append([]string{}, shimFlags...), "-o", out, c, def, "-ladvapi32")
	if a := runCmd(ctx, cc, argv, nil, 0, false); a.exit != 0 {
		return "building wine's bcryptprimitives.dll shim failed: " + attemptText(a)
	}
	return ""
}

// env is the environment of every wine process: nothing of the caller's
// but PATH.
func (w *Wine) env(prefix string) []string {
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + prefix,
		"WINEPREFIX=" + prefix,
		// Errors of the module loader say why a program did not start
		// (a missing DLL); everything else is quiet.
		"WINEDEBUG=-all,err+module",
		// No Mono or Gecko install prompts (they download), no menu
		// entries or file associations.
		"WINEDLLOVERRIDES=mscoree,mshtml,winemenubuilder.exe=d",
	}
}

// command runs a wine command (wine64 or wineserver with args) for prefix
// in directory dir (see sandboxed).
func (w *Wine) command(ctx context.Context, prefix, dir string, args ...string) attempt {
	return runCmd(ctx, w.bwrap, sandboxed(dir, args...), w.env(prefix), 0, true)
}

// sandboxed is bubblewrap's argument list that runs args in directory dir
// with the host's file system and an empty network namespace of its own.
func sandboxed(dir string, args ...string) []string {
	return append([]string{"--dev-bind", "/", "/", "--unshare-net", "--die-with-parent", "--chdir", dir, "--"}, args...)
}

// Close stops the prefix's wineserver, and with it every wine program
// still running in the prefix (another process's too: call it only for a
// prefix nobody else uses, such as a test's), and removes the directory
// wine keeps its server socket in (/tmp/wine-XXXXXX, named in the
// prefix's "wineserver" file). Without Close the wineserver exits by
// itself a few seconds after the last program ends.
func (w *Wine) Close(ctx context.Context) error {
	w.mu.Lock()
	ready := w.checked && w.notRun == ""
	w.mu.Unlock()
	if !ready {
		return nil
	}
	// --kill exits 1 when no wineserver runs: nothing to stop.
	for _, arg := range []string{"--kill", "--wait"} {
		if a := w.command(ctx, w.prefix, w.prefix, w.server, arg); a.startErr != nil || a.timedOut != nil {
			return fmt.Errorf("stop wineserver of %s: %s", w.prefix, attemptText(a))
		}
	}
	return removeServerDir(w.prefix)
}

// removeServerDir removes the /tmp/wine-XXXXXX directory that wine made
// for prefix's server socket, when it holds nothing but server-* entries.
func removeServerDir(prefix string) error {
	name, err := os.ReadFile(filepath.Join(prefix, "wineserver"))
	if err != nil {
		return nil // no server ran
	}
	base := strings.TrimSpace(string(name))
	if !strings.HasPrefix(base, "wine-") || strings.ContainsAny(base, "/.") {
		return nil
	}
	dir := filepath.Join("/tmp", base)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "server-") {
			return nil
		}
	}
	return os.RemoveAll(dir)
}

// attemptText describes a failed command for a message.
func attemptText(a attempt) string {
	var why string
	switch {
	case a.startErr != nil:
		why = a.startErr.Error()
	case a.timedOut != nil:
		why = a.timedOut.Error()
	default:
		why = fmt.Sprintf("exit %d", a.exit)
	}
	if out := strings.TrimSpace(quote(a.output, -1)); out != "" {
		why += ": " + strings.ReplaceAll(out, "\n", " | ")
	}
	return why
}
