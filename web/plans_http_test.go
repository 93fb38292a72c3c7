package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

// TestSeriesFromDetailsForm books a massage as a series of three weekly
// visits from the patient's details form: one plan, three visits, one
// confirmation email; asking again for the same times lists the taken
// visits and books nothing.
func TestSeriesFromDetailsForm(t *testing.T) {
	a := startApp(t)
	start := domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 3}, domain.At(10, 0), loadZone("America/New_York"))
	form := url.Values{
		"idempotency_key": {"series-1"}, "practitioner": {a.Therapist.ID}, "tz": {"America/New_York"},
		"start": {start.Format("2006-01-02T15:04:05Z07:00")}, "patient.name": {"Mary Jackson"}, "patient.email": {"mary@example.com"},
		"repeat.count": {"3"}, "repeat.every_weeks": {"1"},
	}
	c := client(t)
	res, body := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST details with a series = %d:\n%s", res.StatusCode, body)
	}
	_, page := get(t, c, a.URL+res.Header.Get("Location"))
	for _, want := range []string{"Your plan: 3 visits, every 1 week", "(this visit)", "Cancel the rest of the plan"} {
		if !strings.Contains(page, want) {
			t.Errorf("manage page after a series lacks %q", want)
		}
	}
	ctx := context.Background()
	got, err := a.Store.Bookings(ctx, domain.BookingFilter{PractitionerID: a.Therapist.ID})
	must(t, "list bookings", err)
	if len(got) != 3 || got[0].PlanID == "" || got[0].PlanID != got[2].PlanID {
		t.Fatalf("bookings = %d, want 3 visits of one plan", len(got))
	}
	msgs, err := a.Store.Messages(ctx, domain.MessageFilter{Limit: 100})
	must(t, "list messages", err)
	var series, single int
	for _, m := range msgs {
		switch m.Kind {
		case domain.MessagePlanConfirmation:
			series++
		case domain.MessageConfirmation:
			single++
		}
	}
	if series != 1 || single != 0 {
		t.Errorf("confirmations: %d series, %d single; want one series email", series, single)
	}

	form.Set("patient.email", "late@example.com")
	form.Set("idempotency_key", "series-2")
	res, body = post(t, client(t), a.URL+"/book/"+a.Massage.ID+"/details", form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="series-conflicts"`) || !strings.Contains(body, "nothing was booked") {
		t.Fatalf("a series on taken times = %d, want 409 listing the visits", res.StatusCode)
	}
	if again, _ := a.Store.Bookings(ctx, domain.BookingFilter{PractitionerID: a.Therapist.ID}); len(again) != 3 {
		t.Errorf("the refused series wrote %d bookings", len(again)-3)
	}
}
