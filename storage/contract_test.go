package storage_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestStoreContract runs on both databases the contract tests that the
// in-memory store of package domaintest also passes.
func TestStoreContract(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			domaintest.Contract(t, func(t *testing.T) domain.Store { return storagetest.Open(t, e) })
		})
	}
}
