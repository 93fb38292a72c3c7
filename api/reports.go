package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// The reports answer JSON, or CSV of the same figures for Accept: text/csv
// (or ?format=csv, for download links). Periods are whole days in the
// clinic's zone, from and to inclusive; the default is the 30 days to today.

// defaultReportDays is the period of a report that names none.
const defaultReportDays = 30

// reportQuery reads ?from=&to=&practitioner_id=.
func (s *Server) reportQuery(c echo.Context) (domain.ReportQuery, error) {
	var q domain.ReportQuery
	var v domain.Validation
	var err error
	if raw := c.QueryParam("from"); raw != "" {
		q.From, err = domain.ParseDate(raw)
		v.Check(err == nil, "from", "Give the first day as YYYY-MM-DD.")
	}
	if raw := c.QueryParam("to"); raw != "" {
		q.To, err = domain.ParseDate(raw)
		v.Check(err == nil, "to", "Give the last day as YYYY-MM-DD.")
	}
	if err := v.Err(); err != nil {
		return q, err
	}
	if q.To == (domain.Date{}) || q.From == (domain.Date{}) {
		cl, err := s.Store.Clinic(c.Request().Context())
		if err != nil {
			return q, err
		}
		if q.To == (domain.Date{}) {
			q.To = domain.DateOf(s.Clock.Now().In(cl.Location()))
		}
		if q.From == (domain.Date{}) {
			q.From = q.To.AddDays(1 - defaultReportDays)
		}
	}
	q.PractitionerID = c.QueryParam("practitioner_id")
	return q, nil
}

// wantsCSV reports whether the client asked for CSV.
func wantsCSV(c echo.Context) bool {
	return c.QueryParam("format") == "csv" || strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv")
}

// writeCSV answers a CSV table named for the report and its period.
func writeCSV(c echo.Context, name string, q domain.ReportQuery, rows [][]string) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s-%s.csv"`, name, q.From, q.To))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	for _, r := range rows {
		for i, cell := range r {
			r[i] = csvSafe(cell)
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// csvSafe keeps a spreadsheet from reading a cell (a campaign name typed
// by anyone) as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.Atoi(s); err != nil {
			return "'" + s
		}
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// reviewCountsJSON is one row of the funnel.
type reviewCountsJSON struct {
	Source                 string `json:"source"`
	UTMCampaign            string `json:"utm_campaign"`
	Booked                 int    `json:"booked"`
	Attended               int    `json:"attended"`
	NoShow                 int    `json:"no_show"`
	Cancelled              int    `json:"cancelled"`
	Converted              int    `json:"converted"`
	FirstTreatmentAttended int    `json:"first_treatment_attended"`
}

type funnelJSON struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Definition  string `json:"definition"`
	CaseReviews struct {
		Booked    int `json:"booked"`
		Attended  int `json:"attended"`
		NoShow    int `json:"no_show"`
		Cancelled int `json:"cancelled"`
	} `json:"case_reviews"`
	Converted struct {
		Plans                  int `json:"plans"`
		FirstTreatmentAttended int `json:"first_treatment_attended"`
	} `json:"converted"`
	BySource []reviewCountsJSON `json:"by_source"`
}

func toReviewCounts(src, campaign string, n domain.ReviewCounts) reviewCountsJSON {
	return reviewCountsJSON{Source: src, UTMCampaign: campaign, Booked: n.Booked, Attended: n.Attended,
		NoShow: n.NoShow, Cancelled: n.Cancelled, Converted: n.Converted, FirstTreatmentAttended: n.FirstTreatmentAttended}
}

// reportFunnel handles GET /api/v1/reports/funnel?from=&to=[&group_by=source].
func (s *Server) reportFunnel(c echo.Context) error {
	q, err := s.reportQuery(c)
	if err != nil {
		return err
	}
	bySource := false
	switch c.QueryParam("group_by") {
	case "":
	case "source":
		bySource = true
	default:
		return domain.Invalid("group_by", "Use source, or leave it out.")
	}
	f, err := s.Reports.Funnel(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := funnelJSON{From: q.From.String(), To: q.To.String(), Definition: domain.FunnelDefinition, BySource: []reviewCountsJSON{}}
	t := f.Total
	out.CaseReviews.Booked, out.CaseReviews.Attended, out.CaseReviews.NoShow, out.CaseReviews.Cancelled = t.Booked, t.Attended, t.NoShow, t.Cancelled
	out.Converted.Plans, out.Converted.FirstTreatmentAttended = t.Converted, t.FirstTreatmentAttended
	if bySource {
		for _, g := range f.BySource {
			out.BySource = append(out.BySource, toReviewCounts(string(g.Source), g.UTMCampaign, g.ReviewCounts))
		}
	}
	if !wantsCSV(c) {
		return c.JSON(http.StatusOK, out)
	}
	rows := [][]string{{"source", "utm_campaign", "booked", "attended", "no_show", "cancelled", "converted", "first_treatment_attended"}}
	for _, r := range append([]reviewCountsJSON{toReviewCounts("all", "", t)}, out.BySource...) {
		rows = append(rows, []string{r.Source, r.UTMCampaign, itoa(r.Booked), itoa(r.Attended), itoa(r.NoShow),
			itoa(r.Cancelled), itoa(r.Converted), itoa(r.FirstTreatmentAttended)})
	}
	return writeCSV(c, "funnel", q, rows)
}

type useJSON struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	OpenMinutes   int    `json:"open_minutes"`
	BookedMinutes int    `json:"booked_minutes"`
}

// reportUtilisation handles GET /api/v1/reports/utilisation?from=&to=.
func (s *Server) reportUtilisation(c echo.Context) error {
	q, err := s.reportQuery(c)
	if err != nil {
		return err
	}
	u, err := s.Reports.Utilisation(c.Request().Context(), q)
	if err != nil {
		return err
	}
	prs, rooms := []useJSON{}, []useJSON{}
	for _, p := range u.Practitioners {
		prs = append(prs, useJSON{p.Practitioner.ID, p.Practitioner.Name, p.OpenMinutes, p.BookedMinutes})
	}
	for _, r := range u.Rooms {
		rooms = append(rooms, useJSON{r.ID, r.Name, r.OpenMinutes, r.BookedMinutes})
	}
	if !wantsCSV(c) {
		return c.JSON(http.StatusOK, map[string]any{"from": q.From.String(), "to": q.To.String(), "practitioners": prs, "rooms": rooms})
	}
	rows := [][]string{{"kind", "id", "name", "open_minutes", "booked_minutes"}}
	for _, group := range []struct {
		kind string
		list []useJSON
	}{{"practitioner", prs}, {"room", rooms}} {
		for _, r := range group.list {
			rows = append(rows, []string{group.kind, r.ID, r.Name, itoa(r.OpenMinutes), itoa(r.BookedMinutes)})
		}
	}
	return writeCSV(c, "utilisation", q, rows)
}

type heatCellJSON struct {
	Weekday       string `json:"weekday"`
	Hour          int    `json:"hour"`
	OpenMinutes   int    `json:"open_minutes"`
	BookedMinutes int    `json:"booked_minutes"`
}

// reportHeatmap handles GET /api/v1/reports/heatmap?from=&to=&practitioner_id=.
func (s *Server) reportHeatmap(c echo.Context) error {
	q, err := s.reportQuery(c)
	if err != nil {
		return err
	}
	cells, err := s.Reports.Heatmap(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := make([]heatCellJSON, len(cells))
	for i, cell := range cells {
		out[i] = heatCellJSON{strings.ToLower(cell.Weekday.String()), cell.Hour, cell.OpenMinutes, cell.BookedMinutes}
	}
	if !wantsCSV(c) {
		cl, err := s.Store.Clinic(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"from": q.From.String(), "to": q.To.String(), "time_zone": cl.TimeZone, "cells": out})
	}
	rows := [][]string{{"weekday", "hour", "open_minutes", "booked_minutes"}}
	for _, r := range out {
		rows = append(rows, []string{r.Weekday, itoa(r.Hour), itoa(r.OpenMinutes), itoa(r.BookedMinutes)})
	}
	return writeCSV(c, "heatmap", q, rows)
}

type attendanceJSON struct {
	ServiceID          string `json:"service_id"`
	Service            string `json:"service"`
	PractitionerID     string `json:"practitioner_id"`
	Practitioner       string `json:"practitioner"`
	Bookings           int    `json:"bookings"`
	NoShow             int    `json:"no_show"`
	NoShowReminded     int    `json:"no_show_reminded"`
	LateCancel         int    `json:"late_cancel"`
	LateCancelReminded int    `json:"late_cancel_reminded"`
}

// reportNoShows handles GET /api/v1/reports/no-shows?from=&to=.
func (s *Server) reportNoShows(c echo.Context) error {
	q, err := s.reportQuery(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.Reports.Attendance(ctx, q)
	if err != nil {
		return err
	}
	names, err := s.catalogNames(c)
	if err != nil {
		return err
	}
	out := make([]attendanceJSON, len(list))
	for i, r := range list {
		out[i] = attendanceJSON{r.ServiceID, names[r.ServiceID], r.PractitionerID, names[r.PractitionerID],
			r.Bookings, r.NoShows, r.NoShowsReminded, r.LateCancels, r.LateCancelsReminded}
	}
	if !wantsCSV(c) {
		cl, err := s.Store.Clinic(ctx)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"from": q.From.String(), "to": q.To.String(),
			"late_cancel_hours": cl.Policy.CancelCutoff.Hours(), "rows": out})
	}
	rows := [][]string{{"service_id", "service", "practitioner_id", "practitioner", "bookings", "no_show", "no_show_reminded", "late_cancel", "late_cancel_reminded"}}
	for _, r := range out {
		rows = append(rows, []string{r.ServiceID, r.Service, r.PractitionerID, r.Practitioner, itoa(r.Bookings),
			itoa(r.NoShow), itoa(r.NoShowReminded), itoa(r.LateCancel), itoa(r.LateCancelReminded)})
	}
	return writeCSV(c, "no-shows", q, rows)
}

// catalogNames maps service and practitioner ids (all, inactive too) to names.
func (s *Server) catalogNames(c echo.Context) (map[string]string, error) {
	ctx := c.Request().Context()
	svcs, err := s.Store.Services(ctx, true)
	if err != nil {
		return nil, err
	}
	prs, err := s.Store.Practitioners(ctx, true)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(svcs)+len(prs))
	for _, sv := range svcs {
		names[sv.ID] = sv.Name
	}
	for _, p := range prs {
		names[p.ID] = p.Name
	}
	return names, nil
}
