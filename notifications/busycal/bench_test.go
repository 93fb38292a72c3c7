package busycal

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// BenchmarkExpand reads a year of each fixture, as one poll of a changed
// feed does (the window is the booking horizon; a year is the worst case).
func BenchmarkExpand(b *testing.B) {
	for _, fx := range fixtures {
		body, err := os.ReadFile(filepath.Join("testdata", fx.file))
		if err != nil {
			b.Fatal(err)
		}
		loc, _ := time.LoadLocation(fx.zone)
		b.Run(fx.file, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				exp, err := Expander{}.Expand(body, domain.ExpandRequest{Zone: loc, Window: yearWindow})
				if err != nil || len(exp.Events) < 100 {
					b.Fatalf("Expand = %d events, %v", len(exp.Events), err)
				}
			}
		})
	}
}
