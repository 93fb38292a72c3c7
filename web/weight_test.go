package web

import (
	"io/fs"
	"testing"
)

// maxPageBytes is the budget of a page's HTML, CSS and JS, before images.
const maxPageBytes = 200 << 10

// TestPageWeight keeps every page, with full data, its stylesheet and its
// script under 200 KB. The e2e tests weigh the live pages as served too.
func TestPageWeight(t *testing.T) {
	assetsSize := 0
	for _, f := range []string{"static/site.css", "static/site.js"} {
		b, err := fs.ReadFile(assets, f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		assetsSize += len(b)
	}
	for name, d := range fullPages() {
		html := mustRender(t, name, layout{Title: "T", Clinic: fixClinic, User: &fixUser, CSRF: "c"}, d)
		if total := len(html) + assetsSize; total > maxPageBytes {
			t.Errorf("page %s weighs %d bytes with CSS and JS, over %d", name, total, maxPageBytes)
		}
	}
}
