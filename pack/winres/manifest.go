package winres

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Manifest configures the application manifest (RT_MANIFEST 1) that
// Windows reads when it starts the program. The zero value is kiln's
// default for a command-line program:
//
//   - requestedExecutionLevel asInvoker: no elevation prompt;
//   - longPathAware: paths over 260 characters work where Windows allows
//     them (the LongPathsEnabled policy);
//   - activeCodePage UTF-8: the ANSI code page of C code and of the
//     console is UTF-8 (Windows 10 1903 and later);
//   - supportedOS Windows 10/11: no compatibility shims (Go 1.21 and later
//     need Windows 10 anyway).
type Manifest struct {
	// Off leaves the manifest out.
	Off bool
	// ExecutionLevel is "asInvoker" (default), "highestAvailable" or
	// "requireAdministrator".
	ExecutionLevel string
	// LegacyPaths leaves longPathAware out.
	LegacyPaths bool
	// LegacyCodePage leaves activeCodePage out: the system's ANSI code
	// page stays.
	LegacyCodePage bool
	// XML, when set, is the whole manifest, used as it is instead of the
	// generated one; it must be well-formed XML whose root element is
	// <assembly>, and the other fields must be unset.
	XML string
}

var executionLevels = []string{"asInvoker", "highestAvailable", "requireAdministrator"}

// validate returns every problem of m, each naming its field.
func (m Manifest) validate() []error {
	var errs []error
	if m.ExecutionLevel != "" && !slices.Contains(executionLevels, m.ExecutionLevel) {
		errs = append(errs, &FieldError{"Manifest.ExecutionLevel", m.ExecutionLevel, "want " + strings.Join(executionLevels, ", ")})
	}
	if m.XML != "" {
		if m.Off || m.ExecutionLevel != "" || m.LegacyPaths || m.LegacyCodePage {
			errs = append(errs, &FieldError{"Manifest.XML", "(set)", "is the whole manifest: leave Off, ExecutionLevel, LegacyPaths and LegacyCodePage unset"})
		} else if err := checkXML(m.XML); err != nil {
			errs = append(errs, &FieldError{"Manifest.XML", "(set)", err.Error()})
		}
	}
	return errs
}

// checkXML checks that s is well-formed XML with an <assembly> root.
func checkXML(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	depth, root := 0, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root != "" {
					return errors.New("more than one root element")
				}
				root = t.Name.Local
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if root != "assembly" {
		return fmt.Errorf("root element <%s>, want <assembly> (urn:schemas-microsoft-com:asm.v1)", root)
	}
	return nil
}

// bytes returns the manifest document, nil when it is off.
func (m Manifest) bytes() []byte {
	switch {
	case m.Off:
		return nil
	case m.XML != "":
		return []byte(m.XML)
	}
	level := m.ExecutionLevel
	if level == "" {
		level = "asInvoker"
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security>
      <requestedPrivileges>
        <requestedExecutionLevel level="` + level + `" uiAccess="false"/>
      </requestedPrivileges>
    </security>
  </trustInfo>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application>
      <!-- Windows 10 and 11 -->
      <supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>
    </application>
  </compatibility>
`)
	if !m.LegacyPaths || !m.LegacyCodePage {
		b.WriteString(`  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
`)
		if !m.LegacyPaths {
			b.WriteString(`      <longPathAware xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">true</longPathAware>
`)
		}
		if !m.LegacyCodePage {
			b.WriteString(`      <activeCodePage xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">UTF-8</activeCodePage>
`)
		}
		b.WriteString(`    </windowsSettings>
  </application>
`)
	}
	b.WriteString("</assembly>\n")
	return b.Bytes()
}
