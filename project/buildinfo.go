package project

import (
	"go/ast"
	"go/types"
)

// readsMainVersion reports whether the package calls
// runtime/debug.ReadBuildInfo and reads the Version of the main module's
// debug.Module: `info.Main.Version`, or the Version of a variable that
// holds info.Main (or &info.Main, or its Replace), also when a function of
// the package returns it (mod := mainModule(); mod.Version). Versions of
// the dependencies (info.Deps) do not count, nor do writes.
func (c *checked) readsMainVersion() bool {
	if c.reads == nil {
		r := c.findMainVersion()
		c.reads = &r
	}
	return *c.reads
}

func (c *checked) findMainVersion() bool {
	rbi := debugPkg().Scope().Lookup("ReadBuildInfo")
	calls := false
	rooted := map[types.Object]bool{} // variables and functions that hold or return the main module
	var isRooted func(e ast.Expr) bool
	isRooted = func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.ParenExpr:
			return isRooted(e.X)
		case *ast.UnaryExpr:
			return isRooted(e.X)
		case *ast.StarExpr:
			return isRooted(e.X)
		case *ast.Ident:
			return rooted[c.info.Uses[e]]
		case *ast.CallExpr:
			if id, ok := e.Fun.(*ast.Ident); ok {
				return rooted[c.info.Uses[id]]
			}
		case *ast.SelectorExpr:
			if sel, ok := c.info.Selections[e]; ok {
				return isDebugField(sel, "BuildInfo", "Main") || isDebugField(sel, "Module", "Replace") && isRooted(e.X)
			}
		}
		return false
	}
	mark := func(lhs []ast.Expr, rhs []ast.Expr) bool {
		changed := false
		if len(lhs) != len(rhs) {
			return false
		}
		for i, l := range lhs {
			id, ok := l.(*ast.Ident)
			if !ok || !isRooted(rhs[i]) {
				continue
			}
			obj := c.info.Defs[id]
			if obj == nil {
				obj = c.info.Uses[id]
			}
			if obj != nil && !rooted[obj] {
				rooted[obj], changed = true, true
			}
		}
		return changed
	}
	// Propagate until nothing changes (each pass can only add).
	for pass := 0; pass < 8; pass++ {
		changed := false
		for _, f := range c.files {
			for _, d := range f.Decls {
				fd, _ := d.(*ast.FuncDecl)
				ast.Inspect(d, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.CallExpr:
						if s, ok := n.Fun.(*ast.SelectorExpr); ok && c.info.Uses[s.Sel] == rbi {
							calls = true
						}
					case *ast.AssignStmt:
						changed = mark(n.Lhs, n.Rhs) || changed
					case *ast.ValueSpec:
						lhs := make([]ast.Expr, len(n.Names))
						for i, id := range n.Names {
							lhs[i] = id
						}
						changed = mark(lhs, n.Values) || changed
					case *ast.ReturnStmt:
						if fd == nil {
							break
						}
						for _, r := range n.Results {
							if obj := c.info.Defs[fd.Name]; obj != nil && isRooted(r) && !rooted[obj] {
								rooted[obj], changed = true, true
							}
						}
					}
					return true
				})
			}
		}
		if !changed {
			break
		}
	}
	if !calls {
		return false
	}
	found := false
	for _, f := range c.files {
		written := map[*ast.SelectorExpr]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if s, ok := l.(*ast.SelectorExpr); ok {
						written[s] = true
					}
				}
			case *ast.SelectorExpr:
				if sel, ok := c.info.Selections[n]; ok && !written[n] && isDebugField(sel, "Module", "Version") && isRooted(n.X) {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

// isDebugField reports whether sel selects field of runtime/debug's type.
func isDebugField(sel *types.Selection, typ, field string) bool {
	if sel.Kind() != types.FieldVal || sel.Obj().Name() != field {
		return false
	}
	t := sel.Recv()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() == debugPkg() && n.Obj().Name() == typ
}
