package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// joinPage is the waitlist form: "nothing suits, tell me when a time opens".
type joinPage struct {
	Service      domain.Service
	Practitioner *domain.Practitioner
	Zone         zone
	// Booking is set when the patient asks from the manage page to hear of
	// an earlier time for it; Token is its manage token.
	Booking *domain.BookingDetail
	Token   string
	Form    joinForm
	Problem formProblem
}

type joinForm struct {
	Name, Email, Phone string
	From, To           string
	Times              []string
}

func readJoinForm(f url.Values) joinForm {
	return joinForm{Name: trimmed(f.Get("patient.name")), Email: trimmed(f.Get("patient.email")),
		Phone: trimmed(f.Get("patient.phone")), From: trimmed(f.Get("from")), To: trimmed(f.Get("to")), Times: f["times"]}
}

// Parts are the parts of the day the form offers.
func (joinPage) Parts() []string { return []string{"morning", "afternoon", "evening"} }

// waitlist answers 503 when the site has none wired.
func (s *Site) waitlist() (*domain.Waitlist, error) {
	if s.Waitlist == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "The waitlist is not available.")
	}
	return s.Waitlist, nil
}

// joinForm handles GET /book/:service/waitlist.
func (s *Site) joinForm(c echo.Context) error {
	sv, err := s.bookable(c)
	if err != nil {
		return err
	}
	p, err := s.chosenPractitioner(c, c.QueryParam("practitioner"), sv)
	if err != nil {
		return err
	}
	z := visitorZone(c, s.clinic(c).TimeZone)
	today := s.today(z.Loc)
	d := joinPage{Service: sv, Practitioner: p, Zone: z,
		Form: joinForm{From: today.String(), To: today.AddDays(14).String()}}
	return s.render(c, http.StatusOK, "waitlist_join", "Join the waitlist", d)
}

// join handles POST /book/:service/waitlist.
func (s *Site) join(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	sv, err := s.bookable(c)
	if err != nil {
		return err
	}
	p, err := s.chosenPractitioner(c, c.FormValue("practitioner"), sv)
	if err != nil {
		return err
	}
	z := visitorZone(c, s.clinic(c).TimeZone)
	form, _ := c.FormParams()
	f := readJoinForm(form)
	got, err := w.Join(c.Request().Context(), domain.JoinRequest{ServiceID: sv.ID, PractitionerID: practitionerID(p),
		Patient: domain.Patient{Name: f.Name, Email: f.Email, Phone: f.Phone},
		From:    f.From, To: f.To, TimeZone: z.Name, Times: f.Times, Actor: domain.ActorPatient})
	if err != nil {
		return s.joinProblem(c, joinPage{Service: sv, Practitioner: p, Zone: z, Form: f}, err)
	}
	return seeOther(c, "/waitlist/"+url.PathEscape(got.ManageToken)+"?joined=1")
}

// joinProblem shows the form again with what is wrong, or the error page.
func (s *Site) joinProblem(c echo.Context, d joinPage, err error) error {
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d.Problem = p
	return s.render(c, statusOf(err), "waitlist_join", "Join the waitlist", d)
}

// earlierForm handles GET /manage/:token/waitlist: "tell me if something
// earlier opens" for the patient's booking.
func (s *Site) earlierForm(c echo.Context) error {
	d, err := s.earlierPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "waitlist_join", "Hear of an earlier time", d)
}

func (s *Site) earlierPage(c echo.Context) (joinPage, error) {
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	b, err := s.Scheduler.Manage(c.Request().Context(), token)
	if err != nil {
		return joinPage{}, err
	}
	z := visitorZone(c, b.TimeZone)
	return joinPage{Service: b.Service, Practitioner: &b.Practitioner, Zone: z, Booking: &b, Token: token,
		Form: joinForm{From: s.today(z.Loc).String(), To: domain.DateOf(b.Start.In(z.Loc)).String()}}, nil
}

// joinEarlier handles POST /manage/:token/waitlist.
func (s *Site) joinEarlier(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	d, err := s.earlierPage(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	d.Form = readJoinForm(form)
	got, err := w.Join(c.Request().Context(), domain.JoinRequest{BookingToken: d.Token, From: d.Form.From, To: d.Form.To,
		TimeZone: d.Zone.Name, Times: d.Form.Times, Actor: domain.ActorPatient})
	if err != nil {
		return s.joinProblem(c, d, err)
	}
	return seeOther(c, "/waitlist/"+url.PathEscape(got.ManageToken)+"?joined=1")
}

// entryPage is the patient's own waitlist entry.
type entryPage struct {
	Entry        domain.WaitlistEntry
	Service      domain.Service
	Practitioner *domain.Practitioner
	Token        string
	Zone         zone
	Joined, Left bool
}

// Waiting reports whether the entry is still in the line.
func (d entryPage) Waiting() bool { return d.Entry.Active() }

// entry handles GET /waitlist/:token.
func (s *Site) entry(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	e, err := w.EntryByToken(c.Request().Context(), token)
	if err != nil {
		return err
	}
	d := entryPage{Entry: e, Token: token, Zone: visitorZone(c, e.TimeZone),
		Joined: c.QueryParam("joined") == "1", Left: c.QueryParam("left") == "1"}
	if d.Service, err = s.Store.Service(c.Request().Context(), e.ServiceID); err != nil {
		return err
	}
	if e.PractitionerID != "" {
		p, err := s.Store.Practitioner(c.Request().Context(), e.PractitionerID)
		if err != nil {
			return err
		}
		d.Practitioner = &p
	}
	return s.render(c, http.StatusOK, "waitlist_entry", "Your place on the waitlist", d)
}

// leave handles POST /waitlist/:token/leave.
func (s *Site) leave(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	token := c.Param("token")
	if _, err := w.Leave(c.Request().Context(), token); err != nil {
		return err
	}
	return seeOther(c, "/waitlist/"+url.PathEscape(token)+"?left=1")
}

// offerPage is an offer as its patient answers it.
type offerPage struct {
	V       domain.OfferView
	Token   string
	Zone    zone
	Decline bool // asked to decline: confirm first (a mail scanner's GET must not decline)
	Done    string
	Problem formProblem
	Now     time.Time
}

// Open reports whether the offer can still be answered.
func (d offerPage) Open() bool { return d.V.Offer.Status == domain.OfferOpen }

// offer handles GET /offers/:token. Answering takes a POST from the page:
// links in emails are opened by scanners, which must not accept or decline.
func (s *Site) offer(c echo.Context) error {
	d, err := s.offerPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "offer", "A time for you", d)
}

func (s *Site) offerPage(c echo.Context) (offerPage, error) {
	w, err := s.waitlist()
	if err != nil {
		return offerPage{}, err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	v, err := w.OfferByToken(c.Request().Context(), token)
	if err != nil {
		return offerPage{}, err
	}
	return offerPage{V: v, Token: token, Zone: visitorZone(c, v.Entry.TimeZone),
		Decline: c.QueryParam("answer") == "decline", Done: c.QueryParam("done"), Now: s.Clock.Now()}, nil
}

// acceptOffer handles POST /offers/:token/accept: the booking's manage
// page follows, as after booking.
func (s *Site) acceptOffer(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	got, err := w.Accept(c.Request().Context(), c.Param("token"))
	if err != nil {
		return s.offerProblem(c, err)
	}
	return seeOther(c, "/manage/"+url.PathEscape(got.ManageToken)+"?booked=1")
}

// declineOffer handles POST /offers/:token/decline.
func (s *Site) declineOffer(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	token := c.Param("token")
	if _, err := w.Decline(c.Request().Context(), token); err != nil {
		return s.offerProblem(c, err)
	}
	return seeOther(c, "/offers/"+url.PathEscape(token)+"?done=declined")
}

// offerProblem shows the offer page again with what went wrong.
func (s *Site) offerProblem(c echo.Context, err error) error {
	p, ok := problemOf(err)
	if !ok || errors.Is(err, domain.ErrNotFound) {
		return err
	}
	d, lerr := s.offerPage(c)
	if lerr != nil {
		return lerr
	}
	d.Problem = p
	return s.render(c, statusOf(err), "offer", "A time for you", d)
}
