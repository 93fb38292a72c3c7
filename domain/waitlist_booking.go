package domain

import "context"

// bookForOffer books an accepted offer's time for the entry's patient
// under the patient's rules, as source waitlist; the store accepts the
// offer in the booking's transaction (ErrOfferGone once it lapsed).
func (s *Scheduler) bookForOffer(ctx context.Context, e WaitlistEntry, o Offer, claim *OfferClaim) (Booked, error) {
	req := BookRequest{ServiceID: e.ServiceID, PractitionerID: o.PractitionerID, Start: o.Start,
		TimeZone: e.TimeZone, Patient: e.Patient, Intake: e.Intake, Actor: ActorPatient, offer: claim}
	return s.book(ctx, req, s.now())
}

// moveForOffer moves the patient's later booking d to an accepted offer's
// time (one visit, not two). The clinic offered the time, so the patient's
// reschedule cut-off does not apply; the link is renewed, and the
// rescheduled email carries the new one.
func (s *Scheduler) moveForOffer(ctx context.Context, d BookingDetail, o Offer, claim *OfferClaim) (Booked, error) {
	token, _ := NewToken()
	got, err := s.reschedule(ctx, d, move{actor: ActorPatient, start: o.Start, practitionerID: o.PractitionerID,
		offer: claim, freshToken: token})
	if err != nil {
		return Booked{}, err
	}
	return Booked{Booking: patientView(got), ManageToken: token, ManageURL: s.manageURL(token)}, nil
}
