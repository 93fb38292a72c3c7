package storage_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func TestBookingRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		b := newBooking(fx, fx.Chiropractor.ID, monday)
		b.ServiceID, b.End, b.BlockEnd = fx.CaseReview.ID, monday.Add(15*time.Minute), monday.Add(15*time.Minute)
		b.Complimentary, b.Notes, b.StaffNotes, b.CreatedBy = true, "Stiff neck", "Prefers mornings", domain.NewID()
		b.Intake = &domain.Intake{PainAreas: []string{"neck", "back"}, Duration: "weeks", Tried: []string{"massage"}, Notes: "Desk job"}
		p := domain.Patient{Name: "Ada Lovelace", Email: "  Ada@Example.COM ", Phone: "+44 20 7946 0000"}
		if err := s.CreateBooking(ctx, &b, &p, domain.Effects{}); err != nil {
			t.Fatalf("CreateBooking: %v", err)
		}
		if p.Email != "ada@example.com" || !domain.IsID(p.ID) || b.PatientID != p.ID {
			t.Errorf("CreateBooking left patient %+v and booking patient %q", p, b.PatientID)
		}
		got, err := s.Booking(ctx, b.ID)
		if err != nil {
			t.Fatalf("Booking: %v", err)
		}
		if !reflect.DeepEqual(got.Booking, b) {
			t.Errorf("Booking() = %+v\nwant %+v", got.Booking, b)
		}
		if got.Service.ID != fx.CaseReview.ID || got.Practitioner.ID != fx.Chiropractor.ID || !reflect.DeepEqual(got.Patient, p) {
			t.Errorf("Booking() details = %s, %s, %+v", got.Service.Name, got.Practitioner.Name, got.Patient)
		}
		if byHash, err := s.BookingByManageHash(ctx, b.ManageHash); err != nil || byHash.ID != b.ID {
			t.Errorf("BookingByManageHash = %s, %v; want %s", byHash.ID, err, b.ID)
		}

		// The same email in another case is the same patient, whose record
		// a booking never changes: what was typed stays on the booking.
		second := newBooking(fx, fx.Therapist.ID, monday.Add(24*time.Hour))
		second.GivenName, second.GivenPhone = "Ada King", "+1 555 0100 999"
		again := domain.Patient{Name: "Ada King", Email: "ADA@example.com", Phone: "+1 555 0100 999"}
		if err := s.CreateBooking(ctx, &second, &again, domain.Effects{}); err != nil {
			t.Fatalf("CreateBooking(second): %v", err)
		}
		if again.ID != p.ID || again.Name != p.Name || again.Phone != p.Phone || !again.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("second booking's patient = %+v, want %+v unchanged", again, p)
		}
		if stored, err := s.Patient(ctx, p.ID); err != nil || stored.Name != p.Name || stored.Phone != p.Phone {
			t.Errorf("stored patient after a booking under another name = %+v, %v; want %+v", stored, err, p)
		}
		if got, err := s.Booking(ctx, second.ID); err != nil || got.GivenName != "Ada King" || got.GivenPhone != "+1 555 0100 999" || !got.GivenDiffers(got.Patient) {
			t.Errorf("second booking = given %q %q (differs %v), %v; want what was typed", got.GivenName, got.GivenPhone, got.GivenDiffers(got.Patient), err)
		}

		b.Start, b.End = b.Start.Add(time.Hour), b.End.Add(time.Hour)
		b.BlockStart, b.BlockEnd = b.Start, b.End
		b.Status, b.Sequence, b.CancelReason, b.StaffNotes = domain.StatusCancelled, 3, "Feeling better", ""
		b.CancelledAt, b.UpdatedAt = monday.Add(-time.Hour), monday.Add(-time.Hour)
		b.ManageHash = domain.HashToken("new link")
		if err := s.UpdateBooking(ctx, &b, domain.Effects{}); err != nil {
			t.Fatalf("UpdateBooking: %v", err)
		}
		if got, err := s.Booking(ctx, b.ID); err != nil || !reflect.DeepEqual(got.Booking, b) {
			t.Errorf("Booking(updated) = %+v, %v\nwant %+v", got.Booking, err, b)
		}
		ghost := newBooking(fx, fx.Therapist.ID, monday)
		if err := s.UpdateBooking(ctx, &ghost, domain.Effects{}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UpdateBooking(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestConcurrentOverlapOneWins(t *testing.T) {
	for _, stagger := range []time.Duration{0, 30 * time.Second} {
		t.Run("stagger "+stagger.String(), func(t *testing.T) { concurrentOverlap(t, stagger) })
	}
}

// concurrentOverlap races 50 bookings of one practitioner whose starts are
// stagger apart, so that every block overlaps every other.
func concurrentOverlap(t *testing.T, stagger time.Duration) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		const n = 50
		var (
			wg   sync.WaitGroup
			errs = make([]error, n)
		)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := newBooking(fx, fx.Therapist.ID, monday.Add(time.Duration(i)*stagger))
				p := newPatient("racer" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com")
				<-start
				errs[i] = s.CreateBooking(ctx, &b, &p, domain.Effects{})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, domain.ErrSlotTaken):
				t.Errorf("CreateBooking #%d = %v, want nil or ErrSlotTaken", i, err)
			}
		}
		got, err := s.Bookings(ctx, domain.BookingFilter{PractitionerID: fx.Therapist.ID})
		if won != 1 || err != nil || len(got) != 1 {
			t.Errorf("%d of %d overlapping bookings succeeded and %d rows stored (%v); want exactly one", won, n, len(got), err)
		}
	})
}

func TestOverlapRules(t *testing.T) {
	tests := []struct {
		name    string
		first   func(*domain.Booking)
		second  func(*domain.Booking)
		wantErr error
	}{
		{"overlap", nil, func(b *domain.Booking) { shift(b, 30*time.Minute) }, domain.ErrSlotTaken},
		{"same block", nil, nil, domain.ErrSlotTaken},
		{"inside", nil, func(b *domain.Booking) {
			b.Start, b.End = b.Start.Add(time.Minute), b.Start.Add(2*time.Minute)
			b.BlockStart, b.BlockEnd = b.Start, b.End
		}, domain.ErrSlotTaken},
		{"touching after", nil, func(b *domain.Booking) { shift(b, 70*time.Minute) }, nil},
		{"touching before", nil, func(b *domain.Booking) { shift(b, -70*time.Minute) }, nil},
		{"buffer overlaps", nil, func(b *domain.Booking) { shift(b, 65*time.Minute) }, domain.ErrSlotTaken},
		{"second overbooked", nil, func(b *domain.Booking) { b.Overbooked = true }, nil},
		{"first overbooked", func(b *domain.Booking) { b.Overbooked = true }, nil, nil},
		{"first cancelled", func(b *domain.Booking) { b.Status = domain.StatusCancelled }, nil, nil},
		{"second cancelled", nil, func(b *domain.Booking) { b.Status = domain.StatusCancelled }, nil},
		{"first completed still holds", func(b *domain.Booking) { b.Status = domain.StatusCompleted }, nil, domain.ErrSlotTaken},
		{"other practitioner", nil, func(b *domain.Booking) { b.PractitionerID = "" }, nil},
	}
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		fx := storagetest.Seed(t, s)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				at := monday.Add(time.Duration(i) * 7 * 24 * time.Hour) // a week each
				first := newBooking(fx, fx.Therapist.ID, at)
				if tt.first != nil {
					tt.first(&first)
				}
				mustBook(t, s, &first, "first@example.com")
				second := newBooking(fx, fx.Therapist.ID, at)
				if tt.second != nil {
					tt.second(&second)
				}
				if second.PractitionerID == "" {
					second.PractitionerID = fx.Chiropractor.ID
				}
				p := newPatient("second@example.com")
				err := s.CreateBooking(context.Background(), &second, &p, domain.Effects{})
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
					t.Errorf("CreateBooking(%s) = %v, want %v", tt.name, err, tt.wantErr)
				}
			})
		}
	})
}

// shift moves a booking and its block by d.
func shift(b *domain.Booking, d time.Duration) {
	b.Start, b.End, b.BlockStart, b.BlockEnd = b.Start.Add(d), b.End.Add(d), b.BlockStart.Add(d), b.BlockEnd.Add(d)
}

func TestUpdateIntoOverlap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		a := newBooking(fx, fx.Therapist.ID, monday)
		b := newBooking(fx, fx.Therapist.ID, monday.Add(2*time.Hour))
		mustBook(t, s, &a, "a@example.com")
		mustBook(t, s, &b, "b@example.com")

		moved := b
		shift(&moved, -90*time.Minute) // into a's block
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); !errors.Is(err, domain.ErrSlotTaken) {
			t.Errorf("UpdateBooking(into overlap) = %v, want ErrSlotTaken", err)
		}
		if got, _ := s.Booking(ctx, b.ID); !got.Start.Equal(b.Start) {
			t.Errorf("the refused move was stored: start %s", got.Start)
		}
		shift(&moved, 40*time.Minute) // touching a's block end
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Errorf("UpdateBooking(touching) = %v, want nil", err)
		}
		moved.Sequence++ // an update that keeps its own block never conflicts with itself
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Errorf("UpdateBooking(same block) = %v", err)
		}
		a.Status = domain.StatusCancelled
		if err := s.UpdateBooking(ctx, &a, domain.Effects{}); err != nil {
			t.Fatalf("cancel a: %v", err)
		}
		shift(&moved, -20*time.Minute) // a's old block is free now
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Errorf("UpdateBooking(into cancelled block) = %v, want nil", err)
		}
		a.Status = domain.StatusConfirmed // reinstating a would overlap
		if err := s.UpdateBooking(ctx, &a, domain.Effects{}); !errors.Is(err, domain.ErrSlotTaken) {
			t.Errorf("UpdateBooking(reinstate into overlap) = %v, want ErrSlotTaken", err)
		}
	})
}

func TestComplimentaryOncePerPatient(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		review := func(at time.Time) domain.Booking {
			b := newBooking(fx, fx.Chiropractor.ID, at)
			b.ServiceID, b.Complimentary = fx.CaseReview.ID, true
			return b
		}
		first := review(monday)
		mustBook(t, s, &first, "ada@example.com")
		second := review(monday.Add(24 * time.Hour))
		p := newPatient("ADA@example.com")
		if err := s.CreateBooking(ctx, &second, &p, domain.Effects{}); !errors.Is(err, domain.ErrCaseReviewUsed) {
			t.Fatalf("CreateBooking(second case review) = %v, want ErrCaseReviewUsed", err)
		}
		visited, had, err := s.PatientHistory(ctx, "Ada@Example.com", monday.Add(time.Minute))
		if err != nil || !visited || !had {
			t.Errorf("PatientHistory = %v, %v, %v; want visited and complimentary", visited, had, err)
		}
		if visited, _, _ := s.PatientHistory(ctx, "ada@example.com", monday); visited {
			t.Error("PatientHistory before the visit started reports a visit")
		}
		first.Status = domain.StatusCancelled
		if err := s.UpdateBooking(ctx, &first, domain.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateBooking(ctx, &second, &p, domain.Effects{}); err != nil {
			t.Errorf("CreateBooking(case review after cancelling the first) = %v", err)
		}
		first.Status = domain.StatusConfirmed
		if err := s.UpdateBooking(ctx, &first, domain.Effects{}); !errors.Is(err, domain.ErrCaseReviewUsed) {
			t.Errorf("UpdateBooking(reinstate a second case review) = %v, want ErrCaseReviewUsed", err)
		}
		if v, h, err := s.PatientHistory(ctx, "nobody@example.com", monday); v || h || err != nil {
			t.Errorf("PatientHistory(unknown) = %v, %v, %v", v, h, err)
		}
	})
}

func TestBookingsFilter(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		var ids []string
		for i := range 4 {
			b := newBooking(fx, fx.PractitionerIDs()[i%2], monday.Add(time.Duration(i)*2*time.Hour))
			if i == 3 {
				b.Status = domain.StatusCancelled
			}
			b.UpdatedAt = monday.Add(time.Duration(i) * time.Minute)
			mustBook(t, s, &b, "p"+string(rune('0'+i))+"@example.com")
			ids = append(ids, b.ID)
		}
		tests := []struct {
			name string
			f    domain.BookingFilter
			want []string
		}{
			{"all", domain.BookingFilter{}, ids},
			{"window", domain.BookingFilter{From: monday.Add(30 * time.Minute), To: monday.Add(4*time.Hour + time.Second)}, ids[0:3]},
			{"window edges", domain.BookingFilter{From: monday.Add(time.Hour), To: monday.Add(4 * time.Hour)}, ids[1:2]},
			{"practitioner", domain.BookingFilter{PractitionerID: fx.Therapist.ID}, []string{ids[1], ids[3]}},
			{"statuses", domain.BookingFilter{Statuses: []domain.Status{domain.StatusCancelled}}, ids[3:]},
			{"updated since", domain.BookingFilter{UpdatedSince: monday.Add(2 * time.Minute)}, ids[2:]},
			{"limit", domain.BookingFilter{Limit: 2}, ids[:2]},
			{"malformed practitioner", domain.BookingFilter{PractitionerID: "x"}, nil},
		}
		for _, tt := range tests {
			got, err := s.Bookings(ctx, tt.f)
			var gotIDs []string
			for _, d := range got {
				gotIDs = append(gotIDs, d.ID)
				if d.Patient.ID == "" || d.Service.ID == "" || d.Practitioner.ID == "" {
					t.Errorf("Bookings(%s) left details empty: %+v", tt.name, d)
				}
			}
			if err != nil || !reflect.DeepEqual(gotIDs, tt.want) {
				t.Errorf("Bookings(%s) = %v, %v; want %v", tt.name, gotIDs, err, tt.want)
			}
		}
	})
}

func TestPatients(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		people := []domain.Patient{
			{Name: "Grace Hopper", Email: "grace@navy.example", Phone: "555-0101"},
			{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "555-0102"},
			{Name: "Alan Turing", Email: "alan_t@example.com"},
		}
		for i := range people {
			b := newBooking(fx, fx.Therapist.ID, monday.Add(time.Duration(i)*2*time.Hour))
			if err := s.CreateBooking(ctx, &b, &people[i], domain.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			q     string
			limit int
			want  []string
		}{
			{"", 0, []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"}},
			{"GRACE", 0, []string{"Grace Hopper"}},
			{"example.com", 0, []string{"Ada Lovelace", "Alan Turing"}},
			{"0102", 0, []string{"Ada Lovelace"}},
			{"_", 0, []string{"Alan Turing"}}, // a literal underscore, not a wildcard
			{"%", 0, nil},
			{"", 1, []string{"Ada Lovelace"}},
		}
		for _, tt := range tests {
			got, err := s.Patients(ctx, domain.PatientFilter{Query: tt.q, Limit: tt.limit})
			var names []string
			for _, p := range got {
				names = append(names, p.Name)
			}
			if err != nil || !reflect.DeepEqual(names, tt.want) {
				t.Errorf("Patients(%q, %d) = %v, %v; want %v", tt.q, tt.limit, names, err, tt.want)
			}
		}
		p := people[0]
		p.Name, p.Email = "Grace B. Hopper", "Grace@Navy.example"
		if err := s.UpdatePatient(ctx, &p); err != nil {
			t.Fatalf("UpdatePatient: %v", err)
		}
		if got, err := s.Patient(ctx, p.ID); err != nil || got.Name != "Grace B. Hopper" || got.Email != "grace@navy.example" {
			t.Errorf("Patient(updated) = %+v, %v", got, err)
		}
		p.Email = "ada@example.com"
		if err := s.UpdatePatient(ctx, &p); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("UpdatePatient(taken email) = %v, want ErrDuplicate", err)
		}
	})
}

func TestIdempotencyRecord(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		key := domain.HashToken("key-1")
		rec := domain.IdempotencyRecord{KeyHash: key, RequestHash: "req", SealedToken: []byte{1, 2, 3, 0, 255},
			CreatedAt: monday.Add(-time.Hour)}
		b := newBooking(fx, fx.Therapist.ID, monday)
		p := newPatient("ada@example.com")
		if err := s.CreateBooking(ctx, &b, &p, domain.Effects{Idempotency: &rec}); err != nil {
			t.Fatalf("CreateBooking(with key): %v", err)
		}
		rec.BookingID = b.ID
		if got, err := s.IdempotencyRecord(ctx, key); err != nil || !reflect.DeepEqual(got, rec) {
			t.Errorf("IdempotencyRecord = %+v, %v\nwant %+v", got, err, rec)
		}
		twin := newBooking(fx, fx.Chiropractor.ID, monday)
		dup := rec
		dup.BookingID, dup.CreatedAt = "", monday
		if err := s.CreateBooking(ctx, &twin, &p, domain.Effects{Idempotency: &dup}); !errors.Is(err, domain.ErrIdempotencyReplay) {
			t.Errorf("CreateBooking(same key) = %v, want ErrIdempotencyReplay", err)
		}
		if _, err := s.Booking(ctx, twin.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("the replayed request's booking was stored: %v", err)
		}
		// A key older than the TTL counts as absent and is taken over.
		late := rec
		late.BookingID, late.CreatedAt = "", rec.CreatedAt.Add(domain.IdempotencyTTL+time.Minute)
		if err := s.CreateBooking(ctx, &twin, &p, domain.Effects{Idempotency: &late}); err != nil {
			t.Errorf("CreateBooking(expired key) = %v", err)
		}
		if got, _ := s.IdempotencyRecord(ctx, key); got.BookingID != twin.ID {
			t.Errorf("expired key still points at %s, want %s", got.BookingID, twin.ID)
		}
		if _, err := s.IdempotencyRecord(ctx, domain.HashToken("unknown")); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("IdempotencyRecord(unknown) = %v, want ErrNotFound", err)
		}
	})
}

// TestBookingsManyPatients reads more bookings, each of its own patient,
// than one IN list may carry (a busy clinic's feed has more than
// PostgreSQL's 65,535 parameters), with the list made short for the test.
func TestBookingsManyPatients(t *testing.T) {
	storage.SetMaxInList(t, 100)
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		const n = 250
		patients := make([]domain.Patient, n)
		bookings := make([]domain.Booking, n)
		for i := range n {
			patients[i] = domain.Patient{ID: domain.NewID(), Name: fmt.Sprintf("Patient %d", i),
				Email: fmt.Sprintf("many%d@example.com", i), CreatedAt: monday}
			pid := fx.Therapist.ID
			if i%2 == 1 {
				pid = fx.Chiropractor.ID
			}
			bookings[i] = newBooking(fx, pid, monday.Add(time.Duration(i/2)*70*time.Minute))
			bookings[i].PatientID = patients[i].ID
		}
		if err := s.BulkInsertBookings(ctx, patients, bookings); err != nil {
			t.Fatal(err)
		}
		got, err := s.Bookings(ctx, domain.BookingFilter{})
		if err != nil || len(got) != n {
			t.Fatalf("Bookings = %d, %v; want %d", len(got), err, n)
		}
		for _, d := range got {
			if d.Patient.ID != d.PatientID || d.Patient.Email == "" || d.Service.ID != fx.Massage.ID || d.Practitioner.ID != d.PractitionerID {
				t.Fatalf("booking %s lacks its details: %+v", d.ID, d)
			}
		}
	})
}
