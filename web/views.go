package web

// intakeView is the data of the "intake" partial.
type intakeView struct {
	Legend      string
	Errs        fieldErrors
	Choices     intakeChoices
	Pain, Tried []string
	Duration    string
	Notes       string
}

// IntakeView is the details form's intake with what was typed.
func (d detailsPage) IntakeView() intakeView {
	f := d.Form
	return intakeView{Legend: "A few questions for the chiropractor", Errs: d.Problem.Fields, Choices: d.Intake,
		Pain: f.PainAreas, Tried: f.Tried, Duration: f.Duration, Notes: f.IntakeNotes}
}

// IntakeView is the staff form's intake with what was typed.
func (d newBookingPage) IntakeView() intakeView {
	f := d.Form
	return intakeView{Legend: "Intake (Complimentary Case Review only)", Errs: d.Problem.Fields, Choices: d.Intake,
		Pain: f.PainAreas, Tried: f.Tried, Duration: f.Duration, Notes: f.IntakeNotes}
}

// pickerView is the data of the "tzpicker" partial: the zone and the query
// parameters the form keeps.
type pickerView struct {
	Zone zone
	Keep map[string]string
}

// Picker is the time zone select of the times page.
func (d timesPage) Picker() pickerView {
	keep := map[string]string{"week": d.Week.Week}
	for k, v := range d.Arrival.values() {
		keep[k] = v[0]
	}
	if d.Practitioner != nil {
		keep["practitioner"] = d.Practitioner.ID
	}
	return pickerView{Zone: d.Week.Zone, Keep: keep}
}

// Picker is the time zone select of the manage page.
func (d managePage) Picker() pickerView {
	keep := map[string]string{}
	if d.Booked {
		keep["booked"] = "1"
	}
	return pickerView{Zone: d.Zone, Keep: keep}
}
