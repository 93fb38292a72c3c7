package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Scheduler runs bookings: it checks every rule, then lets the store commit
// the change and its emails atomically. Every booking change, whatever door
// it comes in by (API, web page, CLI), goes through one of its methods.
type Scheduler struct {
	Store   Store
	Clock   Clock
	BaseURL string // public base URL; a patient's manage link is BaseURL + "/manage/" + token
	// OnFreed, when set, hears of a practitioner's time a committed change
	// gave back (a cancellation, a move): the waitlist offers it
	// (Waitlist.Freed).
	OnFreed func(ctx context.Context, practitionerID string, window Interval)
	// HoldDuration is how long PlaceHold keeps a time (HOLD_MINUTES);
	// 0 = DefaultHoldDuration.
	HoldDuration time.Duration
}

// BookRequest asks for a new booking. Start is an absolute instant; the
// patient's zone only decides how emails show it.
type BookRequest struct {
	ServiceID string
	// PractitionerID "" lets the clinic pick a free practitioner who performs
	// the service: the one with the fewest live bookings that day (not
	// counting squeezed-in ones), ties in the store's order (Name); the
	// next is tried if one is taken.
	PractitionerID string
	Start          time.Time
	TimeZone       string // the patient's IANA zone for emails; "" = the clinic's
	// Patient is found by email (case-insensitive) or created. An
	// existing patient's record is never changed by a booking: the name
	// and phone given stay on the booking (GivenName, GivenPhone).
	Patient Patient
	Intake  *Intake // required for KindCaseReview services, rejected ("intake") for others
	Notes   string  // at most MaxNotes characters
	Actor   Actor   // ActorPatient online; ActorOf(user) for staff
	// Overbook (staff only; KindForbidden for patients) books even when the
	// time is taken or outside working hours. The booking is marked
	// Overbooked only when the rules would have refused it, so a squeeze-in
	// never exempts a free slot from the database's overlap constraint.
	Overbook bool
	// RoomID (staff only) is the room staff choose; "" = any suitable room
	// of the service, the one with the fewest visits that day first.
	RoomID string
	// OverbookRoom (staff only) also double-books the room when every
	// suitable one (or the chosen one) is taken: a choice separate from
	// Overbook, recorded on the booking and in its audit entry.
	OverbookRoom   bool
	IdempotencyKey string // optional; at most 255 characters
	RequestHash    string // hash of the request body, with IdempotencyKey
	// Source is where a patient's request came from: SourceOnline (also
	// for "") or SourceEmbed; anything else is KindInvalid on "source".
	// Staff bookings are SourceStaff whatever it says.
	Source      Source
	Attribution Attribution // where the patient came from; checked by Validate

	offer *OfferClaim // the waitlist offer this booking accepts (source waitlist)
	// HoldToken is the raw token of the hold the patient placed on this
	// time (PlaceHold). While the hold lives the booking takes its
	// practitioner and room, and nobody else's booking can; the hold ends
	// with the booking, in its transaction, whatever it books. An expired
	// or unknown token books as if none were given (the time may still be
	// free).
	HoldToken string
	// HoldClient, with no HoldToken, is the client key (HoldRequest's)
	// whose hold the booking uses the same way: a browser that held the
	// time books it even if its form lost the token.
	HoldClient string
}

// Booked is the answer to a booking request.
type Booked struct {
	Booking     BookingDetail
	ManageToken string // the raw secret; shown once
	ManageURL   string
	Replayed    bool // an earlier request with the same Idempotency-Key made it
}

// maxIdempotencyKey bounds the Idempotency-Key a client may send.
const maxIdempotencyKey = 255

// liveStatuses are the statuses of bookings that hold their time.
var liveStatuses = []Status{StatusConfirmed, StatusArrived, StatusCompleted, StatusNoShow}

// bookingPlan is a validated request with everything placing it needs.
type bookingPlan struct {
	req        BookRequest
	clinic     Clinic
	now        time.Time
	service    Service
	patient    Patient
	candidates []Practitioner // in the order to try
	token      string         // the raw manage token
	needsRoom  bool           // the service lists rooms, or staff chose one
	rooms      []Room         // the rooms to choose from: the chosen one, or the service's active ones
	hold       string         // the id of the hold the booking ends (req.HoldToken's), or ""
	forHold    bool           // planning a hold: no patient, intake or notes to check
}

// Book validates req, checks the time against the practitioner's schedule
// and the clinic's rules, and stores the booking with its emails and audit
// entry in one transaction. Errors: KindInvalid naming every bad field at
// once (unknown service or practitioner included), KindForbidden (a patient
// asking to overbook, or a practitioner booking another's calendar),
// ErrSlotTaken, ErrCaseReviewUsed or ErrNewPatientsOnly (for a patient's
// own request both with one message that does not confirm the email is a
// patient's: see historyUnconfirmed).
func (s *Scheduler) Book(ctx context.Context, req BookRequest) (Booked, error) {
	if (req.Overbook || req.OverbookRoom) && !req.Actor.Staff() {
		return Booked{}, Forbidden("Only staff may overbook.")
	}
	if req.RoomID != "" && !req.Actor.Staff() {
		return Booked{}, Forbidden("Only staff may choose the room.")
	}
	got, err := s.bookOnce(ctx, req)
	if err != nil && !req.Actor.Staff() {
		return Booked{}, historyUnconfirmed(err)
	}
	return got, err
}

// patientHistoryRefusal is what a patient's own request hears when a rule
// about the email's history refuses it: one answer for the used case
// review and the new-patients-only service that holds for anyone, so the
// public form does not confirm that an email belongs to a patient of the
// clinic (issue 16, finding 9). Staff hear the specific reason.
const patientHistoryRefusal = "We cannot book this online for that email address: the complimentary case review is once per person, and some services are for new patients only. Please choose another service or call the clinic."

// historyUnconfirmed replaces ErrCaseReviewUsed and ErrNewPatientsOnly by
// the one answer patients get; errors.Is still finds the sentinel.
func historyUnconfirmed(err error) error {
	for _, sentinel := range []*Error{ErrCaseReviewUsed, ErrNewPatientsOnly} {
		if errors.Is(err, sentinel) {
			return &Error{Kind: KindConflict, Field: "patient.email", Message: patientHistoryRefusal, base: sentinel}
		}
	}
	return err
}

// bookOnce is Book with the request's idempotency key honoured.
func (s *Scheduler) bookOnce(ctx context.Context, req BookRequest) (Booked, error) {
	now := s.now()
	got, err := s.book(ctx, req, now)
	if err != nil && req.IdempotencyKey != "" && len(req.IdempotencyKey) <= maxIdempotencyKey &&
		(ErrorKind(err) == KindConflict || ErrorKind(err) == KindInvalid) {
		// A repeat of a request already answered fails its own checks: its
		// slot (or case review) is taken by the booking it made, or its
		// start has passed. Answer as the first time. A new request with a
		// stored key gets here too, or fails to store its key (create
		// replays then), so the common first request costs no look-up.
		if first, found, rerr := s.replay(ctx, req, now); found || rerr != nil {
			return first, rerr
		}
	}
	return got, err
}

// book makes the booking req asks for, with no idempotency look-up.
func (s *Scheduler) book(ctx context.Context, req BookRequest, now time.Time) (Booked, error) {
	plan, err := s.plan(ctx, req, now)
	if err != nil {
		return Booked{}, err
	}
	if err := s.useHold(ctx, &plan); err != nil {
		return Booked{}, err
	}
	if err := s.checkHistory(ctx, plan); err != nil {
		return Booked{}, err
	}
	return s.place(ctx, plan)
}

// plan validates req and resolves its service, patient and practitioners.
func (s *Scheduler) plan(ctx context.Context, req BookRequest, now time.Time) (bookingPlan, error) {
	return s.planning(ctx, req, now, false)
}

// planning is plan; forHold leaves out the checks of what a hold does not
// know yet (patient, intake, notes, attribution).
func (s *Scheduler) planning(ctx context.Context, req BookRequest, now time.Time, forHold bool) (bookingPlan, error) {
	clinic, err := s.Store.Clinic(ctx)
	if err != nil {
		return bookingPlan{}, wrap("load clinic", err)
	}
	p := cleanPatient(req.Patient)
	var v Validation
	svc, svcOK, err := s.serviceFor(ctx, req.ServiceID, req.Actor.Staff(), &v)
	if err != nil {
		return bookingPlan{}, err
	}
	var chosen []Practitioner
	if req.PractitionerID != "" {
		pr, ok, err := s.practitionerFor(ctx, req.PractitionerID, svc, svcOK, &v)
		if err != nil {
			return bookingPlan{}, err
		}
		if ok {
			chosen = []Practitioner{pr}
		}
	}
	rooms, needsRoom, err := s.bookingRooms(ctx, req.RoomID, svc, svcOK, &v)
	if err != nil {
		return bookingPlan{}, err
	}
	checkStart(&v, req.Start, now)
	v.Check(req.TimeZone == "" || validZone(req.TimeZone), "time_zone", "Use an IANA time zone such as Europe/London.")
	if !forHold {
		mergeInto(&v, p.Validate("patient."))
		checkIntake(&v, req.Intake, svc, svcOK)
		v.Check(utf8.ValidString(req.Notes) && utf8.RuneCountInString(req.Notes) <= MaxNotes, "notes", "Keep your notes under 1000 characters.")
		v.Text("notes", req.Notes)
		v.Check(len(req.IdempotencyKey) <= maxIdempotencyKey, "Idempotency-Key", "Use a key of at most 255 characters.")
		checkAttribution(&v, req)
	}
	if err := v.Err(); err != nil {
		return bookingPlan{}, err
	}
	plan := bookingPlan{req: req, clinic: clinic, now: now, service: svc, patient: p, needsRoom: needsRoom, rooms: rooms, forHold: forHold}
	plan.candidates, err = s.candidates(ctx, plan, chosen)
	return plan, err
}

// cleanPatient trims the contact details and normalises the email.
func cleanPatient(p Patient) Patient {
	return Patient{
		Name:  strings.TrimSpace(p.Name),
		Email: NormalizeEmail(p.Email),
		Phone: strings.TrimSpace(p.Phone),
	}
}

// checkStart rejects a missing start or one that has passed.
func checkStart(v *Validation, start, now time.Time) {
	switch {
	case start.IsZero():
		v.Add("start", "Choose a time.")
	case start.Before(now):
		v.Add("start", "That time has passed.")
	default:
		v.Instant("start", start)
	}
}

// checkIntake requires the questionnaire for the case review and refuses it
// for anything else.
func checkIntake(v *Validation, in *Intake, svc Service, svcKnown bool) {
	switch {
	case in != nil && svcKnown && svc.Kind != KindCaseReview:
		v.Add("intake", "Only the case review has a questionnaire.")
	case in != nil:
		mergeInto(v, in.Validate())
	case svcKnown && svc.Kind == KindCaseReview:
		v.Add("intake", "Answer the short questionnaire for the case review.")
	}
}

// serviceFor looks up the service a request names, recording what is wrong
// with it in v. ok reports whether the service exists.
func (s *Scheduler) serviceFor(ctx context.Context, id string, staff bool, v *Validation) (svc Service, ok bool, err error) {
	if id == "" {
		v.Add("service_id", "Choose a service.")
		return Service{}, false, nil
	}
	if !IsID(id) {
		v.Add("service_id", "Unknown service.")
		return Service{}, false, nil
	}
	svc, err = s.Store.Service(ctx, id)
	if errors.Is(err, ErrNotFound) {
		v.Add("service_id", "Unknown service.")
		return Service{}, false, nil
	}
	if err != nil {
		return Service{}, false, wrap("load service", err)
	}
	v.Check(svc.Active, "service_id", "This service is no longer offered.")
	v.Check(!svc.Active || svc.OnlineBookable || staff, "service_id", "This service cannot be booked online; please call the clinic.")
	return svc, true, nil
}

// practitionerFor looks up the practitioner a request names, recording in v
// when they are unknown, inactive, or do not perform the service.
func (s *Scheduler) practitionerFor(ctx context.Context, id string, svc Service, svcKnown bool, v *Validation) (Practitioner, bool, error) {
	if !IsID(id) {
		v.Add("practitioner_id", "Unknown practitioner.")
		return Practitioner{}, false, nil
	}
	p, err := s.Store.Practitioner(ctx, id)
	if errors.Is(err, ErrNotFound) {
		v.Add("practitioner_id", "Unknown practitioner.")
		return Practitioner{}, false, nil
	}
	if err != nil {
		return Practitioner{}, false, wrap("load practitioner", err)
	}
	switch {
	case !p.Active:
		v.Add("practitioner_id", "This practitioner is not taking bookings.")
		return p, false, nil
	case svcKnown && !p.Performs(svc.ID):
		v.Add("practitioner_id", "This practitioner does not offer that service.")
		return p, false, nil
	}
	return p, true, nil
}

// candidates returns the practitioners to try: the chosen one, or every
// active practitioner performing the service (place puts them in fair order).
func (s *Scheduler) candidates(ctx context.Context, plan bookingPlan, chosen []Practitioner) ([]Practitioner, error) {
	actor := plan.req.Actor
	if len(chosen) > 0 {
		if actor.Staff() && !actor.Can(chosen[0].ID) {
			return nil, ErrForbidden
		}
		return chosen, nil
	}
	all, err := s.Store.Practitioners(ctx, false)
	if err != nil {
		return nil, wrap("list practitioners", err)
	}
	var out []Practitioner
	for _, p := range all {
		if p.Active && p.Performs(plan.service.ID) && (!actor.Staff() || actor.Can(p.ID)) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, Invalid("practitioner_id", "No practitioner offers this service.")
	}
	return out, nil
}

// day is the visit's date in the clinic's zone, as instants.
func (plan bookingPlan) day() Interval {
	loc := plan.clinic.Location()
	d := DateOf(plan.req.Start.In(loc))
	return Interval{Start: WallClock(d, 0, loc), End: WallClock(d.AddDays(1), 0, loc)}
}

// fairOrder sorts ps by how many visits hold time in their schedules on
// the visit's day in the clinic's zone (live bookings that are not squeezed
// in), keeping the given order among equals. scheds must cover the day.
func fairOrder(plan bookingPlan, ps []Practitioner, scheds map[string]Schedule) {
	if len(ps) < 2 {
		return
	}
	day := plan.day()
	load := make(map[string]int, len(ps))
	for _, p := range ps {
		for _, b := range scheds[p.ID].Busy {
			if b.Overlaps(day) {
				load[p.ID]++
			}
		}
	}
	slices.SortStableFunc(ps, func(a, b Practitioner) int { return load[a.ID] - load[b.ID] })
}

// checkHistory applies the once-per-patient and new-patients-only rules.
func (s *Scheduler) checkHistory(ctx context.Context, plan bookingPlan) error {
	if plan.service.Kind != KindCaseReview && !plan.service.NewPatientsOnly {
		return nil
	}
	visited, hadComplimentary, err := s.Store.PatientHistory(ctx, plan.patient.Email, plan.now)
	if err != nil {
		return wrap("load patient history", err)
	}
	if plan.service.Kind == KindCaseReview && hadComplimentary {
		return ErrCaseReviewUsed
	}
	if plan.service.NewPatientsOnly && visited {
		return ErrNewPatientsOnly
	}
	return nil
}

// place tries the candidates in order and stores the booking with the first
// whose schedule allows it; staff asking to overbook then squeeze in with
// the first candidate.
func (s *Scheduler) place(ctx context.Context, plan bookingPlan) (Booked, error) {
	// With one practitioner the engine checks hours and time off, and the
	// database's constraint finds a taken slot. Choosing among several
	// needs their bookings of the day, to spread the load.
	// The rooms' blocks of the day are read beside the practitioners'
	// bookings, not after them: a visit needing a room waits for the
	// longer of the two reads, not their sum.
	var (
		rooms   []RoomBusy
		roomErr error
		read    sync.WaitGroup
	)
	if len(plan.rooms) > 0 {
		read.Go(func() {
			rooms, roomErr = s.roomBusy(ctx, plan.rooms, plan.service.Block(plan.req.Start).Union(plan.day()))
		})
	}
	var scheds map[string]Schedule
	var err error
	if plan.req.PractitionerID != "" {
		scheds, err = s.workingSchedules(ctx, plan.candidates, plan.service.Block(plan.req.Start))
	} else {
		scheds, err = s.schedulesIn(ctx, plan.candidates, plan.service.Block(plan.req.Start).Union(plan.day()))
		fairOrder(plan, plan.candidates, scheds)
	}
	read.Wait()
	if err != nil {
		return Booked{}, err
	}
	if roomErr != nil {
		return Booked{}, roomErr
	}
	if rooms, err = s.withHeldRoomsBut(ctx, rooms, plan.service.Block(plan.req.Start), plan.now, plan.hold); err != nil {
		return Booked{}, err
	}
	plan.token, _ = NewToken()
	var firstErr error
	var taken string // the first practitioner found taken
	for _, p := range plan.candidates {
		q := slotQueryFor(scheds[p.ID], p, plan.service, plan.clinic.Policy, plan.now, plan.req.Actor.Staff())
		err := CanBook(q, plan.req.Start)
		if err == nil {
			var got Booked
			got, err = s.createInRoom(ctx, plan, p, false, rooms)
			if !errors.Is(err, ErrSlotTaken) && !errors.Is(err, ErrHoldTaken) {
				return got, err
			}
		}
		if ErrorKind(err) == KindInternal {
			return Booked{}, err
		}
		if errors.Is(err, ErrSlotTaken) && taken == "" {
			taken = p.ID
		}
		if firstErr == nil || errors.Is(err, ErrHoldTaken) && !errors.Is(firstErr, ErrHoldTaken) {
			firstErr = err
		}
	}
	switch {
	case plan.req.Overbook:
		return s.createInRoom(ctx, plan, plan.candidates[0], true, rooms)
	case taken != "":
		return Booked{}, ErrSlotTaken.Naming(ConflictPractitioner, taken)
	}
	return Booked{}, firstErr
}

// createInRoom stores the booking with practitioner p in the first free
// room in fair order (see fairRooms), trying the next when the database
// finds one taken meanwhile; with no room needed, in none. When every room
// is taken it double-books the first only if staff asked for that too
// (OverbookRoom); otherwise the answer is ErrRoomTaken naming it.
func (s *Scheduler) createInRoom(ctx context.Context, plan bookingPlan, p Practitioner, overbooked bool, rooms []RoomBusy) (Booked, error) {
	if !plan.needsRoom {
		return s.create(ctx, plan, p, overbooked, "", false)
	}
	if len(rooms) == 0 {
		return Booked{}, Invalid("service_id", "None of the rooms this service needs is in use; ask the clinic to set one up.")
	}
	q := SlotQuery{Duration: plan.service.Duration, BufferBefore: plan.service.BufferBefore,
		BufferAfter: plan.service.BufferAfter, Rooms: rooms}
	for _, id := range fairRooms(FreeRooms(q, plan.req.Start), rooms, plan.day()) {
		got, err := s.create(ctx, plan, p, overbooked, id, false)
		if !errors.Is(err, ErrRoomTaken) {
			return got, err
		}
	}
	if !overbooked && plan.req.PractitionerID != "" {
		// The practitioner's bookings were not read (the database finds a
		// clash): when the room is taken too, say what is taken first.
		if err := s.practitionerFree(ctx, plan, p); err != nil {
			return Booked{}, err
		}
	}
	if plan.req.OverbookRoom {
		return s.create(ctx, plan, p, overbooked, rooms[0].ID, true)
	}
	if plan.req.Overbook {
		return Booked{}, roomTakenToo(rooms[0].ID)
	}
	return Booked{}, ErrRoomTaken.Naming(ConflictRoom, rooms[0].ID)
}

// practitionerFree returns ErrSlotTaken naming p when another visit holds
// p's time at the plan's start, nil otherwise.
func (s *Scheduler) practitionerFree(ctx context.Context, plan bookingPlan, p Practitioner) error {
	scheds, err := s.schedulesAround(ctx, []Practitioner{p}, plan.service, plan.req.Start)
	if err != nil {
		return err
	}
	block := plan.service.Block(plan.req.Start)
	for _, b := range scheds[p.ID].Busy {
		if b.Overlaps(block) {
			return ErrSlotTaken.Naming(ConflictPractitioner, p.ID)
		}
	}
	return nil
}

// bookingRooms resolves the rooms a booking may take: the one staff chose
// (active, and one the service uses when it lists any) or the service's
// active rooms. needed reports whether the booking takes a room at all.
func (s *Scheduler) bookingRooms(ctx context.Context, roomID string, svc Service, svcKnown bool, v *Validation) (rooms []Room, needed bool, err error) {
	if roomID == "" {
		if !svcKnown {
			return nil, false, nil
		}
		return s.roomsFor(ctx, svc)
	}
	r, ok, err := s.roomFor(ctx, roomID, v)
	if err != nil || !ok {
		return nil, true, err
	}
	if svcKnown && len(svc.RoomIDs) > 0 && !slices.Contains(svc.RoomIDs, r.ID) {
		v.Add("room_id", "This service does not use that room.")
		return nil, true, nil
	}
	return []Room{r}, true, nil
}

// roomFor looks up a room a request names, recording in v when it is
// unknown or inactive.
func (s *Scheduler) roomFor(ctx context.Context, id string, v *Validation) (Room, bool, error) {
	if !IsID(id) {
		v.Add("room_id", "Unknown room.")
		return Room{}, false, nil
	}
	r, err := s.Store.Room(ctx, id)
	if errors.Is(err, ErrNotFound) {
		v.Add("room_id", "Unknown room.")
		return Room{}, false, nil
	}
	if err != nil {
		return Room{}, false, wrap("load room", err)
	}
	if !r.Active {
		v.Add("room_id", "This room is not in use.")
		return r, false, nil
	}
	return r, true, nil
}

// create stores the booking with practitioner p. A concurrent request that
// stored the same Idempotency-Key first is answered with its booking.
func (s *Scheduler) create(ctx context.Context, plan bookingPlan, p Practitioner, overbooked bool, roomID string, roomOverbooked bool) (Booked, error) {
	d := plan.newBooking(p, overbooked)
	if roomID != "" {
		d.RoomID, d.RoomOverbooked = roomID, roomOverbooked
		d.Room = plan.rooms[slices.IndexFunc(plan.rooms, func(r Room) bool { return r.ID == roomID })]
	}
	fx := s.effects(plan.clinic, change{
		action: "booking.create", mail: MessageConfirmation, actor: plan.req.Actor,
		after: d, token: plan.token, offer: plan.req.offer,
	}, plan.now)
	fx.ConsumeHold = plan.hold
	if plan.req.IdempotencyKey != "" {
		rec, err := newIdempotencyRecord(plan.req, d.ID, plan.token, plan.now)
		if err != nil {
			return Booked{}, err
		}
		fx.Idempotency = &rec
	}
	err := s.Store.CreateBooking(ctx, &d.Booking, &d.Patient, fx)
	if errors.Is(err, ErrIdempotencyReplay) {
		return s.replayTwin(ctx, plan.req, plan.now)
	}
	if err != nil {
		return Booked{}, wrap("create booking", err)
	}
	return Booked{Booking: d, ManageToken: plan.token, ManageURL: s.manageURL(plan.token)}, nil
}

// newBooking builds the booking the plan asks for with practitioner p.
func (plan bookingPlan) newBooking(p Practitioner, overbooked bool) BookingDetail {
	svc, req := plan.service, plan.req
	block := svc.Block(req.Start)
	tz := req.TimeZone
	if tz == "" {
		tz = plan.clinic.TimeZone
	}
	source := sourceOf(req)
	b := Booking{
		ID: NewID(), UID: NewID(),
		ServiceID: svc.ID, PractitionerID: p.ID,
		Start: req.Start.UTC(), End: req.Start.Add(svc.Duration).UTC(),
		BlockStart: block.Start.UTC(), BlockEnd: block.End.UTC(),
		Status: StatusConfirmed, Overbooked: overbooked, AttendeeStatus: AttendeeNeedsAction,
		Complimentary: svc.Kind == KindCaseReview,
		Source:        source, Attribution: req.Attribution.Clean(), TimeZone: tz,
		Intake: req.Intake, Notes: strings.TrimSpace(req.Notes),
		GivenName: plan.patient.Name, GivenPhone: plan.patient.Phone,
		ManageHash: HashToken(plan.token), CreatedBy: req.Actor.UserID,
		CreatedAt: plan.now, UpdatedAt: plan.now, ChangedAt: plan.now,
	}
	return BookingDetail{Booking: b, Service: svc, Practitioner: p, Patient: plan.patient}
}

// schedulesAround loads what the engine needs to check a visit at start
// with each of ps: hours and overrides of the days around it, and the time
// off and busy blocks that overlap its block. The database's constraint,
// not this read, is what keeps two bookings apart, so the read stays narrow.
func (s *Scheduler) schedulesAround(ctx context.Context, ps []Practitioner, svc Service, start time.Time) (map[string]Schedule, error) {
	return s.schedulesIn(ctx, ps, svc.Block(start))
}

// schedulesIn loads the practitioners' schedules for window.
func (s *Scheduler) schedulesIn(ctx context.Context, ps []Practitioner, window Interval) (map[string]Schedule, error) {
	return bySchedule(s.Store.Schedules(ctx, practitionerIDs(ps), window.Start, window.End))
}

// workingSchedules loads the practitioners' schedules for window without
// their bookings.
func (s *Scheduler) workingSchedules(ctx context.Context, ps []Practitioner, window Interval) (map[string]Schedule, error) {
	return bySchedule(s.Store.WorkingSchedules(ctx, practitionerIDs(ps), window.Start, window.End))
}

func practitionerIDs(ps []Practitioner) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func bySchedule(list []Schedule, err error) (map[string]Schedule, error) {
	if err != nil {
		return nil, wrap("load schedules", err)
	}
	out := make(map[string]Schedule, len(list))
	for _, sc := range list {
		out[sc.Practitioner.ID] = sc
	}
	return out, nil
}

// slotQueryFor builds the engine's question for practitioner p. Staff skip
// the minimum notice and the horizon but never go back in time.
func slotQueryFor(sc Schedule, p Practitioner, svc Service, pol Policy, now time.Time, staff bool) SlotQuery {
	q := SlotQuery{
		Location: p.Location(),
		Weekly:   sc.Weekly, Overrides: sc.Overrides, TimeOff: sc.TimeOff, Busy: sc.Busy,
		Duration: svc.Duration, BufferBefore: svc.BufferBefore, BufferAfter: svc.BufferAfter,
		Step:      pol.SlotStep,
		NotBefore: now,
	}
	if !staff {
		q.NotBefore = now.Add(pol.MinNotice)
		q.NotAfter = now.Add(pol.Horizon)
	}
	q.AnyMinute = staff // the front desk may type any minute
	return q
}

// manageURL is the patient's link for the raw token.
func (s *Scheduler) manageURL(token string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/manage/" + token
}

// bookURL is the public page that books the service again.
func (s *Scheduler) bookURL(serviceID string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/book/" + serviceID
}

// now reads the injected clock, the system clock if none is set.
func (s *Scheduler) now() time.Time {
	if s.Clock == nil {
		return SystemClock.Now()
	}
	return s.Clock.Now()
}

// mergeInto copies the field problems of a validation error into v.
func mergeInto(v *Validation, err error) {
	var e *Error
	if errors.As(err, &e) {
		for _, f := range e.Problems() {
			v.Add(f.Field, f.Message)
		}
	}
}

// wrap names the operation that failed, unless err is already a domain
// error whose message is meant for the caller.
func wrap(op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
