-- Plans of care: a series of visits of one service with one practitioner,
-- every few weeks, booked in one step (often right after the case review
-- that recommended it). Each visit is an ordinary booking that names its
-- plan; the practitioner's (and room's) constraints keep the visits apart
-- from every other booking as they do for single visits.
--
-- review_outcome records what came of a case review: plan_started (set when
-- a plan is made from it), declined or follow_up (set by staff); NULL while
-- undecided and on every other booking. The funnel report reads it.

-- +goose Up
CREATE TABLE plans (
    id                TEXT        PRIMARY KEY,
    patient_id        TEXT        NOT NULL REFERENCES patients (id),
    service_id        TEXT        NOT NULL REFERENCES services (id),
    practitioner_id   TEXT        NOT NULL REFERENCES practitioners (id),
    source_booking_id TEXT        REFERENCES bookings (id),
    every_weeks       INTEGER     NOT NULL CHECK (every_weeks BETWEEN 1 AND 8),
    visit_count       INTEGER     NOT NULL CHECK (visit_count BETWEEN 1 AND 52),
    status            TEXT        NOT NULL CHECK (status IN ('active', 'cancelled')),
    channel           TEXT        NOT NULL CHECK (channel IN ('staff', 'online', 'embed')),
    created_by        TEXT,
    created_at        TEXT        NOT NULL,
    cancelled_at      TEXT
);
CREATE INDEX plans_patient ON plans (patient_id, created_at);
CREATE INDEX plans_source_booking ON plans (source_booking_id) WHERE source_booking_id IS NOT NULL;

ALTER TABLE bookings ADD COLUMN plan_id TEXT REFERENCES plans (id);
ALTER TABLE bookings ADD COLUMN review_outcome TEXT
    CHECK (review_outcome IN ('plan_started', 'declined', 'follow_up'));
CREATE INDEX bookings_plan ON bookings (plan_id, start_at) WHERE plan_id IS NOT NULL;

-- +goose Down
DROP INDEX bookings_plan;
ALTER TABLE bookings DROP COLUMN review_outcome;
ALTER TABLE bookings DROP COLUMN plan_id;
DROP TABLE plans;
