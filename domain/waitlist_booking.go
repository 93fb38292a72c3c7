package domain

import (
	"context"
	"errors"
)

// bookForOffer books an accepted offer's time for the entry's patient
// under the patient's rules, as source waitlist, with the offer's hold
// token: the booking takes the hold's practitioner and room and consumes
// it. The store accepts the offer in the booking's transaction
// (ErrOfferGone once it lapsed).
func (s *Scheduler) bookForOffer(ctx context.Context, e WaitlistEntry, o Offer, holdToken string, claim *OfferClaim) (Booked, error) {
	req := BookRequest{ServiceID: e.ServiceID, PractitionerID: o.PractitionerID, Start: o.Start,
		TimeZone: e.TimeZone, Patient: e.Patient, Intake: e.Intake, Actor: ActorPatient, HoldToken: holdToken, offer: claim}
	return s.book(ctx, req, s.now())
}

// moveForOffer moves the patient's later booking d to an accepted offer's
// time (one visit, not two), over the offer's hold (its room too). The
// clinic offered the time, so the patient's reschedule cut-off does not
// apply; the link is renewed, and the rescheduled email carries the new one.
func (s *Scheduler) moveForOffer(ctx context.Context, d BookingDetail, o Offer, holdToken string, claim *OfferClaim) (Booked, error) {
	m := move{actor: ActorPatient, start: o.Start, practitionerID: o.PractitionerID, offer: claim}
	m.freshToken, _ = NewToken()
	h, err := s.Store.HoldByToken(ctx, HashToken(holdToken))
	switch {
	case err == nil:
		m.consumeHold, m.roomID = h.ID, h.RoomID
	case !errors.Is(err, ErrNotFound):
		return Booked{}, wrap("load the offer's hold", err)
	}
	got, err := s.reschedule(ctx, d, m)
	if err != nil {
		return Booked{}, err
	}
	return Booked{Booking: patientView(got), ManageToken: m.freshToken, ManageURL: s.manageURL(m.freshToken)}, nil
}
