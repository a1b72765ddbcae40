// Command sample-app is a small HTTP service that kiln's tests build,
// verify and package. It resolves host names and looks up users, so the
// netgo and osusergo build tags matter, and it has a small C component on
// linux, so the static cgo path matters.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/user"
	"runtime"
	"time"

	"github.com/kiln-build/kiln/sample-app/internal/cfeature"
)

// Set by the build: -X main.version=… -X main.commit=… -X main.date=….
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	selftest := flag.Bool("selftest", false, "check the C component, user and DNS lookups, then exit")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()

	if *showVersion {
		fmt.Printf("sample-app %s (commit %s, built %s, %s/%s)\n", version, commit, date, runtime.GOOS, runtime.GOARCH)
		return
	}
	if *selftest {
		os.Exit(runSelftest())
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"version": version, "commit": commit, "date": date, "c": cfeature.Describe(),
		})
	})
	mux.HandleFunc("/lookup", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupHost(ctx, r.URL.Query().Get("host"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		json.NewEncoder(w).Encode(addrs)
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("sample-app %s listening on %s", version, *addr)
	log.Fatal(srv.ListenAndServe())
}

// runSelftest exercises what a static build must get right. It exits 0
// when the C component works and the lookups fail only the way they may in
// an empty root (no network, no /etc/passwd).
func runSelftest() int {
	if err := cfeature.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "selftest: C component:", err)
		return 3
	}
	if u, err := user.Current(); err == nil {
		fmt.Println("user:", u.Uid)
	} else {
		fmt.Println("user lookup:", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := net.DefaultResolver.LookupHost(ctx, "localhost"); err != nil {
		fmt.Println("dns lookup:", err)
	}
	fmt.Println("selftest ok:", cfeature.Describe())
	return 0
}
