package winres

import (
	"cmp"
	"encoding/json"
)

// Settings are what a project sets for the resources of all its windows
// binaries (kiln's Config.Windows): the strings of the VERSIONINFO and the
// application manifest. The file and product versions are the release
// version, the product name the project, the original filename the
// binary's file name: see Options.
type Settings struct {
	// Resources is "on" (default) or "off": no VERSIONINFO and no manifest
	// from kiln. A program that links resources of its own (a .syso file)
	// must set "off": kiln does not merge resources, and its build fails
	// saying so. The caller reads it: Options does not.
	Resources string
	// Company and Copyright are the CompanyName and LegalCopyright
	// strings; left out when empty.
	Company, Copyright string
	// Description is the FileDescription string, the line Windows shows
	// for the program (Task Manager, the firewall prompt); default: the
	// binary's name.
	Description string
	// Manifest configures the application manifest. The zero value is
	// kiln's default: asInvoker, long paths, the UTF-8 code page, Windows
	// 10/11; Manifest.Off leaves it out, Manifest.XML replaces it.
	Manifest Manifest
}

// Options are the resources of one binary of a project with the settings
// s: version is the release version ("v1.2.3"), product the project's
// name, binary the binary's name without ".exe".
func (s Settings) Options(version, product, binary string) Options {
	return Options{Version: version, ProductName: product,
		FileDescription: cmp.Or(s.Description, binary), CompanyName: s.Company, LegalCopyright: s.Copyright,
		OriginalFilename: binary + ".exe", Manifest: s.Manifest}
}

// keyVersion names what Patch writes; it is part of every Key, so a
// change of it changes the keys.
const keyVersion = "kiln-winres-1"

// Key identifies the resources Patch writes for o, for a build's key: the
// same options give the same key, any change of them (or of what Patch
// writes) another.
func (o Options) Key() string {
	b, _ := json.Marshal(o) // strings and bools only: cannot fail
	return keyVersion + " " + string(b)
}
