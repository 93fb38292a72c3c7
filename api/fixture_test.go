package api

import "github.com/frontdesk/frontdesk/storage/storagetest"

// fixtureIDs picks the seeded rows the tests use.
func fixtureIDs(fx storagetest.Fixture) seedIDs {
	return seedIDs{caseReview: fx.CaseReview.ID, massage: fx.Massage.ID, chiro: fx.Chiropractor.ID, therapist: fx.Therapist.ID}
}
