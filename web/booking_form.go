package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

func readBookingForm(f url.Values) bookingForm {
	return bookingForm{
		Name: trimmed(f.Get("patient.name")), Email: trimmed(f.Get("patient.email")), Phone: trimmed(f.Get("patient.phone")),
		Notes: trimmed(f.Get("notes")), PainAreas: f["intake.pain_areas"], Tried: f["intake.tried"],
		Duration: f.Get("intake.duration"), IntakeNotes: trimmed(f.Get("intake.notes")),
		RepeatCount: f.Get("repeat.count"), RepeatEvery: f.Get("repeat.every_weeks"),
	}
}

// bookSeries books the details form as a series of count visits: one
// confirmation email with every visit; the manage page of the first.
func (s *Site) bookSeries(c echo.Context, d detailsPage, req domain.BookRequest, count int) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	every, _ := strconv.Atoi(d.Form.RepeatEvery)
	req.IdempotencyKey, req.RequestHash = "", ""
	got, err := p.BookSeries(c.Request().Context(), req, domain.Repeat{EveryWeeks: every, Count: count})
	if err == nil {
		q := url.Values{"booked": {"1"}, "tz": {d.Zone.Name}}
		if d.Arrival.Embed {
			q = withArrival(q, arrival{Embed: true, Origin: d.Arrival.Origin})
		}
		return seeOther(c, "/manage/"+url.PathEscape(got.Tokens[0])+"?"+q.Encode())
	}
	pr, ok := problemOf(err)
	if !ok {
		return err
	}
	d.Problem = pr
	d.Conflicts, _ = domain.ConflictsOf(err)
	return s.render(c, statusOf(err), "details", "Your details", d)
}

// request is the domain's booking request for the form.
func (d detailsPage) request(key string) domain.BookRequest {
	f := d.Form
	req := domain.BookRequest{
		ServiceID: d.Service.ID, PractitionerID: practitionerID(d.Practitioner), Start: d.Start, TimeZone: d.Zone.Name,
		Patient: domain.Patient{Name: f.Name, Email: f.Email, Phone: f.Phone}, Notes: f.Notes,
		Actor: domain.ActorPatient, IdempotencyKey: key,
		Source: d.Arrival.source(), Attribution: d.Arrival.Attribution,
	}
	if d.Service.Kind == domain.KindCaseReview {
		req.Intake = &domain.Intake{PainAreas: f.PainAreas, Duration: f.Duration, Tried: f.Tried, Notes: f.IntakeNotes}
	}
	if key != "" {
		req.RequestHash = requestHash(req)
	}
	return req
}

// requestHash fingerprints a booking request, so one idempotency key
// cannot be replayed for a different booking.
func requestHash(r domain.BookRequest) string {
	parts := []string{"web-v1", r.ServiceID, r.PractitionerID, r.Start.UTC().Format(time.RFC3339), r.TimeZone,
		r.Patient.Name, domain.NormalizeEmail(r.Patient.Email), r.Patient.Phone, r.Notes,
		string(r.Source), r.Attribution.Referrer, r.Attribution.UTMSource, r.Attribution.UTMMedium,
		r.Attribution.UTMCampaign, r.Attribution.UTMContent}
	if in := r.Intake; in != nil {
		parts = append(parts, strings.Join(in.PainAreas, ","), in.Duration, strings.Join(in.Tried, ","), in.Notes)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// alternatives are the open times nearest the one just taken: that day and
// the next six.
func (s *Site) alternatives(c echo.Context, d detailsPage) ([]slotView, error) {
	from := domain.DateOf(d.Start.In(d.Zone.Loc))
	if today := s.today(d.Zone.Loc); from.Before(today) {
		from = today
	}
	slots, err := s.openSlots(c.Request().Context(), d.Service.ID, practitionerID(d.Practitioner), from, 7, d.Zone.Loc)
	if err != nil {
		return nil, err
	}
	return slotViews(nearest(slots, d.Start, 6), d.Zone.Loc), nil
}

// newKey is a fresh idempotency key for a form.
func newKey() string {
	raw, _ := domain.NewToken()
	return raw
}

// statusOf is the HTTP status of a form that failed with err.
func statusOf(err error) int {
	switch domain.ErrorKind(err) {
	case domain.KindConflict:
		return http.StatusConflict
	case domain.KindForbidden:
		return http.StatusForbidden
	case domain.KindTooMany:
		return http.StatusTooManyRequests
	case domain.KindUnauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusUnprocessableEntity
}
