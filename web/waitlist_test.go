package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

var (
	offerPath = regexp.MustCompile(`/offers/([A-Za-z0-9_-]{43})$`)
	csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// offerTokenFor returns the link token of the newest offer emailed to addr.
func offerTokenFor(t *testing.T, a *app, addr string) string {
	t.Helper()
	msgs, err := a.Store.Messages(context.Background(), domain.MessageFilter{})
	must(t, "list messages", err)
	for _, m := range msgs {
		if got := offerPath.FindStringSubmatch(m.Notice.ManageURL); m.Kind == domain.MessageWaitlistOffer && m.To == addr && got != nil {
			return got[1]
		}
	}
	t.Fatalf("no offer emailed to %s", addr)
	return ""
}

// TestWaitlistPages walks the patient's side: the form says what is wrong
// next to the field; joining shows the entry page, with the time held at
// once when one is free; the offer page asks before declining (a mail
// scanner's GET changes nothing) and accepting books it; staff see the
// line and remove an entry with the CSRF token.
func TestWaitlistPages(t *testing.T) {
	a := startApp(t)
	c := client(t)
	base := a.URL + "/book/" + a.Massage.ID + "/waitlist"
	res, body := get(t, c, a.URL+"/book/"+a.Massage.ID+"/times?practitioner="+a.Therapist.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `/book/`+a.Massage.ID+`/waitlist?`) {
		t.Fatalf("times page = %d, want a link to the waitlist", res.StatusCode)
	}
	res, body = get(t, c, base+"?practitioner="+a.Therapist.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Join the waitlist") {
		t.Fatalf("GET waitlist form = %d", res.StatusCode)
	}
	form := url.Values{"practitioner": {a.Therapist.ID}, "tz": {"America/New_York"}, "patient.name": {"Lin Wait"},
		"patient.email": {"lin@example.com"}, "from": {"2026-06-05"}, "to": {"2026-06-02"}, "times": {"morning"}}
	res, body = post(t, c, base, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-to"`) || !strings.Contains(body, `value="Lin Wait"`) {
		t.Fatalf("POST with to before from = %d, want 422 naming the last day, keeping what was typed", res.StatusCode)
	}
	if list, _ := a.Store.(domain.WaitlistStore).WaitlistEntries(context.Background(), domain.WaitlistFilter{}); len(list) != 0 {
		t.Fatalf("a refused join wrote %d entries", len(list))
	}
	form.Set("to", "2026-06-08")
	res, _ = post(t, c, base, form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/waitlist/") {
		t.Fatalf("POST join = %d → %q, want 303 to the entry page", res.StatusCode, loc)
	}
	res, body = get(t, c, a.URL+loc)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "A time is held for you") || !strings.Contains(body, "Leave the waitlist") {
		t.Fatalf("entry page = %d, want the held time and a way to leave:\n%s", res.StatusCode, excerpt(body, "Status"))
	}

	tok := offerTokenFor(t, a, "lin@example.com")
	res, body = get(t, c, a.URL+"/offers/"+tok+"?answer=decline")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Yes, pass it on") {
		t.Fatalf("decline link = %d, want a confirmation step", res.StatusCode)
	}
	if v, err := (&domain.Waitlist{Store: a.Store.(domain.WaitlistStore), Scheduler: a.Scheduler, Clock: a.Clock}).OfferByToken(context.Background(), tok); err != nil || v.Offer.Status != domain.OfferOpen {
		t.Fatalf("after opening the decline link the offer is %+v, %v; want still open", v.Offer, err)
	}
	res, _ = post(t, c, a.URL+"/offers/"+tok+"/accept", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?booked=1") {
		t.Fatalf("accept = %d → %q, want 303 to the new booking", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = get(t, c, a.URL+res.Header.Get("Location"))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "You are booked") || !strings.Contains(body, "Tell me if something earlier opens") {
		t.Fatalf("after accepting = %d, want the confirmation", res.StatusCode)
	}
	res, body = post(t, c, a.URL+"/offers/"+tok+"/accept", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Nothing was booked") {
		t.Fatalf("a second accept = %d, want 409 saying nothing was booked", res.StatusCode)
	}

	// Staff: a second patient waits for evenings (nobody works then).
	form.Set("patient.email", "ned@example.com")
	form.Set("patient.name", "Ned Wait")
	form.Set("times", "evening")
	res, _ = post(t, c, base, form)
	must(t, "join", statusError(res, http.StatusSeeOther))
	password := a.addStaff(t, "front@riverside.example", domain.RoleFrontDesk)
	sc := client(t)
	post(t, sc, a.URL+"/staff/login", url.Values{"email": {"front@riverside.example"}, "password": {password}})
	res, body = get(t, sc, a.URL+"/staff/waitlist?practitioner="+a.Therapist.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Ned Wait") || strings.Contains(body, "Lin Wait") {
		t.Fatalf("staff waitlist = %d, want Ned waiting and Lin (booked) gone", res.StatusCode)
	}
	list, err := a.Store.(domain.WaitlistStore).WaitlistEntries(context.Background(), domain.WaitlistFilter{Statuses: []domain.WaitlistStatus{domain.WaitlistWaiting}})
	must(t, "list", err)
	if len(list) != 1 {
		t.Fatalf("%d waiting entries, want Ned's", len(list))
	}
	res, _ = post(t, sc, a.URL+"/staff/waitlist/"+list[0].ID+"/remove", url.Values{})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("remove without the CSRF token = %d, want 403", res.StatusCode)
	}
	csrf := csrfField.FindStringSubmatch(body)
	res, _ = post(t, sc, a.URL+"/staff/waitlist/"+list[0].ID+"/remove", url.Values{"csrf_token": {csrf[1]}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove = %d, want 303", res.StatusCode)
	}
	res, body = get(t, sc, a.URL+res.Header.Get("Location"))
	if !strings.Contains(body, "removed from the waitlist") || strings.Contains(body, "Ned Wait") {
		t.Fatalf("after removing = %d, want the notice and no Ned", res.StatusCode)
	}
}

func statusError(res *http.Response, want int) error {
	if res.StatusCode != want {
		return &domain.Error{Kind: domain.KindInternal, Message: res.Status}
	}
	return nil
}
