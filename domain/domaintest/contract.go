package domaintest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// Contract runs the tests every domain.Store must pass: the in-memory Store
// here and package storage on SQLite and PostgreSQL run the same ones, so a
// domain test that passes on the memory store means the same on a database.
// open returns a fresh, empty, migrated store.
func Contract(t *testing.T, open func(t *testing.T) domain.Store) {
	for _, c := range []struct {
		name string
		test func(t *testing.T, s domain.Store, fx contractFixture)
	}{
		{"BookingOverlap", contractBookingOverlap},
		{"BookingEffectsAtomic", contractEffectsAtomic},
		{"ComplimentaryOnce", contractComplimentaryOnce},
		{"Idempotency", contractIdempotency},
		{"UpdateIntoOverlap", contractUpdateIntoOverlap},
		{"CancelReminders", contractCancelReminders},
		{"OutboxLeases", contractOutboxLeases},
		{"OutboxStats", contractOutboxStats},
		{"Catalog", contractCatalog},
		{"Users", contractUsers},
		{"FeedTokens", contractFeedTokens},
		{"AuditNewestFirst", contractAudit},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			c.test(t, s, seedContract(t, s))
		})
	}
}

// contractFixture is a clinic with one service and two practitioners.
type contractFixture struct {
	service, review domain.Service
	ana, ben        domain.Practitioner
}

// contractMonday is 10:00 in New York on a Monday.
var contractMonday = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func seedContract(t *testing.T, s domain.Store) contractFixture {
	t.Helper()
	ctx := context.Background()
	must(t, "save clinic", s.SaveClinic(ctx, domain.Clinic{Name: "Contract Clinic", TimeZone: "America/New_York",
		Email: "desk@contract.test", Policy: domain.DefaultPolicy}))
	fx := contractFixture{
		service: domain.Service{Name: "Massage 60", Kind: domain.KindMassage, Duration: time.Hour,
			BufferAfter: 10 * time.Minute, Currency: "USD", OnlineBookable: true, Active: true, SortOrder: 2},
		review: domain.Service{Name: "Case Review", Kind: domain.KindCaseReview, Duration: 15 * time.Minute,
			Currency: "USD", OnlineBookable: true, Active: true, SortOrder: 1},
	}
	must(t, "create service", s.CreateService(ctx, &fx.service))
	must(t, "create service", s.CreateService(ctx, &fx.review))
	ids := []string{fx.service.ID, fx.review.ID}
	fx.ana = domain.Practitioner{Name: "Ana", TimeZone: "America/New_York", Active: true, ServiceIDs: ids}
	fx.ben = domain.Practitioner{Name: "Ben", TimeZone: "America/New_York", Active: true, ServiceIDs: ids}
	must(t, "create practitioner", s.CreatePractitioner(ctx, &fx.ana))
	must(t, "create practitioner", s.CreatePractitioner(ctx, &fx.ben))
	return fx
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// booking is a live booking of the practitioner from start for an hour,
// blocking ten minutes more.
func (fx contractFixture) booking(practitionerID string, start time.Time) domain.Booking {
	_, hash := domain.NewToken()
	return domain.Booking{
		ID: domain.NewID(), UID: domain.NewID(), ServiceID: fx.service.ID, PractitionerID: practitionerID,
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(70 * time.Minute),
		Status: domain.StatusConfirmed, Source: domain.SourceOnline, TimeZone: "America/New_York",
		ManageHash: hash, CreatedAt: contractMonday.Add(-time.Hour), UpdatedAt: contractMonday.Add(-time.Hour),
	}
}

func create(s domain.Store, b *domain.Booking, email string, fx domain.Effects) error {
	p := domain.Patient{Name: "Pat Example", Email: email}
	return s.CreateBooking(context.Background(), b, &p, fx)
}

func contractBookingOverlap(t *testing.T, s domain.Store, fx contractFixture) {
	first := fx.booking(fx.ana.ID, contractMonday)
	must(t, "first booking", create(s, &first, "a@example.com", domain.Effects{}))
	for _, c := range []struct {
		name string
		edit func(b *domain.Booking)
		want error
	}{
		{"same time", func(b *domain.Booking) {}, domain.ErrSlotTaken},
		{"inside the buffer", func(b *domain.Booking) { shift(b, 65*time.Minute) }, domain.ErrSlotTaken},
		{"right after the block", func(b *domain.Booking) { shift(b, 70*time.Minute) }, nil},
		{"other practitioner", func(b *domain.Booking) { b.PractitionerID = fx.ben.ID }, nil},
		{"overbooked", func(b *domain.Booking) { b.Overbooked = true }, nil},
	} {
		b := fx.booking(fx.ana.ID, contractMonday)
		c.edit(&b)
		if err := create(s, &b, "b@example.com", domain.Effects{}); !errors.Is(err, c.want) {
			t.Errorf("%s: CreateBooking = %v, want %v", c.name, err, c.want)
		}
	}
	first.Status, first.CancelledAt = domain.StatusCancelled, contractMonday
	must(t, "cancel", s.UpdateBooking(context.Background(), &first, domain.Effects{}))
	again := fx.booking(fx.ana.ID, contractMonday.Add(-30*time.Minute))
	if err := create(s, &again, "c@example.com", domain.Effects{}); err != nil {
		t.Errorf("CreateBooking over a cancelled booking = %v, want nil", err)
	}
}

func shift(b *domain.Booking, d time.Duration) {
	b.Start, b.End, b.BlockStart, b.BlockEnd = b.Start.Add(d), b.End.Add(d), b.BlockStart.Add(d), b.BlockEnd.Add(d)
}

func message(bookingID string, kind domain.MessageKind, due time.Time) domain.Message {
	return domain.Message{ID: domain.NewID(), BookingID: bookingID, Kind: kind, To: "pat@example.com",
		Status: domain.MessagePending, DueAt: due, CreatedAt: contractMonday.Add(-time.Hour),
		Notice: domain.Notice{UID: domain.NewID(), ManageURL: "https://clinic.test/manage/secret"}}
}

func audit(entityID, action string) *domain.AuditEntry {
	return &domain.AuditEntry{ID: domain.NewID(), At: contractMonday, Action: action, EntityType: "booking",
		EntityID: entityID, Actor: domain.ActorPatient}
}

func contractEffectsAtomic(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	b := fx.booking(fx.ana.ID, contractMonday)
	must(t, "book", create(s, &b, "a@example.com", domain.Effects{
		Messages: []domain.Message{message(b.ID, domain.MessageConfirmation, contractMonday)},
		Audit:    audit(b.ID, "booking.create"),
	}))
	lost := fx.booking(fx.ana.ID, contractMonday)
	err := create(s, &lost, "z@example.com", domain.Effects{
		Messages: []domain.Message{message(lost.ID, domain.MessageConfirmation, contractMonday)},
		Audit:    audit(lost.ID, "booking.create"),
	})
	if !errors.Is(err, domain.ErrSlotTaken) {
		t.Fatalf("overlapping CreateBooking = %v, want ErrSlotTaken", err)
	}
	for _, c := range []struct {
		id            string
		msgs, entries int
	}{{b.ID, 1, 1}, {lost.ID, 0, 0}} {
		msgs, err := s.Messages(ctx, domain.MessageFilter{BookingID: c.id})
		must(t, "messages", err)
		entries, err := s.Audit(ctx, domain.AuditFilter{EntityID: c.id})
		must(t, "audit", err)
		if len(msgs) != c.msgs || len(entries) != c.entries {
			t.Errorf("booking %s: %d messages and %d audit entries, want %d and %d", c.id, len(msgs), len(entries), c.msgs, c.entries)
		}
	}
	got, err := s.Booking(ctx, b.ID)
	must(t, "read booking", err)
	if got.PatientID == "" || got.Patient.Email != "a@example.com" || got.Service.ID != fx.service.ID || got.Practitioner.ID != fx.ana.ID {
		t.Errorf("Booking = patient %q <%s>, service %q, practitioner %q: want the stored names", got.PatientID, got.Patient.Email, got.Service.ID, got.Practitioner.ID)
	}
}

func contractComplimentaryOnce(t *testing.T, s domain.Store, fx contractFixture) {
	first := fx.booking(fx.ana.ID, contractMonday)
	first.Complimentary = true
	must(t, "first review", create(s, &first, "Jo@Example.com", domain.Effects{}))
	second := fx.booking(fx.ben.ID, contractMonday.Add(24*time.Hour))
	second.Complimentary = true
	if err := create(s, &second, "jo@example.com", domain.Effects{}); !errors.Is(err, domain.ErrCaseReviewUsed) {
		t.Errorf("second review for the same email = %v, want ErrCaseReviewUsed", err)
	}
	if second.PatientID != "" && second.PatientID != first.PatientID {
		t.Errorf("the email in another case made a new patient")
	}
}

func contractIdempotency(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	rec := &domain.IdempotencyRecord{KeyHash: domain.HashToken("key-1"), RequestHash: "req", SealedToken: []byte("sealed"), CreatedAt: contractMonday}
	b := fx.booking(fx.ana.ID, contractMonday)
	rec.BookingID = b.ID
	must(t, "book", create(s, &b, "a@example.com", domain.Effects{Idempotency: rec}))
	got, err := s.IdempotencyRecord(ctx, rec.KeyHash)
	if err != nil || got.BookingID != b.ID || got.RequestHash != "req" || string(got.SealedToken) != "sealed" {
		t.Errorf("IdempotencyRecord = %+v, %v; want the stored record", got, err)
	}
	again := fx.booking(fx.ben.ID, contractMonday)
	if err := create(s, &again, "a@example.com", domain.Effects{Idempotency: rec}); !errors.Is(err, domain.ErrIdempotencyReplay) {
		t.Errorf("second booking with the key = %v, want ErrIdempotencyReplay", err)
	}
	if _, err := s.IdempotencyRecord(ctx, domain.HashToken("other")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("IdempotencyRecord(unknown) = %v, want ErrNotFound", err)
	}
}

func contractUpdateIntoOverlap(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	a := fx.booking(fx.ana.ID, contractMonday)
	b := fx.booking(fx.ana.ID, contractMonday.Add(2*time.Hour))
	must(t, "book a", create(s, &a, "a@example.com", domain.Effects{}))
	must(t, "book b", create(s, &b, "b@example.com", domain.Effects{}))
	moved := b
	shift(&moved, -90*time.Minute)
	if err := s.UpdateBooking(ctx, &moved, domain.Effects{Audit: audit(b.ID, "booking.reschedule")}); !errors.Is(err, domain.ErrSlotTaken) {
		t.Errorf("UpdateBooking into a's block = %v, want ErrSlotTaken", err)
	}
	if entries, _ := s.Audit(ctx, domain.AuditFilter{EntityID: b.ID}); len(entries) != 0 {
		t.Errorf("a refused update left %d audit entries", len(entries))
	}
	got, err := s.Booking(ctx, b.ID)
	if err != nil || !got.Start.Equal(b.Start) {
		t.Errorf("after a refused move b starts %v (%v), want %v", got.Start, err, b.Start)
	}
}

func contractCancelReminders(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	b := fx.booking(fx.ana.ID, contractMonday.Add(48*time.Hour))
	reminder := message(b.ID, domain.MessageReminder, contractMonday.Add(24*time.Hour))
	must(t, "book", create(s, &b, "a@example.com", domain.Effects{Messages: []domain.Message{reminder}}))
	b.Status, b.CancelledAt = domain.StatusCancelled, contractMonday
	cancel := message(b.ID, domain.MessageCancellation, contractMonday)
	must(t, "cancel", s.UpdateBooking(ctx, &b, domain.Effects{CancelReminders: true, Messages: []domain.Message{cancel}}))
	msgs, err := s.Messages(ctx, domain.MessageFilter{BookingID: b.ID})
	must(t, "messages", err)
	status := map[domain.MessageKind]domain.MessageStatus{}
	for _, m := range msgs {
		status[m.Kind] = m.Status
	}
	if status[domain.MessageReminder] != domain.MessageCancelled || status[domain.MessageCancellation] != domain.MessagePending {
		t.Errorf("after cancelling: %v, want the reminder cancelled and the cancellation pending", status)
	}
}

func contractOutboxLeases(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	b := fx.booking(fx.ana.ID, contractMonday)
	older := message(b.ID, domain.MessageConfirmation, contractMonday.Add(-time.Minute))
	newer := message(b.ID, domain.MessageReminder, contractMonday)
	later := message(b.ID, domain.MessageReminder, contractMonday.Add(time.Hour))
	must(t, "book", create(s, &b, "a@example.com", domain.Effects{Messages: []domain.Message{newer, later, older}}))
	got, err := s.ClaimMessages(ctx, contractMonday, 1, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != older.ID {
		t.Fatalf("ClaimMessages(limit 1) = %v, %v; want the oldest due", ids(got), err)
	}
	got, _ = s.ClaimMessages(ctx, contractMonday, 10, time.Minute)
	if len(got) != 1 || got[0].ID != newer.ID {
		t.Errorf("second claim = %v, want only the other due message (the first is leased, one is not due)", ids(got))
	}
	if got, _ := s.ClaimMessages(ctx, contractMonday.Add(2*time.Minute), 10, time.Minute); len(got) != 2 {
		t.Errorf("claim after the leases ran out = %v, want both due messages again", ids(got))
	}
	must(t, "mark sent", s.MarkSent(ctx, older.ID, contractMonday))
	must(t, "mark dead", s.MarkFailed(ctx, newer.ID, "550 no", contractMonday, true))
	msgs, _ := s.Messages(ctx, domain.MessageFilter{Statuses: []domain.MessageStatus{domain.MessageSent, domain.MessageDead}})
	for _, m := range msgs {
		if m.ID == older.ID && (m.Notice.ManageURL != "" || m.SentAt.IsZero()) {
			t.Errorf("sent message keeps its link %q or lacks SentAt", m.Notice.ManageURL)
		}
		if m.ID == newer.ID && (m.Attempts != 2 || m.LastError != "550 no") {
			t.Errorf("dead message: attempts %d, error %q; want 2 (each claim counts) and the error", m.Attempts, m.LastError)
		}
	}
	if len(msgs) != 2 {
		t.Errorf("Messages(sent, dead) = %v, want two", ids(msgs))
	}
	must(t, "retry", s.RetryMessage(ctx, newer.ID, contractMonday.Add(3*time.Minute)))
	if got, _ := s.ClaimMessages(ctx, contractMonday.Add(3*time.Minute), 10, time.Minute); len(got) != 1 || got[0].ID != newer.ID {
		t.Errorf("claim after retry = %v, want the retried message", ids(got))
	}
	if err := s.RetryMessage(ctx, older.ID, contractMonday); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("RetryMessage(sent) = %v, want a conflict", err)
	}
	if err := s.MarkSent(ctx, domain.NewID(), contractMonday); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("MarkSent(unknown) = %v, want ErrNotFound", err)
	}
}

func ids(ms []domain.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Kind)+"@"+m.DueAt.Format(time.TimeOnly))
	}
	return out
}

func contractCatalog(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	svcs, err := s.Services(ctx, false)
	if err != nil || len(svcs) != 2 || svcs[0].ID != fx.review.ID {
		t.Errorf("Services = %d services, first %v (%v); want the review first by sort order", len(svcs), svcs, err)
	}
	bad := domain.Practitioner{Name: "Cy", TimeZone: "UTC", Active: true, ServiceIDs: []string{domain.NewID()}}
	var e *domain.Error
	if err := s.CreatePractitioner(ctx, &bad); !errors.As(err, &e) || e.Kind != domain.KindInvalid || e.Field != "service_ids" {
		t.Errorf("CreatePractitioner(unknown service) = %v, want invalid service_ids", err)
	}
	if _, err := s.Service(ctx, domain.NewID()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Service(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.Practitioner(ctx, domain.NewID()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Practitioner(unknown) = %v, want ErrNotFound", err)
	}
	fx.ben.Active = false
	must(t, "retire ben", s.UpdatePractitioner(ctx, &fx.ben))
	if ps, _ := s.Practitioners(ctx, false); len(ps) != 1 || ps[0].ID != fx.ana.ID {
		t.Errorf("active practitioners = %v, want Ana alone", ps)
	}
}

func contractUsers(t *testing.T, s domain.Store, _ contractFixture) {
	ctx := context.Background()
	u := domain.User{Email: "fran@clinic.test", Name: "Fran", Role: domain.RoleFrontDesk, PasswordHash: "x", Active: true, CreatedAt: contractMonday}
	must(t, "create user", s.CreateUser(ctx, &u))
	dup := domain.User{Email: "fran@clinic.test", Name: "Other", Role: domain.RoleAdmin, PasswordHash: "x", Active: true, CreatedAt: contractMonday}
	if err := s.CreateUser(ctx, &dup); !errors.Is(err, domain.ErrDuplicate) {
		t.Errorf("CreateUser(taken email) = %v, want ErrDuplicate", err)
	}
	if got, err := s.UserByEmail(ctx, "fran@clinic.test"); err != nil || got.ID != u.ID {
		t.Errorf("UserByEmail = %v, %v; want Fran", got.ID, err)
	}
	for _, c := range []struct {
		name    string
		expires time.Time
		revoke  bool
		found   bool
	}{
		{"live", contractMonday.Add(time.Hour), false, true},
		{"expired", contractMonday, false, false},
		{"revoked", contractMonday.Add(time.Hour), true, false},
	} {
		_, hash := domain.NewToken()
		cred := domain.Credential{ID: domain.NewID(), UserID: u.ID, Hash: hash, Kind: domain.CredentialSession, CreatedAt: contractMonday.Add(-time.Hour), ExpiresAt: c.expires}
		must(t, "create credential", s.CreateCredential(ctx, &cred))
		if c.revoke {
			must(t, "revoke", s.RevokeCredential(ctx, cred.ID, contractMonday))
		}
		_, got, err := s.Credential(ctx, hash, contractMonday)
		if found := err == nil; found != c.found || (found && got.ID != u.ID) {
			t.Errorf("%s credential: Credential = %v, %v; found want %v", c.name, got.ID, err, c.found)
		}
	}
}

func contractFeedTokens(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	_, hash := domain.NewToken()
	tok := domain.FeedToken{ID: domain.NewID(), PractitionerID: fx.ana.ID, Hash: hash, Privacy: domain.PrivacyInitials, CreatedAt: contractMonday}
	must(t, "create feed token", s.CreateFeedToken(ctx, &tok))
	if got, err := s.FeedToken(ctx, hash); err != nil || got.ID != tok.ID || got.PractitionerID != fx.ana.ID {
		t.Errorf("FeedToken = %+v, %v; want the token", got, err)
	}
	must(t, "revoke", s.RevokeFeedToken(ctx, tok.ID, contractMonday))
	if _, err := s.FeedToken(ctx, hash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("FeedToken(revoked) = %v, want ErrNotFound", err)
	}
}

func contractAudit(t *testing.T, s domain.Store, _ contractFixture) {
	ctx := context.Background()
	id := domain.NewID()
	for i, action := range []string{"service.create", "service.update"} {
		e := audit(id, action)
		e.EntityType, e.At = "service", contractMonday.Add(time.Duration(i)*time.Minute)
		e.After = map[string]any{"name": action}
		must(t, "record audit", s.RecordAudit(ctx, *e))
	}
	got, err := s.Audit(ctx, domain.AuditFilter{EntityID: id})
	if err != nil || len(got) != 2 || got[0].Action != "service.update" {
		t.Errorf("Audit = %v, %v; want both entries, newest first", got, err)
	}
}

// contractOutboxStats: the queue's figures, as monitoring reads them.
func contractOutboxStats(t *testing.T, s domain.Store, fx contractFixture) {
	ctx := context.Background()
	if st, err := s.OutboxStats(ctx, contractMonday); err != nil || st != (domain.OutboxStats{}) {
		t.Fatalf("OutboxStats(empty) = %+v, %v; want all zero", st, err)
	}
	b := fx.booking(fx.ana.ID, contractMonday.Add(24*time.Hour))
	oldest := message(b.ID, domain.MessageConfirmation, contractMonday.Add(-10*time.Minute))
	failing := message(b.ID, domain.MessagePractitioner, contractMonday.Add(-5*time.Minute))
	sent := message(b.ID, domain.MessageConfirmation, contractMonday.Add(-20*time.Minute))
	dead := message(b.ID, domain.MessagePractitioner, contractMonday.Add(-30*time.Minute))
	reminder := message(b.ID, domain.MessageReminder, contractMonday.Add(time.Hour))
	must(t, "book", create(s, &b, "a@example.com", domain.Effects{Messages: []domain.Message{oldest, failing, sent, dead, reminder}}))
	claimed, err := s.ClaimMessages(ctx, contractMonday, 10, time.Minute)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("ClaimMessages = %v, %v; want the four due", ids(claimed), err)
	}
	must(t, "mark sent", s.MarkSent(ctx, sent.ID, contractMonday))
	must(t, "mark dead", s.MarkFailed(ctx, dead.ID, "550 no", contractMonday, true))
	must(t, "mark failed", s.MarkFailed(ctx, failing.ID, "421 busy", contractMonday.Add(-time.Minute), false))
	must(t, "release", s.MarkFailed(ctx, oldest.ID, "421 busy", oldest.DueAt, false))
	got, err := s.OutboxStats(ctx, contractMonday)
	want := domain.OutboxStats{Queued: 2, Scheduled: 1, Retrying: 2, Sent: 1, Dead: 1, OldestQueued: oldest.DueAt}
	if err != nil || got.Queued != want.Queued || got.Scheduled != want.Scheduled || got.Retrying != want.Retrying ||
		got.Sent != want.Sent || got.Dead != want.Dead || !got.OldestQueued.Equal(want.OldestQueued) {
		t.Errorf("OutboxStats = %+v, %v; want %+v", got, err, want)
	}
}
