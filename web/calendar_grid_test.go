package web

import (
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestLayoutLanes: visits whose minutes overlap share the column side by
// side, each as wide as its cluster needs; a visit after a gap (even inside
// the same 15-minute row) takes the whole column again.
func TestLayoutLanes(t *testing.T) {
	day := domain.Date{Year: 2026, Month: 3, Day: 10}
	g := grid{Loc: nyc, StartMin: 8 * 60, EndMin: 18 * 60}
	col := gridColumn{PractitionerID: fixPract.ID, Day: day, Col: 2}
	at := func(h, m int) time.Time { return domain.WallClock(day, domain.At(h, m), nyc) }
	spans := [][2]time.Time{
		{at(9, 0), at(10, 0)},    // a: lane 0 of 2
		{at(9, 30), at(10, 30)},  // b: lane 1 of 2
		{at(10, 0), at(10, 15)},  // c: a has ended: lane 0 of 2
		{at(11, 0), at(11, 15)},  // d: alone
		{at(11, 20), at(11, 35)}, // e: starts in d's row, after d: alone
	}
	for i, s := range spans {
		b := fixBooking()
		b.ID, b.Start, b.End = string(rune('a'+i)), s[0], s[1]
		g.addSpan(visitItem(b, nyc), col, s[0], s[1])
	}
	g.layoutLanes()
	want := [][2]int{{0, 2}, {1, 2}, {0, 2}, {0, 1}, {0, 1}}
	for i, it := range g.Items {
		if it.Lane != want[i][0] || it.Lanes != want[i][1] {
			t.Errorf("visit %s: lane %d of %d, want %d of %d", it.ID, it.Lane, it.Lanes, want[i][0], want[i][1])
		}
	}
	if e := g.Items[4]; e.Top < 0.3 || e.Top > 0.34 {
		t.Errorf("11:20 sits %.2f into the 11:15 row, want a third", e.Top)
	}
}

// TestCardEscapes: a card written in Go escapes what staff and patients
// typed, and a service colour that is no hex colour never reaches a style.
func TestCardEscapes(t *testing.T) {
	b := fixBooking()
	b.Patient.Name = `<script>alert("x")</script>`
	b.Service.Color = "red; background: url(https://evil.example)"
	g := grid{Loc: nyc, StartMin: 8 * 60, EndMin: 18 * 60}
	g.addSpan(visitItem(b, nyc), gridColumn{Day: domain.DateOf(b.Start.In(nyc)), Col: 2}, b.Start, b.End)
	g.finish()
	card := string(g.Items[0].HTML)
	if strings.Contains(card, "<script>") || !strings.Contains(card, "&lt;script&gt;alert(&#34;x&#34;)") {
		t.Errorf("card does not escape the name: %s", card)
	}
	if strings.Contains(card, "evil") || !strings.Contains(card, "--c: #475569") {
		t.Errorf("card lets an odd colour into its style: %s", card)
	}
	if !strings.Contains(card, "Confirmed") || !strings.Contains(card, "○") {
		t.Errorf("card has no status mark: %s", card)
	}
}
