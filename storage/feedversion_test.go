package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// feedWeek is a feed window of the week from monday's day: whole UTC days,
// cancelled visits kept from the day before.
func feedWeek(practitionerID string) domain.FeedWindow {
	day := monday.Truncate(24 * time.Hour)
	return domain.FeedWindow{PractitionerID: practitionerID, From: day, To: day.AddDate(0, 0, 7), Keep: day.AddDate(0, 0, -1)}
}

// mustFeedVersion returns FeedVersion's digest of the rows of w.
func mustFeedVersion(t *testing.T, s *storage.Store, tokenID string, w domain.FeedWindow) domain.FeedVersion {
	t.Helper()
	v, err := s.FeedVersion(context.Background(), tokenID, w)
	if err != nil {
		t.Fatalf("FeedVersion(%q) = %v", w.PractitionerID, err)
	}
	return v
}

// TestFeedVersionDigest makes one change after another and checks which of
// two feeds' digests move: the clinic's and the therapist's. Writes outside
// the window move them too (a needless rebuild, never a stale 304); writes
// of the other practitioner move only the clinic's.
func TestFeedVersionDigest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		tok := mustFeedToken(t, s)
		week := feedWeek("")
		hers, his := fx.Therapist.ID, fx.Chiropractor.ID
		stamp := monday.Add(-time.Hour) // the clock of the writes, moved on by each change
		update := func(b *domain.Booking, change func(b *domain.Booking)) {
			t.Helper()
			stamp = stamp.Add(time.Minute)
			change(b)
			b.UpdatedAt = stamp
			if err := s.UpdateBooking(ctx, b, domain.Effects{}); err != nil {
				t.Fatalf("UpdateBooking: %v", err)
			}
		}
		timeOff := func(practitionerID string, start time.Time) domain.TimeOff {
			t.Helper()
			off := domain.TimeOff{PractitionerID: practitionerID, Start: start, End: start.Add(2 * time.Hour)}
			if err := s.CreateTimeOff(ctx, &off); err != nil {
				t.Fatalf("CreateTimeOff: %v", err)
			}
			return off
		}
		visit := newBooking(fx, hers, monday.Add(24*time.Hour))
		var off, off2 domain.TimeOff
		var his1 domain.Booking
		steps := []struct {
			name         string
			do           func()
			clinic, mine bool // whether the clinic's and the therapist's digests change
		}{
			{"a visit of hers", func() { mustBook(t, s, &visit, "visit@example.com") }, true, true},
			{"a reschedule", func() {
				update(&visit, func(b *domain.Booking) {
					start := b.Start.Add(2 * time.Hour)
					b.Start, b.End, b.BlockStart, b.BlockEnd = start, start.Add(time.Hour), start, start.Add(70*time.Minute)
					b.Sequence++
				})
			}, true, true},
			{"a check-in", func() { update(&visit, func(b *domain.Booking) { b.Status = domain.StatusArrived }) }, true, true},
			{"a visit of hers stamped an hour ahead (a replica's fast clock)", func() {
				b := newBooking(fx, hers, monday.Add(30*time.Hour))
				b.CreatedAt, b.UpdatedAt = stamp.Add(time.Hour), stamp.Add(time.Hour)
				mustBook(t, s, &b, "ahead@example.com")
			}, true, true},
			{"a change stamped before the latest", func() {
				update(&visit, func(b *domain.Booking) { b.Status = domain.StatusConfirmed })
			}, true, true},
			{"a cancellation", func() {
				update(&visit, func(b *domain.Booking) {
					b.Status, b.CancelledAt = domain.StatusCancelled, stamp
					b.Sequence++
				})
			}, true, true},
			{"a visit of another practitioner", func() {
				his1 = newBooking(fx, his, monday.Add(48*time.Hour))
				mustBook(t, s, &his1, "his@example.com")
			}, true, false},
			{"a check-in of his", func() { update(&his1, func(b *domain.Booking) { b.Status = domain.StatusArrived }) }, true, false},
			{"a visit after the window", func() {
				b := newBooking(fx, hers, week.To.Add(time.Hour))
				mustBook(t, s, &b, "later@example.com")
			}, true, true},
			{"a visit ending as the window starts", func() {
				b := newBooking(fx, hers, week.From.Add(-time.Hour))
				mustBook(t, s, &b, "earlier@example.com")
			}, true, true},
			{"a visit cancelled before the window keeps them", func() {
				b := newBooking(fx, hers, monday.Add(72*time.Hour))
				b.Status, b.CancelledAt = domain.StatusCancelled, week.Keep.Add(-time.Minute)
				mustBook(t, s, &b, "gone@example.com")
			}, true, true},
			{"time off of hers", func() { off = timeOff(hers, monday.Add(96*time.Hour)) }, true, true},
			{"time off of his", func() { timeOff(his, monday.Add(96*time.Hour)) }, true, false},
			{"time off deleted and another made", func() {
				if err := s.DeleteTimeOff(ctx, hers, off.ID); err != nil {
					t.Fatalf("DeleteTimeOff: %v", err)
				}
				off2 = timeOff(hers, monday.Add(96*time.Hour))
			}, true, true},
			{"time off after the window", func() { timeOff(hers, week.To) }, true, true},
			{"time off deleted, not the last written", func() {
				if err := s.DeleteTimeOff(ctx, hers, off2.ID); err != nil {
					t.Fatalf("DeleteTimeOff: %v", err)
				}
			}, true, true},
			{"a visit of his moved to her", func() {
				update(&his1, func(b *domain.Booking) { b.PractitionerID = hers })
			}, true, true},
			{"a visit of hers moved to him", func() {
				update(&his1, func(b *domain.Booking) { b.PractitionerID = his })
			}, true, true},
			{"nothing", func() {}, false, false},
		}
		clinicBefore := mustFeedVersion(t, s, tok.ID, week)
		mineBefore := mustFeedVersion(t, s, tok.ID, feedWeek(hers))
		for _, st := range steps {
			st.do()
			clinic := mustFeedVersion(t, s, tok.ID, week)
			mine := mustFeedVersion(t, s, tok.ID, feedWeek(hers))
			if got := clinic.Rows != clinicBefore.Rows; got != st.clinic {
				t.Errorf("%s: clinic digest changed %v, want %v", st.name, got, st.clinic)
			}
			if got := mine.Rows != mineBefore.Rows; got != st.mine {
				t.Errorf("%s: therapist's digest changed %v, want %v", st.name, got, st.mine)
			}
			clinicBefore, mineBefore = clinic, mine
		}
	})
}

// TestFeedVersionRenames: renaming a patient by staff is counted; the same
// name, or booking again under another name (which leaves the record as it
// is), is not.
func TestFeedVersionRenames(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		tok := mustFeedToken(t, s)
		first := newBooking(fx, fx.Therapist.ID, monday)
		p := mustBook(t, s, &first, "ada@example.com")
		steps := []struct {
			name string
			do   func()
			want bool
		}{
			{"staff rename", func() {
				p.Name = "Ada King"
				if err := s.UpdatePatient(ctx, &p); err != nil {
					t.Fatalf("UpdatePatient: %v", err)
				}
			}, true},
			{"staff save, same name", func() {
				p.Phone = "+44 20 7946 0001"
				if err := s.UpdatePatient(ctx, &p); err != nil {
					t.Fatalf("UpdatePatient: %v", err)
				}
			}, false},
			{"booking again under another name", func() {
				b := newBooking(fx, fx.Chiropractor.ID, monday.Add(24*time.Hour))
				q := domain.Patient{Name: "Ada Lovelace", Email: "ADA@example.com"}
				if err := s.CreateBooking(ctx, &b, &q, domain.Effects{}); err != nil {
					t.Fatalf("CreateBooking: %v", err)
				}
			}, false},
			{"booking again with no name", func() {
				b := newBooking(fx, fx.Chiropractor.ID, monday.Add(48*time.Hour))
				q := domain.Patient{Email: "ada@example.com"}
				if err := s.CreateBooking(ctx, &b, &q, domain.Effects{}); err != nil {
					t.Fatalf("CreateBooking: %v", err)
				}
			}, false},
			{"a new patient", func() {
				b := newBooking(fx, fx.Chiropractor.ID, monday.Add(72*time.Hour))
				mustBook(t, s, &b, "grace@example.com")
			}, false},
		}
		before := mustFeedVersion(t, s, tok.ID, feedWeek("")).Renames
		for _, st := range steps {
			st.do()
			got := mustFeedVersion(t, s, tok.ID, feedWeek("")).Renames
			if changed := got != before; changed != st.want {
				t.Errorf("%s: renames %d → %d, want a change %v", st.name, before, got, st.want)
			}
			before = got
		}
	})
}

// TestFeedVersionState: FeedVersion reports what FeedChanged stored for the
// token, and nothing for a token never served.
func TestFeedVersionState(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		storagetest.Seed(t, s)
		tok := mustFeedToken(t, s)
		if v := mustFeedVersion(t, s, tok.ID, feedWeek("")); v.ETag != "" || !v.Changed.IsZero() {
			t.Errorf("FeedVersion before any fetch: state %q, %v; want none", v.ETag, v.Changed)
		}
		at := monday.Truncate(time.Second)
		if _, err := s.FeedChanged(ctx, tok.ID, "abc", at); err != nil {
			t.Fatal(err)
		}
		if v := mustFeedVersion(t, s, tok.ID, feedWeek("")); v.ETag != "abc" || !v.Changed.Equal(at) {
			t.Errorf("FeedVersion after FeedChanged: state %q, %v; want abc, %v", v.ETag, v.Changed, at)
		}
		if _, err := s.FeedVersion(ctx, "nope", feedWeek("")); domain.ErrorKind(err) != domain.KindNotFound {
			t.Errorf("FeedVersion(malformed token id) = %v, want not found", err)
		}
	})
}

// TestFeedTokenVersion: the token and its feed's version in one query are
// what FeedToken and FeedVersion return apart, for the clinic's feed and a
// practitioner's; unknown and revoked hashes are not found.
func TestFeedTokenVersion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		clinicTok := mustFeedToken(t, s)
		_, hash := domain.NewToken()
		herTok := domain.FeedToken{Hash: hash, PractitionerID: fx.Therapist.ID, Privacy: domain.PrivacyFullName, CreatedAt: monday}
		if err := s.CreateFeedToken(ctx, &herTok); err != nil {
			t.Fatalf("CreateFeedToken: %v", err)
		}
		visit := newBooking(fx, fx.Chiropractor.ID, monday.Add(24*time.Hour))
		mustBook(t, s, &visit, "his@example.com")
		if _, err := s.FeedChanged(ctx, herTok.ID, "etag-1", monday); err != nil {
			t.Fatalf("FeedChanged: %v", err)
		}
		for _, want := range []domain.FeedToken{clinicTok, herTok} {
			tok, v, err := s.FeedTokenVersion(ctx, want.Hash)
			if err != nil {
				t.Fatalf("FeedTokenVersion(%s) = %v", want.PractitionerID, err)
			}
			alone, err := s.FeedToken(ctx, want.Hash)
			if err != nil || tok != alone {
				t.Errorf("FeedTokenVersion token = %+v, FeedToken = %+v, %v", tok, alone, err)
			}
			if apart := mustFeedVersion(t, s, want.ID, feedWeek(want.PractitionerID)); v != apart {
				t.Errorf("FeedTokenVersion(%q) version = %+v, FeedVersion = %+v", want.PractitionerID, v, apart)
			}
		}
		if _, v, _ := s.FeedTokenVersion(ctx, herTok.Hash); v.ETag != "etag-1" {
			t.Errorf("her token's feed state: ETag %q, want etag-1", v.ETag)
		}
		_, unknown := domain.NewToken()
		if _, _, err := s.FeedTokenVersion(ctx, unknown); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("FeedTokenVersion(unknown) = %v, want ErrNotFound", err)
		}
		if err := s.RevokeFeedToken(ctx, herTok.ID, monday); err != nil {
			t.Fatalf("RevokeFeedToken: %v", err)
		}
		if _, _, err := s.FeedTokenVersion(ctx, herTok.Hash); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("FeedTokenVersion(revoked) = %v, want ErrNotFound", err)
		}
	})
}
