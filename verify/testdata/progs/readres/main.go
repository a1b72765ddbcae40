// Command readres prints the version resource and the manifest of a
// Windows executable the way Windows itself reads them (version.dll's
// GetFileVersionInfoW and VerQueryValueW, kernel32's FindResourceW), to
// check kiln's resource writer with an independent reader under wine.
//
//	readres FILE
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

var (
	version  = syscall.NewLazyDLL("version.dll")
	kernel32 = syscall.NewLazyDLL("kernel32.dll")

	getSize  = version.NewProc("GetFileVersionInfoSizeW")
	getInfo  = version.NewProc("GetFileVersionInfoW")
	query    = version.NewProc("VerQueryValueW")
	loadLib  = kernel32.NewProc("LoadLibraryExW")
	findRes  = kernel32.NewProc("FindResourceW")
	sizeRes  = kernel32.NewProc("SizeofResource")
	loadRes  = kernel32.NewProc("LoadResource")
	lockRes  = kernel32.NewProc("LockResource")
	asData   = 0x2 // LOAD_LIBRARY_AS_DATAFILE
	manifest = 24  // RT_MANIFEST
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readres FILE")
		os.Exit(2)
	}
	name, _ := syscall.UTF16PtrFromString(os.Args[1])
	n, _, err := getSize.Call(uintptr(unsafe.Pointer(name)), 0)
	if n == 0 {
		fmt.Println("no version info:", err)
		os.Exit(1)
	}
	buf := make([]byte, n)
	if r, _, err := getInfo.Call(uintptr(unsafe.Pointer(name)), 0, n, uintptr(unsafe.Pointer(&buf[0]))); r == 0 {
		fmt.Println("GetFileVersionInfoW:", err)
		os.Exit(1)
	}
	var p uintptr
	var l uint32
	root, _ := syscall.UTF16PtrFromString(`\`)
	if r, _, _ := query.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(root)), uintptr(unsafe.Pointer(&p)), uintptr(unsafe.Pointer(&l))); r != 0 && l >= 52 {
		f := unsafe.Slice((*uint32)(unsafe.Pointer(p)), 13)
		fmt.Printf("fixed file %d.%d.%d.%d product %d.%d.%d.%d flags %#x os %#x type %d\n",
			f[2]>>16, f[2]&0xffff, f[3]>>16, f[3]&0xffff, f[4]>>16, f[4]&0xffff, f[5]>>16, f[5]&0xffff, f[7], f[8], f[9])
	}
	for _, key := range []string{"CompanyName", "FileDescription", "FileVersion", "InternalName", "LegalCopyright", "OriginalFilename", "ProductName", "ProductVersion"} {
		sub, _ := syscall.UTF16PtrFromString(`\StringFileInfo\040904b0\` + key)
		if r, _, _ := query.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(sub)), uintptr(unsafe.Pointer(&p)), uintptr(unsafe.Pointer(&l))); r != 0 {
			fmt.Printf("%s=%s\n", key, syscall.UTF16ToString(unsafe.Slice((*uint16)(unsafe.Pointer(p)), l)))
		}
	}
	h, _, err := loadLib.Call(uintptr(unsafe.Pointer(name)), 0, uintptr(asData))
	if h == 0 {
		fmt.Println("LoadLibraryExW:", err)
		os.Exit(1)
	}
	res, _, _ := findRes.Call(h, 1, uintptr(manifest))
	if res == 0 {
		fmt.Println("no manifest")
		return
	}
	size, _, _ := sizeRes.Call(h, res)
	g, _, _ := loadRes.Call(h, res)
	ptr, _, _ := lockRes.Call(g)
	fmt.Printf("manifest %d bytes:\n%s", size, unsafe.Slice((*byte)(unsafe.Pointer(ptr)), size))
}
