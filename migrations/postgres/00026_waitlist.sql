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
    id              uuid        PRIMARY KEY,
    service_id      uuid        NOT NULL REFERENCES services (id),
    practitioner_id uuid        REFERENCES practitioners (id),
    patient_id      uuid        NOT NULL REFERENCES patients (id),
    booking_id      uuid        REFERENCES bookings (id) ON DELETE SET NULL,
    from_date       date        NOT NULL,
    to_date         date        NOT NULL CHECK (to_date >= from_date),
    time_zone       text        NOT NULL,
    times           text        NOT NULL DEFAULT '',
    intake          text,
    status          text        NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'removed')),
    manage_hash     text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX waitlist_entries_line ON waitlist_entries (created_at, id) WHERE status IN ('waiting', 'offered');
CREATE INDEX waitlist_entries_patient ON waitlist_entries (patient_id);

CREATE TABLE waitlist_offers (
    id              uuid        PRIMARY KEY,
    entry_id        uuid        NOT NULL REFERENCES waitlist_entries (id) ON DELETE CASCADE,
    patient_id      uuid        NOT NULL REFERENCES patients (id),
    practitioner_id uuid        NOT NULL REFERENCES practitioners (id),
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL CHECK (end_at > start_at),
    token_hash      text        NOT NULL UNIQUE,
    status          text        NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    expires_at      timestamptz NOT NULL,
    booking_id      uuid        REFERENCES bookings (id) ON DELETE SET NULL,
    offered_by      uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    closed_at       timestamptz
);
CREATE UNIQUE INDEX waitlist_offers_open_entry ON waitlist_offers (entry_id) WHERE status = 'open';
CREATE UNIQUE INDEX waitlist_offers_open_patient ON waitlist_offers (patient_id) WHERE status = 'open';
CREATE UNIQUE INDEX waitlist_offers_open_time ON waitlist_offers (practitioner_id, start_at) WHERE status = 'open';
CREATE INDEX waitlist_offers_due ON waitlist_offers (expires_at) WHERE status = 'open';
CREATE INDEX waitlist_offers_entry ON waitlist_offers (entry_id, start_at);

-- +goose Down
DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
