package domain

import (
	"context"
	"errors"
	"slices"
	"time"
)

// DefaultHoldDuration is how long a hold keeps its time when the clinic
// sets nothing else (HOLD_MINUTES).
const DefaultHoldDuration = 10 * time.Minute

// Hold keeps a visit's block (and its room, when the service needs one) for
// one holder until ExpiresAt: a patient finishing the booking form, or a
// waitlist offer for one entry (WaitlistEntryID set, its own expiry). While
// it lives nobody else can book or hold any part of that block; once
// expired it blocks nothing, even before it is deleted. The database
// enforces both (migration 00021): holds against holds by exclusion
// constraints, holds against bookings by triggers under the booking locks,
// and every write that needs a time deletes the expired holds in its way.
type Hold struct {
	ID             string
	ServiceID      string
	PractitionerID string
	RoomID         string    // "" when the service needs no room
	Start, End     time.Time // the visit, UTC
	// BlockStart and BlockEnd are the visit with the service's buffers:
	// the time the hold keeps from everyone else.
	BlockStart, BlockEnd time.Time
	ExpiresAt            time.Time
	TokenHash            string // HashToken of the holder's token; the raw token is shown once
	// ClientKey identifies the client (a browser, an address), hashed; a
	// client has one hold at a time, so a new hold replaces its previous
	// one. "" for holds that belong to no client (waitlist offers).
	ClientKey string
	// WaitlistEntryID is set for a waitlist offer: the entry whose patient
	// alone may book the time.
	WaitlistEntryID string
	CreatedAt       time.Time
}

// Block is the interval the hold keeps.
func (h Hold) Block() Interval { return Interval{h.BlockStart, h.BlockEnd} }

// LiveAt reports whether the hold still keeps its time at now.
func (h Hold) LiveAt(now time.Time) bool { return now.Before(h.ExpiresAt) }

// ConflictHold is the conflict kind of a time another holder keeps.
const ConflictHold ConflictKind = "hold"

// ErrHoldTaken: another holder keeps the practitioner's time (a live hold
// overlaps the block).
var ErrHoldTaken = &Error{Kind: KindConflict, Field: "start",
	Message: "Someone else is finishing a booking for that time. Please choose another time."}

// HoldStore keeps holds. Every write that needs a hold's time removes the
// holds in its way that have expired at the use case's now, in its own
// transaction; CreateBooking and UpdateBooking do so too, with the
// booking's CreatedAt / UpdatedAt as now.
type HoldStore interface {
	// CreateHold stores h with its audit entry in one transaction that
	// first deletes the holds overlapping h's block (of its practitioner or
	// room) that expired at now, and the previous hold of h.ClientKey (when
	// set). It gives h an ID when it has none. Errors: ErrHoldTaken when a
	// live hold keeps the practitioner's time, ErrRoomTaken when a hold or
	// booking keeps the room, ErrSlotTaken when a live, non-overbooked
	// booking keeps the practitioner's time.
	CreateHold(ctx context.Context, h *Hold, now time.Time, audit *AuditEntry) error
	// HoldByToken returns the hold whose TokenHash is tokenHash, live or
	// expired; ErrNotFound when there is none (released, booked or swept).
	HoldByToken(ctx context.Context, tokenHash string) (Hold, error)
	// HoldOfClient returns the client's hold, live or expired; ErrNotFound
	// when it has none.
	HoldOfClient(ctx context.Context, clientKey string) (Hold, error)
	// DeleteHold removes the hold id with its audit entry in one
	// transaction; ErrNotFound when there is no such hold.
	DeleteHold(ctx context.Context, id string, audit *AuditEntry) error
	// LiveHolds returns the holds live at now (ExpiresAt after now) whose
	// block overlaps [from, to) and that keep one of practitionerIDs or one
	// of roomIDs, sorted by block start.
	LiveHolds(ctx context.Context, practitionerIDs, roomIDs []string, from, to, now time.Time) ([]Hold, error)
	// DeleteExpiredHolds removes every hold expired at now and reports how
	// many; a sweeper's tidying, never needed for correctness.
	DeleteExpiredHolds(ctx context.Context, now time.Time) (int, error)
}

// HoldRequest asks to keep a time while the patient fills in the form.
type HoldRequest struct {
	ServiceID      string
	PractitionerID string // "" = any practitioner who performs the service and is free
	Start          time.Time
	TimeZone       string // the patient's zone; only checked
	// ClientKey identifies the client (hashed by the door: a browser's
	// cookie, or its address); a client keeps one hold at a time. "" for
	// none.
	ClientKey string
	Actor     Actor
}

// Held is a placed hold and its token, shown once.
type Held struct {
	Hold  Hold
	Token string
}

// holdFor is how long a new hold lasts.
func (s *Scheduler) holdFor() time.Duration {
	if s.HoldDuration > 0 {
		return s.HoldDuration
	}
	return DefaultHoldDuration
}

// PlaceHold keeps req's time for HoldDuration (DefaultHoldDuration when
// unset) and answers the hold with its token. The time is checked as a
// booking would be (hours, time off, notice, horizon, the practitioner
// performing the service, a free room). A client that already holds a time
// loses that hold; re-holding the same time keeps the old expiry, so a hold
// never outlives its first expiry by being placed again. Errors: KindInvalid
// naming the fields; ErrSlotTaken, ErrRoomTaken or ErrHoldTaken naming what
// keeps the time.
func (s *Scheduler) PlaceHold(ctx context.Context, req HoldRequest) (Held, error) {
	now := s.now()
	plan, err := s.planning(ctx, BookRequest{
		ServiceID: req.ServiceID, PractitionerID: req.PractitionerID, Start: req.Start,
		TimeZone: req.TimeZone, Actor: req.Actor,
	}, now, true)
	if err != nil {
		return Held{}, err
	}
	expires := now.Add(s.holdFor())
	if req.ClientKey != "" {
		prev, err := s.Store.HoldOfClient(ctx, req.ClientKey)
		switch {
		case err == nil && prev.LiveAt(now) && prev.ServiceID == plan.service.ID && prev.Start.Equal(req.Start.UTC()) &&
			(req.PractitionerID == "" || prev.PractitionerID == req.PractitionerID):
			expires = prev.ExpiresAt
		case err != nil && !errors.Is(err, ErrNotFound):
			return Held{}, wrap("load client's hold", err)
		}
	}
	return s.placeHold(ctx, plan, req.ClientKey, expires)
}

// placeHold tries the plan's candidates in order, as place does for a
// booking, and stores the hold with the first that is free.
func (s *Scheduler) placeHold(ctx context.Context, plan bookingPlan, clientKey string, expires time.Time) (Held, error) {
	block := plan.service.Block(plan.req.Start)
	var scheds map[string]Schedule
	var err error
	if plan.req.PractitionerID != "" {
		scheds, err = s.workingSchedules(ctx, plan.candidates, block)
	} else {
		scheds, err = s.schedulesIn(ctx, plan.candidates, block.Union(plan.day()))
		fairOrder(plan, plan.candidates, scheds)
	}
	if err != nil {
		return Held{}, err
	}
	rooms, err := s.roomBusy(ctx, plan.rooms, block.Union(plan.day()))
	if err != nil {
		return Held{}, err
	}
	if rooms, err = s.withHeldRooms(ctx, rooms, block, plan.now); err != nil {
		return Held{}, err
	}
	raw, hash := NewToken()
	var firstErr error
	for _, p := range plan.candidates {
		q := slotQueryFor(scheds[p.ID], p, plan.service, plan.clinic.Policy, plan.now, plan.req.Actor.Staff())
		err := CanBook(q, plan.req.Start)
		if err == nil {
			h := Hold{
				ID: NewID(), ServiceID: plan.service.ID, PractitionerID: p.ID,
				Start: plan.req.Start.UTC(), End: plan.req.Start.Add(plan.service.Duration).UTC(),
				BlockStart: block.Start.UTC(), BlockEnd: block.End.UTC(),
				ExpiresAt: expires.UTC(), TokenHash: hash, ClientKey: clientKey, CreatedAt: plan.now,
			}
			err = s.createHoldInRoom(ctx, plan, &h, rooms)
			if err == nil {
				return Held{Hold: h, Token: raw}, nil
			}
		}
		if ErrorKind(err) == KindInternal || ErrorKind(err) == KindUnavailable {
			return Held{}, err
		}
		if firstErr == nil || errors.Is(err, ErrHoldTaken) && !errors.Is(firstErr, ErrHoldTaken) {
			firstErr = err
		}
	}
	return Held{}, firstErr
}

// createHoldInRoom stores h in the first free room in fair order, trying
// the next when the database finds one taken meanwhile; with no room
// needed, in none.
func (s *Scheduler) createHoldInRoom(ctx context.Context, plan bookingPlan, h *Hold, rooms []RoomBusy) error {
	if !plan.needsRoom {
		return s.createHold(ctx, plan, h)
	}
	if len(rooms) == 0 {
		return Invalid("service_id", "None of the rooms this service needs is in use; ask the clinic to set one up.")
	}
	q := SlotQuery{Duration: plan.service.Duration, BufferBefore: plan.service.BufferBefore,
		BufferAfter: plan.service.BufferAfter, Rooms: rooms}
	for _, id := range fairRooms(FreeRooms(q, plan.req.Start), rooms, plan.day()) {
		h.RoomID = id
		err := s.createHold(ctx, plan, h)
		if !errors.Is(err, ErrRoomTaken) {
			return err
		}
	}
	h.RoomID = ""
	return ErrRoomTaken.Naming(ConflictRoom, rooms[0].ID)
}

// createHold stores h with its audit entry.
func (s *Scheduler) createHold(ctx context.Context, plan bookingPlan, h *Hold) error {
	audit := AuditEntry{ID: NewID(), At: plan.now, Actor: plan.req.Actor, Action: "hold.create",
		EntityType: "hold", EntityID: h.ID, After: holdAudit(*h)}
	err := s.Store.CreateHold(ctx, h, plan.now, &audit)
	if err != nil {
		return wrap("create hold", err)
	}
	return nil
}

// holdAudit is what the audit log keeps of a hold: no token, no client.
func holdAudit(h Hold) map[string]any {
	out := map[string]any{"service_id": h.ServiceID, "practitioner_id": h.PractitionerID,
		"start": h.Start, "end": h.End, "expires_at": h.ExpiresAt}
	if h.RoomID != "" {
		out["room_id"] = h.RoomID
	}
	if h.WaitlistEntryID != "" {
		out["waitlist_entry_id"] = h.WaitlistEntryID
	}
	return out
}

// ReleaseHold ends the hold the raw token opens, so its time is free at
// once. ErrNotFound when the token opens no hold (already released, booked
// or swept); an expired hold is released too.
func (s *Scheduler) ReleaseHold(ctx context.Context, token string, actor Actor) error {
	h, err := s.HoldByToken(ctx, token)
	if err != nil {
		return err
	}
	audit := AuditEntry{ID: NewID(), At: s.now(), Actor: actor, Action: "hold.release",
		EntityType: "hold", EntityID: h.ID, Before: holdAudit(h)}
	return wrapIf("delete hold", s.Store.DeleteHold(ctx, h.ID, &audit))
}

// HoldByToken returns the hold the raw token opens, live or expired;
// ErrNotFound for none.
func (s *Scheduler) HoldByToken(ctx context.Context, token string) (Hold, error) {
	if token == "" || len(token) > 128 {
		return Hold{}, ErrNotFound
	}
	h, err := s.Store.HoldByToken(ctx, HashToken(token))
	if err != nil {
		return Hold{}, wrap("load hold", err)
	}
	return h, nil
}

// SweepHolds deletes the holds expired now; the count is for logs.
// Correctness never waits for it (see HoldStore).
func (s *Scheduler) SweepHolds(ctx context.Context) (int, error) {
	n, err := s.Store.DeleteExpiredHolds(ctx, s.now())
	return n, wrap("delete expired holds", err)
}

// withHeldRooms adds the live holds of the rooms over window to their busy
// blocks, so a room kept by a hold is not offered or chosen.
func (s *Scheduler) withHeldRooms(ctx context.Context, rooms []RoomBusy, window Interval, now time.Time) ([]RoomBusy, error) {
	return s.withHeldRoomsBut(ctx, rooms, window, now, "")
}

// withHeldRoomsBut is withHeldRooms leaving out the hold with id own.
func (s *Scheduler) withHeldRoomsBut(ctx context.Context, rooms []RoomBusy, window Interval, now time.Time, own string) ([]RoomBusy, error) {
	if len(rooms) == 0 {
		return rooms, nil
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = r.ID
	}
	holds, err := s.Store.LiveHolds(ctx, nil, ids, window.Start, window.End, now)
	if err != nil {
		return nil, wrap("load holds", err)
	}
	return addRoomHolds(rooms, holds, own), nil
}

// addRoomHolds returns rooms with each hold's block added to its room's
// busy blocks, except the hold with id own (the caller's).
func addRoomHolds(rooms []RoomBusy, holds []Hold, own string) []RoomBusy {
	if len(holds) == 0 {
		return rooms
	}
	out := make([]RoomBusy, len(rooms))
	for i, r := range rooms {
		out[i] = RoomBusy{ID: r.ID, Busy: append([]Interval(nil), r.Busy...)}
		for _, h := range holds {
			if h.RoomID == r.ID && h.ID != own {
				out[i].Busy = append(out[i].Busy, h.Block())
			}
		}
	}
	return out
}

// useHold applies the request's hold token to the plan: the hold ends with
// the booking whatever it books, and while it lives the booking takes its
// practitioner and room (when it is for this service, start and, if one is
// named, practitioner). An unknown token is no hold: the booking is tried
// as any other, so a patient whose hold was swept still books a free time.
func (s *Scheduler) useHold(ctx context.Context, plan *bookingPlan) error {
	var h Hold
	var err error
	switch {
	case plan.req.HoldToken != "":
		h, err = s.HoldByToken(ctx, plan.req.HoldToken)
	case plan.req.HoldClient != "":
		h, err = s.Store.HoldOfClient(ctx, plan.req.HoldClient)
	default:
		return nil
	}
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !h.LiveAt(plan.now) || h.ServiceID != plan.service.ID || !h.Start.Equal(plan.req.Start.UTC()) {
		if plan.req.HoldToken != "" {
			plan.hold = h.ID // the token's hold ends with the booking, whatever it books
		}
		return nil
	}
	plan.hold = h.ID
	i := slices.IndexFunc(plan.candidates, func(p Practitioner) bool { return p.ID == h.PractitionerID })
	if i < 0 {
		return nil
	}
	plan.candidates = []Practitioner{plan.candidates[i]}
	plan.req.PractitionerID = h.PractitionerID
	if h.RoomID != "" && plan.needsRoom {
		if j := slices.IndexFunc(plan.rooms, func(r Room) bool { return r.ID == h.RoomID }); j >= 0 {
			plan.rooms = []Room{plan.rooms[j]}
		}
	}
	return nil
}

// withHolds adds the holds live at now over window to the practitioners'
// busy blocks in scheds (replacing their Busy slices, never appending to a
// stored one) and to the rooms' busy blocks, except the hold the raw token
// ownToken opens.
func (s *Scheduler) withHolds(ctx context.Context, ownToken string, scheds map[string]Schedule, rooms []RoomBusy, window Interval, now time.Time) ([]RoomBusy, error) {
	ids := make([]string, 0, len(scheds))
	for id := range scheds {
		ids = append(ids, id)
	}
	roomIDs := make([]string, len(rooms))
	for i, r := range rooms {
		roomIDs[i] = r.ID
	}
	holds, err := s.Store.LiveHolds(ctx, ids, roomIDs, window.Start, window.End, now)
	if err != nil {
		return nil, wrap("load holds", err)
	}
	if len(holds) == 0 {
		return rooms, nil
	}
	own := ""
	if ownToken != "" {
		own = HashToken(ownToken)
	}
	for _, h := range holds {
		sc, ok := scheds[h.PractitionerID]
		if !ok || h.TokenHash == own {
			continue
		}
		sc.Busy = append(slices.Clip(sc.Busy), h.Block())
		scheds[h.PractitionerID] = sc
	}
	ownID := ""
	for _, h := range holds {
		if own != "" && h.TokenHash == own {
			ownID = h.ID
		}
	}
	return addRoomHolds(rooms, holds, ownID), nil
}
