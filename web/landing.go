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

// landing handles GET /.
func (s *Site) landing(c echo.Context) error {
	all, err := s.Store.Services(c.Request().Context(), false)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "landing", "Book a visit", groupServices(all))
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
