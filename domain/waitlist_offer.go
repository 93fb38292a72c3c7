package domain

import (
	"context"
	"errors"
	"slices"
	"time"
)

// OfferView is an offer as its patient sees it.
type OfferView struct {
	Offer        Offer
	Entry        WaitlistEntry
	Service      Service
	Practitioner Practitioner
	// Moves is the booking accepting would move, when there is one.
	Moves *BookingDetail
}

// Freed tells the waitlist that practitioner's time in window may have
// come free (a cancellation, a move, time off removed, hours added). It
// offers what it can and reports failures to OnError only: the change
// that freed the time has committed, and Tick retries later.
func (w *Waitlist) Freed(ctx context.Context, practitionerID string, window Interval) {
	w.matchQuietly(ctx, practitionerID, window)
}

func (w *Waitlist) matchQuietly(ctx context.Context, practitionerID string, window Interval) {
	if _, err := w.Match(ctx, practitionerID, window); err != nil && w.OnError != nil {
		w.OnError(err)
	}
}

// Match offers the free times in window (of practitionerID, "" = every
// practitioner) to the line: entries are taken oldest first, and each
// waiting entry whose patient holds no open offer gets the earliest free
// time it suits that no open offer holds and that it was not offered
// before. Times inside the clinic's minimum notice or past its horizon are
// not offered. It returns the offers made.
func (w *Waitlist) Match(ctx context.Context, practitionerID string, window Interval) ([]Offer, error) {
	c, err := w.Store.Clinic(ctx)
	if err != nil {
		return nil, wrap("load clinic", err)
	}
	now := w.now()
	window = clampWindow(window, now.Add(c.Policy.MinNotice), now.Add(c.Policy.Horizon))
	if !window.End.After(window.Start) {
		return nil, nil
	}
	loc := c.Location()
	entries, err := w.Store.WaitlistEntries(ctx, WaitlistFilter{Statuses: []WaitlistStatus{WaitlistWaiting},
		PractitionerID: practitionerID, FromDay: DateOf(window.Start.In(loc)), ToDay: DateOf(window.End.In(loc))})
	if err != nil {
		return nil, wrap("load waitlist", err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	m, err := w.newMatching(ctx, c, entries, now)
	if err != nil {
		return nil, err
	}
	var made []Offer
	for _, e := range entries {
		if m.busyPatient[e.PatientID] {
			continue
		}
		slots, err := m.slots(ctx, w.Scheduler, e, practitionerID, window)
		if err != nil {
			return made, err
		}
		for _, sl := range slots {
			if !m.fits(e, sl) {
				continue
			}
			o, err := w.offer(ctx, c, e, sl, ActorSystem, now)
			if errors.Is(err, ErrOfferTaken) {
				continue // another replica offered it, or the patient got one meanwhile
			}
			if err != nil {
				return made, err
			}
			made = append(made, o)
			m.take(o)
			break
		}
	}
	return made, nil
}

func clampWindow(iv Interval, notBefore, notAfter time.Time) Interval {
	if iv.Start.Before(notBefore) {
		iv.Start = notBefore
	}
	if iv.End.After(notAfter) {
		iv.End = notAfter
	}
	return iv
}

// matching is one pass of Match: the open offers' times and patients, the
// times each entry was offered before, and free slots by service.
type matching struct {
	now, answerBy time.Time
	offerFor      time.Duration
	minNotice     time.Duration
	held          map[string][]Interval // open offers by practitioner
	busyPatient   map[string]bool       // patients holding an open offer
	past          map[string][]Offer    // earlier offers by entry
	moving        map[string]time.Time  // entry id → start of the booking it moves
	free          map[string][]Slot     // by service and practitioner ("" = anyone)
}

func (w *Waitlist) newMatching(ctx context.Context, c Clinic, entries []WaitlistEntry, now time.Time) (*matching, error) {
	m := &matching{now: now, offerFor: w.offerFor(), minNotice: c.Policy.MinNotice,
		held: map[string][]Interval{}, busyPatient: map[string]bool{}, past: map[string][]Offer{},
		moving: map[string]time.Time{}, free: map[string][]Slot{}}
	open, err := w.Store.Offers(ctx, OfferFilter{Statuses: []OfferStatus{OfferOpen}})
	if err != nil {
		return nil, wrap("load open offers", err)
	}
	for _, o := range open {
		if o.ExpiresAt.After(now) {
			m.take(o)
		}
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	earlier, err := w.Store.Offers(ctx, OfferFilter{EntryIDs: ids})
	if err != nil {
		return nil, wrap("load earlier offers", err)
	}
	for _, o := range earlier {
		m.past[o.EntryID] = append(m.past[o.EntryID], o)
	}
	for _, e := range entries {
		if e.BookingID == "" {
			continue
		}
		b, err := w.Store.Booking(ctx, e.BookingID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, wrap("load booking to move", err)
		}
		if err == nil && b.Live() {
			m.moving[e.ID] = b.Start
		} else {
			m.moving[e.ID] = time.Time{} // gone: offer nothing until staff look
		}
	}
	return m, nil
}

func (m *matching) take(o Offer) {
	m.held[o.PractitionerID] = append(m.held[o.PractitionerID], Interval{o.Start, o.End})
	m.busyPatient[o.PatientID] = true
}

// slots are the free slots of e's service in window, with e's
// practitioner or the one the window is of.
func (m *matching) slots(ctx context.Context, s *Scheduler, e WaitlistEntry, practitionerID string, window Interval) ([]Slot, error) {
	pid := e.PractitionerID
	if pid == "" {
		pid = practitionerID
	}
	key := e.ServiceID + "/" + pid
	if got, ok := m.free[key]; ok {
		return got, nil
	}
	var all []Slot
	loc := time.UTC
	from, last := DateOf(window.Start.In(loc)), DateOf(window.End.In(loc))
	for !last.Before(from) {
		to := from.AddDays(MaxAvailabilityDays - 1)
		if last.Before(to) {
			to = last
		}
		got, err := s.Availability(ctx, AvailabilityQuery{ServiceID: e.ServiceID, PractitionerID: pid, From: from, To: to, Location: loc})
		if err != nil {
			if ErrorKind(err) == KindInvalid { // the service or practitioner left meanwhile
				break
			}
			return nil, wrap("waitlist availability", err)
		}
		for _, sl := range got {
			if !sl.Start.Before(window.Start) && !sl.End.After(window.End) {
				all = append(all, sl)
			}
		}
		from = to.AddDays(1)
	}
	m.free[key] = all
	return all, nil
}

// fits reports whether e may be offered sl now.
func (m *matching) fits(e WaitlistEntry, sl Slot) bool {
	if !e.suits(sl.Start) || sl.Start.Add(-m.minNotice).Sub(m.now) < minOfferAnswer {
		return false
	}
	if mv, ok := m.moving[e.ID]; ok && !sl.Start.Before(mv) {
		return false
	}
	iv := Interval{sl.Start, sl.End}
	for _, h := range m.held[sl.PractitionerID] {
		if h.Overlaps(iv) {
			return false
		}
	}
	return !slices.ContainsFunc(m.past[e.ID], func(o Offer) bool {
		return o.PractitionerID == sl.PractitionerID && o.Start.Equal(sl.Start)
	})
}

// offer holds sl for e: the offer, the entry's new status, the email and
// the audit entry in one transaction.
func (w *Waitlist) offer(ctx context.Context, c Clinic, e WaitlistEntry, sl Slot, by Actor, now time.Time) (Offer, error) {
	expires := now.Add(w.offerFor())
	if latest := sl.Start.Add(-c.Policy.MinNotice); latest.Before(expires) {
		expires = latest
	}
	if !expires.After(now) {
		return Offer{}, Conflict("That time is too soon to offer.")
	}
	token, hash := NewToken()
	o := Offer{ID: NewID(), EntryID: e.ID, PatientID: e.PatientID, PractitionerID: sl.PractitionerID,
		Start: sl.Start.UTC(), End: sl.End.UTC(), TokenHash: hash, Status: OfferOpen, ExpiresAt: expires.UTC(),
		OfferedBy: by.UserID, CreatedAt: now, HoldID: NewID()}
	h, err := w.offerHold(ctx, e, o, token, now)
	if err != nil {
		return Offer{}, err
	}
	msg, err := w.offerMessage(ctx, c, e, o, token, now)
	if err != nil {
		return Offer{}, err
	}
	err = w.atomically(ctx, func(tx WaitlistWriter) error {
		if err := tx.CreateOffer(ctx, &o); err != nil {
			return err
		}
		err := tx.CreateHold(ctx, &h, now, nil)
		if errors.Is(err, ErrHoldTaken) || errors.Is(err, ErrSlotTaken) || errors.Is(err, ErrRoomTaken) {
			return ErrOfferTaken // taken since the slots were read: the next time or entry
		}
		if err != nil {
			return err
		}
		if err := tx.SetWaitlistStatus(ctx, e.ID, WaitlistOffered, now); err != nil {
			return err
		}
		if err := tx.AddMessages(ctx, []Message{msg}); err != nil {
			return err
		}
		return w.audit(ctx, tx, by, "waitlist.offer", e.ID, entrySnapshot(e), offerSnapshot(o), now)
	})
	if err != nil {
		return Offer{}, wrap("make offer", err)
	}
	return o, nil
}

// offerHoldToken is the raw token of the hold behind an offer, derived
// from the offer's own token: accepting books with it, so the booking
// consumes the hold, and nobody without the offer's link can.
func offerHoldToken(offerToken string) string { return HashToken("waitlist-offer-hold/" + offerToken) }

// offerHold is the hold that keeps o's time for e's patient alone until
// the offer expires: the service's block, and a free room of the service
// when it needs one (none free: ErrOfferTaken, the slot is passed over).
func (w *Waitlist) offerHold(ctx context.Context, e WaitlistEntry, o Offer, token string, now time.Time) (Hold, error) {
	s := w.Scheduler
	svc, err := s.Store.Service(ctx, e.ServiceID)
	if err != nil {
		return Hold{}, wrap("load service", err)
	}
	block := svc.Block(o.Start)
	h := Hold{ID: o.HoldID, ServiceID: svc.ID, PractitionerID: o.PractitionerID, Start: o.Start, End: o.End,
		BlockStart: block.Start.UTC(), BlockEnd: block.End.UTC(), ExpiresAt: o.ExpiresAt,
		TokenHash: HashToken(offerHoldToken(token)), WaitlistEntryID: e.ID, CreatedAt: now}
	rooms, needed, err := s.roomsFor(ctx, svc)
	if err != nil || !needed {
		return h, err
	}
	busy, err := s.roomBusy(ctx, rooms, block)
	if err != nil {
		return Hold{}, err
	}
	if busy, err = s.withHeldRooms(ctx, busy, block, now); err != nil {
		return Hold{}, err
	}
	free := FreeRooms(SlotQuery{Duration: svc.Duration, BufferBefore: svc.BufferBefore, BufferAfter: svc.BufferAfter, Rooms: busy}, o.Start)
	if len(free) == 0 {
		return Hold{}, ErrOfferTaken
	}
	h.RoomID = free[0]
	return h, nil
}

// releaseHold deletes the hold of an offer that ends unbooked; one already
// gone (swept, or consumed) is no matter.
func releaseHold(ctx context.Context, tx WaitlistWriter, o Offer) error {
	if o.HoldID == "" {
		return nil
	}
	if err := tx.DeleteHold(ctx, o.HoldID, nil); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// offerMessage is the email that offers o, with the link to answer it.
func (w *Waitlist) offerMessage(ctx context.Context, c Clinic, e WaitlistEntry, o Offer, token string, now time.Time) (Message, error) {
	svc, err := w.Scheduler.Store.Service(ctx, e.ServiceID)
	if err != nil {
		return Message{}, wrap("load service", err)
	}
	p, err := w.Scheduler.Store.Practitioner(ctx, o.PractitionerID)
	if err != nil {
		return Message{}, wrap("load practitioner", err)
	}
	d := BookingDetail{Booking: Booking{Start: o.Start, End: o.End, TimeZone: e.TimeZone, Status: StatusConfirmed},
		Service: svc, Practitioner: p, Patient: e.Patient}
	n := w.Scheduler.notice(c, d, "")
	n.ManageURL, n.OfferExpires, n.Changed = w.OfferURL(token), o.ExpiresAt, now.UTC()
	msg := newMessage("", MessageWaitlistOffer, e.Patient.Email, now, now, n)
	if e.Patient.EmailStatus == EmailBouncing {
		holdAll([]Message{msg})
	}
	return msg, nil
}

// OfferByToken returns the offer a link opens, with what accepting does.
// A wrong token is ErrNotFound.
func (w *Waitlist) OfferByToken(ctx context.Context, token string) (OfferView, error) {
	if token == "" || len(token) > maxTokenLength {
		return OfferView{}, ErrNotFound
	}
	o, err := w.Store.OfferByHash(ctx, HashToken(token))
	if err != nil {
		return OfferView{}, wrap("find offer", err)
	}
	o.TokenHash = ""
	if o.Status == OfferOpen && !w.now().Before(o.ExpiresAt) {
		o.Status = OfferExpired // the sweeper has not come by yet
	}
	e, err := w.Store.WaitlistEntry(ctx, o.EntryID)
	if err != nil {
		return OfferView{}, wrap("load waitlist entry", err)
	}
	e.ManageHash = ""
	v := OfferView{Offer: o, Entry: e}
	if v.Service, err = w.Scheduler.Store.Service(ctx, e.ServiceID); err != nil {
		return OfferView{}, wrap("load service", err)
	}
	if v.Practitioner, err = w.Scheduler.Store.Practitioner(ctx, o.PractitionerID); err != nil {
		return OfferView{}, wrap("load practitioner", err)
	}
	if o.Status == OfferOpen {
		mv, err := w.bookingToMove(ctx, e, o)
		if err != nil {
			return OfferView{}, err
		}
		v.Moves = mv
	}
	return v, nil
}

// open loads the open, unexpired offer behind token, or ErrOfferGone.
func (w *Waitlist) open(ctx context.Context, token string, now time.Time) (Offer, WaitlistEntry, error) {
	if token == "" || len(token) > maxTokenLength {
		return Offer{}, WaitlistEntry{}, ErrNotFound
	}
	o, err := w.Store.OfferByHash(ctx, HashToken(token))
	if err != nil {
		return Offer{}, WaitlistEntry{}, wrap("find offer", err)
	}
	if o.Status != OfferOpen || !now.Before(o.ExpiresAt) {
		return Offer{}, WaitlistEntry{}, ErrOfferGone
	}
	e, err := w.Store.WaitlistEntry(ctx, o.EntryID)
	if err != nil {
		return Offer{}, WaitlistEntry{}, wrap("load waitlist entry", err)
	}
	return o, e, nil
}

// Accept books the offered time for the patient, as a new booking with
// source waitlist, or by moving the later booking of the service the
// patient already has (one visit, not two). The booking, the offer's
// acceptance and the entry's new status commit together. Errors:
// ErrNotFound for a wrong token, ErrOfferGone once the offer has expired
// or been answered (nothing is booked), ErrSlotTaken when the time went
// meanwhile (the offer is withdrawn), and the booking's own rule errors.
func (w *Waitlist) Accept(ctx context.Context, token string) (Booked, error) {
	now := w.now()
	o, e, err := w.open(ctx, token, now)
	if errors.Is(err, ErrOfferGone) {
		if terr := w.Tick(ctx); terr != nil && w.OnError != nil { // pass it on now rather than at the next tick
			w.OnError(terr)
		}
	}
	if err != nil {
		return Booked{}, err
	}
	after := offerSnapshot(o)
	after.Status, after.ClosedAt = OfferAccepted, now
	claim := &OfferClaim{OfferID: o.ID, EntryID: e.ID, At: now,
		Audit: AuditEntry{ID: NewID(), At: now, Actor: ActorPatient, Action: "waitlist.accept",
			EntityType: "waitlist_entry", EntityID: e.ID, Before: offerSnapshot(o), After: after}}
	mv, err := w.bookingToMove(ctx, e, o)
	if err != nil {
		return Booked{}, err
	}
	var got Booked
	if mv != nil {
		got, err = w.Scheduler.moveForOffer(ctx, *mv, o, offerHoldToken(token), claim)
	} else {
		got, err = w.Scheduler.bookForOffer(ctx, e, o, offerHoldToken(token), claim)
	}
	if errors.Is(err, ErrSlotTaken) || errors.Is(err, ErrRoomTaken) || errors.Is(err, ErrHoldTaken) {
		w.withdraw(ctx, o, e, now)
	}
	return got, err
}

// bookingToMove is the patient's booking an accepted offer moves: the one
// the entry names, or else their next live booking of the service after
// the offered time.
func (w *Waitlist) bookingToMove(ctx context.Context, e WaitlistEntry, o Offer) (*BookingDetail, error) {
	bs, err := w.Store.Bookings(ctx, BookingFilter{PatientID: e.PatientID, From: o.Start, To: o.Start.AddDate(2, 0, 0),
		Statuses: []Status{StatusConfirmed}})
	if err != nil {
		return nil, wrap("load the patient's bookings", err)
	}
	var next *BookingDetail
	for i, b := range bs {
		if b.ServiceID != e.ServiceID || !b.Start.After(o.Start) {
			continue
		}
		if b.ID == e.BookingID {
			return &bs[i], nil
		}
		if next == nil {
			next = &bs[i]
		}
	}
	return next, nil
}

// withdraw closes an offer whose time was taken meanwhile and puts the
// entry back in line.
func (w *Waitlist) withdraw(ctx context.Context, o Offer, e WaitlistEntry, now time.Time) {
	err := w.atomically(ctx, func(tx WaitlistWriter) error {
		if err := tx.CloseOffer(ctx, o.ID, OfferWithdrawn, now); err != nil {
			return err
		}
		if err := releaseHold(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.SetWaitlistStatus(ctx, e.ID, WaitlistWaiting, now); err != nil {
			return err
		}
		return w.audit(ctx, tx, ActorSystem, "waitlist.withdraw", e.ID, offerSnapshot(o), nil, now)
	})
	if err != nil && !errors.Is(err, ErrOfferGone) && w.OnError != nil {
		w.OnError(err)
	}
}

// Decline gives the offered time back: the entry waits again (never
// offered that time again) and the time goes to the next in line.
// ErrOfferGone once it expired or was answered.
func (w *Waitlist) Decline(ctx context.Context, token string) (OfferView, error) {
	now := w.now()
	o, e, err := w.open(ctx, token, now)
	if err != nil {
		return OfferView{}, err
	}
	if err := w.close(ctx, ActorPatient, o, e, OfferDeclined, "waitlist.decline", now); err != nil {
		return OfferView{}, err
	}
	w.matchQuietly(ctx, o.PractitionerID, Interval{o.Start, o.End})
	o.Status, o.ClosedAt, o.TokenHash = OfferDeclined, now, ""
	e.Status, e.ManageHash = WaitlistWaiting, ""
	return OfferView{Offer: o, Entry: e}, nil
}

// close ends an open offer with st and puts its entry back in line, or
// marks it expired when its last day has passed.
func (w *Waitlist) close(ctx context.Context, by Actor, o Offer, e WaitlistEntry, st OfferStatus, action string, now time.Time) error {
	next := WaitlistWaiting
	if loc, err := LoadZone(e.TimeZone); err == nil && e.To.Before(DateOf(now.In(loc))) {
		next = WaitlistExpired
	}
	after := offerSnapshot(o)
	after.Status, after.ClosedAt = st, now
	err := w.atomically(ctx, func(tx WaitlistWriter) error {
		if err := tx.CloseOffer(ctx, o.ID, st, now); err != nil {
			return err
		}
		if err := releaseHold(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.SetWaitlistStatus(ctx, e.ID, next, now); err != nil {
			return err
		}
		return w.audit(ctx, tx, by, action, e.ID, offerSnapshot(o), after, now)
	})
	if err != nil {
		return wrap(action, err)
	}
	return nil
}

// Tick is the periodic pass (the worker runs it every minute): offers past
// their expiry are closed and their times passed on, entries past their
// last day expire, and every free time is matched against the line, a
// safety net for a freed time whose matching failed.
func (w *Waitlist) Tick(ctx context.Context) error {
	now := w.now()
	due, err := w.Store.Offers(ctx, OfferFilter{Statuses: []OfferStatus{OfferOpen}, ExpiresBy: now})
	if err != nil {
		return wrap("load due offers", err)
	}
	for _, o := range due {
		e, err := w.Store.WaitlistEntry(ctx, o.EntryID)
		if err != nil {
			return wrap("load waitlist entry", err)
		}
		err = w.close(ctx, ActorSystem, o, e, OfferExpired, "waitlist.offer_expire", now)
		if err != nil && !errors.Is(err, ErrOfferGone) {
			return err
		}
	}
	if err := w.expireEntries(ctx, now); err != nil {
		return err
	}
	c, err := w.Store.Clinic(ctx)
	if err != nil {
		return wrap("load clinic", err)
	}
	_, err = w.Match(ctx, "", Interval{now, now.Add(c.Policy.Horizon)})
	return err
}

// expireEntries ends the waiting entries whose last day has passed.
func (w *Waitlist) expireEntries(ctx context.Context, now time.Time) error {
	list, err := w.Store.WaitlistEntries(ctx, WaitlistFilter{Statuses: []WaitlistStatus{WaitlistWaiting},
		ToDay: DateOf(now.UTC()).AddDays(-1)})
	if err != nil {
		return wrap("load old entries", err)
	}
	for _, e := range list {
		loc, err := LoadZone(e.TimeZone)
		if err != nil || !e.To.Before(DateOf(now.In(loc))) {
			continue
		}
		err = w.atomically(ctx, func(tx WaitlistWriter) error {
			if err := tx.SetWaitlistStatus(ctx, e.ID, WaitlistExpired, now); err != nil {
				return err
			}
			after := entrySnapshot(e)
			after.Status = WaitlistExpired
			return w.audit(ctx, tx, ActorSystem, "waitlist.expire", e.ID, entrySnapshot(e), after, now)
		})
		if err != nil {
			return wrap("expire waitlist entry", err)
		}
	}
	return nil
}

// OfferTo lets staff offer a chosen time to a chosen waiting entry, out
// of line order. The time must be free under the patient's rules; the
// patient must hold no other open offer (ErrOfferTaken).
func (w *Waitlist) OfferTo(ctx context.Context, by Actor, entryID, practitionerID string, start time.Time) (Offer, error) {
	if !by.Staff() {
		return Offer{}, ErrForbidden
	}
	if !IsID(entryID) {
		return Offer{}, ErrNotFound
	}
	e, err := w.Store.WaitlistEntry(ctx, entryID)
	if err != nil {
		return Offer{}, wrap("load waitlist entry", err)
	}
	if practitionerID == "" {
		practitionerID = e.PractitionerID
	}
	var v Validation
	v.Check(practitionerID != "", "practitioner_id", "Choose the practitioner whose time to offer.")
	checkStart(&v, start, w.now())
	if err := v.Err(); err != nil {
		return Offer{}, err
	}
	if !by.Can(practitionerID) {
		return Offer{}, ErrForbidden
	}
	if e.Status != WaitlistWaiting {
		return Offer{}, Conflict("Only a waiting entry can be offered a time.")
	}
	c, err := w.Store.Clinic(ctx)
	if err != nil {
		return Offer{}, wrap("load clinic", err)
	}
	now := w.now()
	loc := c.Location()
	day := DateOf(start.In(loc))
	slots, err := w.Scheduler.Availability(ctx, AvailabilityQuery{ServiceID: e.ServiceID, PractitionerID: practitionerID,
		From: day.AddDays(-1), To: day.AddDays(1), Location: loc})
	if err != nil {
		return Offer{}, err
	}
	i := slices.IndexFunc(slots, func(s Slot) bool { return s.Start.Equal(start) })
	if i < 0 {
		return Offer{}, &Error{Kind: KindInvalid, Field: "start", Message: "That time is not free to book online for this service."}
	}
	return w.offer(ctx, c, e, slots[i], by, now)
}
