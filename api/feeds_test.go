package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
	"github.com/frontdesk/frontdesk/tools/icalcheck"
)

// feedEnv is env with the feed pieces wired in as cmd wires them.
type feedEnv struct {
	*env
	clock   *domaintest.Clock
	renders *int64 // calls of RenderFeed
	mu      sync.Mutex
}

func newFeedEnv(t testing.TB, store *storage.Store) *feedEnv {
	t.Helper()
	e := newEnv(t, store, 0)
	fe := &feedEnv{env: e, clock: domaintest.NewClock(fixedNow), renders: new(int64)}
	e.srv.Feeds = &domain.Feeds{Store: store, State: store, Versions: store, Clock: fe.clock}
	e.srv.Scheduler.Clock = fe.clock // every change is stamped later than the one before
	e.srv.RenderFeed = func(f domain.Feed) ([]byte, error) {
		fe.mu.Lock()
		*fe.renders++
		fe.mu.Unlock()
		return notifications.FeedCalendar(f)
	}
	e.srv.RenderVisit = notifications.VisitCalendar
	return fe
}

func (fe *feedEnv) renderCount() int64 {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	return *fe.renders
}

// forEachFeedEngine runs f against a fresh feedEnv of every engine.
func forEachFeedEngine(t *testing.T, f func(t *testing.T, fe *feedEnv)) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f(t, newFeedEnv(t, storagetest.Open(t, engine)))
		})
	}
}

// newYork is the seeded clinic's zone.
var newYork = func() *time.Location {
	loc, err := time.LoadLocation(storagetest.SeedZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

// ny is hh:mm on the day of March 2031 in New York. Daylight saving time
// starts there on Sunday 9 March 2031.
func ny(day, h, m int) time.Time { return time.Date(2031, time.March, day, h, m, 0, 0, newYork) }

// visit is what a test books and later looks for in a feed.
type visit struct {
	name, email, phone, notes string
	intake                    *domain.Intake
}

// book books a visit through the Scheduler, as a patient would online.
func (fe *feedEnv) book(t testing.TB, serviceID, practitionerID string, start time.Time, v visit) domain.Booked {
	t.Helper()
	got, err := fe.srv.Scheduler.Book(context.Background(), domain.BookRequest{
		ServiceID: serviceID, PractitionerID: practitionerID, Start: start, TimeZone: "Europe/London",
		Patient: domain.Patient{Name: v.name, Email: v.email, Phone: v.phone},
		Intake:  v.intake, Notes: v.notes, Actor: domain.ActorPatient,
	})
	if err != nil {
		t.Fatalf("Book(%s at %v) = %v", serviceID, start, err)
	}
	return got
}

// massage books a massage with the therapist for a plain patient.
func (fe *feedEnv) massage(t testing.TB, start time.Time, email string) domain.Booked {
	t.Helper()
	return fe.book(t, fe.ids.massage, fe.ids.therapist, start, visit{name: "Pat Example", email: email, phone: "+1 212 555 0142"})
}

// newFeed makes a feed token through the API and returns the path of its
// URL, checking the URL points at the feed route.
func (fe *feedEnv) newFeed(t testing.TB, practitionerID string, privacy domain.Privacy) string {
	t.Helper()
	body := map[string]any{"privacy": string(privacy)}
	if practitionerID != "" {
		body["practitioner_id"] = practitionerID
	}
	r := fe.do(req{method: "POST", path: "/api/v1/feed-tokens", role: domain.RoleFrontDesk, body: body}).want(t, 201, "create feed token")
	var out feedTokenCreated
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	path, ok := strings.CutPrefix(out.URL, fe.srv.BaseURL)
	if !ok || !strings.HasPrefix(path, "/feeds/") || !strings.HasSuffix(path, ".ics") {
		t.Fatalf("feed URL %q does not match /feeds/{token}.ics under %s", out.URL, fe.srv.BaseURL)
	}
	if out.WebcalURL != "webcal://"+strings.TrimPrefix(out.URL, "https://") {
		t.Errorf("webcal URL %q is not the https one %q with webcal://", out.WebcalURL, out.URL)
	}
	return path
}

// get fetches path with the headers and no others.
func (fe *feedEnv) get(path string, header map[string]string) response {
	fe.t.Helper()
	return fe.do(req{method: "GET", path: path, header: header})
}

// feedEvent is a VEVENT as go-ical reads it.
type feedEvent struct {
	uid, status, summary string
	sequence             string
	start, end           time.Time
}

// parseFeed decodes a feed with go-ical and returns its events by UID,
// checking the calendar-level properties a feed must and must not have.
func parseFeed(t testing.TB, ics []byte) map[string]feedEvent {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot decode the feed: %v\n%s", err, ics)
	}
	for _, name := range []string{"X-WR-CALNAME", "X-WR-TIMEZONE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"} {
		if cal.Props.Get(name) == nil {
			t.Errorf("feed has no %s", name)
		}
	}
	if cal.Props.Get(ical.PropMethod) != nil {
		t.Error("feed has a METHOD")
	}
	out := map[string]feedEvent{}
	for _, ev := range cal.Events() {
		if ev.Props.Get(ical.PropOrganizer) != nil || ev.Props.Get(ical.PropAttendee) != nil {
			t.Error("feed event has an ORGANIZER or ATTENDEE")
		}
		var fe feedEvent
		fe.uid, _ = ev.Props.Text(ical.PropUID)
		fe.status, _ = ev.Props.Text(ical.PropStatus)
		fe.summary, _ = ev.Props.Text(ical.PropSummary)
		if p := ev.Props.Get(ical.PropSequence); p != nil {
			fe.sequence = p.Value
		}
		if fe.start, err = ev.DateTimeStart(time.UTC); err != nil {
			t.Fatalf("event %s DTSTART: %v", fe.uid, err)
		}
		if fe.end, err = ev.DateTimeEnd(time.UTC); err != nil {
			t.Fatalf("event %s DTEND: %v", fe.uid, err)
		}
		if _, dup := out[fe.uid]; dup {
			t.Errorf("UID %s appears twice", fe.uid)
		}
		out[fe.uid] = fe
	}
	return out
}

// icalJSReport is what tools/icalcheck/check.js prints.
type icalJSReport struct {
	Method string `json:"method"`
	Events []struct {
		UID      string    `json:"uid"`
		Sequence int       `json:"sequence"`
		Status   string    `json:"status"`
		Summary  string    `json:"summary"`
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
	} `json:"events"`
}

// icalJS parses ics with Mozilla ical.js, the parser Thunderbird uses,
// which also checks CRLF, 75-octet lines and UTF-8.
func icalJS(t testing.TB, ics []byte) icalJSReport {
	t.Helper()
	var r icalJSReport
	icalcheck.Run(t, ics, &r)
	return r
}

// wantFeedHeaders checks the headers of a 200 feed response.
func wantFeedHeaders(t testing.TB, r response) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Type":     "text/calendar; charset=utf-8",
		"Referrer-Policy":  "no-referrer",
		"Cache-Control":    feedCacheControl,
		"Content-Encoding": "",
	} {
		if got := r.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="`) || !strings.HasSuffix(cd, `.ics"`) {
		t.Errorf("Content-Disposition = %q, want inline with a .ics file name", cd)
	}
	if et := r.header.Get("ETag"); len(et) < 3 || et[0] != '"' || et[len(et)-1] != '"' || strings.HasPrefix(et, "W/") {
		t.Errorf("ETag = %q, want a strong, quoted tag", et)
	}
	if _, err := http.ParseTime(r.header.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified = %q: %v", r.header.Get("Last-Modified"), err)
	}
}

func TestFeedMatchesDatabase(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		ctx := context.Background()
		// The week of the change to daylight saving time (Sunday 9 March).
		before := fe.massage(t, ny(7, 10, 0), "before@example.com") // Friday, EST: 15:00Z
		after := fe.massage(t, ny(10, 10, 0), "after@example.com")  // Monday, EDT: 14:00Z
		review := fe.book(t, fe.ids.caseReview, fe.ids.chiro, ny(4, 9, 0), visit{
			name: "Rae Review", email: "rae@example.com", phone: "+1 212 555 0177",
			intake: &domain.Intake{PainAreas: []string{"neck"}, Duration: "weeks", Tried: []string{"nothing"}},
		})
		gone := fe.massage(t, ny(5, 14, 0), "gone@example.com")
		if _, err := fe.srv.Scheduler.CancelByToken(ctx, gone.ManageToken, ""); err != nil {
			t.Fatalf("CancelByToken = %v", err)
		}

		clinicPath := fe.newFeed(t, "", domain.PrivacyFullName)
		r := fe.get(clinicPath, nil).want(t, 200, "clinic feed")
		wantFeedHeaders(t, r)
		events := parseFeed(t, r.body)
		js := icalJS(t, r.body)

		want, err := fe.store.Bookings(ctx, domain.BookingFilter{From: fixedNow.Add(-31 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != 4 || len(events) != len(want) || len(js.Events) != len(want) {
			t.Fatalf("database has %d bookings; go-ical reads %d events, ical.js %d; want 4 each", len(want), len(events), len(js.Events))
		}
		jsByUID := map[string]int{}
		for i, ev := range js.Events {
			jsByUID[ev.UID] = i
		}
		for _, b := range want {
			ev, ok := events[b.UID]
			i, jsOK := jsByUID[b.UID]
			if !ok || !jsOK {
				t.Errorf("booking %s (UID %s) is missing from the feed", b.ID, b.UID)
				continue
			}
			status := "CONFIRMED"
			if b.Status == domain.StatusCancelled {
				status = "CANCELLED"
			}
			j := js.Events[i]
			if !ev.start.Equal(b.Start) || !ev.end.Equal(b.End) || !j.Start.Equal(b.Start) || !j.End.Equal(b.End) {
				t.Errorf("UID %s: go-ical %v–%v, ical.js %v–%v; database %v–%v", b.UID, ev.start, ev.end, j.Start, j.End, b.Start, b.End)
			}
			if ev.status != status || j.Status != status {
				t.Errorf("UID %s: STATUS go-ical %q, ical.js %q; want %s", b.UID, ev.status, j.Status, status)
			}
			if j.Sequence != b.Sequence {
				t.Errorf("UID %s: SEQUENCE %d, want %d", b.UID, j.Sequence, b.Sequence)
			}
			if !strings.Contains(ev.summary, b.Service.Name) || !strings.Contains(ev.summary, b.Patient.Name) {
				t.Errorf("UID %s: SUMMARY %q, want the service and (full privacy) the patient", b.UID, ev.summary)
			}
		}
		// Daylight saving time: 10:00 in New York on both sides of the change.
		for _, tc := range []struct {
			uid  string
			want time.Time
		}{
			{before.Booking.UID, time.Date(2031, 3, 7, 15, 0, 0, 0, time.UTC)},
			{after.Booking.UID, time.Date(2031, 3, 10, 14, 0, 0, 0, time.UTC)},
		} {
			got := js.Events[jsByUID[tc.uid]].Start
			if !got.Equal(tc.want) || got.In(newYork).Hour() != 10 {
				t.Errorf("DST week: ical.js reads %v (%v in New York), want %v", got, got.In(newYork), tc.want)
			}
		}

		// A practitioner's feed holds only their visits.
		therapistPath := fe.newFeed(t, fe.ids.therapist, domain.PrivacyBusy)
		mine := parseFeed(t, fe.get(therapistPath, nil).want(t, 200, "therapist feed").body)
		if _, ok := mine[review.Booking.UID]; ok || len(mine) != 3 {
			t.Errorf("therapist feed has %d events (with the chiropractor's: %v), want her 3", len(mine), ok)
		}
	})
}

func TestFeedConditionalRequests(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		ctx := context.Background()
		booked := fe.massage(t, ny(4, 10, 0), "pat@example.com")
		path := fe.newFeed(t, fe.ids.therapist, domain.PrivacyInitials)

		// Google's fetcher sends no Accept; Outlook breaks on gzip.
		first := fe.get(path, nil).want(t, 200, "first fetch")
		wantFeedHeaders(t, first)
		etag, lm := first.header.Get("ETag"), first.header.Get("Last-Modified")
		for _, h := range []map[string]string{
			{"Accept": "application/json"},
			{"Accept-Encoding": "gzip"},
			{"Accept": "text/html", "Accept-Encoding": "gzip, deflate, br"},
		} {
			r := fe.get(path, h).want(t, 200, "fetch with "+headerList(h))
			if r.header.Get("Content-Encoding") != "" || !bytes.Equal(r.body, first.body) {
				t.Errorf("with %v: Content-Encoding %q and a different body; want the same plain calendar", h, r.header.Get("Content-Encoding"))
			}
		}

		renders := fe.renderCount()
		for _, h := range []map[string]string{
			{"If-None-Match": etag},
			{"If-None-Match": `"other", ` + etag},
			{"If-None-Match": "W/" + etag},
			{"If-None-Match": "*"},
			{"If-Modified-Since": lm},
			{"If-Modified-Since": fixedNow.Add(time.Hour).Format(http.TimeFormat)},
		} {
			r := fe.get(path, h).want(t, 304, "unchanged feed with "+headerList(h))
			if len(r.body) != 0 || r.header.Get("ETag") != etag || r.header.Get("Last-Modified") != lm {
				t.Errorf("304 with %v: body %d bytes, ETag %q, Last-Modified %q; want none, %s, %s",
					h, len(r.body), r.header.Get("ETag"), r.header.Get("Last-Modified"), etag, lm)
			}
		}
		if got := fe.renderCount(); got != renders {
			t.Errorf("304s rendered the calendar %d times, want none", got-renders)
		}
		// If-None-Match wins over If-Modified-Since.
		fe.get(path, map[string]string{"If-None-Match": `"stale"`, "If-Modified-Since": lm}).want(t, 200, "stale ETag, current date")
		fe.get(path, map[string]string{"If-Modified-Since": fixedNow.Add(-time.Hour).Format(http.TimeFormat)}).want(t, 200, "older date")

		// HEAD: the same headers, no body.
		head := fe.do(req{method: "HEAD", path: path}).want(t, 200, "HEAD")
		if len(head.body) != 0 || head.header.Get("ETag") != etag || head.header.Get("Content-Length") != first.header.Get("Content-Length") {
			t.Errorf("HEAD: body %d bytes, ETag %q, Content-Length %q; want none, %s, %s", len(head.body),
				head.header.Get("ETag"), head.header.Get("Content-Length"), etag, first.header.Get("Content-Length"))
		}
		wantFeedHeaders(t, head)
		fe.do(req{method: "HEAD", path: path, header: map[string]string{"If-None-Match": etag}}).want(t, 304, "HEAD with If-None-Match")

		// A reschedule: new ETag, the change visible, Last-Modified later.
		fe.clock.Advance(10 * time.Minute)
		moved := ny(6, 15, 0)
		if _, err := fe.srv.Scheduler.RescheduleByToken(ctx, booked.ManageToken, moved); err != nil {
			t.Fatalf("RescheduleByToken = %v", err)
		}
		changed := fe.get(path, map[string]string{"If-None-Match": etag, "If-Modified-Since": lm}).want(t, 200, "after a reschedule")
		ev := parseFeed(t, changed.body)[booked.Booking.UID]
		etag2, lm2 := changed.header.Get("ETag"), changed.header.Get("Last-Modified")
		if etag2 == etag || !ev.start.Equal(moved) || ev.sequence != "1" {
			t.Errorf("after reschedule: ETag %s (was %s), start %v, SEQUENCE %s; want a new ETag, %v, 1", etag2, etag, ev.start, ev.sequence, moved)
		}
		if !laterOrSame(t, lm2, lm) || lm2 == lm {
			t.Errorf("Last-Modified %s after a change, was %s: want it later", lm2, lm)
		}
		fe.get(path, map[string]string{"If-None-Match": etag2}).want(t, 304, "unchanged again")

		// A cancellation stays in the feed as CANCELLED.
		fe.clock.Advance(10 * time.Minute)
		if _, err := fe.srv.Scheduler.CancelByToken(ctx, booked.ManageToken, ""); err != nil {
			t.Fatalf("CancelByToken = %v", err)
		}
		cancelled := fe.get(path, map[string]string{"If-None-Match": etag2}).want(t, 200, "after a cancellation")
		if ev := parseFeed(t, cancelled.body)[booked.Booking.UID]; ev.status != "CANCELLED" {
			t.Errorf("cancelled visit has STATUS %q, want CANCELLED", ev.status)
		}
		if !laterOrSame(t, cancelled.header.Get("Last-Modified"), lm2) {
			t.Errorf("Last-Modified went backwards after a cancellation")
		}

		// Long after, the cancelled visit leaves the feed: a change too.
		lm3 := cancelled.header.Get("Last-Modified")
		fe.clock.Advance(20 * 24 * time.Hour)
		left := fe.get(path, map[string]string{"If-None-Match": cancelled.header.Get("ETag")}).want(t, 200, "after the visit left")
		if _, ok := parseFeed(t, left.body)[booked.Booking.UID]; ok {
			t.Error("a visit cancelled 20 days ago is still in the feed")
		}
		if lm4 := left.header.Get("Last-Modified"); !laterOrSame(t, lm4, lm3) || lm4 == lm3 {
			t.Errorf("Last-Modified %s after the visit left, was %s: want it later", lm4, lm3)
		}
	})
}

// laterOrSame reports whether HTTP date a is not before b.
func laterOrSame(t testing.TB, a, b string) bool {
	t.Helper()
	ta, err1 := http.ParseTime(a)
	tb, err2 := http.ParseTime(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad HTTP dates %q, %q", a, b)
	}
	return !ta.Before(tb)
}

// headerList writes request headers for a failure message.
func headerList(h map[string]string) string {
	var out []string
	for k, v := range h {
		out = append(out, k+": "+v)
	}
	return strings.Join(out, "; ")
}

func TestFeedRotationAndUnknownTokens(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		fe.massage(t, ny(4, 10, 0), "pat@example.com")
		old := fe.newFeed(t, "", domain.PrivacyBusy)
		fe.get(old, nil).want(t, 200, "feed before rotation")

		list := fe.do(req{method: "GET", path: "/api/v1/feed-tokens", role: domain.RoleFrontDesk}).want(t, 200, "list").json(t)
		id := list["feed_tokens"].([]any)[0].(map[string]any)["id"].(string)
		fe.do(req{method: "DELETE", path: "/api/v1/feed-tokens/" + id, role: domain.RoleFrontDesk}).want(t, 204, "revoke")
		revoked := fe.get(old, nil).want(t, 404, "revoked feed")
		fresh := fe.newFeed(t, "", domain.PrivacyBusy)
		fe.get(fresh, nil).want(t, 200, "the new feed")

		// Unknown, revoked and malformed tokens get the same answer.
		unknown := fe.get("/feeds/"+strings.Repeat("A", 43)+".ics", nil).want(t, 404, "unknown feed")
		if !bytes.Equal(unknown.body, revoked.body) || unknown.header.Get("Content-Type") != revoked.header.Get("Content-Type") {
			t.Errorf("unknown token answers %q, revoked %q; want the same", unknown.body, revoked.body)
		}
		if revoked.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("404 Referrer-Policy = %q, want no-referrer", revoked.header.Get("Referrer-Policy"))
		}
		for _, p := range []string{
			strings.TrimSuffix(fresh, ".ics"),         // the token without .ics
			strings.TrimSuffix(fresh, ".ics") + ".ic", // a near miss
			"/feeds/.ics",
			"/feeds/" + strings.Repeat("a", 200) + ".ics",
		} {
			r := fe.get(p, nil).want(t, 404, "malformed feed path")
			if !bytes.Equal(r.body, revoked.body) {
				t.Errorf("%s answers %q, want the plain 404 %q", p, r.body, revoked.body)
			}
		}
	})
}

func TestFeedPrivacy(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		ctx := context.Background()
		secrets := visit{
			name: "Zelda Quixote", email: "zelda.quixote@privacy.example", phone: "+1 917 555 0123",
			notes:  "Patient note: recovering from a frobnicated wrist",
			intake: &domain.Intake{PainAreas: []string{"headaches"}, Duration: "months", Tried: []string{"physiotherapy"}, Notes: "Intake: whiplash in a gondola"},
		}
		review := fe.book(t, fe.ids.caseReview, fe.ids.chiro, ny(4, 9, 0), secrets)
		plain := secrets
		plain.intake, plain.notes = nil, "Another note: allergic to lavender oil"
		massage := fe.book(t, fe.ids.massage, fe.ids.therapist, ny(4, 11, 0), plain)
		gone := fe.book(t, fe.ids.massage, fe.ids.therapist, ny(5, 11, 0), plain)
		desk := domain.ActorOf(fe.user[domain.RoleFrontDesk])
		for _, b := range []domain.Booked{review, massage} {
			if _, err := fe.srv.Scheduler.SetStaffNotes(ctx, desk, b.Booking.ID, "Staff only: pays in marbles"); err != nil {
				t.Fatalf("SetStaffNotes = %v", err)
			}
		}
		if _, err := fe.srv.Scheduler.CancelByToken(ctx, gone.ManageToken, "Reason: the llama ate my car keys"); err != nil {
			t.Fatalf("CancelByToken = %v", err)
		}
		p, err := fe.store.Patient(ctx, review.Booking.PatientID)
		if err != nil {
			t.Fatal(err)
		}
		never := []string{
			secrets.email, p.Email, secrets.phone, p.Phone, secrets.notes, plain.notes,
			secrets.intake.Notes, "headaches", "months", "physiotherapy",
			"Staff only: pays in marbles", "the llama ate my car keys",
			"mailto:", // no contact URI at all
		}
		for _, level := range []domain.Privacy{domain.PrivacyBusy, domain.PrivacyInitials, domain.PrivacyFullName} {
			for _, owner := range []string{"", fe.ids.therapist, fe.ids.chiro} {
				path := fe.newFeed(t, owner, level)
				body := fe.get(path, nil).want(t, 200, "feed").body
				text := feedText(body)
				shown := "Massage 60"
				if level == domain.PrivacyBusy {
					shown = "SUMMARY:Busy" // busy means busy: no service either
					if strings.Contains(text, "Massage 60") {
						t.Errorf("busy feed of %q names the service", owner)
					}
				}
				if !strings.Contains(text, shown) && owner != fe.ids.chiro {
					t.Fatalf("%s feed of %q shows no visit; the privacy checks would prove nothing:\n%s", level, owner, text)
				}
				for _, s := range never {
					if strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
						t.Errorf("%s feed of %q leaks %q", level, owner, s)
					}
				}
				hasFull := strings.Contains(text, "Zelda") || strings.Contains(text, "Quixote")
				hasInitials := strings.Contains(text, "Z. Q.")
				switch level {
				case domain.PrivacyBusy:
					if hasFull || hasInitials {
						t.Errorf("busy feed of %q shows the patient", owner)
					}
				case domain.PrivacyInitials:
					if hasFull || !hasInitials {
						t.Errorf("initials feed of %q: full name %v, initials %v; want only the initials", owner, hasFull, hasInitials)
					}
				case domain.PrivacyFullName:
					if !strings.Contains(text, "Zelda Quixote") {
						t.Errorf("full-name feed of %q does not name the patient", owner)
					}
				}
			}
		}
	})
}

// feedText is a calendar as a reader sees it: lines unfolded and TEXT
// escapes undone, so a secret split by folding or escaping is still found.
func feedText(ics []byte) string {
	s := strings.ReplaceAll(string(ics), "\r\n ", "")
	s = strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, "\n", `\N`, "\n", `\\`, `\`).Replace(s)
	return s
}

func TestFeedRateLimitPerToken(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		fe.srv.feedLimits = newFeedLimits(3)
		a := fe.newFeed(t, "", domain.PrivacyBusy)
		b := fe.newFeed(t, fe.ids.therapist, domain.PrivacyBusy)
		for range 3 {
			fe.get(a, nil).want(t, 200, "feed within the limit")
		}
		r := fe.get(a, nil).want(t, 429, "feed over the limit")
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		fe.get(b, nil).want(t, 200, "another token's feed")
		// Unknown tokens do not fill the limiter: they are answered 404.
		for range 5 {
			fe.get("/feeds/"+strings.Repeat("B", 43)+".ics", nil).want(t, 404, "unknown feed")
		}
	})
}

func TestFeedLogsShowTokenPrefix(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		path := fe.newFeed(t, "", domain.PrivacyBusy)
		fe.get(path, nil).want(t, 200, "feed")
		token := strings.TrimSuffix(strings.TrimPrefix(path, "/feeds/"), ".ics")
		logs := fe.logs.String()
		if strings.Contains(logs, token) || strings.Contains(logs, token[:12]) {
			t.Errorf("logs hold the feed token:\n%s", logs)
		}
		if !strings.Contains(logs, "/feeds/"+token[:6]) {
			t.Errorf("logs do not show the token's prefix:\n%s", logs)
		}
	})
}

func TestManageCalendarDownload(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		ctx := context.Background()
		booked := fe.massage(t, ny(4, 10, 0), "pat@example.com")
		if _, err := fe.srv.Scheduler.RescheduleByToken(ctx, booked.ManageToken, ny(6, 15, 0)); err != nil {
			t.Fatalf("RescheduleByToken = %v", err)
		}
		r := fe.get("/api/v1/manage/"+booked.ManageToken+"/calendar.ics", nil).want(t, 200, "visit download")
		for name, want := range map[string]string{
			"Content-Type":        "text/calendar; charset=utf-8",
			"Content-Disposition": `attachment; filename="appointment.ics"`,
			"Referrer-Policy":     "no-referrer",
		} {
			if got := r.header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		cal, err := ical.NewDecoder(bytes.NewReader(r.body)).Decode()
		if err != nil {
			t.Fatalf("go-ical cannot decode the download: %v\n%s", err, r.body)
		}
		if m, _ := cal.Props.Text(ical.PropMethod); m != "PUBLISH" {
			t.Errorf("METHOD = %q, want PUBLISH", m)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events, want 1", len(evs))
		}
		if uid, _ := evs[0].Props.Text(ical.PropUID); uid != booked.Booking.UID {
			t.Errorf("UID = %q, want the booking's %q", uid, booked.Booking.UID)
		}
		js := icalJS(t, r.body)
		if js.Method != "PUBLISH" || len(js.Events) != 1 || js.Events[0].UID != booked.Booking.UID ||
			js.Events[0].Sequence != 1 || !js.Events[0].Start.Equal(ny(6, 15, 0)) {
			t.Errorf("ical.js reads %+v, want PUBLISH, UID %s, SEQUENCE 1, start %v", js, booked.Booking.UID, ny(6, 15, 0))
		}
		for _, tok := range []string{"nope", booked.ManageToken + "x"} {
			fe.get("/api/v1/manage/"+tok+"/calendar.ics", nil).want(t, 404, "download with a wrong token")
		}
	})
}

func TestRenderCacheKeepsWithinBudget(t *testing.T) {
	rc := newRenderCache(10)
	rc.put("a", []byte("aaaa"))
	rc.put("b", []byte("bbbb"))
	if _, ok := rc.get("a"); !ok { // a is now the most recent
		t.Fatal("a was dropped while within the budget")
	}
	rc.put("c", []byte("cccc")) // 12 bytes: b, the least recent, goes
	if _, ok := rc.get("b"); ok {
		t.Error("b is kept over the budget, want the least recently used dropped")
	}
	for _, k := range []string{"a", "c"} {
		if got, ok := rc.get(k); !ok || string(got) != strings.Repeat(k, 4) {
			t.Errorf("get(%s) = %q, %v; want it kept", k, got, ok)
		}
	}
	rc.put("huge", make([]byte, 11))
	if _, ok := rc.get("huge"); ok || rc.size != 8 {
		t.Errorf("a feed over the whole budget is kept (size %d), want it skipped", rc.size)
	}
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Frontdesk Test Clinic — Dr. Avery Chen", "frontdesk-test-clinic-dr-avery-chen"},
		{"  Spine & Soft Tissue!  ", "spine-soft-tissue"},
		{"Ünïcode only ✓", "n-code-only"},
		{"", "calendar"},
		{"—", "calendar"},
		{strings.Repeat("ab ", 40), strings.Repeat("ab-", 20) + "a"}, // cut after 60 bytes
	} {
		if got := slug(tc.in); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
