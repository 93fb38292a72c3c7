package storage

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// DefaultCatalogTTL is how long a store keeps the clinic's settings,
// services and practitioners in memory before reading them again.
//
// Every availability question and every booking needs the catalog, and it
// changes a few times a year, so each replica keeps a copy, with every
// practitioner's weekly hours, date overrides and time off (see
// hoursSnapshot). A change made through a store clears that store's copy at
// once; another replica sees it within the TTL. Bookings are never cached:
// the database's constraint, not a read, keeps them apart.
const DefaultCatalogTTL = time.Second

// catalog is one read of the clinic, all services and all practitioners
// (with their services), in the orders the list methods promise, and of
// everyone's working hours.
type catalog struct {
	clinic        domain.Clinic
	hasClinic     bool
	services      []domain.Service
	practitioners []domain.Practitioner
	rooms         []domain.Room // by sort order, then name
	hours         hoursSnapshot
	expires       time.Time
}

// catalogCache holds the current catalog. Reads are lock-free; one caller
// at a time reloads an expired copy while the others wait for it.
type catalogCache struct {
	ttl     atomic.Int64 // nanoseconds; 0 turns the cache off
	current atomic.Pointer[catalog]
	gen     atomic.Uint64 // bumped by every catalog write
	loading sync.Mutex
}

// SetCatalogTTL changes how long the catalog is kept; 0 reads it from the
// database every time. It also forgets the current copy.
func (s *Store) SetCatalogTTL(ttl time.Duration) {
	s.cat.ttl.Store(int64(max(ttl, 0)))
	s.invalidateCatalog()
}

// invalidateCatalog forgets the copy after a write, and makes a load that
// began before the write unable to store what it read.
func (s *Store) invalidateCatalog() {
	s.cat.gen.Add(1)
	s.cat.current.Store(nil)
}

// catalog returns a fresh enough copy, reading one when needed.
func (s *Store) catalog(ctx context.Context) (*catalog, error) {
	ttl := time.Duration(s.cat.ttl.Load())
	if c := s.cat.current.Load(); c != nil && time.Now().Before(c.expires) {
		return c, nil
	}
	if ttl == 0 {
		return s.loadCatalog(ctx)
	}
	s.cat.loading.Lock()
	defer s.cat.loading.Unlock()
	if c := s.cat.current.Load(); c != nil && time.Now().Before(c.expires) {
		return c, nil // another caller loaded it while we waited
	}
	return s.reloadCatalog(ctx, ttl)
}

// catalogHaving is catalog for a look-up of row id of table, which has
// reports on: when the copy misses the row and the database holds it (one
// primary-key look-up), the catalog is read again. A service or
// practitioner another replica has just created is thus found at once, not
// a TTL later, and an id that does not exist costs the look-up, never a
// reload.
func (s *Store) catalogHaving(ctx context.Context, table string, id any, has func(*catalog) bool) (*catalog, error) {
	c, err := s.catalog(ctx)
	ttl := time.Duration(s.cat.ttl.Load())
	if err != nil || ttl == 0 || has(c) {
		return c, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Table(table).Where("id = ?", id).Count(&n).Error; err != nil {
		return nil, dbError("select "+table, err)
	}
	if n == 0 {
		return c, nil
	}
	s.cat.loading.Lock()
	defer s.cat.loading.Unlock()
	if cur := s.cat.current.Load(); cur != nil && has(cur) {
		return cur, nil // read again while we waited
	}
	return s.reloadCatalog(ctx, ttl)
}

// reloadCatalog reads the catalog and keeps it for ttl unless a write came
// in meanwhile; the caller holds s.cat.loading.
func (s *Store) reloadCatalog(ctx context.Context, ttl time.Duration) (*catalog, error) {
	gen := s.cat.gen.Load()
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	c.expires = time.Now().Add(ttl)
	if s.cat.gen.Load() == gen {
		s.cat.current.Store(c)
	}
	return c, nil
}

// loadCatalog reads the whole catalog: five queries.
func (s *Store) loadCatalog(ctx context.Context) (*catalog, error) {
	db := s.db.WithContext(ctx)
	c := &catalog{}
	var clinic clinicRow
	switch err := db.Limit(1).Find(&clinic, 1); {
	case err.Error != nil:
		return nil, dbError("select clinic", err.Error)
	case err.RowsAffected == 1:
		c.clinic, c.hasClinic = clinic.domain(), true
	}
	var services []serviceRow
	if err := db.Order("sort_order, name, id").Find(&services).Error; err != nil {
		return nil, dbError("select services", err)
	}
	rooms, serviceRooms, err := loadRooms(db)
	if err != nil {
		return nil, err
	}
	c.rooms = rooms
	c.services = make([]domain.Service, len(services))
	for i, r := range services {
		c.services[i] = r.domain()
		c.services[i].RoomIDs = serviceRooms[r.ID]
	}
	var practitioners []practitionerRow
	if err := db.Order("name, id").Find(&practitioners).Error; err != nil {
		return nil, dbError("select practitioners", err)
	}
	if c.practitioners, err = s.withServices(db, practitioners); err != nil {
		return nil, dbError("select practitioner services", err)
	}
	if c.hours, err = s.loadHours(ctx, time.Now()); err != nil {
		return nil, err
	}
	return c, nil
}

// Clinic returns the settings; domain.ErrNotFound before setup.
func (s *Store) Clinic(ctx context.Context) (domain.Clinic, error) {
	c, err := s.catalogHaving(ctx, "clinic", 1, func(c *catalog) bool { return c.hasClinic })
	if err != nil {
		return domain.Clinic{}, err
	}
	if !c.hasClinic {
		return domain.Clinic{}, domain.ErrNotFound
	}
	return c.clinic, nil
}

// Services lists services by SortOrder, then Name; only active ones unless all.
func (s *Store) Services(ctx context.Context, all bool) ([]domain.Service, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Service, 0, len(c.services))
	for _, svc := range c.services {
		if all || svc.Active {
			svc.RoomIDs = slices.Clone(svc.RoomIDs)
			out = append(out, svc)
		}
	}
	return out, nil
}

// Service returns one service, active or not; domain.ErrNotFound when none
// has the id.
func (s *Store) Service(ctx context.Context, id string) (domain.Service, error) {
	if !domain.IsID(id) {
		return domain.Service{}, domain.ErrNotFound
	}
	id = lowerID(id)
	c, err := s.catalogHaving(ctx, "services", id, func(c *catalog) bool { _, ok := c.service(id); return ok })
	if err != nil {
		return domain.Service{}, err
	}
	if svc, ok := c.service(id); ok {
		svc.RoomIDs = slices.Clone(svc.RoomIDs)
		return svc, nil
	}
	return domain.Service{}, domain.ErrNotFound
}

func (c *catalog) service(id string) (domain.Service, bool) {
	for _, svc := range c.services {
		if svc.ID == id {
			return svc, true
		}
	}
	return domain.Service{}, false
}

// Practitioners lists practitioners by name with their services; only
// active ones unless all.
func (s *Store) Practitioners(ctx context.Context, all bool) ([]domain.Practitioner, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Practitioner, 0, len(c.practitioners))
	for _, p := range c.practitioners {
		if all || p.Active {
			out = append(out, clonePractitioner(p))
		}
	}
	return out, nil
}

// Practitioner returns one practitioner with their services;
// domain.ErrNotFound when none has the id.
func (s *Store) Practitioner(ctx context.Context, id string) (domain.Practitioner, error) {
	if !domain.IsID(id) {
		return domain.Practitioner{}, domain.ErrNotFound
	}
	id = lowerID(id)
	c, err := s.catalogHaving(ctx, "practitioners", id, func(c *catalog) bool { _, ok := c.practitioner(id); return ok })
	if err != nil {
		return domain.Practitioner{}, err
	}
	if p, ok := c.practitioner(id); ok {
		return clonePractitioner(p), nil
	}
	return domain.Practitioner{}, domain.ErrNotFound
}

func (c *catalog) practitioner(id string) (domain.Practitioner, bool) {
	for _, p := range c.practitioners {
		if p.ID == id {
			return p, true
		}
	}
	return domain.Practitioner{}, false
}

// clonePractitioner copies p so that a caller changing ServiceIDs cannot
// change the cached copy.
func clonePractitioner(p domain.Practitioner) domain.Practitioner {
	p.ServiceIDs = slices.Clone(p.ServiceIDs)
	return p
}
