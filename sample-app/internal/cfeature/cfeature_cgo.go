//go:build linux && cgo

package cfeature

/*
#include <stdlib.h>
#include <string.h>

static int kiln_checksum(const char *s) {
	int sum = 0;
	for (size_t i = 0; i < strlen(s); i++) sum = sum * 31 + (unsigned char)s[i];
	return sum & 0x7fffffff;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Describe says which implementation is in the binary.
func Describe() string { return "c" }

// Check calls into C and checks the answer.
func Check() error {
	s := C.CString("kiln")
	defer C.free(unsafe.Pointer(s))
	if got, want := int(C.kiln_checksum(s)), 3292000; got != want {
		return fmt.Errorf("kiln_checksum = %d, want %d", got, want)
	}
	return nil
}
