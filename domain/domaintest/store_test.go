package domaintest_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

func TestStoreContract(t *testing.T) {
	domaintest.Contract(t, func(t *testing.T) domain.Store { return domaintest.NewStore(domain.Clinic{}) })
}
