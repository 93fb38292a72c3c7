package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestStaleSlotRecovers: a slot that has passed (an old tab) ends like a
// taken one: said so, the nearest open times offered in a field that
// exists, everything typed kept, and the next submit books.
func TestStaleSlotRecovers(t *testing.T) {
	a := startApp(t)
	c := client(t)
	past := nyAt(0, 7, 0) // Monday 07:00, an hour ago
	form := bookForm(a, past, "Mary Jackson", "mary@example.com")
	form.Set("notes", "left shoulder")
	res, body := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form)
	if res.StatusCode == http.StatusSeeOther {
		t.Fatalf("a past slot was booked")
	}
	for _, want := range []string{"can no longer be booked", "That time has passed.", "Everything you typed is still here",
		`id="f-start"`, `name="start"`, `value="Mary Jackson"`, `value="mary@example.com"`, "left shoulder"} {
		if !strings.Contains(body, want) {
			t.Errorf("stale-slot page lacks %q", want)
		}
	}
	if strings.Contains(body, `href="#f-start"`) && !strings.Contains(body, `id="f-start"`) {
		t.Errorf("the error links to a field that does not exist")
	}
	// The old tab opened again on GET says so at once.
	_, body = get(t, c, a.URL+detailsURL(a.Massage.ID, a.Therapist.ID, past, "America/New_York", arrival{}))
	if !strings.Contains(body, "can no longer be booked") || !strings.Contains(body, `id="f-start"`) {
		t.Errorf("GET details of a past time does not offer other times:\n%s", excerpt(body, "<main"))
	}
	// The first of the nearest times is checked: submitting books it.
	form.Set("start", firstChecked(t, body))
	form.Set("idempotency_key", domain.NewID())
	if res, body = post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("booking the offered time = %d:\n%s", res.StatusCode, excerpt(body, `id="problem"`))
	}
}

// firstChecked returns the value of the checked start radio in body.
func firstChecked(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `name="start" value="`)
	if i < 0 {
		t.Fatalf("no start choices:\n%s", excerpt(body, "f-start"))
	}
	v := body[i+len(`name="start" value="`):]
	return v[:strings.IndexByte(v, '"')]
}

// TestCancelCutoffWarningWhenBooking: a visit inside the cancel cut-off is
// booked knowing that it cannot be cancelled online.
func TestCancelCutoffWarningWhenBooking(t *testing.T) {
	a := startApp(t)
	c := client(t)
	_, soon := get(t, c, a.URL+detailsURL(a.Massage.ID, a.Therapist.ID, nyAt(0, 15, 0), "America/New_York", arrival{}))
	if !strings.Contains(soon, "cannot be cancelled online") {
		t.Errorf("details of a visit 7 hours away has no cut-off warning:\n%s", excerpt(soon, "summary"))
	}
	_, later := get(t, c, a.URL+detailsURL(a.Massage.ID, a.Therapist.ID, nyAt(3, 15, 0), "America/New_York", arrival{}))
	if strings.Contains(later, "cannot be cancelled online") {
		t.Errorf("details of a visit three days away warns of the cut-off")
	}
}

// TestManageConfirmsBeforeActing: reschedule and cancel each show what will
// happen and act only on the confirming submit.
func TestManageConfirmsBeforeActing(t *testing.T) {
	a := startApp(t)
	c := client(t)
	manage := bookThroughPage(t, a, c, nyAt(3, 10, 0))
	token := manage[strings.LastIndexByte(manage, '/')+1:]
	ctx := context.Background()
	newStart := nyAt(4, 14, 0)

	res, body := post(t, c, a.URL+manage+"/reschedule", url.Values{"start": {newStart.Format(time.RFC3339)}, "tz": {"America/New_York"}})
	b, err := a.Scheduler.Manage(ctx, token)
	must(t, "manage", err)
	if res.StatusCode != 200 || !b.Start.Equal(nyAt(3, 10, 0)) {
		t.Fatalf("first reschedule submit = %d and the visit at %v; want a confirmation step and no change", res.StatusCode, b.Start)
	}
	for _, want := range []string{"Move your visit", "Friday 5 June, 2:00 PM", "Thursday 4 June, 10:00 AM", `name="confirm" value="1"`, "updated invitation"} {
		if !strings.Contains(body, want) {
			t.Errorf("reschedule confirmation lacks %q", want)
		}
	}
	res, _ = post(t, c, a.URL+manage+"/reschedule", url.Values{"start": {newStart.Format(time.RFC3339)}, "confirm": {"1"}, "tz": {"America/New_York"}})
	if b, _ = a.Scheduler.Manage(ctx, token); res.StatusCode != http.StatusSeeOther || !b.Start.Equal(newStart) {
		t.Fatalf("confirmed reschedule = %d, visit at %v; want 303 and %v", res.StatusCode, b.Start, newStart)
	}

	res, body = post(t, c, a.URL+manage+"/cancel", url.Values{"reason": {"Feeling better"}, "tz": {"America/New_York"}})
	if b, _ = a.Scheduler.Manage(ctx, token); res.StatusCode != 200 || b.Status == domain.StatusCancelled {
		t.Fatalf("first cancel submit = %d, status %s; want a confirmation step and no change", res.StatusCode, b.Status)
	}
	for _, want := range []string{"Cancel your visit on Friday 5 June, 2:00 PM?", "24 hours", "Feeling better", `name="confirm" value="1"`, "Keep my visit"} {
		if !strings.Contains(body, want) {
			t.Errorf("cancel confirmation lacks %q", want)
		}
	}
	res, _ = post(t, c, a.URL+manage+"/cancel", url.Values{"reason": {"Feeling better"}, "confirm": {"1"}, "tz": {"America/New_York"}})
	if b, _ = a.Scheduler.Manage(ctx, token); res.StatusCode != http.StatusSeeOther || b.Status != domain.StatusCancelled || b.CancelReason != "Feeling better" {
		t.Errorf("confirmed cancel = %d, status %s, reason %q", res.StatusCode, b.Status, b.CancelReason)
	}
}

// TestRescheduleInsideCancelCutoffSaysSo: moving a visit that can no longer
// be cancelled online says that the new time cannot be either.
func TestRescheduleInsideCancelCutoffSaysSo(t *testing.T) {
	a := startApp(t)
	c := client(t)
	manage := bookThroughPage(t, a, c, nyAt(1, 10, 0)) // Tuesday 10:00, 26 hours ahead
	a.Clock.Set(nyAt(0, 20, 0))                        // 14 hours before: inside the 24-hour cancel cut-off
	_, body := post(t, c, a.URL+manage+"/reschedule", url.Values{"start": {nyAt(5, 10, 0).Format(time.RFC3339)}, "tz": {"America/New_York"}})
	if !strings.Contains(body, "cannot be cancelled online") {
		t.Errorf("the reschedule confirmation inside the cancel cut-off does not say the move keeps it:\n%s", excerpt(body, "Move your visit"))
	}
}

// TestClinicTimeBesideYours: a patient in another zone sees the clinic's
// time too; one in the clinic's zone does not.
func TestClinicTimeBesideYours(t *testing.T) {
	a := startApp(t)
	c := client(t)
	start := nyAt(3, 10, 0)
	_, away := get(t, c, a.URL+detailsURL(a.Massage.ID, a.Therapist.ID, start, "Europe/Berlin", arrival{}))
	if !strings.Contains(away, "4:00 PM your time · 10:00 AM at the clinic") {
		t.Errorf("details from Berlin do not show both times:\n%s", excerpt(away, "summary"))
	}
	_, home := get(t, c, a.URL+detailsURL(a.Massage.ID, a.Therapist.ID, start, "America/New_York", arrival{}))
	if strings.Contains(home, "at the clinic") {
		t.Errorf("details in the clinic's zone show the clinic's time twice")
	}
	form := bookForm(a, start, "Mary Jackson", "mary@example.com")
	form.Set("tz", "Europe/Berlin")
	res, _ := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form)
	_, manage := get(t, c, a.URL+res.Header.Get("Location"))
	if !strings.Contains(manage, "your time · 10:00 AM at the clinic") {
		t.Errorf("manage page from Berlin does not show the clinic's time:\n%s", excerpt(manage, "When"))
	}
}

func TestEmailSuggestion(t *testing.T) {
	for in, want := range map[string]string{
		"jane@gmial.com":     "jane@gmail.com",
		"jane@hotmial.com":   "jane@hotmail.com",
		"jane@example.con":   "jane@example.com",
		"Jane@GMAIL.CMO":     "Jane@gmail.com",
		"jane@yahooo.com":    "jane@yahoo.com",
		"jane@gmail.com":     "",
		"jane@example.co.uk": "",
		"not an email":       "",
	} {
		if got := emailSuggestion(in); got != want {
			t.Errorf("emailSuggestion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEmailTypoSuggestsNeverBlocks: a likely typo is booked as typed; the
// form shown again for another reason suggests the fix.
func TestEmailTypoSuggestsNeverBlocks(t *testing.T) {
	a := startApp(t)
	c := client(t)
	form := bookForm(a, nyAt(3, 10, 0), "", "mary@gmial.com")
	_, body := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form)
	if !strings.Contains(body, "Did you mean") || !strings.Contains(body, "mary@gmail.com") {
		t.Errorf("form shown again does not suggest gmail.com:\n%s", excerpt(body, "f-patient-email"))
	}
	form.Set("patient.name", "Mary Jackson")
	form.Set("idempotency_key", domain.NewID())
	if res, _ := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("booking with gmial.com = %d, want booked: a suggestion never blocks", res.StatusCode)
	}
}
