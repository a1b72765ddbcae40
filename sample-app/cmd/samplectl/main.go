// Command samplectl is the sample service's client: it asks a running
// sample-app for its version, or prints its own build facts. It is the
// sample's second binary, pure Go (no cgo), built beside the service.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"time"
)

// Set by the build: -X main.version=… -X main.commit=… -X main.date=….
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	addr := flag.String("addr", "http://127.0.0.1:8080", "the service's address")
	flag.Parse()
	if *showVersion {
		fmt.Printf("samplectl %s (commit %s, built %s, %s/%s)\n", version, commit, date, runtime.GOOS, runtime.GOARCH)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *addr+"/version", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "samplectl:", err)
		os.Exit(2)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "samplectl:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	io.Copy(os.Stdout, resp.Body)
}
