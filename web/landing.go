package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// landingPage is the clinic's front page: the case review first, then the
// massage menu by modality.
type landingPage struct {
	Reviews    []domain.Service
	Modalities []modality
	Other      []domain.Service
}

// modality is one kind of massage in its lengths.
type modality struct {
	Name        string
	Description string
	Color       string
	Options     []domain.Service
}

// landing handles GET /[?service=<id or kind>]: the widget names the
// service it books. One bookable service of that id or kind goes straight
// to its first step; several of a kind show only those.
func (s *Site) landing(c echo.Context) error {
	all, err := s.Store.Services(c.Request().Context(), false)
	if err != nil {
		return err
	}
	d := groupServices(all)
	if want := c.QueryParam("service"); want != "" {
		var match []domain.Service
		for _, sv := range all {
			if sv.Active && sv.OnlineBookable && (sv.ID == want || string(sv.Kind) == want) {
				match = append(match, sv)
			}
		}
		if len(match) == 1 {
			return c.Redirect(http.StatusSeeOther, "/book/"+match[0].ID+string(s.arrivalOf(c).keep().Q))
		}
		if len(match) > 1 {
			d = groupServices(match)
		}
	}
	return s.render(c, http.StatusOK, "landing", "Book a visit", d)
}

// groupServices sorts the bookable services for the landing page; massage
// names like "Swedish Massage — 60 min" group under "Swedish Massage".
func groupServices(all []domain.Service) landingPage {
	var d landingPage
	index := map[string]int{}
	for _, sv := range all {
		if !sv.OnlineBookable || !sv.Active {
			continue
		}
		switch sv.Kind {
		case domain.KindCaseReview:
			d.Reviews = append(d.Reviews, sv)
		case domain.KindMassage:
			name, _, _ := strings.Cut(sv.Name, " — ")
			i, ok := index[name]
			if !ok {
				i = len(d.Modalities)
				index[name] = i
				d.Modalities = append(d.Modalities, modality{Name: name, Description: sv.Description, Color: sv.Color})
			}
			d.Modalities[i].Options = append(d.Modalities[i].Options, sv)
		default:
			d.Other = append(d.Other, sv)
		}
	}
	return d
}
