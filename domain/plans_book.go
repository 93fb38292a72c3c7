package domain

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Plans runs plans of care. Reads go through Scheduler's store; plan writes
// through Store, each in one transaction.
type Plans struct {
	Scheduler *Scheduler
	Store     PlanStore
}

// PlanRequest asks staff's question: this service with this practitioner,
// from FirstStart every EveryWeeks weeks, Count visits.
type PlanRequest struct {
	Actor          Actor
	PatientID      string // the patient; or
	BookingID      string // the case review the plan follows (its patient)
	ServiceID      string
	PractitionerID string
	FirstStart     time.Time
	EveryWeeks     int
	Count          int
	OnConflict     OnConflict // "" = fail
}

// PlanBooked is a booked plan.
type PlanBooked struct {
	Plan    PlanDetail
	Skipped []PlanSkip
	// Tokens are the raw manage tokens of Plan.Visits, in order: each
	// visit has its own link, as each calendar entry has its own UID.
	Tokens     []string
	ManageURLs []string
}

// series is a validated plan with everything checking and booking it needs.
type series struct {
	clinic     Clinic
	now        time.Time
	actor      Actor
	service    Service
	patient    Patient
	candidates []Practitioner // the chosen one, or (online, "anyone") each in turn
	rooms      []Room
	source     Source // who made it: staff, online, embed
	attrib     Attribution
	timeZone   string // the patient's zone for emails
	review     *BookingDetail
	everyWeeks int
	count      int
	first      time.Time
	onConflict OnConflict
	startField string // names the first start in errors
	holdID     string // the patient's own hold, which the series ends and which keeps no visit from it
}

// Create books a plan for staff. Every visit is checked against the
// practitioner's hours, time off and bookings and the service's rooms
// before anything is written; the plan and all its visits are then stored
// in one transaction. With OnConflictFail any visit that is not free
// answers *PlanConflictError (nothing booked) listing each such visit with
// the nearest free times; with OnConflictSkip the free visits are booked
// and the others reported in Skipped. A visit taken by someone else while
// the plan is written is found by the database's constraint: then the same
// answer as if it had been seen before (with skip, the rest is booked).
// Plans made from a case review set its outcome to plan_started.
func (p *Plans) Create(ctx context.Context, req PlanRequest) (PlanBooked, error) {
	if !req.Actor.Staff() {
		return PlanBooked{}, ErrForbidden
	}
	sr, err := p.staffSeries(ctx, req)
	if err != nil {
		return PlanBooked{}, err
	}
	return p.book(ctx, sr)
}

// staffSeries validates a staff request.
func (p *Plans) staffSeries(ctx context.Context, req PlanRequest) (series, error) {
	s := p.Scheduler
	clinic, err := s.Store.Clinic(ctx)
	if err != nil {
		return series{}, wrap("load clinic", err)
	}
	sr := series{clinic: clinic, now: s.now(), actor: req.Actor, source: SourceStaff,
		everyWeeks: req.EveryWeeks, count: req.Count, first: req.FirstStart, onConflict: req.OnConflict}
	var v Validation
	if err := p.planPatient(ctx, req, &sr, &v); err != nil {
		return series{}, err
	}
	svc, svcOK, err := s.serviceFor(ctx, req.ServiceID, true, &v)
	if err != nil {
		return series{}, err
	}
	sr.service = svc
	checkSeriesService(&v, svc, svcOK)
	if req.PractitionerID == "" {
		v.Add("practitioner_id", "Choose the practitioner.")
	} else if pr, ok, err := s.practitionerFor(ctx, req.PractitionerID, svc, svcOK, &v); err != nil {
		return series{}, err
	} else if ok {
		if !req.Actor.Can(pr.ID) {
			return series{}, ErrForbidden
		}
		sr.candidates = []Practitioner{pr}
	}
	if svcOK {
		if sr.rooms, _, err = s.roomsFor(ctx, svc); err != nil {
			return series{}, err
		}
	}
	v.Check(req.OnConflict == "" || req.OnConflict == OnConflictFail || req.OnConflict == OnConflictSkip,
		"on_conflict", "Use fail or skip.")
	checkRepeat(&v, "", req.EveryWeeks, req.Count, MaxPlanEveryWeeks, MaxPlanVisits)
	checkSeriesStart(&v, "first_start", sr, PlanHorizon)
	if err := v.Err(); err != nil {
		return series{}, err
	}
	sr.timeZone = clinic.TimeZone
	return sr, nil
}

// planPatient resolves the patient: by id, or the case review's.
func (p *Plans) planPatient(ctx context.Context, req PlanRequest, sr *series, v *Validation) error {
	st := p.Scheduler.Store
	switch {
	case req.BookingID != "":
		if !IsID(req.BookingID) {
			v.Add("booking_id", "Unknown booking.")
			return nil
		}
		d, err := st.Booking(ctx, req.BookingID)
		if errors.Is(err, ErrNotFound) {
			v.Add("booking_id", "Unknown booking.")
			return nil
		}
		if err != nil {
			return wrap("load booking", err)
		}
		switch {
		case d.Service.Kind != KindCaseReview:
			v.Add("booking_id", "A plan follows a case review; this booking is not one.")
		case d.Status == StatusCancelled:
			v.Add("booking_id", "This case review was cancelled.")
		case req.PatientID != "" && !strings.EqualFold(req.PatientID, d.PatientID):
			v.Add("patient_id", "This is not the patient of the case review.")
		}
		sr.review, sr.patient = &d, d.Patient
		if d.TimeZone != "" {
			sr.timeZone = d.TimeZone
		}
	case req.PatientID != "":
		if !IsID(req.PatientID) {
			v.Add("patient_id", "Unknown patient.")
			return nil
		}
		pt, err := st.Patient(ctx, req.PatientID)
		if errors.Is(err, ErrNotFound) {
			v.Add("patient_id", "Unknown patient.")
			return nil
		}
		if err != nil {
			return wrap("load patient", err)
		}
		sr.patient = pt
	default:
		v.Add("patient_id", "Choose the patient, or the case review the plan follows (booking_id).")
	}
	return nil
}

// checkSeriesService refuses services a series cannot be made of: the
// once-per-patient case review and new-patients-only services (a second
// visit makes the patient a returning one).
func checkSeriesService(v *Validation, svc Service, known bool) {
	switch {
	case !known:
	case svc.Kind == KindCaseReview:
		v.Add("service_id", "The complimentary case review is one visit; choose a treatment for the plan.")
	case svc.NewPatientsOnly:
		v.Add("service_id", "This service is for new patients only, so it cannot be booked as a series.")
	}
}

// checkRepeat bounds how often and how many; prefix names the fields
// ("repeat." online).
func checkRepeat(v *Validation, prefix string, every, count, maxEvery, maxCount int) {
	v.Check(every >= 1 && every <= maxEvery, prefix+"every_weeks", "Choose every 1 to "+strconv.Itoa(maxEvery)+" weeks.")
	v.Check(count >= 1 && count <= maxCount, prefix+"count", "Choose 1 to "+strconv.Itoa(maxCount)+" visits.")
}

// checkSeriesStart rejects a missing or past first visit and a last visit
// past the horizon. Counts already found wrong are not checked again.
func checkSeriesStart(v *Validation, field string, sr series, horizon time.Duration) {
	switch {
	case sr.first.IsZero():
		v.Add(field, "Choose the time of the first visit.")
		return
	case sr.first.Before(sr.now):
		v.Add(field, "That time has passed.")
		return
	}
	if sr.count < 1 || sr.count > MaxPlanVisits || sr.everyWeeks < 1 || sr.everyWeeks > MaxPlanEveryWeeks {
		return
	}
	last := sr.first.AddDate(0, 0, 7*sr.everyWeeks*(sr.count-1))
	if last.After(sr.now.Add(horizon)) {
		countField := "count"
		if strings.HasPrefix(field, "repeat.") || field == "start" {
			countField = "repeat.count"
		}
		v.Add(countField, "The last visit would be "+last.In(sr.clinic.Location()).Format("2 January 2006")+
			", past the booking horizon of "+HumanDuration(horizon)+". Choose fewer visits or a shorter interval.")
	}
}

// SeriesStarts returns the starts of count visits every everyWeeks weeks
// from first, at first's wall-clock time in loc: 10:00 stays 10:00 across a
// change of daylight saving time (a time the change skips maps forward, as
// WallClock does).
func SeriesStarts(first time.Time, everyWeeks, count int, loc *time.Location) []time.Time {
	local := first.In(loc)
	d := DateOf(local)
	tod := At(local.Hour(), local.Minute())
	out := make([]time.Time, count)
	for i := range out {
		out[i] = WallClock(d.AddDays(7*everyWeeks*i), tod, loc).Add(time.Duration(local.Second()) * time.Second).UTC()
	}
	return out
}

// book checks the series with each candidate in turn and books it with the
// first that has every visit free (staff choose one; "anyone" online tries
// each); otherwise as Create documents.
func (p *Plans) book(ctx context.Context, sr series) (PlanBooked, error) {
	var firstConflict error
	for _, pr := range sr.candidates {
		got, err := p.bookWith(ctx, sr, pr)
		if _, ok := ConflictsOf(err); !ok || len(sr.candidates) == 1 {
			return got, err
		}
		if firstConflict == nil {
			firstConflict = err
		}
	}
	return PlanBooked{}, firstConflict
}

// visitCheck is the answer for one visit of a series.
type visitCheck struct {
	start    time.Time
	roomID   string
	conflict *PlanConflict
}

// bookWith checks every visit with practitioner pr and writes the plan.
func (p *Plans) bookWith(ctx context.Context, sr series, pr Practitioner) (PlanBooked, error) {
	starts := SeriesStarts(sr.first, sr.everyWeeks, sr.count, pr.Location())
	checks, err := p.check(ctx, sr, pr, starts)
	if err != nil {
		return PlanBooked{}, err
	}
	var skipped []PlanSkip
	for attempt := 0; ; attempt++ {
		free, conflicts := splitChecks(checks)
		if len(conflicts) > 0 && (sr.onConflict != OnConflictSkip || len(free) == 0) {
			return PlanBooked{}, &PlanConflictError{Conflicts: conflicts, Field: sr.startField}
		}
		for _, c := range conflicts {
			skipped = append(skipped, PlanSkip{Start: c.Start, Reason: c.Reason, Message: c.Message})
		}
		got, err := p.write(ctx, sr, pr, free)
		var taken *VisitTakenError
		if !errors.As(err, &taken) || attempt >= MaxPlanVisits {
			got.Skipped = sortedSkips(skipped)
			return got, err
		}
		// Someone booked a visit's time meanwhile: the database said so.
		// Check the series again, as it is now (the other booking has
		// committed: the database made this write wait for it), and answer
		// or skip as asked.
		if checks, err = p.check(ctx, sr, pr, visitStarts(free)); err != nil {
			return PlanBooked{}, err
		}
		if taken.Index >= 0 && taken.Index < len(free) {
			markTaken(checks, free[taken.Index].start, taken.Err)
		}
	}
}

func visitStarts(cs []visitCheck) []time.Time {
	out := make([]time.Time, len(cs))
	for i, c := range cs {
		out[i] = c.start
	}
	return out
}

// markTaken records that the database found the visit at start taken,
// when a fresh read did not already show it.
func markTaken(checks []visitCheck, start time.Time, err error) {
	for i := range checks {
		if checks[i].start.Equal(start) && checks[i].conflict == nil {
			reason, msg := conflictReason(err)
			checks[i].conflict = &PlanConflict{Start: start, Reason: reason, Message: msg}
		}
	}
}

func splitChecks(checks []visitCheck) (free []visitCheck, conflicts []PlanConflict) {
	for _, c := range checks {
		if c.conflict != nil {
			conflicts = append(conflicts, *c.conflict)
		} else {
			free = append(free, c)
		}
	}
	return free, conflicts
}

func sortedSkips(s []PlanSkip) []PlanSkip {
	slices.SortFunc(s, func(a, b PlanSkip) int { return a.Start.Compare(b.Start) })
	return s
}

// check asks the slot engine about every start with one read of the
// practitioner's schedule and the rooms over the whole series (and a few
// days around it, for alternatives).
func (p *Plans) check(ctx context.Context, sr series, pr Practitioner, starts []time.Time) ([]visitCheck, error) {
	s := p.Scheduler
	window := Interval{
		Start: starts[0].AddDate(0, 0, -planAlternativeDays-1),
		End:   starts[len(starts)-1].AddDate(0, 0, planAlternativeDays+1),
	}
	scheds, err := s.schedulesIn(ctx, []Practitioner{pr}, window)
	if err != nil {
		return nil, err
	}
	rooms, err := s.roomBusy(ctx, sr.rooms, window)
	if err != nil {
		return nil, err
	}
	if len(sr.service.RoomIDs) > 0 && len(rooms) == 0 {
		return nil, Invalid("service_id", "None of the rooms this service needs is in use; ask the clinic to set one up.")
	}
	sched, rooms, err := p.withLiveHolds(ctx, sr, pr, scheds[pr.ID], rooms, window)
	if err != nil {
		return nil, err
	}
	q := slotQueryFor(sched, pr, sr.service, sr.clinic.Policy, sr.now, sr.actor.Staff())
	q.Rooms = rooms
	out := make([]visitCheck, len(starts))
	for i, st := range starts {
		out[i] = visitCheck{start: st}
		err := CanBook(q, st)
		if err == nil {
			out[i].roomID = firstOr(FreeRooms(q, st))
			continue
		}
		if ErrorKind(err) == KindInternal {
			return nil, err
		}
		reason, msg := conflictReason(err)
		out[i].conflict = &PlanConflict{Start: st, Reason: reason, Message: msg,
			Alternatives: alternatives(q, st, starts, pr.Location())}
	}
	return out, nil
}

// withLiveHolds adds the holds live at the series' now (other than the
// patient's own) to the practitioner's and the rooms' busy blocks: a time
// someone is finishing a booking for is not free for a plan either.
func (p *Plans) withLiveHolds(ctx context.Context, sr series, pr Practitioner, sc Schedule, rooms []RoomBusy, window Interval) (Schedule, []RoomBusy, error) {
	roomIDs := make([]string, len(rooms))
	for i, r := range rooms {
		roomIDs[i] = r.ID
	}
	holds, err := p.Scheduler.Store.LiveHolds(ctx, []string{pr.ID}, roomIDs, window.Start, window.End, sr.now)
	if err != nil {
		return sc, nil, wrap("load holds", err)
	}
	for _, h := range holds {
		if h.PractitionerID == pr.ID && h.ID != sr.holdID {
			sc.Busy = append(slices.Clip(sc.Busy), h.Block())
		}
	}
	return sc, addRoomHolds(rooms, holds, sr.holdID), nil
}

func firstOr(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// alternatives are the free starts nearest to want within a few days
// either side, earliest first, leaving out the series' own times.
func alternatives(q SlotQuery, want time.Time, series []time.Time, loc *time.Location) []time.Time {
	d := DateOf(want.In(loc))
	q.From = WallClock(d.AddDays(-planAlternativeDays), 0, loc)
	q.To = WallClock(d.AddDays(planAlternativeDays+1), 0, loc)
	var cands []time.Time
	for _, sl := range Slots(q) {
		if !slices.ContainsFunc(series, func(t time.Time) bool { return t.Equal(sl.Start) }) {
			cands = append(cands, sl.Start.UTC())
		}
	}
	slices.SortStableFunc(cands, func(a, b time.Time) int { return cmp.Compare(absDur(a.Sub(want)), absDur(b.Sub(want))) })
	cands = cands[:min(len(cands), planAlternatives)]
	slices.SortFunc(cands, time.Time.Compare)
	return cands
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// PlanPreviewVisit is one visit of a plan as Preview sees it: free, or
// with the conflict and its alternatives.
type PlanPreviewVisit struct {
	Start    time.Time
	End      time.Time
	Conflict *PlanConflict
}

// Preview checks a staff plan request as Create would, visit by visit,
// and writes nothing: staff see every conflict and its alternatives
// before they confirm.
func (p *Plans) Preview(ctx context.Context, req PlanRequest) ([]PlanPreviewVisit, error) {
	if !req.Actor.Staff() {
		return nil, ErrForbidden
	}
	sr, err := p.staffSeries(ctx, req)
	if err != nil {
		return nil, err
	}
	pr := sr.candidates[0]
	checks, err := p.check(ctx, sr, pr, SeriesStarts(sr.first, sr.everyWeeks, sr.count, pr.Location()))
	if err != nil {
		return nil, err
	}
	out := make([]PlanPreviewVisit, len(checks))
	for i, c := range checks {
		out[i] = PlanPreviewVisit{Start: c.start, End: c.start.Add(sr.service.Duration), Conflict: c.conflict}
	}
	return out, nil
}
