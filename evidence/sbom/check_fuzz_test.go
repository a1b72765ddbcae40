package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzCheck feeds CheckWith arbitrary documents for fixed build info:
// never a panic, and a document it accepts is, by meaning (decoded JSON,
// compared with reflect.DeepEqual rather than CheckWith's own diff), the
// document SPDX writes for that build info with the document's own name,
// creation time and tool.
func FuzzCheck(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "golden.spdx.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(strings.Replace(string(golden), `"v1.4.0"`, `"v1.4.1"`, 1)))
	f.Add([]byte(strings.Replace(string(golden), `"packages": [`, `"packages": [{"SPDXID":"SPDXRef-x","name":"x"},`, 1)))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3"}`))
	f.Add([]byte(`{}`))
	sum := strings.Repeat("ab", 32)
	bi := parseGolden(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		if err := CheckWith(doc, bi, Expect{SHA256: sum}); err != nil {
			return
		}
		var d document
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatalf("accepted a document that does not decode: %v", err)
		}
		created, err := time.Parse(time.RFC3339, d.CreationInfo.Created)
		if err != nil || len(d.CreationInfo.Creators) != 1 {
			t.Fatalf("accepted creationInfo %+v", d.CreationInfo)
		}
		want, err := SPDX(bi, FileFacts{Name: d.Name, SHA256: sum, Created: created, Tool: strings.TrimPrefix(d.CreationInfo.Creators[0], "Tool: ")})
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		for _, x := range []struct {
			data []byte
			v    *any
		}{{doc, &g}, {want, &w}} {
			dec := json.NewDecoder(bytes.NewReader(x.data))
			dec.UseNumber()
			if err := dec.Decode(x.v); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("CheckWith accepted a document that is not kiln's:\n%s\nwant\n%s", doc, want)
		}
	})
}
