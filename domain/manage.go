package domain

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxStaffNotes bounds the notes staff keep on a booking.
const MaxStaffNotes = 4000

// maxTokenLength bounds a manage token before it is hashed; real ones are 43.
const maxTokenLength = 128

// Manage returns the booking the patient's manage token opens. A wrong token
// is plain ErrNotFound. Staff notes and the stored hash are left out.
func (s *Scheduler) Manage(ctx context.Context, token string) (BookingDetail, error) {
	d, err := s.byToken(ctx, token)
	if err != nil {
		return BookingDetail{}, err
	}
	return patientView(d), nil
}

// RescheduleByToken moves the patient's own booking to start with the same
// practitioner, under the patient's rules: the reschedule cut-off, minimum
// notice, horizon and working hours. Inside the cut-off the KindConflict
// error tells the patient to call the clinic. The link keeps working.
//
// The cancel cut-off applies to the original commitment: a visit moved
// when it could already no longer be cancelled online stays so at its new
// time (Booking.CutoffFrom), so moving it first does not get round the
// cut-off. A move made in good time commits to the new time only.
func (s *Scheduler) RescheduleByToken(ctx context.Context, token string, start time.Time) (BookingDetail, error) {
	d, err := s.byToken(ctx, token)
	if err != nil {
		return BookingDetail{}, err
	}
	got, err := s.reschedule(ctx, d, move{actor: ActorPatient, start: start, token: token})
	return patientView(got), err
}

// CancelByToken cancels the patient's own booking; inside the cancel
// cut-off the KindConflict error tells the patient to call the clinic.
func (s *Scheduler) CancelByToken(ctx context.Context, token, reason string) (BookingDetail, error) {
	d, err := s.byToken(ctx, token)
	if err != nil {
		return BookingDetail{}, err
	}
	got, err := s.cancel(ctx, d, ActorPatient, reason, token)
	return patientView(got), err
}

// Reschedule moves booking id to start, with practitionerID ("" = keep),
// for staff: no cut-off, notice or horizon, but working hours and the
// overlap rule unless overbook. The booking keeps its id and UID; SEQUENCE
// rises. Staff do not know the patient's link, so a NEW manage token is
// minted: the old link stops working and the email carries the new one.
// ErrForbidden for a practitioner-role actor on another's calendar.
func (s *Scheduler) Reschedule(ctx context.Context, actor Actor, id string, start time.Time, practitionerID string, overbook bool) (BookingDetail, error) {
	d, err := s.staffBooking(ctx, actor, id)
	if err != nil {
		return BookingDetail{}, err
	}
	return s.reschedule(ctx, d, move{actor: actor, start: start, practitionerID: practitionerID, overbook: overbook})
}

// MoveRequest is a staff reschedule that may also choose the room.
type MoveRequest struct {
	Actor          Actor
	ID             string
	Start          time.Time
	PractitionerID string // "" = keep
	RoomID         string // "" = keep the room when it is free then, else any suitable free one
	Overbook       bool   // double-book the practitioner if need be
	OverbookRoom   bool   // double-book the room if need be: a separate choice
	// Version is the booking's UpdatedAt as the caller saw it; when set and
	// the booking changed since, the answer is ErrStale and nothing moves.
	Version time.Time
}

// Move is Reschedule with a choice of room.
func (s *Scheduler) Move(ctx context.Context, r MoveRequest) (BookingDetail, error) {
	d, err := s.staffBooking(ctx, r.Actor, r.ID)
	if err != nil {
		return BookingDetail{}, err
	}
	if err := checkVersion(d, r.Version); err != nil {
		return BookingDetail{}, err
	}
	return s.reschedule(ctx, d, move{actor: r.Actor, start: r.Start, practitionerID: r.PractitionerID,
		overbook: r.Overbook, roomID: r.RoomID, overbookRoom: r.OverbookRoom, version: r.Version})
}

// Cancel cancels booking id for staff, at any time before the visit ends in
// a final status. Like Reschedule it mints a new manage token, so the old
// link stops working and the cancellation email carries the new one.
func (s *Scheduler) Cancel(ctx context.Context, actor Actor, id, reason string) (BookingDetail, error) {
	d, err := s.staffBooking(ctx, actor, id)
	if err != nil {
		return BookingDetail{}, err
	}
	return s.cancel(ctx, d, actor, reason, "")
}

// SetStatus records arrival, completion or a no-show (and StatusConfirmed
// undoes them). Completed and no-show need the visit to have started; a
// cancelled booking is a KindConflict. Audited, no email.
func (s *Scheduler) SetStatus(ctx context.Context, actor Actor, id string, st Status) (BookingDetail, error) {
	return s.ChangeStatus(ctx, StatusRequest{Actor: actor, ID: id, Status: st})
}

// StatusRequest is a staff status change; Version as in MoveRequest.
type StatusRequest struct {
	Actor   Actor
	ID      string
	Status  Status
	Version time.Time
}

// ChangeStatus is SetStatus with the version the caller saw: ErrStale
// when the booking changed since.
func (s *Scheduler) ChangeStatus(ctx context.Context, r StatusRequest) (BookingDetail, error) {
	st := r.Status
	switch st {
	case StatusConfirmed, StatusArrived, StatusCompleted, StatusNoShow:
	default:
		return BookingDetail{}, Invalid("status", "Use confirmed, arrived, completed or no_show; cancel a booking with its own action.")
	}
	d, err := s.staffBooking(ctx, r.Actor, r.ID)
	if err != nil {
		return BookingDetail{}, err
	}
	if err := checkVersion(d, r.Version); err != nil {
		return BookingDetail{}, err
	}
	now := s.now()
	switch {
	case d.Status == StatusCancelled:
		return BookingDetail{}, Conflict("This booking was cancelled.")
	case (st == StatusCompleted || st == StatusNoShow) && now.Before(d.Start):
		return BookingDetail{}, Conflict("A visit can be marked completed or no-show once it has started.")
	case d.Status == st:
		return d, nil
	}
	after := d
	after.Status, after.UpdatedAt = st, now
	return s.update(ctx, Clinic{}, d, after, change{action: "booking.status", actor: r.Actor, version: r.Version}, now)
}

// SetStaffNotes replaces the notes staff keep on the booking, which
// patients and feeds never see. Audited, no email.
func (s *Scheduler) SetStaffNotes(ctx context.Context, actor Actor, id, notes string) (BookingDetail, error) {
	notes = strings.TrimSpace(notes)
	if !utf8.ValidString(notes) || utf8.RuneCountInString(notes) > MaxStaffNotes {
		return BookingDetail{}, Invalid("staff_notes", "Keep staff notes under 4000 characters.")
	}
	if msg := TextProblem(notes); msg != "" {
		return BookingDetail{}, Invalid("staff_notes", msg)
	}
	d, err := s.staffBooking(ctx, actor, id)
	if err != nil {
		return BookingDetail{}, err
	}
	now := s.now()
	after := d
	after.StaffNotes, after.UpdatedAt = notes, now
	return s.update(ctx, Clinic{}, d, after, change{action: "booking.notes", actor: actor}, now)
}

// move is a reschedule request, from the patient or from staff.
type move struct {
	actor          Actor
	start          time.Time
	practitionerID string
	overbook       bool
	roomID         string // staff's choice of room; "" = keep or reassign
	overbookRoom   bool
	token          string    // the patient's raw token; "" (staff) mints a new one
	version        time.Time // the UpdatedAt the caller saw; zero = not checked
	// offer is the waitlist offer the move accepts: the clinic offered the
	// time, so no cut-off applies, and freshToken is the new link's token.
	offer       *OfferClaim
	freshToken  string
	consumeHold string // the offer's hold, which the move books over
}

// patient reports whether the patient moves their own booking.
func (m move) patient() bool { return m.token != "" }

// reschedule moves d as m asks, in one UpdateBooking: the database takes the
// new time and frees the old one atomically.
func (s *Scheduler) reschedule(ctx context.Context, d BookingDetail, m move) (BookingDetail, error) {
	c, err := s.Store.Clinic(ctx)
	if err != nil {
		return BookingDetail{}, wrap("load clinic", err)
	}
	now := s.now()
	if err := checkMovable(d, now); err != nil {
		return BookingDetail{}, err
	}
	if m.patient() && m.offer == nil && !now.Before(d.Start.Add(-c.Policy.RescheduleCutoff)) {
		return BookingDetail{}, callClinic(c, "rescheduled online", c.Policy.RescheduleCutoff)
	}
	p, err := s.moveTarget(ctx, d, m, now)
	if err != nil {
		return BookingDetail{}, err
	}
	overbooked, err := s.checkMove(ctx, c, d, p, m, now)
	if errors.Is(err, ErrSlotTaken) && !m.patient() {
		return BookingDetail{}, s.clash(ctx, err, d, p.ID, m.start)
	}
	if err != nil {
		return BookingDetail{}, err
	}
	if m.roomID != "" && m.patient() {
		return BookingDetail{}, Forbidden("Only staff may choose the room.")
	}
	room, roomOverbooked, err := s.moveRoom(ctx, c, d, m)
	if err != nil {
		return BookingDetail{}, err
	}
	after := d
	block := d.Service.Block(m.start)
	after.RoomID, after.Room, after.RoomOverbooked = room.ID, room, roomOverbooked
	after.PractitionerID, after.Practitioner = p.ID, p
	after.Start, after.End = m.start.UTC(), m.start.Add(d.Service.Duration).UTC()
	after.BlockStart, after.BlockEnd = block.Start.UTC(), block.End.UTC()
	after.Overbooked, after.Sequence, after.UpdatedAt, after.ChangedAt = overbooked, d.Sequence+1, now, now
	after.CutoffFrom = time.Time{} // staff decide: the new time is the commitment
	if m.patient() {
		after.CutoffFrom = d.commitmentAfterMove(c.Policy, now)
	}
	token := m.token
	switch {
	case m.freshToken != "":
		token, after.ManageHash = m.freshToken, HashToken(m.freshToken)
	case token == "":
		token, after.ManageHash = NewToken()
	}
	ch := change{action: "booking.reschedule", mail: MessageRescheduled, actor: m.actor, token: token,
		formerPractitioner: &d.Practitioner, version: m.version, offer: m.offer, consumeHold: m.consumeHold}
	got, err := s.update(ctx, c, d, after, ch, now)
	if errors.Is(err, ErrSlotTaken) && m.overbook && !overbooked {
		after.Overbooked = true // taken meanwhile: the squeeze-in staff asked for
		return s.update(ctx, c, d, after, ch, now)
	}
	if errors.Is(err, ErrSlotTaken) {
		return BookingDetail{}, s.clash(ctx, err, d, p.ID, m.start)
	}
	return got, err
}

// moveRoom picks the room of a visit moving as m asks: the one staff chose,
// else the visit's own room when it is still in use and free at the new
// time, else the suitable free room with the fewest visits that day. A
// visit that needs no room keeps none. When none is free it double-books
// the first only if staff asked for that (overbook_room); otherwise the
// answer is ErrRoomTaken naming it.
func (s *Scheduler) moveRoom(ctx context.Context, c Clinic, d BookingDetail, m move) (Room, bool, error) {
	var v Validation
	rooms, needed, err := s.bookingRooms(ctx, m.roomID, d.Service, true, &v)
	if err != nil {
		return Room{}, false, err
	}
	if err := v.Err(); err != nil {
		return Room{}, false, err
	}
	if !needed && d.RoomID != "" && d.Room.Active {
		rooms, needed = []Room{d.Room}, true // staff put it in a room the service does not list
	}
	if !needed {
		return Room{}, false, nil
	}
	if len(rooms) == 0 {
		return Room{}, false, Invalid("room_id", "None of the rooms this service needs is in use; choose a room.")
	}
	if m.overbookRoom && !m.actor.Staff() {
		return Room{}, false, Forbidden("Only staff may overbook.")
	}
	loc := c.Location()
	day := DateOf(m.start.In(loc))
	window := Interval{WallClock(day, 0, loc), WallClock(day.AddDays(1), 0, loc)}.Union(d.Service.Block(m.start))
	busy, err := s.roomBusy(ctx, rooms, window)
	if err != nil {
		return Room{}, false, err
	}
	if d.Live() && d.RoomID != "" && !d.RoomOverbooked {
		busy = withoutRoomBlock(busy, d.RoomID, d.Block())
	}
	q := SlotQuery{Duration: d.Service.Duration, BufferBefore: d.Service.BufferBefore, BufferAfter: d.Service.BufferAfter, Rooms: busy}
	free := FreeRooms(q, m.start)
	byID := func(id string) Room { return rooms[slices.IndexFunc(rooms, func(r Room) bool { return r.ID == id })] }
	switch {
	case m.roomID == "" && slices.Contains(free, d.RoomID):
		return byID(d.RoomID), false, nil
	case len(free) > 0:
		return byID(fairRooms(free, busy, window)[0]), false, nil
	case m.overbookRoom:
		return rooms[0], true, nil
	case m.overbook:
		return Room{}, false, roomTakenToo(rooms[0].ID)
	}
	return Room{}, false, ErrRoomTaken.Naming(ConflictRoom, rooms[0].ID)
}

// checkMovable refuses to move a visit that is cancelled, over, checked in
// or started.
func checkMovable(d BookingDetail, now time.Time) error {
	switch d.Status {
	case StatusCancelled:
		return Conflict("This booking was cancelled; make a new one instead.")
	case StatusCompleted, StatusNoShow:
		return Conflict("This visit is over and can no longer be moved.")
	case StatusArrived:
		return Conflict("The patient has checked in; undo the check-in before moving the visit.")
	}
	if !now.Before(d.Start) {
		return Conflict("This visit has already started and can no longer be moved.")
	}
	return nil
}

// moveTarget validates the new start and returns the practitioner the visit
// moves to: the same one, or another who is active, performs the service
// and whose calendar the actor may change.
func (s *Scheduler) moveTarget(ctx context.Context, d BookingDetail, m move, now time.Time) (Practitioner, error) {
	var v Validation
	checkStart(&v, m.start, now)
	p := d.Practitioner
	if m.practitionerID != "" && m.practitionerID != d.PractitionerID {
		got, ok, err := s.practitionerFor(ctx, m.practitionerID, d.Service, true, &v)
		if err != nil {
			return Practitioner{}, err
		}
		if ok && m.offer == nil && !m.actor.Can(got.ID) {
			return Practitioner{}, ErrForbidden
		}
		p = got
	}
	return p, v.Err()
}

// checkMove asks the slot engine whether the visit may move to m.start with
// p, its own current block set aside. It reports whether the move is a
// squeeze-in staff asked for.
func (s *Scheduler) checkMove(ctx context.Context, c Clinic, d BookingDetail, p Practitioner, m move, now time.Time) (overbooked bool, err error) {
	scheds, err := s.schedulesAround(ctx, []Practitioner{p}, d.Service, m.start)
	if err != nil {
		return false, err
	}
	sc := scheds[p.ID]
	if p.ID == d.PractitionerID && d.Live() && !d.Overbooked {
		sc.Busy = withoutBlock(sc.Busy, d.Block())
	}
	err = CanBook(slotQueryFor(sc, p, d.Service, c.Policy, now, !m.patient()), m.start)
	switch {
	case err == nil:
		return false, nil
	case m.overbook && ErrorKind(err) != KindInternal:
		return true, nil
	}
	return false, err
}

// withoutBlock returns busy without one interval equal to own.
func withoutBlock(busy []Interval, own Interval) []Interval {
	out := make([]Interval, 0, len(busy))
	dropped := false
	for _, iv := range busy {
		if !dropped && iv.Start.Equal(own.Start) && iv.End.Equal(own.End) {
			dropped = true
			continue
		}
		out = append(out, iv)
	}
	return out
}

// cancel cancels d for actor; token is the patient's raw token, or "" for
// staff, who mint a new one.
func (s *Scheduler) cancel(ctx context.Context, d BookingDetail, actor Actor, reason, token string) (BookingDetail, error) {
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > MaxNotes {
		return BookingDetail{}, Invalid("reason", "Keep the reason under 1000 characters.")
	}
	if msg := TextProblem(reason); msg != "" {
		return BookingDetail{}, Invalid("reason", msg)
	}
	c, err := s.Store.Clinic(ctx)
	if err != nil {
		return BookingDetail{}, wrap("load clinic", err)
	}
	now := s.now()
	switch {
	case d.Status == StatusCancelled:
		return BookingDetail{}, Conflict("This booking is already cancelled.")
	case d.Status == StatusCompleted || d.Status == StatusNoShow:
		return BookingDetail{}, Conflict("This visit is over and can no longer be cancelled.")
	case !actor.Staff() && !now.Before(d.CancelDeadline(c.Policy)): // the patient, by link or by email reply
		return BookingDetail{}, callClinic(c, "cancelled online", c.Policy.CancelCutoff)
	}
	after := d
	after.Status, after.CancelledAt, after.CancelReason = StatusCancelled, now, reason
	after.Sequence, after.UpdatedAt, after.ChangedAt = d.Sequence+1, now, now
	if token == "" {
		token, after.ManageHash = NewToken()
	}
	return s.update(ctx, c, d, after, change{action: "booking.cancel", mail: MessageCancellation, actor: actor, token: token}, now)
}

// update stores after with the effects of ch in one transaction.
// The clinic is needed only for a change that sends email.
func (s *Scheduler) update(ctx context.Context, c Clinic, before, after BookingDetail, ch change, now time.Time) (BookingDetail, error) {
	if !after.UpdatedAt.IsZero() && !after.UpdatedAt.After(before.UpdatedAt) {
		// Two changes in one microsecond (or a clock behind the row) must
		// still give a new version.
		after.UpdatedAt = before.UpdatedAt.Truncate(time.Microsecond).Add(time.Microsecond)
	}
	ch.before, ch.after = &before.Booking, after
	fx := s.effects(c, ch, now)
	if !ch.version.IsZero() {
		fx.IfUpdatedAt = before.UpdatedAt
	}
	b := after.Booking
	if err := s.Store.UpdateBooking(ctx, &b, fx); err != nil {
		return BookingDetail{}, wrap("update booking", err)
	}
	after.Booking = b
	if frees(before.Booking, after.Booking) && s.OnFreed != nil {
		s.OnFreed(ctx, before.PractitionerID, before.Block())
	}
	return after, nil
}

// frees reports whether a change from before to after gave back time the
// booking held: it was cancelled, or moved off its block or practitioner.
func frees(before, after Booking) bool {
	if !before.Live() || before.Overbooked {
		return false
	}
	return !after.Live() || after.PractitionerID != before.PractitionerID ||
		!after.BlockStart.Equal(before.BlockStart) || !after.BlockEnd.Equal(before.BlockEnd)
}

// callClinic is the answer inside a cut-off: what cannot be done online, and
// the number to call.
func callClinic(c Clinic, what string, cutoff time.Duration) error {
	msg := "Visits can be " + what + " up to " + HumanDuration(cutoff) + " before they start."
	if cutoff <= 0 {
		msg = "This visit can no longer be " + what + "."
	}
	if c.Phone != "" {
		return Conflict(msg + " Please call the clinic at " + c.Phone + ".")
	}
	return Conflict(msg + " Please call the clinic.")
}

// byToken finds the booking a raw manage token opens.
func (s *Scheduler) byToken(ctx context.Context, token string) (BookingDetail, error) {
	if token == "" || len(token) > maxTokenLength {
		return BookingDetail{}, ErrNotFound
	}
	d, err := s.Store.BookingByManageHash(ctx, HashToken(token))
	if err != nil {
		return BookingDetail{}, wrap("find booking by manage token", err)
	}
	return d, nil
}

// staffBooking loads booking id for a staff actor who may change it.
func (s *Scheduler) staffBooking(ctx context.Context, actor Actor, id string) (BookingDetail, error) {
	if !actor.Staff() {
		return BookingDetail{}, ErrForbidden
	}
	if !IsID(id) {
		return BookingDetail{}, ErrNotFound
	}
	d, err := s.Store.Booking(ctx, id)
	if err != nil {
		return BookingDetail{}, wrap("load booking", err)
	}
	if !actor.Can(d.PractitionerID) {
		return BookingDetail{}, ErrForbidden
	}
	return d, nil
}

// patientView is d as its patient may see it.
func patientView(d BookingDetail) BookingDetail {
	d.StaffNotes, d.ManageHash = "", ""
	return d
}
