// Command web is a small HTTP service, big enough (net/http, TLS, JSON) to
// be a realistic artifact for the inspection benchmark.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path})
	})
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		log.Fatal(http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil))
	}
}
