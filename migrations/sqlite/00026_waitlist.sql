-- The waitlist: patients who asked to hear when a time opens, and the
-- offers made to them. An entry waits in the line of its service (one
-- practitioner or anyone) for a date range and parts of the day in its
-- time zone; the line is ordered by created_at, then id. An offer is one
-- freed time for one entry, answered through a secret link (token_hash)
-- before expires_at. The partial unique indexes keep the fairness rules
-- in the database, whichever replica matches: one open offer per entry,
-- one per patient, and one per practitioner's start (two matchers never
-- offer one time to two patients).

-- +goose Up
CREATE TABLE waitlist_entries (
    id              TEXT        PRIMARY KEY,
    service_id      TEXT        NOT NULL REFERENCES services (id),
    practitioner_id TEXT        REFERENCES practitioners (id),
    patient_id      TEXT        NOT NULL REFERENCES patients (id),
    booking_id      TEXT        REFERENCES bookings (id) ON DELETE SET NULL,
    from_date       TEXT        NOT NULL,
    to_date         TEXT        NOT NULL CHECK (to_date >= from_date),
    time_zone       TEXT        NOT NULL,
    times           TEXT        NOT NULL DEFAULT '',
    intake          TEXT,
    status          TEXT        NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'removed')),
    manage_hash     TEXT        NOT NULL UNIQUE,
    created_at      TEXT        NOT NULL,
    updated_at      TEXT        NOT NULL
);
CREATE INDEX waitlist_entries_line ON waitlist_entries (created_at, id) WHERE status IN ('waiting', 'offered');
CREATE INDEX waitlist_entries_patient ON waitlist_entries (patient_id);

CREATE TABLE waitlist_offers (
    id              TEXT        PRIMARY KEY,
    entry_id        TEXT        NOT NULL REFERENCES waitlist_entries (id) ON DELETE CASCADE,
    patient_id      TEXT        NOT NULL REFERENCES patients (id),
    practitioner_id TEXT        NOT NULL REFERENCES practitioners (id),
    start_at        TEXT        NOT NULL,
    end_at          TEXT        NOT NULL CHECK (end_at > start_at),
    token_hash      TEXT        NOT NULL UNIQUE,
    status          TEXT        NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    expires_at      TEXT        NOT NULL,
    booking_id      TEXT        REFERENCES bookings (id) ON DELETE SET NULL,
    offered_by      TEXT        REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT        NOT NULL,
    closed_at       TEXT
);
CREATE UNIQUE INDEX waitlist_offers_open_entry ON waitlist_offers (entry_id) WHERE status = 'open';
CREATE UNIQUE INDEX waitlist_offers_open_patient ON waitlist_offers (patient_id) WHERE status = 'open';
CREATE UNIQUE INDEX waitlist_offers_open_time ON waitlist_offers (practitioner_id, start_at) WHERE status = 'open';
CREATE INDEX waitlist_offers_due ON waitlist_offers (expires_at) WHERE status = 'open';
CREATE INDEX waitlist_offers_entry ON waitlist_offers (entry_id, start_at);

-- +goose Down
DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
