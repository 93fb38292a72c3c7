package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// daySheetPage is the printable day: one sheet per practitioner.
type daySheetPage struct {
	Date     domain.Date
	Heading  string
	Zone     string
	Back     string // the calendar of the day
	Sheets   []daySheet
	Selected string
}

// daySheet is one practitioner's visits of the day, in time order.
type daySheet struct {
	Practitioner domain.Practitioner
	Rows         []daySheetRow
}

// daySheetRow is one visit on the sheet.
type daySheetRow struct {
	Time, End         string
	Patient, Phone    string
	Service, Room     string
	Status            domain.Status
	Intake            string // the case review's answers in one line
	Notes, StaffNotes string
	Over              bool
}

// daySheet handles GET /staff/daysheet?date=&practitioner=: every live
// visit of the day, per practitioner (a practitioner sees their own).
func (s *Site) daySheet(c echo.Context) error {
	loc := s.clinic(c).Location()
	d := daySheetPage{Date: s.today(loc), Zone: zoneLabel(loc), Selected: c.QueryParam("practitioner")}
	if raw := c.QueryParam("date"); raw != "" {
		day, err := domain.ParseDate(raw)
		if err != nil {
			return domain.Invalid("date", "Give the date as YYYY-MM-DD.")
		}
		d.Date = day
	}
	u, _ := auth.UserFrom(c)
	ps, err := s.visiblePractitioners(c.Request().Context(), u)
	if err != nil {
		return err
	}
	if d.Selected != "" {
		ps = slices.DeleteFunc(ps, func(p domain.Practitioner) bool { return p.ID != d.Selected })
	}
	from, to := domain.WallClock(d.Date, 0, loc), domain.WallClock(d.Date.AddDays(1), 0, loc)
	bookings, err := s.Store.Bookings(c.Request().Context(), domain.BookingFilter{From: from, To: to,
		Statuses: []domain.Status{domain.StatusConfirmed, domain.StatusArrived, domain.StatusCompleted, domain.StatusNoShow}})
	if err != nil {
		return err
	}
	for _, p := range ps {
		sheet := daySheet{Practitioner: p}
		for _, b := range bookings {
			if b.PractitionerID == p.ID {
				sheet.Rows = append(sheet.Rows, sheetRow(b, loc))
			}
		}
		d.Sheets = append(d.Sheets, sheet)
	}
	d.Heading = "Day sheet, " + dayLabel(d.Date)
	d.Back = "/staff?view=day&date=" + d.Date.String()
	return s.render(c, http.StatusOK, "daysheet", d.Heading, d)
}

func sheetRow(b domain.BookingDetail, loc *time.Location) daySheetRow {
	r := daySheetRow{Time: b.Start.In(loc).Format("3:04 PM"), End: b.End.In(loc).Format("3:04 PM"), Patient: b.Patient.Name,
		Phone: b.Patient.Phone, Service: b.Service.Name, Room: b.Room.Name, Status: b.Status, Notes: b.Notes,
		StaffNotes: b.StaffNotes, Over: b.Overbooked}
	if in := b.Intake; in != nil {
		var parts []string
		if len(in.PainAreas) > 0 {
			parts = append(parts, "Pain: "+strings.Join(in.PainAreas, ", "))
		}
		if in.Duration != "" {
			parts = append(parts, "for "+in.Duration)
		}
		if len(in.Tried) > 0 {
			parts = append(parts, "tried "+strings.Join(in.Tried, ", "))
		}
		if in.Notes != "" {
			parts = append(parts, "“"+in.Notes+"”")
		}
		r.Intake = strings.Join(parts, "; ")
	}
	return r
}
