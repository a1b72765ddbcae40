package winres

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Check returns every problem of the settings s for the resources of the
// windows binaries named (without ".exe") of product at the release
// version, each once, in order: the problems of Options.Validate, each
// naming the setting behind its field (kiln's Config.Windows fields,
// Config.Project for the product, the release version, the binary's
// name). Resources is not checked: the caller reads it.
func (s Settings) Check(version, product string, binaries []string) []string {
	var lines []string
	for _, b := range binaries {
		var merr *multierror.Error
		if !errors.As(s.Options(version, product, b).Validate(), &merr) {
			continue
		}
		for _, err := range merr.Errors {
			line := problem(err, version, b)
			if !slices.Contains(lines, line) {
				lines = append(lines, line)
			}
		}
	}
	return lines
}

// problem names the setting behind one bad option of binary's resources
// at the release version.
func problem(err error, version, binary string) string {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return err.Error()
	}
	setting := map[string]string{
		"Version":          fmt.Sprintf("the release version %s (its git tag, KILN_VERSION or Config.Version; or Config.Windows.Resources = \"off\")", version),
		"ProductName":      "Config.Project",
		"FileDescription":  "Config.Windows.Description",
		"CompanyName":      "Config.Windows.Company",
		"LegalCopyright":   "Config.Windows.Copyright",
		"OriginalFilename": fmt.Sprintf("the binary name %q", binary),
		"InternalName":     fmt.Sprintf("the binary name %q", binary),
		"Options":          "Config.Windows",
	}[fe.Field]
	if m, ok := strings.CutPrefix(fe.Field, "Manifest."); ok {
		setting = "Config.Windows.Manifest." + m
	}
	named := *fe
	named.Field = cmp.Or(setting, fe.Field)
	return named.Error()
}

// PatchBuilt is PatchFile as the build step that patches a linked
// executable: path is the build's temporary output, so an error does not
// name it (the build names the binary) and says "Windows resources"; an
// executable with resources of its own (ErrHasResources) names the
// setting that keeps them, Config.Windows.Resources.
func PatchBuilt(path string, o Options) error {
	err := PatchFile(path, o)
	var fe *FileError
	if errors.As(err, &fe) {
		err = fe.Err
	}
	switch {
	case errors.Is(err, ErrHasResources):
		return fmt.Errorf("Windows resources: %w; to keep the program's own, set Config.Windows.Resources = \"off\"", err)
	case err != nil:
		return fmt.Errorf("Windows resources: %w", err)
	}
	return nil
}
