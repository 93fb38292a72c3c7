package web

import (
	"net/url"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// Fixed data for the rendering tests: a clinic in New York and a visitor
// in Berlin.
var (
	nyc, _    = time.LoadLocation("America/New_York")
	berlin, _ = time.LoadLocation("Europe/Berlin")
	fixNow    = time.Date(2026, 3, 9, 14, 20, 0, 0, time.UTC)
	fixClinic = domain.Clinic{Name: "Riverside Chiropractic & Massage", TimeZone: "America/New_York", Phone: "+1 (555) 010-2030",
		Email: "desk@example.com", Address: "120 River Street, Hudson, NY", WhatToBring: "Comfortable clothing.", Policy: domain.DefaultPolicy}
	fixReview = domain.Service{ID: "11111111-1111-4111-8111-111111111111", Name: "Complimentary Case Review", Kind: domain.KindCaseReview,
		Duration: 15 * time.Minute, Currency: "USD", NewPatientsOnly: true, OnlineBookable: true, Active: true, Color: "#0f766e",
		Description: "A free 15-minute conversation with the chiropractor."}
	fixMassage = domain.Service{ID: "22222222-2222-4222-8222-222222222222", Name: "Swedish Massage — 60 min", Kind: domain.KindMassage,
		Duration: time.Hour, PriceCents: 9500, Currency: "USD", OnlineBookable: true, Active: true, Color: "#2563eb", Description: "Long, flowing strokes."}
	fixPract = domain.Practitioner{ID: "33333333-3333-4333-8333-333333333333", Name: "Dr. Maya Chen", Title: "Chiropractor (DC)",
		TimeZone: "America/New_York", Active: true, ServiceIDs: []string{fixReview.ID}, Color: "#0f766e", Bio: "Twelve years of practice."}
	fixPatient = domain.Patient{ID: "44444444-4444-4444-8444-444444444444", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+1 555 123 4567"}
	fixUser    = domain.User{ID: "55555555-5555-4555-8555-555555555555", Email: "desk@example.com", Name: "Dana Desk", Role: domain.RoleAdmin, Active: true}
)

func fixBooking() domain.BookingDetail {
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	return domain.BookingDetail{
		Booking: domain.Booking{ID: "66666666-6666-4666-8666-666666666666", ServiceID: fixReview.ID, PractitionerID: fixPract.ID,
			PatientID: fixPatient.ID, Start: start, End: start.Add(15 * time.Minute), Status: domain.StatusConfirmed, Source: domain.SourceOnline,
			TimeZone: "Europe/Berlin", Intake: &domain.Intake{PainAreas: []string{"neck", "back"}, Duration: "months", Tried: []string{"massage"}, Notes: "Worse in the morning."},
			StaffNotes: "Prefers mornings.", Overbooked: true},
		Service: fixReview, Practitioner: fixPract, Patient: fixPatient,
	}
}

// bookedAsOther is b made with another name and phone than the
// patient's record says.
func bookedAsOther(b domain.BookingDetail) domain.BookingDetail {
	b.GivenName, b.GivenPhone = "Ada Impostor", "+1 555 666 0000"
	return b
}

func fixZone() zone {
	return zone{Loc: berlin, Name: "Europe/Berlin", Label: zoneLabel(berlin), Options: commonZones}
}

func fixWeek() weekView {
	from := domain.Date{Year: 2026, Month: 3, Day: 10}
	slots := []domain.Slot{
		{Start: time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 10, 14, 15, 0, 0, time.UTC), PractitionerID: fixPract.ID},
		{Start: time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC), End: time.Date(2026, 3, 11, 15, 45, 0, 0, time.UTC), PractitionerID: fixPract.ID},
	}
	return buildWeek(slots, from, domain.Date{Year: 2026, Month: 3, Day: 9}, fixZone(), url.Values{"practitioner": {fixPract.ID}},
		func(t time.Time) string { return detailsURL(fixReview.ID, fixPract.ID, t, "Europe/Berlin", arrival{}) })
}

func fixGrid() grid {
	g := grid{Loc: nyc, StartMin: 8 * 60, EndMin: 18 * 60,
		Columns: []gridColumn{{Label: fixPract.Name, Sub: fixPract.Title, PractitionerID: fixPract.ID, Day: domain.Date{Year: 2026, Month: 3, Day: 10}, Col: 2}}}
	g.layoutRows()
	col := g.Columns[0]
	day := domain.WallClock(col.Day, 0, nyc)
	working := []domain.Interval{{Start: day.Add(9 * time.Hour), End: day.Add(17 * time.Hour)}}
	sc := domain.Schedule{TimeOff: []domain.TimeOff{{Start: day.Add(12 * time.Hour), End: day.Add(13 * time.Hour), Reason: "Lunch course"}}}
	b := fixBooking()
	cancelled := fixBooking()
	cancelled.ID, cancelled.Status = "77777777-7777-4777-8777-777777777777", domain.StatusCancelled
	cancelled.Start, cancelled.End = day.Add(15*time.Hour), day.Add(16*time.Hour)
	over := fixBooking()
	over.ID = "88888888-8888-4888-8888-888888888889"
	g.fillColumn(col, working, sc, []domain.BookingDetail{b, cancelled, over}, true)
	g.layoutLanes()
	g.finish()
	g.legend([]domain.BookingDetail{b})
	g.markNow(day.Add(10*time.Hour + 20*time.Minute))
	return g
}

// fullPages is every page with realistic data.
// fixRoom is a room in use.
var fixRoom = domain.Room{ID: "r1", Name: "Treatment room 1", Kind: domain.RoomKindRoom, Active: true}

func fullPages() map[string]any {
	b := fixBooking()
	week := fixWeek()
	problem := formProblem{Message: "Some fields need attention.", Fields: fieldErrors{"patient.email": "Give a valid email address.", "intake.pain_areas": "Choose where it hurts."}}
	form := bookingForm{Name: "Ada Lovelace", Email: "ada@", Phone: "555", PainAreas: []string{"neck"}, Duration: "weeks", Tried: []string{"nothing"}, IntakeNotes: "Stiff."}
	msgs := []domain.Message{
		{ID: "88888888-8888-4888-8888-888888888888", BookingID: b.ID, Kind: domain.MessageConfirmation, To: "ada@example.com", Status: domain.MessageDead, Attempts: 8, LastError: "dial tcp: connection refused", CreatedAt: fixNow},
		{ID: "99999999-9999-4999-8999-999999999999", Kind: domain.MessageReminder, To: "ada@example.com", Status: domain.MessageSent, Attempts: 1, CreatedAt: fixNow},
	}
	return map[string]any{
		"error":        errorPage{Status: 404, Message: "We could not find that page."},
		"landing":      groupServices([]domain.Service{fixReview, fixMassage, {ID: fixMassage.ID, Name: "Swedish Massage — 90 min", Kind: domain.KindMassage, Duration: 90 * time.Minute, PriceCents: 13500, Currency: "USD", OnlineBookable: true, Active: true}, {ID: fixMassage.ID, Name: "Spinal adjustment", Kind: domain.KindChiropractic, Duration: 30 * time.Minute, PriceCents: 6000, Currency: "USD", OnlineBookable: true, Active: true}}),
		"practitioner": practitionerPage{Service: fixReview, Practitioners: []domain.Practitioner{fixPract}, TZ: "Europe/Berlin"},
		"times":        timesPage{Service: fixReview, Practitioner: &fixPract, Week: week},
		"details": detailsPage{Service: fixReview, Practitioner: &fixPract, Start: b.Start.In(berlin), Zone: fixZone(), Form: form, Key: "key-1",
			Problem: problem, Taken: true, Alternatives: slotViews([]domain.Slot{{Start: b.Start.Add(time.Hour)}}, berlin), TimesHref: "/book/x/times", Intake: intake},
		"manage": managePage{B: b, Token: "tok", Zone: fixZone(), Booked: true, Done: "rescheduled", Live: true, CanCancel: true, CanMove: true,
			CancelBy: "24 hours", MoveBy: "12 hours", Week: &week, Links: linksFor(b, fixClinic, "tok"), Problem: formProblem{Message: "That time was just taken. Please choose another."}, Reason: "Sick",
			Plan: ptrTo(fullPlanPage(b).P), PlanProgress: fullPlanPage(b).Progress, PlanCancellable: 1},
		"login":    loginPage{Email: "desk@example.com", Next: "/staff", Error: "The email or password is not right."},
		"calendar": calendarPage{View: "day", Date: domain.Date{Year: 2026, Month: 3, Day: 10}, Heading: "Tuesday 10 March", Zone: zoneLabel(nyc), Prev: "/staff?date=2026-03-09", Next: "/staff?date=2026-03-11", Today: "/staff", DayHref: "/staff?view=day", WeekHref: "/staff?view=week", RoomsHref: "/staff?view=rooms", ShowCancelled: true, CancelledHref: "/staff?cancelled=0", Practitioners: []domain.Practitioner{fixPract}, Selected: fixPract.ID, Grid: fixGrid()},
		"booking": bookingPage{B: bookedAsOther(b), Zone: zoneLabel(nyc), Loc: nyc, Practitioners: []domain.Practitioner{fixPract}, Rooms: []domain.Room{fixRoom}, Move: moveForm{Date: "2026-03-10", Time: "09:00", PractitionerID: fixPract.ID, Overbook: true},
			Notes: "Prefers mornings.", Reason: "", Form: "move", Problem: formProblem{Message: "That time was just taken. Please choose another.", Fields: fieldErrors{"start": "Taken."}}, Statuses: staffStatuses},
		"newbooking": newBookingPage{Query: "ada", Patients: []domain.Patient{fixPatient}, Services: []domain.Service{fixReview, fixMassage}, Practitioners: []domain.Practitioner{fixPract}, Rooms: []domain.Room{fixRoom},
			Form: newBookingForm{PatientID: fixPatient.ID, ServiceID: fixReview.ID, Date: "2026-03-10", Time: "09:00", Overbook: true}, Key: "k", Zone: zoneLabel(nyc), Problem: problem, Intake: intake},
		"patients": patientsPage{Query: "ada", Patients: []domain.Patient{fixPatient}},
		"patient": patientPage{Patient: fixPatient, Upcoming: []domain.BookingDetail{b}, Past: []domain.BookingDetail{b}, Messages: msgs,
			BookHref: bookAgain(fixPatient, []domain.BookingDetail{b}), Loc: nyc, Zone: zoneLabel(nyc)},
		"practitioners": practitionersPage{Practitioners: []domain.Practitioner{fixPract}, Services: []domain.Service{fixReview}, Edit: fixPract, Problem: formProblem{Message: "Some fields need attention.", Fields: fieldErrors{"time_zone": "Use an IANA time zone."}}, Zones: commonZones},
		"services":      servicesPage{Services: []domain.Service{fixReview, fixMassage}, Edit: fixMassage, Price: "95.00", Kinds: serviceKinds, Rooms: []domain.Room{fixRoom}, Problem: formProblem{Message: "Some fields need attention.", Fields: fieldErrors{"price": "Give a price."}}},
		"users":         usersPage{Users: []domain.User{fixUser}, Practitioners: []domain.Practitioner{fixPract}, Edit: fixUser, Roles: roles, Problem: formProblem{Message: "Some fields need attention.", Fields: fieldErrors{"password": "Use at least 10 characters."}}},
		"hours": hoursPage{P: fixPract, Loc: nyc, Days: weekdayInputs([]domain.WorkingHours{{Weekday: time.Monday, Range: domain.TimeRange{Start: domain.At(9, 0), End: domain.At(12, 30)}}, {Weekday: time.Monday, Range: domain.TimeRange{Start: domain.At(13, 30), End: domain.At(18, 0)}}}),
			Overrides: []domain.DateOverride{{ID: "o1", Date: domain.Date{Year: 2026, Month: 12, Day: 24}, Note: "Christmas Eve"}},
			TimeOff:   []domain.TimeOff{{ID: "t1", Start: fixNow, End: fixNow.Add(48 * time.Hour), Reason: "Conference"}},
			Busy: []domain.BusyCalendar{
				{ID: "b1", Label: "Home (Google)", URLHint: "https://calendar.google.com/…", LastFetchedAt: fixNow, Events: 42},
				{ID: "b2", Label: "Other clinic", URLHint: "https://outlook.office365.com/…", LastFetchedAt: fixNow, Events: 7, Failures: 3, LastError: "The calendar server answered 503 Service Unavailable."},
			},
			Form: "timeoff", Problem: formProblem{Message: "Check the dates.", Fields: fieldErrors{"end_date": "The end must be after the start."}},
			Covered: &coveredPanel{Form: "timeoff", Action: "/staff/setup/hours/p/time-off", Hidden: []hiddenField{{"start_date", "2026-03-10"}}, Moved: "Ada moved to Wed 11 Mar, 9:00 AM",
				Visits: []coveredVisit{{BookingDetail: b, Free: []freeSlot{{Label: "Wed 11 Mar, 9:00 AM", Value: "2026-03-11 09:00"}}}, {BookingDetail: b}}}},
		"feeds": feedsPage{Tokens: []feedRow{{FeedToken: domain.FeedToken{ID: "f1", Privacy: domain.PrivacyInitials, CreatedAt: fixNow}, Owner: "Whole clinic"}}, Practitioners: []domain.Practitioner{fixPract},
			New: &feedURLs{Owner: "Whole clinic", HTTPS: "https://clinic.example/feeds/abc.ics", Webcal: "webcal://clinic.example/feeds/abc.ics", WebcalHref: "webcal://clinic.example/feeds/abc.ics"}, Privacies: privacies},
		"notifications": notificationsPage{Messages: msgs, Status: "", Statuses: messageStatuses},
		"rooms": roomsPage{Rooms: []domain.Room{fixRoom, {ID: "r2", Name: "Adjusting table", Kind: domain.RoomKindEquipment}}, Edit: fixRoom, Kinds: roomKinds,
			Problem: formProblem{Message: "Visits still use this room."}, Visits: []roomVisit{{ID: "b1", When: "Tue 2 Jun 2026, 10:00", What: "Massage with Sam for Ada"}}},
		"reports": fullReportsPage(),
		"plannew": fullNewPlanPage(b),
		"plan":    fullPlanPage(b),
		"daysheet": daySheetPage{Date: domain.Date{Year: 2026, Month: 3, Day: 10}, Heading: "Day sheet, Tuesday 10 March", Zone: zoneLabel(nyc), Back: "/staff",
			Sheets: []daySheet{{Practitioner: fixPract, Rows: []daySheetRow{sheetRow(b, nyc)}}, {Practitioner: domain.Practitioner{ID: "p2", Name: "Sam"}}}},
		"embed": embedSetupPage{Base: "https://clinic.example", Service: "case_review", Origins: []string{"https://blog.example"},
			Options: []embedOption{{"", "Every service"}, {"case_review", "The case review"}},
			Snippet: embedSnippet("https://clinic.example", "case_review", false)},
		"waitlist_join": joinPage{Service: fixMassage, Practitioner: &fixPract, Zone: fixZone(), Booking: &b, Token: "tok",
			Form:    joinForm{Name: "Ada", Email: "ada@", From: "2026-03-10", To: "2026-03-09", Times: []string{"morning"}},
			Problem: formProblem{Message: "Some fields need attention.", Fields: fieldErrors{"to": "The last day must not be before the first.", "times": "Use morning, afternoon or evening."}}},
		"waitlist_entry": entryPage{Entry: fixEntry(), Service: fixMassage, Practitioner: &fixPract, Token: "tok", Zone: fixZone(), Joined: true},
		"offer": offerPage{V: domain.OfferView{Offer: fixOffer(), Entry: fixEntry(), Service: fixMassage, Practitioner: fixPract, Moves: &b},
			Token: "tok", Zone: fixZone(), Problem: formProblem{Message: "This offer has expired."}},
		"staff_waitlist": staffWaitlistPage{Services: []domain.Service{fixMassage}, Practitioners: []domain.Practitioner{fixPract},
			ServiceID: fixMassage.ID, Loc: nyc, Rows: []waitlistRow{{Entry: fixEntry(), Service: fixMassage.Name, Practitioner: fixPract.Name,
				Free: []domain.Slot{{Start: fixNow.Add(48 * time.Hour), End: fixNow.Add(49 * time.Hour), PractitionerID: fixPract.ID}}}}},
	}
}

func fixOffer() domain.Offer {
	return domain.Offer{ID: "o1", EntryID: "e1", PractitionerID: fixPract.ID, Start: fixNow.Add(24 * time.Hour), End: fixNow.Add(25 * time.Hour),
		Status: domain.OfferOpen, ExpiresAt: fixNow.Add(30 * time.Minute)}
}

func fixEntry() domain.WaitlistEntry {
	o := fixOffer()
	return domain.WaitlistEntry{ID: "e1", ServiceID: fixMassage.ID, PractitionerID: fixPract.ID, Patient: fixPatient,
		From: domain.Date{Year: 2026, Month: 3, Day: 10}, To: domain.Date{Year: 2026, Month: 3, Day: 20}, TimeZone: "America/New_York",
		Times: []domain.DayPart{domain.Morning, domain.Evening}, Status: domain.WaitlistOffered, CreatedAt: fixNow, Offer: &o}
}

// fullReportsPage is the reports page of a small week.
func fullReportsPage() reportsPage {
	d := reportsPage{From: "2026-05-01", To: "2026-05-31", Definition: domain.FunnelDefinition, CSV: map[string]string{
		"funnel": "/api/v1/reports/funnel?format=csv", "utilisation": "/u", "heatmap": "/h", "no-shows": "/n"}}
	counts := domain.ReviewCounts{Booked: 6, Attended: 3, NoShow: 1, Cancelled: 2, Converted: 2, FirstTreatmentAttended: 1}
	d.Funnel = funnelChart(counts)
	d.Sources = []sourceRow{{Source: "embed", Campaign: "neck-pain", ReviewCounts: counts, Rate: pct(2, 6)}}
	d.Use = useRows(domain.Utilisation{Practitioners: []domain.PractitionerUse{{Practitioner: fixPract, OpenMinutes: 2400, BookedMinutes: 600}},
		Rooms: []domain.RoomUse{{ID: "r1", Name: "Room 1", OpenMinutes: 2400, BookedMinutes: 120}}})
	cells := make([]domain.HeatCell, 168)
	for i := range cells {
		cells[i] = domain.HeatCell{Weekday: time.Weekday(i / 24), Hour: i % 24}
		if h := i % 24; h >= 9 && h < 17 && i/24 >= 1 && i/24 <= 5 {
			cells[i].OpenMinutes, cells[i].BookedMinutes = 120, (i*37)%121
		}
	}
	d.Heat = heatChart(cells)
	d.NoShows = []noShowRow{{Service: "Massage", Practitioner: fixPract.Name, AttendanceRow: domain.AttendanceRow{Bookings: 6, NoShows: 1, NoShowsReminded: 1, LateCancels: 1}}}
	return d
}

// emptyPages is every page with zero data, as before any setup.
func emptyPages() map[string]any {
	return map[string]any{
		"error": errorPage{}, "landing": landingPage{}, "practitioner": practitionerPage{},
		"times": timesPage{Week: weekView{Zone: fixZone()}}, "details": detailsPage{Zone: fixZone()}, "manage": managePage{Zone: fixZone()},
		"login": loginPage{}, "calendar": calendarPage{Grid: grid{Loc: nyc}}, "booking": bookingPage{Loc: nyc}, "newbooking": newBookingPage{},
		"patients": patientsPage{}, "patient": patientPage{Loc: nyc}, "practitioners": practitionersPage{}, "services": servicesPage{}, "users": usersPage{},
		"hours": hoursPage{Loc: nyc}, "feeds": feedsPage{}, "notifications": notificationsPage{}, "rooms": roomsPage{},
		"reports": reportsPage{Heat: heatChart(nil), Funnel: funnelChart(domain.ReviewCounts{})}, "embed": embedSetupPage{},
		"daysheet": daySheetPage{},
		"plannew":  newPlanPage{Loc: nyc}, "plan": planPage{Loc: nyc},
		"waitlist_join": joinPage{Zone: fixZone()}, "waitlist_entry": entryPage{Zone: fixZone()},
		"offer": offerPage{Zone: fixZone()}, "staff_waitlist": staffWaitlistPage{Loc: nyc},
	}
}

// fullNewPlanPage is the plan form after "Check": one visit taken, with
// alternatives, and a field problem.
func fullNewPlanPage(b domain.BookingDetail) newPlanPage {
	alt := b.Start.Add(time.Hour)
	return newPlanPage{Form: planForm{BookingID: b.ID, ServiceID: fixMassage.ID, PractitionerID: fixPract.ID, Date: "2026-03-10", Time: "10:00", EveryWeeks: "1", Count: "3"},
		Review: &b, Patient: fixPatient, Services: []domain.Service{fixReview, fixMassage}, Practitioners: []domain.Practitioner{fixPract},
		Preview: []domain.PlanPreviewVisit{{Start: b.Start, End: b.End}, {Start: b.Start.AddDate(0, 0, 7), End: b.End.AddDate(0, 0, 7),
			Conflict: &domain.PlanConflict{Reason: "taken", Message: "The practitioner has another visit then.", Alternatives: []time.Time{alt}}}},
		Free: 1, Loc: nyc, Zone: zoneLabel(nyc),
		Problem: formProblem{Message: "Some fields need attention.", Fields: fieldErrors{"count": "Choose 1 to 52 visits."}}}
}

// fullPlanPage is a plan of three visits: one done, one missed, one ahead.
func fullPlanPage(b domain.BookingDetail) planPage {
	done, missed := b, b
	done.Status, missed.Status = domain.StatusCompleted, domain.StatusNoShow
	ahead := b
	ahead.Start, ahead.End = b.Start.AddDate(0, 0, 14), b.End.AddDate(0, 0, 14)
	p := domain.PlanDetail{Plan: domain.Plan{ID: "p1", PatientID: fixPatient.ID, SourceBookingID: b.ID, EveryWeeks: 1, Count: 3, Status: domain.PlanActive},
		Patient: fixPatient, Service: fixMassage, Practitioner: fixPract, Visits: []domain.BookingDetail{done, missed, ahead}}
	return planPage{P: p, Progress: p.Progress(fixNow), Status: p.StatusAt(fixNow), Loc: nyc, Zone: zoneLabel(nyc), Now: fixNow,
		Problem: formProblem{Message: "No visit of this plan is left to cancel from then.", Fields: fieldErrors{"from": "Choose a later date."}}}
}

func ptrTo[T any](v T) *T { return &v }
