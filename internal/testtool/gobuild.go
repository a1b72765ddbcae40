package testtool

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// WriteFiles writes files (name → content, names slash-separated) under
// dir, creating directories as needed.
func WriteFiles(dir string, files map[string]string) error {
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// GoBuild runs `go build -o out args...` in dir with env (GOOS=...,
// CGO_ENABLED=..., CC=...) over the process environment, minus what would
// change the build behind the test's back: GOFLAGS is cleared, GOWORK is
// off, GOTOOLCHAIN is local. The error quotes the go command's output.
func GoBuild(dir, out string, env []string, args ...string) error {
	argv := append([]string{"build", "-o", out}, args...)
	cmd := exec.Command("go", argv...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local"), env...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s go %s: %v\n%s", strings.Join(env, " "), strings.Join(argv, " "), err, b.String())
	}
	return nil
}

// SQLiteModule is a small real cgo program: a module requiring
// github.com/mattn/go-sqlite3 (from the module proxy) whose main package
// runs `select sqlite_version()` on an in-memory database and prints
// "sqlite VERSION"; "--version" prints "sqlitecli 1.0.0" after the query.
// Write it with WriteFiles.
var SQLiteModule = map[string]string{
	"go.mod": `module example.com/sqlitecli

go 1.24

require github.com/mattn/go-sqlite3 v1.14.53
`,
	"go.sum": `github.com/mattn/go-sqlite3 v1.14.53 h1:mnTM0owzUMrKuLo+0w51NUiB0ir2Fo7kFXlPt/l3BGs=
github.com/mattn/go-sqlite3 v1.14.53/go.mod h1:6JTjA44L93a0QCyJef5YvlPoKXntQPjzWv5gtm9sB6w=
`,
	"main.go": `// Command sqlitecli runs a query on an in-memory SQLite database.
package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("select sqlite_version()").Scan(&v); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("sqlite", v)
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("sqlitecli 1.0.0")
	}
}
`,
}
