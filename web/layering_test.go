package web

import (
	"go/build"
	"slices"
	"testing"
)

// TestLayering: the pages depend on domain and the shared HTTP packages
// (api/auth, api/problem), never on package api itself, and api never on web.
func TestLayering(t *testing.T) {
	for dir, banned := range map[string]string{
		".":      "github.com/frontdesk/frontdesk/api",
		"../api": "github.com/frontdesk/frontdesk/web",
	} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("read imports of %s: %v", dir, err)
		}
		if slices.Contains(pkg.Imports, banned) {
			t.Errorf("package %s imports %s", pkg.ImportPath, banned)
		}
	}
}
