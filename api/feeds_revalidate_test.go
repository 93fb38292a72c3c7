package api

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// countingStore is the real store, counting the calls of Bookings: the
// load that answering a revalidation must not make.
type countingStore struct {
	*storage.Store
	bookings atomic.Int64
	during   atomic.Pointer[func()] // run once by the next Bookings: a write racing a build
}

func (s *countingStore) Bookings(ctx context.Context, f domain.BookingFilter) ([]domain.BookingDetail, error) {
	s.bookings.Add(1)
	if during := s.during.Swap(nil); during != nil {
		(*during)()
	}
	return s.Store.Bookings(ctx, f)
}

// countBookings makes the feeds load bookings through a countingStore.
func (fe *feedEnv) countBookings() *countingStore {
	cs := &countingStore{Store: fe.store}
	fe.srv.Feeds.Store = cs
	return cs
}

// poller follows one feed as a calendar app does, keeping the validators
// of the last 200.
type poller struct {
	fe       *feedEnv
	loads    *countingStore
	path     string
	etag, lm string
}

// fetch makes the first, unconditional request.
func (p *poller) fetch(t *testing.T) {
	t.Helper()
	r := p.fe.get(p.path, nil).want(t, 200, "first fetch")
	p.etag, p.lm = r.header.Get("ETag"), r.header.Get("Last-Modified")
}

// unchanged checks that every kind of revalidation is a 304 with the same
// validators, answered without loading a booking or rendering.
func (p *poller) unchanged(t *testing.T, after string) {
	t.Helper()
	loads, renders := p.loads.bookings.Load(), p.fe.renderCount()
	for _, r := range []req{
		{method: "GET", path: p.path, header: map[string]string{"If-None-Match": p.etag}},
		{method: "GET", path: p.path, header: map[string]string{"If-Modified-Since": p.lm}},
		{method: "HEAD", path: p.path, header: map[string]string{"If-None-Match": p.etag, "If-Modified-Since": p.lm}},
	} {
		got := p.fe.do(r).want(t, 304, after+": "+r.method+" with "+headerList(r.header))
		if got.header.Get("ETag") != p.etag || got.header.Get("Last-Modified") != p.lm ||
			got.header.Get("Cache-Control") != feedCacheControl || got.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: 304 with ETag %q, Last-Modified %q, Cache-Control %q, Referrer-Policy %q; want %s, %s, %s, no-referrer",
				after, got.header.Get("ETag"), got.header.Get("Last-Modified"), got.header.Get("Cache-Control"),
				got.header.Get("Referrer-Policy"), p.etag, p.lm, feedCacheControl)
		}
	}
	if n := p.loads.bookings.Load() - loads; n != 0 {
		t.Errorf("%s: the 304s loaded bookings %d times, want none", after, n)
	}
	if n := p.fe.renderCount() - renders; n != 0 {
		t.Errorf("%s: the 304s rendered %d times, want none", after, n)
	}
}

// changed checks that a revalidation after a change is a 200 with a new
// ETag and a Last-Modified not before the last, and keeps its validators.
func (p *poller) changed(t *testing.T, after string) {
	t.Helper()
	r := p.fe.get(p.path, map[string]string{"If-None-Match": p.etag, "If-Modified-Since": p.lm}).want(t, 200, after)
	etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified")
	if etag == p.etag {
		t.Errorf("%s: ETag %s unchanged, want a new one", after, etag)
	}
	if !laterOrSame(t, lm, p.lm) {
		t.Errorf("%s: Last-Modified went from %s back to %s", after, p.lm, lm)
	}
	p.etag, p.lm = etag, lm
}

// sameContent checks that a revalidation after a change the feed does not
// show (a check-in, staff notes) is a 304 with the same validators: the
// feed may be rebuilt to find out, but its bytes, ETag and stamps stay.
func (p *poller) sameContent(t *testing.T, after string) {
	t.Helper()
	r := p.fe.get(p.path, map[string]string{"If-None-Match": p.etag}).want(t, 304, after)
	if etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified"); etag != p.etag || lm != p.lm {
		t.Errorf("%s: ETag %s, Last-Modified %s; want %s and %s unchanged", after, etag, lm, p.etag, p.lm)
	}
}

// feedChange is a change and which of two feeds, the clinic's and the
// therapist's, it shows in.
type feedChange struct {
	name         string
	do           func(t *testing.T)
	clinic, hers bool
}

// checkChanges applies each change a minute after the last and polls both
// feeds after it: 200 for a feed the change shows in, else 304; then 304.
func checkChanges(t *testing.T, fe *feedEnv, clinic, hers *poller, changes []feedChange) {
	t.Helper()
	for _, ch := range changes {
		fe.clock.Advance(time.Minute)
		ch.do(t)
		for _, f := range []struct {
			p       *poller
			changes bool
		}{{clinic, ch.clinic}, {hers, ch.hers}} {
			if f.changes {
				f.p.changed(t, ch.name+" ("+f.p.path[:16]+")")
			} else {
				f.p.sameContent(t, ch.name+" ("+f.p.path[:16]+")")
			}
			f.p.unchanged(t, ch.name+" ("+f.p.path[:16]+")")
		}
	}
}

// timeOffThroughAPI adds time off of the practitioner through the API and
// returns its id.
func (fe *feedEnv) timeOffThroughAPI(t *testing.T, practitionerID string, start time.Time) string {
	t.Helper()
	r := fe.do(req{method: "POST", path: "/api/v1/practitioners/" + practitionerID + "/time-off", role: domain.RoleAdmin,
		body: map[string]string{"start": start.Format(time.RFC3339), "end": start.Add(3 * time.Hour).Format(time.RFC3339)}})
	return r.want(t, 201, "create time off").json(t)["time_off"].(map[string]any)["id"].(string)
}

// TestFeedRevalidation: a calendar app's poll of an unchanged feed is a 304
// that loads no booking, and every kind of change, made through the use
// cases or the API, is a 200 with a new ETag at the next poll, in exactly
// the feeds it shows in.
func TestFeedRevalidation(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		ctx := context.Background()
		loads := fe.countBookings()
		desk := domain.ActorOf(fe.user[domain.RoleFrontDesk])
		booked := fe.massage(t, ny(4, 10, 0), "pat@example.com")
		clinic := &poller{fe: fe, loads: loads, path: fe.newFeed(t, "", domain.PrivacyFullName)}
		hers := &poller{fe: fe, loads: loads, path: fe.newFeed(t, fe.ids.therapist, domain.PrivacyInitials)}
		clinic.fetch(t)
		hers.fetch(t)
		clinic.unchanged(t, "nothing changed")
		hers.unchanged(t, "nothing changed")

		var offID string
		checkChanges(t, fe, clinic, hers, []feedChange{
			{"a visit of hers", func(t *testing.T) { fe.massage(t, ny(5, 10, 0), "kim@example.com") }, true, true},
			{"a visit of the chiropractor", func(t *testing.T) {
				fe.book(t, fe.ids.massage, fe.ids.chiro, ny(4, 9, 0), visit{name: "Lee Other", email: "lee@example.com"})
			}, true, false},
			{"a reschedule", func(t *testing.T) {
				if _, err := fe.srv.Scheduler.RescheduleByToken(ctx, booked.ManageToken, ny(6, 15, 0)); err != nil {
					t.Fatalf("RescheduleByToken = %v", err)
				}
			}, true, true},
			// A feed shows neither check-ins nor staff notes: its bytes,
			// ETag and DTSTAMPs stay.
			{"a check-in", func(t *testing.T) {
				if _, err := fe.srv.Scheduler.SetStatus(ctx, desk, booked.Booking.ID, domain.StatusArrived); err != nil {
					t.Fatalf("SetStatus = %v", err)
				}
			}, false, false},
			{"a check-in undone, through the API", func(t *testing.T) {
				fe.do(req{method: "POST", path: "/api/v1/bookings/" + booked.Booking.ID + "/status", role: domain.RoleFrontDesk,
					body: map[string]string{"status": "confirmed"}}).want(t, 200, "set status")
			}, false, false},
			{"staff notes", func(t *testing.T) {
				if _, err := fe.srv.Scheduler.SetStaffNotes(ctx, desk, booked.Booking.ID, "prefers the low table"); err != nil {
					t.Fatalf("SetStaffNotes = %v", err)
				}
			}, false, false},
			{"a cancellation", func(t *testing.T) {
				if _, err := fe.srv.Scheduler.CancelByToken(ctx, booked.ManageToken, ""); err != nil {
					t.Fatalf("CancelByToken = %v", err)
				}
			}, true, true},
			{"time off of hers", func(t *testing.T) { offID = fe.timeOffThroughAPI(t, fe.ids.therapist, ny(12, 9, 0)) }, true, true},
			{"time off of the chiropractor", func(t *testing.T) { fe.timeOffThroughAPI(t, fe.ids.chiro, ny(12, 9, 0)) }, true, false},
			{"her time off deleted and another made", func(t *testing.T) {
				fe.do(req{method: "DELETE", path: "/api/v1/practitioners/" + fe.ids.therapist + "/time-off/" + offID,
					role: domain.RoleAdmin}).want(t, 204, "delete time off")
				fe.timeOffThroughAPI(t, fe.ids.therapist, ny(12, 9, 0))
			}, true, true},
			{"her patient's email booked with the chiropractor under another name (the record stays)", func(t *testing.T) {
				fe.book(t, fe.ids.massage, fe.ids.chiro, ny(7, 14, 0), visit{name: "Robin Example", email: "kim@example.com"})
			}, true, false},
			{"the service renamed", func(t *testing.T) {
				svc, err := fe.store.Service(ctx, fe.ids.massage)
				if err != nil {
					t.Fatal(err)
				}
				svc.Name = "Massage, 60 minutes"
				if err := fe.store.UpdateService(ctx, &svc); err != nil {
					t.Fatal(err)
				}
			}, true, true},
			{"the chiropractor renamed", func(t *testing.T) {
				p, err := fe.store.Practitioner(ctx, fe.ids.chiro)
				if err != nil {
					t.Fatal(err)
				}
				p.Name = "Dr. Avery Chen-Ruiz"
				if err := fe.store.UpdatePractitioner(ctx, &p); err != nil {
					t.Fatal(err)
				}
			}, true, false},
		})
	})
}

// TestFeedRevalidationSharedByScope: feeds of one practitioner and privacy
// have the same content whatever the token, so one build after a change
// answers the revalidations of every token of the scope, with the
// Last-Modified a build of each would have given.
func TestFeedRevalidationSharedByScope(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		loads := fe.countBookings()
		fe.massage(t, ny(4, 10, 0), "pat@example.com")
		feeds := map[string]*poller{}
		for _, name := range []string{"a", "b", "full"} {
			privacy := domain.PrivacyInitials
			if name == "full" {
				privacy = domain.PrivacyFullName
			}
			feeds[name] = &poller{fe: fe, loads: loads, path: fe.newFeed(t, fe.ids.therapist, privacy)}
			feeds[name].fetch(t)
		}
		a, b, full := feeds["a"], feeds["b"], feeds["full"]
		if a.etag != b.etag || a.etag == full.etag {
			t.Fatalf("ETags a %s, b %s, full names %s; want a and b equal, full names another", a.etag, b.etag, full.etag)
		}
		fe.clock.Advance(time.Minute)
		fe.massage(t, ny(5, 10, 0), "kim@example.com")
		old := b.etag
		a.changed(t, "a new visit, token a")
		builds := loads.bookings.Load()
		r := fe.get(b.path, map[string]string{"If-None-Match": a.etag}).want(t, 304, "token b with a's new ETag")
		if r.header.Get("ETag") != a.etag || r.header.Get("Last-Modified") != a.lm {
			t.Errorf("token b: ETag %s, Last-Modified %s; want a's %s, %s", r.header.Get("ETag"), r.header.Get("Last-Modified"), a.etag, a.lm)
		}
		if n := loads.bookings.Load() - builds; n != 0 {
			t.Errorf("token b's revalidation loaded bookings %d times, want none", n)
		}
		b.etag, b.lm = a.etag, a.lm
		b.unchanged(t, "token b after a's build")
		if r := fe.get(b.path, map[string]string{"If-None-Match": old}).want(t, 200, "token b with its old ETag"); r.header.Get("ETag") != a.etag {
			t.Errorf("token b with its old ETag: ETag %s, want %s", r.header.Get("ETag"), a.etag)
		}
		// Another privacy is another scope: the initials' ETag is not its own.
		fe.get(full.path, map[string]string{"If-None-Match": a.etag}).want(t, 200, "full names with the initials' ETag")
		full.changed(t, "a new visit, full names")
		full.unchanged(t, "a new visit, full names")
	})
}

// TestFeedRevalidationRevokedToken: a revoked token is a plain 404 even
// with the validators of a feed this process remembers.
func TestFeedRevalidationRevokedToken(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		fe.massage(t, ny(4, 10, 0), "pat@example.com")
		p := &poller{fe: fe, loads: fe.countBookings(), path: fe.newFeed(t, "", domain.PrivacyBusy)}
		p.fetch(t)
		p.unchanged(t, "before the revocation")
		list := fe.do(req{method: "GET", path: "/api/v1/feed-tokens", role: domain.RoleFrontDesk}).want(t, 200, "list").json(t)
		id := list["feed_tokens"].([]any)[0].(map[string]any)["id"].(string)
		fe.do(req{method: "DELETE", path: "/api/v1/feed-tokens/" + id, role: domain.RoleFrontDesk}).want(t, 204, "revoke")
		unknown := fe.get("/feeds/"+strings.Repeat("A", 43)+".ics", nil).want(t, 404, "unknown feed")
		for _, h := range []map[string]string{{"If-None-Match": p.etag}, {"If-Modified-Since": p.lm}} {
			r := fe.get(p.path, h).want(t, 404, "revoked feed with "+headerList(h))
			if string(r.body) != string(unknown.body) || r.header.Get("ETag") != "" || r.header.Get("Last-Modified") != "" {
				t.Errorf("revoked feed with %s: %q, ETag %q, Last-Modified %q; want the plain 404 %q and no validators",
					headerList(h), r.body, r.header.Get("ETag"), r.header.Get("Last-Modified"), unknown.body)
			}
		}
	})
}

// TestFeedRevalidationWriteDuringBuild: time off made while a feed is
// built is in that build, and once deleted again the rows are as they were
// when the build began: a client holding the build's ETag must get a 200,
// not a 304 for the rows it was not built from.
func TestFeedRevalidationWriteDuringBuild(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		ctx := context.Background()
		loads := fe.countBookings()
		fe.massage(t, ny(4, 10, 0), "pat@example.com")
		p := &poller{fe: fe, loads: loads, path: fe.newFeed(t, fe.ids.therapist, domain.PrivacyBusy)}
		off := domain.TimeOff{PractitionerID: fe.ids.therapist, Start: ny(12, 9, 0), End: ny(12, 12, 0)}
		makeTimeOff := func() {
			if err := fe.store.CreateTimeOff(ctx, &off); err != nil {
				t.Error(err)
			}
		}
		loads.during.Store(&makeTimeOff)
		p.fetch(t) // shows the time off
		if err := fe.store.DeleteTimeOff(ctx, off.PractitionerID, off.ID); err != nil {
			t.Fatal(err)
		}
		p.changed(t, "the time off deleted")
		p.unchanged(t, "the time off deleted")
	})
}

// openReplicas opens two stores on one database of the engine, as two
// processes of a deployment would.
func openReplicas(t *testing.T, engine storagetest.Engine) (*storage.Store, *storage.Store) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "frontdesk.db")
	if engine == storagetest.Postgres {
		dsn = storagetest.PostgresDSN(t)
	}
	var stores [2]*storage.Store
	for i := range stores {
		s, err := storage.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("storage.Open(%s): %v", engine, err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	return stores[0], stores[1]
}

// TestFeedRevalidationSeesOtherReplica: a change made through another
// process on the same database is seen at the next poll, and so is content
// that another process served meanwhile, though it is this process's again.
func TestFeedRevalidationSeesOtherReplica(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			here, there := openReplicas(t, engine)
			fe := newFeedEnv(t, here)
			loads := fe.countBookings()
			other := &domain.Scheduler{Store: there, Clock: fe.clock, BaseURL: fe.srv.BaseURL}
			otherFeeds := &domain.Feeds{Store: there, State: there, Versions: there, Clock: fe.clock}
			desk := domain.ActorOf(fe.user[domain.RoleFrontDesk])
			book := func(t *testing.T, start time.Time, name, email string) domain.Booked {
				t.Helper()
				b, err := other.Book(ctx, domain.BookRequest{ServiceID: fe.ids.massage, PractitionerID: fe.ids.therapist, Start: start,
					Patient: domain.Patient{Name: name, Email: email}, Actor: domain.ActorPatient})
				if err != nil {
					t.Fatalf("Book there = %v", err)
				}
				return b
			}
			booked := book(t, ny(4, 10, 0), "Pat Example", "pat@example.com")
			clinic := &poller{fe: fe, loads: loads, path: fe.newFeed(t, "", domain.PrivacyFullName)}
			hers := &poller{fe: fe, loads: loads, path: fe.newFeed(t, fe.ids.therapist, domain.PrivacyInitials)}
			clinic.fetch(t)
			hers.fetch(t)

			var off domain.TimeOff
			checkChanges(t, fe, clinic, hers, []feedChange{
				{"a visit booked there", func(t *testing.T) { book(t, ny(5, 10, 0), "Kim Example", "kim@example.com") }, true, true},
				{"a reschedule there", func(t *testing.T) {
					if _, err := other.RescheduleByToken(ctx, booked.ManageToken, ny(6, 15, 0)); err != nil {
						t.Fatalf("RescheduleByToken there = %v", err)
					}
				}, true, true},
				{"a check-in there (not in a feed)", func(t *testing.T) {
					if _, err := other.SetStatus(ctx, desk, booked.Booking.ID, domain.StatusArrived); err != nil {
						t.Fatalf("SetStatus there = %v", err)
					}
				}, false, false},
				{"a cancellation there", func(t *testing.T) {
					if _, err := other.Cancel(ctx, desk, booked.Booking.ID, ""); err != nil {
						t.Fatalf("Cancel there = %v", err)
					}
				}, true, true},
				{"time off made there", func(t *testing.T) {
					off = domain.TimeOff{PractitionerID: fe.ids.therapist, Start: ny(12, 9, 0), End: ny(12, 12, 0)}
					if err := there.CreateTimeOff(ctx, &off); err != nil {
						t.Fatal(err)
					}
				}, true, true},
				{"time off deleted and another made there", func(t *testing.T) {
					if err := there.DeleteTimeOff(ctx, off.PractitionerID, off.ID); err != nil {
						t.Fatal(err)
					}
					off = domain.TimeOff{PractitionerID: fe.ids.therapist, Start: ny(12, 9, 0), End: ny(12, 12, 0)}
					if err := there.CreateTimeOff(ctx, &off); err != nil {
						t.Fatal(err)
					}
				}, true, true},
				{"a patient renamed there", func(t *testing.T) {
					p, err := there.Patient(ctx, booked.Booking.PatientID)
					if err != nil {
						t.Fatal(err)
					}
					p.Name = "Robin Example"
					if err := there.UpdatePatient(ctx, &p); err != nil {
						t.Fatal(err)
					}
				}, true, true},
			})

			// Time off comes and goes while only the other process serves
			// the feed: the rows are as this process last built them, but
			// a client of the other process has newer validators.
			fe.clock.Advance(time.Minute)
			extra := domain.TimeOff{PractitionerID: fe.ids.therapist, Start: ny(13, 9, 0), End: ny(13, 12, 0)}
			if err := there.CreateTimeOff(ctx, &extra); err != nil {
				t.Fatal(err)
			}
			raw := hers.path[len("/feeds/") : len(hers.path)-len(".ics")]
			served, _, err := otherFeeds.Feed(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			fe.clock.Advance(time.Minute)
			if err := there.DeleteTimeOff(ctx, extra.PractitionerID, extra.ID); err != nil {
				t.Fatal(err)
			}
			ims := map[string]string{"If-Modified-Since": served.LastModified.UTC().Format(http.TimeFormat)}
			r := fe.get(hers.path, ims).want(t, 200, "revalidation by a client of the other process")
			if r.header.Get("ETag") != hers.etag || !laterOrSame(t, r.header.Get("Last-Modified"), ims["If-Modified-Since"]) {
				t.Errorf("after time off came and went: ETag %s, Last-Modified %s; want the content before, %s, and a date not before %s",
					r.header.Get("ETag"), r.header.Get("Last-Modified"), hers.etag, ims["If-Modified-Since"])
			}
		})
	}
}
