package binfmt

import "testing"

func TestSniff(t *testing.T) {
	for in, want := range map[string]Format{
		"\x7fELF\x02\x01": ELF, "MZ\x90\x00": PE, "\xcf\xfa\xed\xfe": MachO, "\xfe\xed\xfa\xce": MachO,
		"\xca\xfe\xba\xbe": Universal, "#!/bin/sh": "", "": "", "\x7fEL": "", "PK\x03\x04": "",
	} {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %q, want %q", in, got, want)
		}
	}
	if Universal.Name() != "universal Mach-O" || ELF.Name() != "ELF" {
		t.Errorf("Name: %q, %q", Universal.Name(), ELF.Name())
	}
}
