package domain_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// schedFixture is a clinic in New York on Monday 2 March 2026 at 08:00:
// Ana (chiropractor) does case reviews and the phone-only adjustment; Ben and
// Cleo do massage; all work Monday to Friday 09:00–17:00.
type schedFixture struct {
	store  *domaintest.Store
	sched  *domain.Scheduler
	clock  *domaintest.Clock
	loc    *time.Location
	monday domain.Date

	review, massage, adjust, newcomer, retired domain.Service
	ana, ben, cleo, gone                       domain.Practitioner

	desk, benUser domain.Actor

	t testing.TB
}

const schedBaseURL = "https://clinic.test"

func newSchedFixture(t testing.TB) *schedFixture {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	c := domain.Clinic{
		Name: "Spine & Soft Tissue", TimeZone: "America/New_York", Phone: "+1 555 0100",
		Email: "desk@clinic.test", Address: "1 Main St", Policy: domain.DefaultPolicy,
	}
	f := &schedFixture{t: t, store: domaintest.NewStore(c), loc: loc, monday: domain.Date{Year: 2026, Month: time.March, Day: 2}}
	f.clock = domaintest.NewClock(domain.WallClock(f.monday, domain.At(8, 0), loc))
	f.sched = &domain.Scheduler{Store: f.store, Clock: f.clock, BaseURL: schedBaseURL}
	svc := func(name string, kind domain.ServiceKind, d, after time.Duration) domain.Service {
		return domain.Service{ID: domain.NewID(), Name: name, Kind: kind, Duration: d, BufferAfter: after,
			Currency: "USD", OnlineBookable: true, Active: true}
	}
	f.review = svc("Complimentary Case Review", domain.KindCaseReview, 15*time.Minute, 0)
	f.massage = svc("Swedish massage 60", domain.KindMassage, time.Hour, 15*time.Minute)
	f.adjust = svc("Adjustment", domain.KindChiropractic, 30*time.Minute, 0)
	f.adjust.OnlineBookable = false
	f.newcomer = svc("First-visit massage", domain.KindMassage, 30*time.Minute, 0)
	f.newcomer.NewPatientsOnly = true
	f.retired = svc("Hot stones", domain.KindMassage, time.Hour, 0)
	f.retired.Active = false
	pr := func(name, email string, services ...domain.Service) domain.Practitioner {
		p := domain.Practitioner{ID: domain.NewID(), Name: name, Email: email, TimeZone: "America/New_York", Active: true}
		for _, s := range services {
			p.ServiceIDs = append(p.ServiceIDs, s.ID)
		}
		return p
	}
	f.ana = pr("Ana Chiro", "ana@clinic.test", f.review, f.adjust)
	f.ben = pr("Ben Hands", "ben@clinic.test", f.massage, f.newcomer, f.retired)
	f.cleo = pr("Cleo Knead", "", f.massage, f.newcomer)
	f.gone = pr("Gus Gone", "gus@clinic.test", f.massage)
	f.gone.Active = false
	f.store.Edit(func(d *domaintest.Data) {
		d.Services = []domain.Service{f.review, f.massage, f.adjust, f.newcomer, f.retired}
		d.Practitioners = []domain.Practitioner{f.ana, f.ben, f.cleo, f.gone}
		for _, p := range d.Practitioners {
			for wd := time.Monday; wd <= time.Friday; wd++ {
				d.Hours[p.ID] = append(d.Hours[p.ID], domain.WorkingHours{
					ID: domain.NewID(), PractitionerID: p.ID, Weekday: wd,
					Range: domain.TimeRange{Start: domain.At(9, 0), End: domain.At(17, 0)},
				})
			}
		}
	})
	f.desk = domain.Actor{UserID: domain.NewID(), Name: "Fran Desk", Role: domain.RoleFrontDesk}
	f.benUser = domain.Actor{UserID: domain.NewID(), Name: "Ben Hands", Role: domain.RolePractitioner, PractitionerID: f.ben.ID}
	return f
}

// at is the instant of hh:mm in New York, days after Monday 2 March 2026.
func (f *schedFixture) at(days, h, m int) time.Time {
	return domain.WallClock(f.monday.AddDays(days), domain.At(h, m), f.loc)
}

// req is a valid online request for a massage with Ben on Tuesday at 10:00.
func (f *schedFixture) req() domain.BookRequest {
	return domain.BookRequest{
		ServiceID: f.massage.ID, PractitionerID: f.ben.ID, Start: f.at(1, 10, 0),
		Patient: domain.Patient{Name: "Jane Doe", Email: "jane@example.com", Phone: "+1 555 0199"},
		Actor:   domain.ActorPatient,
	}
}

func (f *schedFixture) reviewReq(email string, start time.Time) domain.BookRequest {
	r := f.req()
	r.ServiceID, r.PractitionerID, r.Start = f.review.ID, f.ana.ID, start
	r.Patient.Email = email
	r.Intake = &domain.Intake{PainAreas: []string{"neck"}, Duration: "weeks", Tried: []string{"massage"}}
	return r
}

func mustBook(t testing.TB, f *schedFixture, req domain.BookRequest) domain.Booked {
	t.Helper()
	got, err := f.sched.Book(context.Background(), req)
	if err != nil {
		t.Fatalf("Book(%v at %v) = %v", req.ServiceID, req.Start, err)
	}
	return got
}

// wantErr checks err is a domain error of kind naming field ("" = any).
func wantErr(t testing.TB, err error, kind domain.Kind, field string) *domain.Error {
	t.Helper()
	var e *domain.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want a *domain.Error of kind %d", err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("error = %v (kind %d), want kind %d", err, e.Kind, kind)
	}
	if field == "" {
		return e
	}
	for _, p := range e.Problems() {
		if p.Field == field {
			return e
		}
	}
	t.Fatalf("error = %v, want it to name %q", err, field)
	return nil
}

func (f *schedFixture) bookings() []domain.Booking {
	return f.store.Data().Bookings
}

func (f *schedFixture) messages() []domain.Message {
	return f.store.Data().Messages
}

func (f *schedFixture) audits() []domain.AuditEntry {
	return f.store.Data().Audit
}

func TestBookValidationNamesEveryField(t *testing.T) {
	f := newSchedFixture(t)
	req := domain.BookRequest{
		ServiceID: "massage", PractitionerID: "ben", TimeZone: "Mars/Olympus",
		Patient: domain.Patient{Name: "  ", Email: "jane.example.com", Phone: "call me"},
		Notes:   strings.Repeat("é", domain.MaxNotes+1),
		Actor:   domain.ActorPatient,
	}
	_, err := f.sched.Book(context.Background(), req)
	for _, field := range []string{"service_id", "practitioner_id", "start", "time_zone", "patient.name", "patient.email", "patient.phone", "notes"} {
		wantErr(t, err, domain.KindInvalid, field)
	}
	if n := len(f.bookings()); n != 0 {
		t.Errorf("bookings after a refused request = %d, want 0", n)
	}
}

func TestBookRejects(t *testing.T) {
	f := newSchedFixture(t)
	tests := []struct {
		name  string
		edit  func(r *domain.BookRequest)
		kind  domain.Kind
		field string
		is    error
	}{
		{"unknown service", func(r *domain.BookRequest) { r.ServiceID = domain.NewID() }, domain.KindInvalid, "service_id", nil},
		{"inactive service", func(r *domain.BookRequest) { r.ServiceID = f.retired.ID }, domain.KindInvalid, "service_id", nil},
		{"phone-only service online", func(r *domain.BookRequest) { r.ServiceID, r.PractitionerID = f.adjust.ID, f.ana.ID }, domain.KindInvalid, "service_id", nil},
		{"unknown practitioner", func(r *domain.BookRequest) { r.PractitionerID = domain.NewID() }, domain.KindInvalid, "practitioner_id", nil},
		{"inactive practitioner", func(r *domain.BookRequest) { r.PractitionerID = f.gone.ID }, domain.KindInvalid, "practitioner_id", nil},
		{"practitioner without the service", func(r *domain.BookRequest) { r.PractitionerID = f.ana.ID }, domain.KindInvalid, "practitioner_id", nil},
		{"start in the past", func(r *domain.BookRequest) { r.Start = f.at(0, 7, 0) }, domain.KindInvalid, "start", nil},
		{"start in the past, staff", func(r *domain.BookRequest) { r.Start, r.Actor = f.at(0, 7, 0), f.desk }, domain.KindInvalid, "start", nil},
		{"no start", func(r *domain.BookRequest) { r.Start = time.Time{} }, domain.KindInvalid, "start", nil},
		{"bad zone", func(r *domain.BookRequest) { r.TimeZone = "Local" }, domain.KindInvalid, "time_zone", nil},
		{"intake for a massage", func(r *domain.BookRequest) { r.Intake = &domain.Intake{PainAreas: []string{"neck"}, Duration: "days"} }, domain.KindInvalid, "intake", nil},
		{"case review without intake", func(r *domain.BookRequest) { r.ServiceID, r.PractitionerID, r.Intake = f.review.ID, f.ana.ID, nil }, domain.KindInvalid, "intake", nil},
		{"case review with bad intake", func(r *domain.BookRequest) {
			r.ServiceID, r.PractitionerID = f.review.ID, f.ana.ID
			r.Intake = &domain.Intake{PainAreas: []string{"knee"}, Duration: "forever", Notes: strings.Repeat("x", domain.MaxIntakeNotes+1)}
		}, domain.KindInvalid, "intake.pain_areas", nil},
		{"notes too long", func(r *domain.BookRequest) { r.Notes = strings.Repeat("n", domain.MaxNotes+1) }, domain.KindInvalid, "notes", nil},
		{"idempotency key too long", func(r *domain.BookRequest) { r.IdempotencyKey = strings.Repeat("k", 256) }, domain.KindInvalid, "Idempotency-Key", nil},
		{"off the grid", func(r *domain.BookRequest) { r.Start = f.at(1, 10, 5) }, domain.KindInvalid, "start", domain.ErrSlotOffGrid},
		{"outside hours", func(r *domain.BookRequest) { r.Start = f.at(1, 16, 30) }, domain.KindInvalid, "start", domain.ErrSlotOutsideHours},
		{"weekend", func(r *domain.BookRequest) { r.Start = f.at(5, 10, 0) }, domain.KindInvalid, "start", domain.ErrSlotOutsideHours},
		{"inside minimum notice", func(r *domain.BookRequest) { r.Start = f.at(0, 9, 0) }, domain.KindInvalid, "start", domain.ErrSlotTooSoon},
		{"beyond the horizon", func(r *domain.BookRequest) { r.Start = f.at(63, 10, 0) }, domain.KindInvalid, "start", domain.ErrSlotTooFar},
		{"patient overbooks", func(r *domain.BookRequest) { r.Overbook = true }, domain.KindForbidden, "", nil},
		{"practitioner books a colleague", func(r *domain.BookRequest) { r.Actor, r.PractitionerID = f.benUser, f.cleo.ID }, domain.KindForbidden, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := f.req()
			tt.edit(&req)
			_, err := f.sched.Book(context.Background(), req)
			wantErr(t, err, tt.kind, tt.field)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Book = %v, want %v", err, tt.is)
			}
			if n := len(f.bookings()); n != 0 {
				t.Errorf("bookings after a refused request = %d, want 0", n)
			}
		})
	}
}

func TestBookPastStartMessage(t *testing.T) {
	f := newSchedFixture(t)
	req := f.req()
	req.Start = f.clock.Now().Add(-time.Minute)
	_, err := f.sched.Book(context.Background(), req)
	e := wantErr(t, err, domain.KindInvalid, "start")
	if !slices.Contains(e.Problems(), domain.FieldError{Field: "start", Message: "That time has passed."}) {
		t.Errorf("Book(past) = %v, want \"That time has passed.\"", err)
	}
}

func TestBookTimeOffIsConflict(t *testing.T) {
	f := newSchedFixture(t)
	f.addTimeOff(domain.TimeOff{ID: domain.NewID(), PractitionerID: f.ben.ID, Start: f.at(1, 9, 30), End: f.at(1, 10, 30)})
	_, err := f.sched.Book(context.Background(), f.req())
	wantErr(t, err, domain.KindConflict, "start")
	if !errors.Is(err, domain.ErrPractitionerAway) {
		t.Errorf("Book during time off = %v, want ErrPractitionerAway", err)
	}
}

func TestBookNewBooking(t *testing.T) {
	f := newSchedFixture(t)
	req := f.req()
	req.Patient.Email = "  Jane@Example.COM "
	req.Notes = "Left shoulder, please."
	got := mustBook(t, f, req)
	b := got.Booking
	switch {
	case !domain.IsID(b.ID) || !domain.IsID(b.UID) || b.ID == b.UID:
		t.Errorf("ID, UID = %q, %q, want two random UUIDs", b.ID, b.UID)
	case b.Sequence != 0 || b.Status != domain.StatusConfirmed || b.Source != domain.SourceOnline || b.CreatedBy != "":
		t.Errorf("Sequence, Status, Source, CreatedBy = %d, %s, %s, %q", b.Sequence, b.Status, b.Source, b.CreatedBy)
	case !b.Start.Equal(f.at(1, 10, 0)) || !b.End.Equal(f.at(1, 11, 0)):
		t.Errorf("Start, End = %v, %v", b.Start, b.End)
	case !b.BlockStart.Equal(f.at(1, 10, 0)) || !b.BlockEnd.Equal(f.at(1, 11, 15)):
		t.Errorf("Block = %v–%v, want the visit plus 15 minutes after", b.BlockStart, b.BlockEnd)
	case b.TimeZone != "America/New_York":
		t.Errorf("TimeZone = %q, want the clinic's", b.TimeZone)
	case b.ManageHash != domain.HashToken(got.ManageToken) || got.ManageToken == "":
		t.Errorf("ManageHash = %q, want HashToken of the token", b.ManageHash)
	case got.ManageURL != schedBaseURL+"/manage/"+got.ManageToken:
		t.Errorf("ManageURL = %q", got.ManageURL)
	case b.Patient.Email != "jane@example.com" || b.PatientID == "" || b.Patient.ID != b.PatientID:
		t.Errorf("Patient = %+v, PatientID %q", b.Patient, b.PatientID)
	case b.Complimentary || b.Overbooked || b.Notes != "Left shoulder, please.":
		t.Errorf("Complimentary, Overbooked, Notes = %v, %v, %q", b.Complimentary, b.Overbooked, b.Notes)
	}
	stored := f.bookings()
	if len(stored) != 1 || stored[0].ID != b.ID {
		t.Fatalf("stored = %+v, want the one booking", stored)
	}
}

func TestBookOverlapWithBuffers(t *testing.T) {
	f := newSchedFixture(t)
	mustBook(t, f, f.req()) // Ben 10:00–11:00, blocked to 11:15
	tests := []struct {
		h, m int
		want error
	}{
		{10, 30, domain.ErrSlotTaken},
		{11, 0, domain.ErrSlotTaken}, // the buffer after the first visit
		{9, 0, domain.ErrSlotTaken},  // its own buffer runs into the first visit
		{11, 15, nil},
	}
	for i, tt := range tests {
		req := f.req()
		req.Start = f.at(1, tt.h, tt.m)
		req.Patient.Email = fmt.Sprintf("p%d@example.com", i)
		_, err := f.sched.Book(context.Background(), req)
		if !errors.Is(err, tt.want) && (err != nil || tt.want != nil) {
			t.Errorf("Book(%02d:%02d) = %v, want %v", tt.h, tt.m, err, tt.want)
		}
	}
}

func TestBookStaff(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	staff := func(edit func(r *domain.BookRequest)) (domain.Booked, error) {
		r := f.req()
		r.Actor = f.desk
		r.Patient.Email = domain.NewID() + "@example.com"
		edit(&r)
		return f.sched.Book(ctx, r)
	}
	// Staff ignore minimum notice and horizon.
	got, err := staff(func(r *domain.BookRequest) { r.Start = f.at(0, 9, 0) })
	if err != nil || got.Booking.Source != domain.SourceStaff || got.Booking.CreatedBy != f.desk.UserID || got.Booking.Overbooked {
		t.Fatalf("staff inside notice = %+v, %v; want a staff booking", got.Booking.Booking, err)
	}
	if _, err := staff(func(r *domain.BookRequest) { r.Start = f.at(70, 10, 0) }); err != nil {
		t.Errorf("staff beyond horizon = %v, want nil", err)
	}
	// Staff may book a service patients cannot book online.
	if _, err := staff(func(r *domain.BookRequest) { r.ServiceID, r.PractitionerID = f.adjust.ID, f.ana.ID }); err != nil {
		t.Errorf("staff phone-only service = %v, want nil", err)
	}
	// Outside hours only with Overbook.
	_, err = staff(func(r *domain.BookRequest) { r.Start = f.at(1, 18, 0) })
	if !errors.Is(err, domain.ErrSlotOutsideHours) {
		t.Errorf("staff outside hours = %v, want ErrSlotOutsideHours", err)
	}
	got, err = staff(func(r *domain.BookRequest) { r.Start, r.Overbook = f.at(1, 18, 0), true })
	if err != nil || !got.Booking.Overbooked {
		t.Errorf("staff overbook outside hours = %+v, %v; want an overbooked booking", got.Booking.Booking, err)
	}
	// Overbook on a free slot is an ordinary booking; on a taken one a squeeze-in.
	free, err := staff(func(r *domain.BookRequest) { r.Start, r.Overbook = f.at(2, 10, 0), true })
	if err != nil || free.Booking.Overbooked {
		t.Errorf("staff overbook on a free slot: Overbooked = %v, %v; want false", free.Booking.Overbooked, err)
	}
	if _, err := staff(func(r *domain.BookRequest) { r.Start = f.at(2, 10, 0) }); !errors.Is(err, domain.ErrSlotTaken) {
		t.Errorf("staff on a taken slot = %v, want ErrSlotTaken", err)
	}
	squeeze, err := staff(func(r *domain.BookRequest) { r.Start, r.Overbook = f.at(2, 10, 0), true })
	if err != nil || !squeeze.Booking.Overbooked {
		t.Errorf("staff overbook on a taken slot = %+v, %v; want Overbooked", squeeze.Booking.Booking, err)
	}
	a := f.audits()
	last := a[len(a)-1]
	if last.Action != "booking.create" || last.Actor.UserID != f.desk.UserID || !last.After.(domain.Booking).Overbooked {
		t.Errorf("audit of the squeeze-in = %+v, want booking.create by the desk, overbooked", last)
	}
	// A practitioner books their own calendar.
	r := f.req()
	r.Actor, r.Start = f.benUser, f.at(3, 10, 0)
	if _, err := f.sched.Book(ctx, r); err != nil {
		t.Errorf("practitioner books own calendar = %v, want nil", err)
	}
}

func TestBookCaseReviewOncePerEmail(t *testing.T) {
	f := newSchedFixture(t)
	first := mustBook(t, f, f.reviewReq("Jane@Example.com", f.at(1, 10, 0)))
	if !first.Booking.Complimentary {
		t.Fatalf("case review Complimentary = false, want true")
	}
	_, err := f.sched.Book(context.Background(), f.reviewReq("jane@example.COM", f.at(2, 10, 0)))
	if !errors.Is(err, domain.ErrCaseReviewUsed) {
		t.Fatalf("second case review = %v, want ErrCaseReviewUsed", err)
	}
	mustBook(t, f, f.reviewReq("john@example.com", f.at(2, 10, 0)))
	// Once the first is cancelled the patient may have one again.
	if _, err := f.sched.CancelByToken(context.Background(), first.ManageToken, ""); err != nil {
		t.Fatalf("CancelByToken = %v", err)
	}
	mustBook(t, f, f.reviewReq("jane@example.com", f.at(3, 10, 0)))
}

func TestBookNewPatientsOnly(t *testing.T) {
	f := newSchedFixture(t)
	mustBook(t, f, f.req()) // Jane, Tuesday 10:00
	req := f.req()
	req.ServiceID, req.Start = f.newcomer.ID, f.at(3, 10, 0)
	mustBook(t, f, withEmail(req, "new@example.com"))
	f.clock.Set(f.at(1, 12, 0)) // Jane has now been seen
	_, err := f.sched.Book(context.Background(), withEmail(req, "JANE@example.com"))
	e := wantErr(t, err, domain.KindConflict, "patient.email")
	if !strings.Contains(e.Message, "new patients") {
		t.Errorf("message = %q, want it to say the service is for new patients", e.Message)
	}
}

func withEmail(r domain.BookRequest, email string) domain.BookRequest {
	r.Patient.Email = email
	return r
}

func TestBookAnyPractitionerIsFair(t *testing.T) {
	f := newSchedFixture(t)
	anyone := func(h, m int, email string) (domain.Booked, error) {
		r := withEmail(f.req(), email)
		r.PractitionerID, r.Start = "", f.at(1, h, m)
		return f.sched.Book(context.Background(), r)
	}
	steps := []struct {
		h     int
		email string
		want  string
	}{
		{10, "a@example.com", f.ben.ID},  // a tie: the store's order
		{14, "b@example.com", f.cleo.ID}, // Ben has one that day
		{10, "c@example.com", f.cleo.ID}, // a tie, but Ben is taken at 10:00
		{15, "d@example.com", f.ben.ID},  // Cleo has two, Ben one
	}
	for _, s := range steps {
		got, err := anyone(s.h, 0, s.email)
		if err != nil || got.Booking.PractitionerID != s.want {
			t.Fatalf("Book(anyone, %02d:00) = %s, %v; want %s", s.h, got.Booking.Practitioner.Name, err, s.want)
		}
	}
	if _, err := anyone(10, 0, "e@example.com"); !errors.Is(err, domain.ErrSlotTaken) {
		t.Errorf("Book(anyone) when all are taken = %v, want ErrSlotTaken", err)
	}
	if _, err := anyone(20, 0, "f@example.com"); !errors.Is(err, domain.ErrSlotOutsideHours) {
		t.Errorf("Book(anyone) outside everyone's hours = %v, want ErrSlotOutsideHours", err)
	}
}

func TestBookStormOneWinner(t *testing.T) {
	f := newSchedFixture(t)
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.sched.Book(context.Background(), withEmail(f.req(), fmt.Sprintf("storm%d@example.com", i)))
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, domain.ErrSlotTaken):
			t.Errorf("Book in the storm = %v, want nil or ErrSlotTaken", err)
		}
	}
	if ok != 1 || len(f.bookings()) != 1 {
		t.Errorf("storm: %d successes, %d bookings; want exactly 1", ok, len(f.bookings()))
	}
}

func TestBookStormAnyPractitioner(t *testing.T) {
	f := newSchedFixture(t)
	var wg sync.WaitGroup
	got := make([]domain.Booked, 50)
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() {
			r := withEmail(f.req(), fmt.Sprintf("storm%d@example.com", i))
			r.PractitionerID = ""
			got[i], errs[i] = f.sched.Book(context.Background(), r)
		})
	}
	wg.Wait()
	who := map[string]int{}
	for i, err := range errs {
		if err == nil {
			who[got[i].Booking.PractitionerID]++
		} else if !errors.Is(err, domain.ErrSlotTaken) {
			t.Errorf("Book in the storm = %v, want nil or ErrSlotTaken", err)
		}
	}
	if who[f.ben.ID] != 1 || who[f.cleo.ID] != 1 || len(f.bookings()) != 2 {
		t.Errorf("storm for anyone: %v, %d bookings; want one each for Ben and Cleo", who, len(f.bookings()))
	}
}

func TestBookEffects(t *testing.T) {
	f := newSchedFixture(t)
	got := mustBook(t, f, f.req())
	msgs := f.messages()
	byKind := map[domain.MessageKind]domain.Message{}
	for _, m := range msgs {
		byKind[m.Kind] = m
	}
	if len(msgs) != 3 {
		t.Fatalf("messages = %d, want confirmation, practitioner note and reminder", len(msgs))
	}
	now := f.clock.Now()
	conf, note, rem := byKind[domain.MessageConfirmation], byKind[domain.MessagePractitioner], byKind[domain.MessageReminder]
	if conf.To != "jane@example.com" || !conf.DueAt.Equal(now) || conf.Status != domain.MessagePending || conf.BookingID != got.Booking.ID {
		t.Errorf("confirmation = %+v", conf)
	}
	if note.To != "ben@clinic.test" || note.Notice.ManageURL != "" {
		t.Errorf("practitioner note to %q with link %q; want Ben, no patient link", note.To, note.Notice.ManageURL)
	}
	if rem.To != "jane@example.com" || !rem.DueAt.Equal(f.at(0, 10, 0)) {
		t.Errorf("reminder to %q due %v, want the patient 24 hours before", rem.To, rem.DueAt)
	}
	n := conf.Notice
	want := domain.Notice{
		UID: got.Booking.UID, Status: domain.StatusConfirmed,
		ClinicName: "Spine & Soft Tissue", ClinicEmail: "desk@clinic.test", ClinicPhone: "+1 555 0100",
		ClinicAddress: "1 Main St", ClinicTimeZone: "America/New_York",
		CancelPolicy: "Cancel online up to 24 hours before and reschedule up to 12 hours before your visit; after that, please call us at +1 555 0100.",
		PatientName:  "Jane Doe", PatientEmail: "jane@example.com", TimeZone: "America/New_York",
		PractitionerName: "Ben Hands", PractitionerEmail: "ben@clinic.test",
		ServiceName: "Swedish massage 60", ServiceKind: domain.KindMassage,
		Start: got.Booking.Start, End: got.Booking.End, ManageURL: got.ManageURL,
		Changed: now.UTC(), BookURL: schedBaseURL + "/book/" + f.massage.ID,
	}
	if n != want {
		t.Errorf("Notice =\n%+v\nwant\n%+v", n, want)
	}
	a := f.audits()
	if len(a) != 1 || a[0].Action != "booking.create" || a[0].EntityID != got.Booking.ID || a[0].Before != nil || a[0].Actor != domain.ActorPatient {
		t.Errorf("audit = %+v, want one booking.create by the patient", a)
	}
}

func TestBookEffectsSkipped(t *testing.T) {
	f := newSchedFixture(t)
	// Cleo has no email: no note. A visit inside the reminder window: no reminder.
	r := f.req()
	r.PractitionerID, r.Start, r.TimeZone = f.cleo.ID, f.at(0, 14, 0), "Europe/London"
	got := mustBook(t, f, r)
	kinds := messageKinds(f.messages())
	if !slices.Equal(kinds, []domain.MessageKind{domain.MessageConfirmation}) {
		t.Errorf("messages = %v, want the confirmation alone", kinds)
	}
	if tz := f.messages()[0].Notice.TimeZone; tz != "Europe/London" || got.Booking.TimeZone != "Europe/London" {
		t.Errorf("notice zone = %q, want the patient's", tz)
	}
	// No reminders at all when the clinic turns them off.
	f2 := newSchedFixture(t)
	f2.store.Edit(func(d *domaintest.Data) { d.Clinic.Policy.ReminderBefore = 0 })
	mustBook(t, f2, f2.req())
	if slices.Contains(messageKinds(f2.messages()), domain.MessageReminder) {
		t.Errorf("a reminder was queued with ReminderBefore = 0")
	}
}

func messageKinds(ms []domain.Message) []domain.MessageKind {
	var out []domain.MessageKind
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

func TestCancelPolicyAndHumanDuration(t *testing.T) {
	clinic := func(cancel, resched time.Duration, phone string) domain.Clinic {
		return domain.Clinic{Phone: phone, Policy: domain.Policy{CancelCutoff: cancel, RescheduleCutoff: resched}}
	}
	tests := []struct {
		c    domain.Clinic
		want string
	}{
		{clinic(24*time.Hour, 24*time.Hour, "+1 555 0100"), "Cancel or reschedule online up to 24 hours before your visit; after that, please call us at +1 555 0100."},
		{clinic(48*time.Hour, 90*time.Minute, ""), "Cancel online up to 48 hours before and reschedule up to 1 hour 30 minutes before your visit; after that, please call the clinic."},
		{clinic(72*time.Hour, 0, "555"), "Cancel online up to 3 days before and reschedule up to the start of your visit; after that, please call us at 555."},
		{clinic(0, 0, "555"), "Cancel or reschedule online any time before your visit."},
	}
	for _, tt := range tests {
		if got := domain.CancelPolicy(tt.c); got != tt.want {
			t.Errorf("CancelPolicy(%+v) = %q, want %q", tt.c.Policy, got, tt.want)
		}
	}
	durations := map[time.Duration]string{
		time.Hour: "1 hour", 45 * time.Minute: "45 minutes", 36 * time.Hour: "36 hours",
		7 * 24 * time.Hour: "7 days", 100 * time.Hour: "4 days 4 hours", 30 * time.Second: "0 minutes",
	}
	for d, want := range durations {
		if got := domain.HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestManageTokenNeverStoredRaw(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	req := f.req()
	req.IdempotencyKey, req.RequestHash = "key-1", "body-1"
	got := mustBook(t, f, req)
	token := got.ManageToken
	if _, err := f.sched.RescheduleByToken(ctx, token, f.at(2, 10, 0)); err != nil {
		t.Fatalf("RescheduleByToken = %v", err)
	}
	if _, err := f.sched.SetStaffNotes(ctx, f.desk, got.Booking.ID, "prefers firm pressure"); err != nil {
		t.Fatalf("SetStaffNotes = %v", err)
	}
	stored := fmt.Sprintf("%+v", f.bookings())
	for _, a := range f.audits() {
		for _, snap := range []any{a.Before, a.After} {
			if snap == nil {
				continue
			}
			if b := snap.(domain.Booking); b.ManageHash != "" {
				t.Errorf("audit %s snapshot carries ManageHash", a.Action)
			}
			js, _ := json.Marshal(snap)
			stored += string(js)
		}
	}
	for _, rec := range f.store.Data().Idempotency {
		stored += fmt.Sprintf("%+v %s", rec, rec.SealedToken)
	}
	if strings.Contains(stored, token) {
		t.Errorf("the raw manage token is stored")
	}
	if !strings.Contains(stored, domain.HashToken(token)) {
		t.Errorf("the token's hash is not stored on the booking")
	}
	for _, m := range f.messages() {
		want := m.Kind != domain.MessagePractitioner
		if has := strings.Contains(m.Notice.ManageURL, token); has != want {
			t.Errorf("%s message link %q carries the token: %v, want %v", m.Kind, m.Notice.ManageURL, has, want)
		}
	}
}

func TestManageWrongToken(t *testing.T) {
	f := newSchedFixture(t)
	got := mustBook(t, f, f.req())
	ctx := context.Background()
	for _, tok := range []string{"", "nope", got.ManageToken + "x", strings.Repeat("a", 500)} {
		if _, err := f.sched.Manage(ctx, tok); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Manage(%q) = %v, want ErrNotFound", tok, err)
		}
		if _, err := f.sched.CancelByToken(ctx, tok, ""); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("CancelByToken(%q) = %v, want ErrNotFound", tok, err)
		}
		if _, err := f.sched.RescheduleByToken(ctx, tok, f.at(2, 10, 0)); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("RescheduleByToken(%q) = %v, want ErrNotFound", tok, err)
		}
	}
	d, err := f.sched.Manage(ctx, got.ManageToken)
	if err != nil || d.ID != got.Booking.ID || d.ManageHash != "" {
		t.Errorf("Manage(token) = %v, %v; want the booking without its hash", d.ID, err)
	}
}

func TestRescheduleByToken(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req())
	before := len(f.messages())
	d, err := f.sched.RescheduleByToken(ctx, got.ManageToken, f.at(2, 13, 0))
	if err != nil {
		t.Fatalf("RescheduleByToken = %v", err)
	}
	b := d.Booking
	switch {
	case b.ID != got.Booking.ID || b.UID != got.Booking.UID:
		t.Errorf("ID, UID changed: %s %s", b.ID, b.UID)
	case b.Sequence != 1:
		t.Errorf("Sequence = %d, want 1", b.Sequence)
	case !b.Start.Equal(f.at(2, 13, 0)) || !b.End.Equal(f.at(2, 14, 0)) || !b.BlockEnd.Equal(f.at(2, 14, 15)):
		t.Errorf("times = %v–%v block to %v", b.Start, b.End, b.BlockEnd)
	case len(f.bookings()) != 1:
		t.Errorf("bookings = %d, want the same one moved", len(f.bookings()))
	}
	if _, err := f.sched.Manage(ctx, got.ManageToken); err != nil {
		t.Errorf("the patient's link after their own reschedule = %v, want it to keep working", err)
	}
	// The old time is free again.
	mustBook(t, f, withEmail(f.req(), "next@example.com"))
	msgs := f.messages()[before:]
	var resched domain.Message
	for _, m := range msgs {
		if m.Kind == domain.MessageRescheduled {
			resched = m
		}
	}
	if resched.Notice.Sequence != 1 || !resched.Notice.Previous.Equal(f.at(1, 10, 0)) || resched.Notice.ManageURL != got.ManageURL {
		t.Errorf("rescheduled notice = %+v", resched.Notice)
	}
	var pending, cancelled int
	for _, m := range f.messages() {
		if m.Kind == domain.MessageReminder && m.BookingID == got.Booking.ID {
			switch {
			case m.Status == domain.MessagePending && m.DueAt.Equal(f.at(1, 13, 0)):
				pending++
			case m.Status == domain.MessageCancelled && m.DueAt.Equal(f.at(0, 10, 0)):
				cancelled++
			default:
				t.Errorf("reminder %s due %v", m.Status, m.DueAt)
			}
		}
	}
	if pending != 1 || cancelled != 1 {
		t.Errorf("reminders: %d pending, %d cancelled; want the old one cancelled and one new", pending, cancelled)
	}
	a := f.audits()[1]
	if a.Action != "booking.reschedule" || !a.Before.(domain.Booking).Start.Equal(f.at(1, 10, 0)) || !a.After.(domain.Booking).Start.Equal(f.at(2, 13, 0)) {
		t.Errorf("audit = %+v, want booking.reschedule with before and after", a)
	}
}

func TestRescheduleOverlappingItself(t *testing.T) {
	f := newSchedFixture(t)
	got := mustBook(t, f, f.req())
	// 10:30 overlaps the booking's own 10:00–11:15 block, which it gives up.
	if _, err := f.sched.RescheduleByToken(context.Background(), got.ManageToken, f.at(1, 10, 30)); err != nil {
		t.Errorf("RescheduleByToken(30 minutes later) = %v, want nil", err)
	}
}

func TestRescheduleByStaffMintsNewLink(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req())
	d, err := f.sched.Reschedule(ctx, f.desk, got.Booking.ID, f.at(1, 14, 0), f.cleo.ID, false)
	if err != nil {
		t.Fatalf("Reschedule = %v", err)
	}
	if d.PractitionerID != f.cleo.ID || d.Sequence != 1 || d.ManageHash == got.Booking.ManageHash {
		t.Errorf("moved booking = %+v", d.Booking)
	}
	if _, err := f.sched.Manage(ctx, got.ManageToken); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("old link after a staff reschedule = %v, want ErrNotFound", err)
	}
	var url string
	var notified []string
	for _, m := range f.messages() {
		switch m.Kind {
		case domain.MessageRescheduled:
			url = m.Notice.ManageURL
		case domain.MessagePractitioner:
			notified = append(notified, m.To)
		}
	}
	token := strings.TrimPrefix(url, schedBaseURL+"/manage/")
	if m, err := f.sched.Manage(ctx, token); err != nil || m.ID != got.Booking.ID {
		t.Errorf("Manage(new link from the email) = %v, want the booking", err)
	}
	// Ben got the note of the booking and of its move; Cleo has no email.
	if !slices.Equal(notified, []string{"ben@clinic.test", "ben@clinic.test"}) {
		t.Errorf("practitioner notes to %v", notified)
	}
}

func TestRescheduleRefusals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		setup  func(f *schedFixture, b domain.Booked)
		do     func(f *schedFixture, b domain.Booked) error
		kind   domain.Kind
		is     error
		phrase string
	}{
		{"patient inside the cut-off", func(f *schedFixture, b domain.Booked) { f.clock.Set(f.at(0, 22, 30)) },
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.RescheduleByToken(ctx, b.ManageToken, f.at(3, 10, 0))
				return err
			}, domain.KindConflict, nil, "+1 555 0100"},
		{"started visit, staff", func(f *schedFixture, b domain.Booked) { f.clock.Set(f.at(1, 10, 5)) },
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(3, 10, 0), "", false)
				return err
			}, domain.KindConflict, nil, "started"},
		{"cancelled", func(f *schedFixture, b domain.Booked) { f.sched.CancelByToken(ctx, b.ManageToken, "") },
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(3, 10, 0), "", false)
				return err
			}, domain.KindConflict, nil, "cancelled"},
		{"completed", func(f *schedFixture, b domain.Booked) { f.setStored(b.Booking.ID, domain.StatusCompleted) },
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(3, 10, 0), "", false)
				return err
			}, domain.KindConflict, nil, "over"},
		{"no-show", func(f *schedFixture, b domain.Booked) { f.setStored(b.Booking.ID, domain.StatusNoShow) },
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.RescheduleByToken(ctx, b.ManageToken, f.at(3, 10, 0))
				return err
			}, domain.KindConflict, nil, "over"},
		{"into the past", nil,
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(0, 7, 0), "", false)
				return err
			}, domain.KindInvalid, nil, "passed"},
		{"patient inside minimum notice", nil,
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.RescheduleByToken(ctx, b.ManageToken, f.at(0, 9, 0))
				return err
			}, domain.KindInvalid, domain.ErrSlotTooSoon, ""},
		{"staff outside hours", nil,
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(1, 19, 0), "", false)
				return err
			}, domain.KindInvalid, domain.ErrSlotOutsideHours, ""},
		{"onto a taken slot", func(f *schedFixture, b domain.Booked) {
			r := withEmail(f.req(), "other@example.com")
			r.Start = f.at(2, 10, 0)
			mustBook(f.t, f, r)
		}, func(f *schedFixture, b domain.Booked) error {
			_, err := f.sched.RescheduleByToken(ctx, b.ManageToken, f.at(2, 10, 30))
			return err
		}, domain.KindConflict, domain.ErrSlotTaken, ""},
		{"to a practitioner without the service", nil,
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(2, 10, 0), f.ana.ID, false)
				return err
			}, domain.KindInvalid, nil, ""},
		{"practitioner on a colleague's booking", nil,
			func(f *schedFixture, b domain.Booked) error {
				cleoUser := domain.Actor{UserID: domain.NewID(), Role: domain.RolePractitioner, PractitionerID: f.cleo.ID}
				_, err := f.sched.Reschedule(ctx, cleoUser, b.Booking.ID, f.at(2, 10, 0), "", false)
				return err
			}, domain.KindForbidden, nil, ""},
		{"practitioner moving own booking to a colleague", nil,
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, f.benUser, b.Booking.ID, f.at(2, 10, 0), f.cleo.ID, false)
				return err
			}, domain.KindForbidden, nil, ""},
		{"patient actor on the staff door", nil,
			func(f *schedFixture, b domain.Booked) error {
				_, err := f.sched.Reschedule(ctx, domain.ActorPatient, b.Booking.ID, f.at(2, 10, 0), "", false)
				return err
			}, domain.KindForbidden, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSchedFixture(t)
			f.t = t
			b := mustBook(t, f, f.req())
			if tt.setup != nil {
				tt.setup(f, b)
			}
			want := f.stored(b.Booking.ID)
			e := wantErr(t, tt.do(f, b), tt.kind, "")
			if tt.is != nil && !errors.Is(e, tt.is) {
				t.Errorf("error = %v, want %v", e, tt.is)
			}
			if !strings.Contains(e.Error(), tt.phrase) {
				t.Errorf("error = %q, want it to mention %q", e.Error(), tt.phrase)
			}
			if got := f.stored(b.Booking.ID); got != want {
				t.Errorf("a refused reschedule changed the booking")
			}
		})
	}
}

func TestRescheduleStaffInsideCutoffAndOverbook(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	b := mustBook(t, f, f.req())
	f.clock.Set(f.at(0, 22, 30)) // inside the patient's 12-hour cut-off
	if _, err := f.sched.Reschedule(ctx, f.desk, b.Booking.ID, f.at(1, 9, 0), "", false); err != nil {
		t.Fatalf("staff Reschedule inside the cut-off = %v, want nil", err)
	}
	d, err := f.sched.Reschedule(ctx, f.benUser, b.Booking.ID, f.at(1, 18, 0), "", true)
	if err != nil || !d.Overbooked {
		t.Errorf("Reschedule(overbook, after hours) = %+v, %v; want an overbooked booking", d.Booking, err)
	}
}

func TestCancelByToken(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	b := mustBook(t, f, f.req())
	f.clock.Set(f.at(0, 9, 0))
	d, err := f.sched.CancelByToken(ctx, b.ManageToken, "  Feeling better  ")
	if err != nil {
		t.Fatalf("CancelByToken = %v", err)
	}
	if d.Status != domain.StatusCancelled || d.Sequence != 1 || !d.CancelledAt.Equal(f.at(0, 9, 0)) || d.CancelReason != "Feeling better" {
		t.Errorf("cancelled booking = %+v", d.Booking)
	}
	var kinds []domain.MessageKind
	for _, m := range f.messages()[3:] {
		kinds = append(kinds, m.Kind)
		switch m.Kind {
		case domain.MessageCancellation:
			if m.Notice.Reason != "" || m.Notice.Status != domain.StatusCancelled || m.To != "jane@example.com" {
				t.Errorf("cancellation notice = %+v", m.Notice)
			}
		case domain.MessagePractitioner:
			if m.Notice.Reason != "Feeling better" {
				t.Errorf("practitioner note reason = %q", m.Notice.Reason)
			}
		}
	}
	if !slices.Equal(kinds, []domain.MessageKind{domain.MessageCancellation, domain.MessagePractitioner}) {
		t.Errorf("messages = %v, want cancellation and practitioner note, no reminder", kinds)
	}
	for _, m := range f.messages() {
		if m.Kind == domain.MessageReminder && m.Status != domain.MessageCancelled {
			t.Errorf("reminder of a cancelled visit is %s", m.Status)
		}
	}
	if a := f.audits(); a[len(a)-1].Action != "booking.cancel" {
		t.Errorf("audit = %s, want booking.cancel", a[len(a)-1].Action)
	}
	if _, err := f.sched.CancelByToken(ctx, b.ManageToken, ""); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("second cancel = %v, want KindConflict", err)
	}
	mustBook(t, f, withEmail(f.req(), "next@example.com")) // the time is free again
}

func TestCancelCutoffs(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	b := mustBook(t, f, f.req())
	f.clock.Set(f.at(0, 10, 30)) // 23.5 hours before: inside the 24-hour cut-off
	_, err := f.sched.CancelByToken(ctx, b.ManageToken, "")
	e := wantErr(t, err, domain.KindConflict, "")
	if !strings.Contains(e.Message, "call") || !strings.Contains(e.Message, "+1 555 0100") {
		t.Errorf("CancelByToken inside the cut-off = %q, want it to say call +1 555 0100", e.Message)
	}
	if _, err := f.sched.CancelByToken(ctx, b.ManageToken, strings.Repeat("r", domain.MaxNotes+1)); domain.ErrorKind(err) != domain.KindInvalid {
		t.Errorf("CancelByToken(long reason) = %v, want KindInvalid", err)
	}
	d, err := f.sched.Cancel(ctx, f.desk, b.Booking.ID, "called in")
	if err != nil || d.Status != domain.StatusCancelled {
		t.Fatalf("staff Cancel inside the cut-off = %v, want nil", err)
	}
	if _, err := f.sched.Manage(ctx, b.ManageToken); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("old link after a staff cancel = %v, want ErrNotFound", err)
	}
}

func TestStatusChanges(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	b := mustBook(t, f, f.req())
	id, mails := b.Booking.ID, len(f.messages())
	set := func(a domain.Actor, st domain.Status) error {
		_, err := f.sched.SetStatus(ctx, a, id, st)
		return err
	}
	if err := set(f.desk, domain.StatusCompleted); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("completed before the visit = %v, want KindConflict", err)
	}
	if err := set(f.desk, domain.StatusNoShow); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("no-show before the visit = %v, want KindConflict", err)
	}
	if err := set(f.desk, domain.StatusCancelled); domain.ErrorKind(err) != domain.KindInvalid {
		t.Errorf("status cancelled = %v, want KindInvalid", err)
	}
	if err := set(domain.ActorPatient, domain.StatusArrived); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("patient sets status = %v, want ErrForbidden", err)
	}
	cleoUser := domain.Actor{UserID: domain.NewID(), Role: domain.RolePractitioner, PractitionerID: f.cleo.ID}
	if err := set(cleoUser, domain.StatusArrived); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("colleague sets status = %v, want ErrForbidden", err)
	}
	f.clock.Set(f.at(1, 9, 50))
	if err := set(f.benUser, domain.StatusArrived); err != nil {
		t.Fatalf("arrived = %v", err)
	}
	f.clock.Set(f.at(1, 11, 0))
	for _, st := range []domain.Status{domain.StatusCompleted, domain.StatusConfirmed, domain.StatusNoShow} {
		if err := set(f.desk, st); err != nil || f.stored(id).Status != st {
			t.Fatalf("SetStatus(%s) = %v, stored %s", st, err, f.stored(id).Status)
		}
	}
	if n := len(f.messages()); n != mails {
		t.Errorf("status changes queued %d emails, want none", n-mails)
	}
	var actions []string
	for _, a := range f.audits() {
		actions = append(actions, a.Action)
	}
	want := []string{"booking.create", "booking.status", "booking.status", "booking.status", "booking.status"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit = %v, want %v", actions, want)
	}
	f.setStored(id, domain.StatusCancelled)
	if err := set(f.desk, domain.StatusArrived); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("status of a cancelled booking = %v, want KindConflict", err)
	}
}

func TestManageStaffNotes(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	b := mustBook(t, f, f.req())
	mails := len(f.messages())
	d, err := f.sched.SetStaffNotes(ctx, f.desk, b.Booking.ID, "Bad knee; use the low table.")
	if err != nil || d.StaffNotes != "Bad knee; use the low table." {
		t.Fatalf("SetStaffNotes = %q, %v", d.StaffNotes, err)
	}
	if p, _ := f.sched.Manage(ctx, b.ManageToken); p.StaffNotes != "" {
		t.Errorf("the patient sees staff notes %q", p.StaffNotes)
	}
	if _, err := f.sched.SetStaffNotes(ctx, f.desk, b.Booking.ID, strings.Repeat("n", domain.MaxStaffNotes+1)); domain.ErrorKind(err) != domain.KindInvalid {
		t.Errorf("SetStaffNotes(too long) = %v, want KindInvalid", err)
	}
	if _, err := f.sched.SetStaffNotes(ctx, f.desk, "not-an-id", "x"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetStaffNotes(bad id) = %v, want ErrNotFound", err)
	}
	a := f.audits()
	if len(f.messages()) != mails || a[len(a)-1].Action != "booking.notes" {
		t.Errorf("staff notes: %d new emails, last audit %s; want none and booking.notes", len(f.messages())-mails, a[len(a)-1].Action)
	}
}

func TestIdempotentBook(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	req := f.req()
	req.IdempotencyKey, req.RequestHash = "c0ffee", "hash-a"
	first := mustBook(t, f, req)
	mails := len(f.messages())
	again := mustBook(t, f, req)
	if !again.Replayed || first.Replayed || again.Booking.ID != first.Booking.ID || again.ManageToken != first.ManageToken || again.ManageURL != first.ManageURL {
		t.Errorf("replay = %+v, want the first booking and token, Replayed", again)
	}
	if len(f.bookings()) != 1 || len(f.messages()) != mails {
		t.Errorf("replay stored %d bookings, %d new emails; want 1 and none", len(f.bookings()), len(f.messages())-mails)
	}
	other := req
	other.RequestHash, other.Start = "hash-b", f.at(2, 10, 0)
	_, err := f.sched.Book(ctx, other)
	wantErr(t, err, domain.KindInvalid, "Idempotency-Key")
	// Past 24 hours the key is forgotten.
	f.clock.Set(f.clock.Now().Add(25 * time.Hour))
	got := mustBook(t, f, other)
	if got.Replayed || got.Booking.ID == first.Booking.ID {
		t.Errorf("after 24 hours = %+v, want a new booking", got)
	}
}

func TestIdempotentReplayAfterStaffChange(t *testing.T) {
	f := newSchedFixture(t)
	req := f.req()
	req.IdempotencyKey, req.RequestHash = "k", "h"
	first := mustBook(t, f, req)
	if _, err := f.sched.Reschedule(context.Background(), f.desk, first.Booking.ID, f.at(2, 10, 0), "", false); err != nil {
		t.Fatalf("Reschedule = %v", err)
	}
	again := mustBook(t, f, req)
	if !again.Replayed || again.ManageToken != "" || again.ManageURL != "" {
		t.Errorf("replay after the link was replaced = %+v, want no dead link", again)
	}
}

// TestIdempotentRetryFindsFirstAnswer covers retries that do not fail on
// their own slot: the first booking was cancelled (the slot is free again),
// or its start has passed. Each still gets the first answer and books nothing.
func TestIdempotentRetryFindsFirstAnswer(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	req := f.req()
	req.Start = f.at(0, 16, 0) // within the key's 24 hours
	req.IdempotencyKey, req.RequestHash = "retry-key", "retry-body"
	first := mustBook(t, f, req)
	if _, err := f.sched.Cancel(ctx, f.desk, first.Booking.ID, "patient called"); err != nil {
		t.Fatalf("Cancel = %v", err)
	}
	again := mustBook(t, f, req)
	if !again.Replayed || again.Booking.ID != first.Booking.ID || again.Booking.Status != domain.StatusCancelled {
		t.Errorf("retry after a cancel = %+v, want the first (cancelled) booking, replayed", again.Booking)
	}
	f.clock.Set(req.Start.Add(time.Minute))
	late := mustBook(t, f, req)
	if !late.Replayed || late.Booking.ID != first.Booking.ID {
		t.Errorf("retry after the start passed = %+v, want the first booking, replayed", late.Booking)
	}
	if len(f.bookings()) != 1 {
		t.Errorf("retries stored %d bookings, want 1", len(f.bookings()))
	}
}

func TestIdempotentStorm(t *testing.T) {
	f := newSchedFixture(t)
	req := f.req()
	req.IdempotencyKey, req.RequestHash = "storm-key", "storm-body"
	var wg sync.WaitGroup
	got := make([]domain.Booked, 30)
	errs := make([]error, 30)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = f.sched.Book(context.Background(), req) })
	}
	wg.Wait()
	fresh := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Book(same key) = %v, want the one booking", err)
		}
		if got[i].Booking.ID != got[0].Booking.ID || got[i].ManageToken != got[0].ManageToken {
			t.Errorf("twin %d got booking %s, want %s", i, got[i].Booking.ID, got[0].Booking.ID)
		}
		if !got[i].Replayed {
			fresh++
		}
	}
	if fresh != 1 || len(f.bookings()) != 1 {
		t.Errorf("%d fresh answers, %d bookings; want 1 and 1", fresh, len(f.bookings()))
	}
}

func (f *schedFixture) stored(id string) domain.Booking {
	for _, b := range f.bookings() {
		if b.ID == id {
			return b
		}
	}
	f.t.Fatalf("booking %s is not stored", id)
	return domain.Booking{}
}

// setStored changes a stored booking's status behind the scheduler's back.
func (f *schedFixture) setStored(id string, st domain.Status) {
	f.store.Edit(func(d *domaintest.Data) {
		for i := range d.Bookings {
			if d.Bookings[i].ID == id {
				d.Bookings[i].Status = st
			}
		}
	})
}

// addTimeOff stores time off behind the scheduler's back.
func (f *schedFixture) addTimeOff(t domain.TimeOff) {
	f.store.Edit(func(d *domaintest.Data) { d.TimeOff = append(d.TimeOff, t) })
}
