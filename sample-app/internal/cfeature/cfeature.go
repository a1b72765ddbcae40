// Package cfeature is the sample app's C component. On linux it is
// implemented in C (cgo); elsewhere in Go. A linux build without cgo gets a
// stub that fails at run time, like github.com/mattn/go-sqlite3 does: kiln
// must never ship that stub.
package cfeature
