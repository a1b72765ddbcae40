package project

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"strings"
	"sync"

	"golang.org/x/mod/module"
)

// checked is one package type-checked on its own: imports other than
// runtime/debug are empty packages, so expressions that depend on them
// have no type, and the checker's errors are ignored. That is enough for
// what is asked here: the declared types of package-level variables, the
// constness of their initialisers, and the uses of runtime/debug.
type checked struct {
	files []*ast.File
	info  *types.Info
	pkg   *types.Package
	reads *bool // readsMainVersion's answer, once known
}

// debugSource declares the part of runtime/debug that programs use to
// read their version, with the standard library's names and types.
const debugSource = `package debug

type Module struct {
	Path    string
	Version string
	Sum     string
	Replace *Module
}

type BuildSetting struct{ Key, Value string }

type BuildInfo struct {
	GoVersion string
	Path      string
	Main      Module
	Deps      []*Module
	Settings  []BuildSetting
}

func (bi *BuildInfo) String() string
func ReadBuildInfo() (info *BuildInfo, ok bool)
func ParseBuildInfo(data string) (bi *BuildInfo, err error)
func SetTraceback(level string)
func SetGCPercent(percent int) int
func SetMaxStack(bytes int) int
func SetMaxThreads(threads int) int
func SetMemoryLimit(limit int64) int64
func SetPanicOnFault(enabled bool) bool
func FreeOSMemory()
func PrintStack()
func Stack() []byte
`

var debugPkg = sync.OnceValue(func() *types.Package {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "debug.go", debugSource, 0)
	if err != nil {
		return types.NewPackage("runtime/debug", "debug")
	}
	conf := types.Config{Error: func(error) {}}
	pkg, _ := conf.Check("runtime/debug", fset, []*ast.File{f}, nil)
	return pkg
})

// stubImporter hands the checker runtime/debug's stand-in, unsafe, and an
// empty package for any other path.
type stubImporter struct{}

func (stubImporter) Import(p string) (*types.Package, error) {
	switch p {
	case "runtime/debug":
		return debugPkg(), nil
	case "unsafe":
		return types.Unsafe, nil
	}
	pkg := types.NewPackage(p, guessName(p))
	pkg.MarkComplete()
	return pkg, nil
}

// guessName is the usual package name of an import path: its last
// element without a major version suffix or a gopkg.in ".vN".
func guessName(p string) string {
	if prefix, _, ok := module.SplitPathVersion(p); ok && prefix != "" {
		p = prefix
	}
	name := path.Base(p)
	if i := strings.Index(name, ".v"); i > 0 {
		name = name[:i]
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(name)
}

var _ types.Importer = stubImporter{} // the standard importers run the go command: deliberately not used

// check parses and type-checks one package's files.
func check(imp string, files []string) *checked {
	fset := token.NewFileSet()
	c := &checked{info: &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if f != nil {
			c.files = append(c.files, f)
		}
		_ = err // a file that does not parse contributes what parsed
	}
	conf := types.Config{Importer: stubImporter{}, Error: func(error) {}, FakeImportC: true}
	c.pkg, _ = conf.Check(imp, fset, c.files, c.info)
	return c
}

// vars returns the package's package-level variables, split into those
// -X can set (type string; no initialiser or a constant one) and the rest
// ("bool", "constant", "initialised by a non-constant expression", …) for
// the notes.
func (c *checked) vars() (settable []string, other map[string]string) {
	other = map[string]string{}
	for _, f := range c.files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || (g.Tok != token.VAR && g.Tok != token.CONST) {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if id.Name == "_" {
						continue
					}
					if g.Tok == token.CONST {
						other[id.Name] = "a constant"
						continue
					}
					if why := c.unsettable(vs, i, id); why != "" {
						other[id.Name] = why
						continue
					}
					settable = append(settable, id.Name)
				}
			}
		}
	}
	return settable, other
}

// unsettable says why -X cannot set the i-th variable of vs ("" when it
// can).
func (c *checked) unsettable(vs *ast.ValueSpec, i int, id *ast.Ident) string {
	switch {
	case len(vs.Values) == 0:
	case len(vs.Values) != len(vs.Names):
		return "initialised by a call"
	default:
		if tv, ok := c.info.Types[vs.Values[i]]; !ok || tv.Value == nil {
			return "initialised by a non-constant expression"
		}
	}
	obj, ok := c.info.Defs[id].(*types.Var)
	if !ok || obj.Type() == nil || obj.Type() == types.Typ[types.Invalid] {
		return "of a type kiln cannot see"
	}
	if !types.Identical(obj.Type(), types.Typ[types.String]) {
		return "of type " + types.TypeString(obj.Type(), func(p *types.Package) string { return p.Name() })
	}
	return ""
}
