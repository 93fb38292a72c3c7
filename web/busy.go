package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// busyImport returns the configured busy import, else one over the store
// (listing, adding and removing need no fetcher).
func (s *Site) busyImport() (*domain.BusyImport, error) {
	if s.Busy != nil {
		return s.Busy, nil
	}
	if bs, ok := s.Store.(domain.BusyStore); ok {
		return &domain.BusyImport{Store: bs, Clock: s.Clock}, nil
	}
	return nil, errors.New("busy calendars: no store for them is configured")
}

// busyCalendars lists the practitioner's busy calendars for the hours page.
func (s *Site) busyCalendars(c echo.Context, practitionerID string) ([]domain.BusyCalendar, error) {
	bi, err := s.busyImport()
	if err != nil {
		return nil, err
	}
	return bi.Calendars(c.Request().Context(), practitionerID)
}

// saveBusyCalendar handles POST …/busy-calendars: url and label.
func (s *Site) saveBusyCalendar(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	bi, err := s.busyImport()
	if err != nil {
		return err
	}
	_, err = bi.AddCalendar(c.Request().Context(), domain.NewBusyCalendar{
		PractitionerID: p.ID, URL: c.FormValue("url"), Label: trimmed(c.FormValue("label")), By: staffActor(c),
	})
	return s.afterHours(c, err, "busy")
}

// deleteBusyCalendar handles POST …/busy-calendars/:cid/delete.
func (s *Site) deleteBusyCalendar(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	bi, err := s.busyImport()
	if err != nil {
		return err
	}
	return s.afterHours(c, bi.RemoveCalendar(c.Request().Context(), staffActor(c), p.ID, c.Param("cid")), "busy")
}

// timeOffItem is how time off shows on the calendar: busy time read from
// a practitioner's own calendar is shaded apart and names its source.
func timeOffItem(off domain.TimeOff) gridItem {
	if off.Calendar != "" {
		return gridItem{Kind: "busy", Title: "Busy", Lines: []string{"Busy", "from " + nonEmpty(off.Reason, "own calendar")}}
	}
	return gridItem{Kind: "off", Title: "Time off", Lines: []string{nonEmpty(off.Reason, "Time off")}}
}

// busyAlert is a busy calendar that keeps failing, shown on the calendar.
type busyAlert struct {
	Practitioner domain.Practitioner
	Calendar     domain.BusyCalendar
}

// busyAlerts lists the failing busy calendars of the practitioners shown.
func (s *Site) busyAlerts(c echo.Context, ps []domain.Practitioner) ([]busyAlert, error) {
	var out []busyAlert
	for _, p := range ps {
		list, err := s.busyCalendars(c, p.ID)
		if err != nil {
			return nil, err
		}
		for _, bc := range list {
			if bc.Alerting() {
				out = append(out, busyAlert{Practitioner: p, Calendar: bc})
			}
		}
	}
	return out, nil
}
