package domain

import "context"

// VisitNotice returns the snapshot of the booking a raw manage token opens,
// as its invites are built: the same UID, the current SEQUENCE and status,
// and ManageURL = BaseURL + "/manage/" + token. It leaves out what only
// practitioners are told (the cancellation reason). A wrong token is plain
// ErrNotFound.
func (s *Scheduler) VisitNotice(ctx context.Context, token string) (Notice, error) {
	d, err := s.byToken(ctx, token)
	if err != nil {
		return Notice{}, err
	}
	c, err := s.Store.Clinic(ctx)
	if err != nil {
		return Notice{}, wrap("load clinic", err)
	}
	return s.notice(c, d, token), nil
}
