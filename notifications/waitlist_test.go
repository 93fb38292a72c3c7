package notifications

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// waitlistRig is a seeded real store with the waitlist, the outbox worker
// and a real SMTP server, on a test clock.
type waitlistRig struct {
	store  *storage.Store
	fx     storagetest.Fixture
	loc    *time.Location
	clock  *domaintest.Clock
	sched  *domain.Scheduler
	wl     *domain.Waitlist
	sink   *sink
	worker *Worker
	seen   int // sink messages already read
}

// tuesday is the day the waitlist tests fill and free: Tuesday 2 March 2027.
var tuesday = domain.Date{Year: 2027, Month: time.March, Day: 2}

func newWaitlistRig(t *testing.T, engine storagetest.Engine) *waitlistRig {
	t.Helper()
	store := storagetest.Open(t, engine)
	r := &waitlistRig{store: store, fx: storagetest.Seed(t, store), sink: startSink(t)}
	var err error
	if r.loc, err = time.LoadLocation(storagetest.SeedZone); err != nil {
		t.Fatal(err)
	}
	r.clock = domaintest.NewClock(domain.WallClock(tuesday.AddDays(-1), domain.At(7, 0), r.loc))
	r.sched = &domain.Scheduler{Store: store, Clock: r.clock, BaseURL: "https://clinic.test"}
	r.wl = &domain.Waitlist{Store: store, Scheduler: r.sched, Clock: r.clock, BaseURL: "https://clinic.test",
		OnError: func(err error) { t.Errorf("waitlist: %v", err) }}
	r.sched.OnFreed = r.wl.Freed
	r.worker = newWorker(t, store, r.sink.url(), r.clock, &logBuffer{})
	return r
}

// fillMorning books every free massage start of the chiropractor on the
// morning of day, so that no time there is free; it returns the bookings.
func (r *waitlistRig) fillMorning(t *testing.T, day domain.Date) []domain.Booked {
	t.Helper()
	var out []domain.Booked
	for i := 0; ; i++ {
		slots, err := r.sched.Availability(context.Background(), domain.AvailabilityQuery{ServiceID: r.fx.Massage.ID,
			PractitionerID: r.fx.Chiropractor.ID, From: day, To: day, Location: r.loc})
		if err != nil {
			t.Fatal(err)
		}
		var next *domain.Slot
		for _, s := range slots {
			if s.Start.Hour() < 12 {
				next = &s
				break
			}
		}
		if next == nil {
			return out
		}
		b, err := r.sched.Book(context.Background(), domain.BookRequest{ServiceID: r.fx.Massage.ID,
			PractitionerID: r.fx.Chiropractor.ID, Start: next.Start, Actor: domain.ActorPatient,
			Patient: domain.Patient{Name: fmt.Sprintf("Filler %d", i), Email: fmt.Sprintf("filler%d@example.org", i)}})
		if err != nil {
			t.Fatalf("fill %v: %v", next.Start, err)
		}
		out = append(out, b)
	}
}

// join puts a patient on the waitlist for the chiropractor's massage on
// day's morning.
func (r *waitlistRig) join(t *testing.T, name string, day domain.Date) domain.Joined {
	t.Helper()
	j, err := r.wl.Join(context.Background(), domain.JoinRequest{ServiceID: r.fx.Massage.ID,
		PractitionerID: r.fx.Chiropractor.ID, From: day.String(), To: day.String(), TimeZone: storagetest.SeedZone,
		Times: []string{"morning"}, Actor: domain.ActorPatient,
		Patient: domain.Patient{Name: name, Email: strings.ToLower(name) + "@example.org"}})
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	return j
}

// delivered is one email the SMTP server received.
type delivered struct {
	to, subject, text string
}

// deliver runs the outbox worker once and returns the offers that arrived
// at the SMTP server since the last call.
func (r *waitlistRig) deliver(t *testing.T) []delivered {
	t.Helper()
	if _, err := r.worker.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw := r.sink.messages()
	var out []delivered
	for _, m := range raw[r.seen:] {
		h, parts := parseMIME(t, m)
		if !strings.HasPrefix(h.Get("Subject"), "A time opened for you") {
			continue
		}
		d := delivered{to: h.Get("To"), subject: h.Get("Subject")}
		for _, p := range parts {
			if strings.HasPrefix(p.contentType, "text/plain") {
				d.text = string(p.body)
			}
		}
		out = append(out, d)
	}
	r.seen = len(raw)
	return out
}

var offerLink = regexp.MustCompile(`https://clinic\.test/offers/([A-Za-z0-9_-]{43})`)

// onlyOffer checks that exactly one offer arrived, to the patient named,
// and returns the token of its link.
func onlyOffer(t *testing.T, got []delivered, name string) string {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%d offers arrived, want exactly one (to %s): %+v", len(got), name, got)
	}
	if !strings.Contains(got[0].to, strings.ToLower(name)+"@example.org") {
		t.Fatalf("the offer went to %s, want %s", got[0].to, name)
	}
	m := offerLink.FindStringSubmatch(got[0].text)
	if m == nil {
		t.Fatalf("the offer to %s has no link to answer it:\n%s", name, got[0].text)
	}
	return m[1]
}

// TestWaitlistOffersInLine: three patients wait for the same morning; one
// cancellation frees a time. Only the first hears of it (at the SMTP
// server); when they decline the second does; when the second lets it
// lapse the third does; an accept of the lapsed offer books nothing, and
// the third's accept books the time with source waitlist.
func TestWaitlistOffersInLine(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			r := newWaitlistRig(t, engine)
			booked := r.fillMorning(t, tuesday)
			if len(booked) < 2 {
				t.Fatalf("filled the morning with %d visits, want at least 2", len(booked))
			}
			for i, name := range []string{"Ada", "Ben", "Cleo"} {
				r.join(t, name, tuesday)
				r.clock.Advance(time.Minute) // each waits a minute longer than the next
				_ = i
			}
			if got := r.deliver(t); len(got) != 0 {
				t.Fatalf("offers before any time opened: %+v", got)
			}

			freed := booked[1].Booking
			if _, err := r.sched.CancelByToken(ctx, booked[1].ManageToken, "cannot come"); err != nil {
				t.Fatal(err)
			}
			ada := onlyOffer(t, r.deliver(t), "Ada")

			view, err := r.wl.OfferByToken(ctx, ada)
			if err != nil || !view.Offer.Start.Equal(freed.Start) || view.Offer.PractitionerID != freed.PractitionerID {
				t.Fatalf("OfferByToken = %+v, %v; want the freed time %v", view.Offer, err, freed.Start)
			}
			if _, err := r.wl.Decline(ctx, ada); err != nil {
				t.Fatalf("Decline: %v", err)
			}
			ben := onlyOffer(t, r.deliver(t), "Ben")

			r.clock.Advance(domain.DefaultOfferFor + time.Second)
			if err := r.wl.Tick(ctx); err != nil {
				t.Fatalf("Tick: %v", err)
			}
			cleo := onlyOffer(t, r.deliver(t), "Cleo")

			before := countBookings(t, r.store)
			_, err = r.wl.Accept(ctx, ben)
			if !errors.Is(err, domain.ErrOfferGone) {
				t.Fatalf("Accept after expiry = %v, want ErrOfferGone", err)
			}
			if n := countBookings(t, r.store); n != before {
				t.Fatalf("an accept after expiry left %d bookings, want %d", n, before)
			}
			if got := r.deliver(t); len(got) != 0 {
				t.Fatalf("the lapsed accept sent offers: %+v", got)
			}

			got, err := r.wl.Accept(ctx, cleo)
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
			if !got.Booking.Start.Equal(freed.Start) || got.Booking.Source != domain.SourceWaitlist ||
				got.Booking.Patient.Email != "cleo@example.org" || got.ManageToken == "" {
				t.Fatalf("Accept = %+v, want Cleo's booking at %v from the waitlist", got.Booking.Booking, freed.Start)
			}
			entries, err := r.store.WaitlistEntries(ctx, domain.WaitlistFilter{})
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]domain.WaitlistStatus{}
			for _, e := range entries {
				status[e.Patient.Name] = e.Status
			}
			want := map[string]domain.WaitlistStatus{"Ada": domain.WaitlistWaiting, "Ben": domain.WaitlistWaiting, "Cleo": domain.WaitlistBooked}
			for name, st := range want {
				if status[name] != st {
					t.Errorf("%s's entry is %q, want %q", name, status[name], st)
				}
			}
			if _, err := r.wl.Accept(ctx, cleo); !errors.Is(err, domain.ErrOfferGone) {
				t.Errorf("a second accept = %v, want ErrOfferGone", err)
			}
			audit, err := r.store.Audit(ctx, domain.AuditFilter{Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			actions := map[string]int{}
			for _, a := range audit {
				actions[a.Action]++
			}
			for _, a := range []string{"waitlist.join", "waitlist.offer", "waitlist.decline", "waitlist.offer_expire", "waitlist.accept"} {
				if actions[a] == 0 {
					t.Errorf("no %s in the audit log: %v", a, actions)
				}
			}
		})
	}
}

func countBookings(t *testing.T, s *storage.Store) int {
	t.Helper()
	list, err := s.Bookings(context.Background(), domain.BookingFilter{Statuses: []domain.Status{domain.StatusConfirmed}})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}
