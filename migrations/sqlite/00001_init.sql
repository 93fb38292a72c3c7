-- Frontdesk schema, SQLite. Instants are TEXT in the fixed-width UTC form
-- 2006-01-02T15:04:05.000000Z, so text order is time order and range reads
-- use the indexes; durations are whole seconds; ids are UUID text. Double
-- booking is impossible by construction: see the bookings_no_overlap_*
-- triggers (writes are serialised by BEGIN IMMEDIATE).

-- +goose Up
CREATE TABLE clinic (
    id                        INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name                      TEXT    NOT NULL,
    time_zone                 TEXT    NOT NULL,
    phone                     TEXT    NOT NULL DEFAULT '',
    email                     TEXT    NOT NULL,
    address                   TEXT    NOT NULL DEFAULT '',
    what_to_bring             TEXT    NOT NULL DEFAULT '',
    min_notice_seconds        INTEGER NOT NULL,
    horizon_seconds           INTEGER NOT NULL,
    cancel_cutoff_seconds     INTEGER NOT NULL,
    reschedule_cutoff_seconds INTEGER NOT NULL,
    slot_step_seconds         INTEGER NOT NULL,
    reminder_before_seconds   INTEGER NOT NULL,
    updated_at                TEXT    NOT NULL
);

CREATE TABLE services (
    id                    TEXT    PRIMARY KEY,
    name                  TEXT    NOT NULL,
    kind                  TEXT    NOT NULL,
    description           TEXT    NOT NULL DEFAULT '',
    duration_seconds      INTEGER NOT NULL CHECK (duration_seconds > 0),
    buffer_before_seconds INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_seconds >= 0),
    buffer_after_seconds  INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_seconds >= 0),
    price_cents           INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency              TEXT    NOT NULL,
    new_patients_only     BOOLEAN NOT NULL DEFAULT 0,
    online_bookable       BOOLEAN NOT NULL DEFAULT 1,
    active                BOOLEAN NOT NULL DEFAULT 1,
    color                 TEXT    NOT NULL DEFAULT '',
    sort_order            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE practitioners (
    id        TEXT    PRIMARY KEY,
    name      TEXT    NOT NULL,
    title     TEXT    NOT NULL DEFAULT '',
    email     TEXT    NOT NULL DEFAULT '',
    time_zone TEXT    NOT NULL,
    bio       TEXT    NOT NULL DEFAULT '',
    active    BOOLEAN NOT NULL DEFAULT 1,
    color     TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE practitioner_services (
    practitioner_id TEXT    NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    service_id      TEXT    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (practitioner_id, service_id)
);

-- Local wall-clock minutes in the practitioner's zone; end <= start runs past midnight.
CREATE TABLE working_hours (
    id              TEXT    PRIMARY KEY,
    practitioner_id TEXT    NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute    INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute      INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute <> end_minute)
);
CREATE INDEX working_hours_practitioner ON working_hours (practitioner_id, weekday, start_minute);

-- ranges is a JSON array of [start_minute, end_minute] pairs; [] is a day off.
CREATE TABLE date_overrides (
    id              TEXT PRIMARY KEY,
    practitioner_id TEXT NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    day             TEXT NOT NULL CHECK (length(day) = 10),
    ranges          TEXT NOT NULL DEFAULT '[]',
    note            TEXT NOT NULL DEFAULT '',
    UNIQUE (practitioner_id, day)
);

CREATE TABLE time_off (
    id              TEXT PRIMARY KEY,
    practitioner_id TEXT NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    start_at        TEXT NOT NULL,
    end_at          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    CHECK (end_at > start_at)
);
CREATE INDEX time_off_practitioner ON time_off (practitioner_id, end_at);

CREATE TABLE patients (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    phone      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE bookings (
    id              TEXT    PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE,
    service_id      TEXT    NOT NULL REFERENCES services (id),
    practitioner_id TEXT    NOT NULL REFERENCES practitioners (id),
    patient_id      TEXT    NOT NULL REFERENCES patients (id),
    start_at        TEXT    NOT NULL,
    end_at          TEXT    NOT NULL,
    block_start     TEXT    NOT NULL,
    block_end       TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('confirmed', 'arrived', 'completed', 'no_show', 'cancelled')),
    overbooked      BOOLEAN NOT NULL DEFAULT 0,
    complimentary   BOOLEAN NOT NULL DEFAULT 0,
    source          TEXT    NOT NULL CHECK (source IN ('online', 'staff')),
    time_zone       TEXT    NOT NULL DEFAULT '',
    intake          TEXT,
    notes           TEXT    NOT NULL DEFAULT '',
    staff_notes     TEXT    NOT NULL DEFAULT '',
    cancel_reason   TEXT    NOT NULL DEFAULT '',
    sequence        INTEGER NOT NULL DEFAULT 0,
    manage_hash     TEXT,
    created_by      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    cancelled_at    TEXT,
    CHECK (end_at > start_at),
    CHECK (block_start <= start_at AND block_end >= end_at),
    -- Range reads rely on no block being longer than a day.
    CHECK (block_end <= strftime('%Y-%m-%dT%H:%M:%fZ', block_start, '+1 day'))
);
-- Availability reads and the overlap triggers: one practitioner's busy blocks
-- from the index alone (the predicate is the busy definition; SQLite still
-- reads status and overbooked, so the index carries them).
CREATE INDEX bookings_blocks ON bookings (practitioner_id, block_start, block_end, status, overbooked)
    WHERE status <> 'cancelled' AND NOT overbooked;
CREATE UNIQUE INDEX bookings_manage_hash ON bookings (manage_hash);
-- The complimentary case review: once per patient, enforced here.
CREATE UNIQUE INDEX bookings_one_case_review ON bookings (patient_id)
    WHERE complimentary AND status <> 'cancelled';
CREATE INDEX bookings_start ON bookings (start_at);
CREATE INDEX bookings_patient ON bookings (patient_id, start_at);
CREATE INDEX bookings_updated ON bookings (updated_at);

-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled' AND NOT NEW.overbooked
BEGIN
    SELECT RAISE(ABORT, 'slot_taken')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.practitioner_id = NEW.practitioner_id
          AND b.status <> 'cancelled' AND NOT b.overbooked
          AND b.block_start < NEW.block_end
          AND b.block_start > strftime('%Y-%m-%dT%H:%M:%fZ', NEW.block_start, '-1 day', '-1 second')
          AND b.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_update
BEFORE UPDATE OF practitioner_id, block_start, block_end, status, overbooked ON bookings
WHEN NEW.status <> 'cancelled' AND NOT NEW.overbooked
BEGIN
    SELECT RAISE(ABORT, 'slot_taken')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.practitioner_id = NEW.practitioner_id
          AND b.id <> NEW.id
          AND b.status <> 'cancelled' AND NOT b.overbooked
          AND b.block_start < NEW.block_end
          AND b.block_start > strftime('%Y-%m-%dT%H:%M:%fZ', NEW.block_start, '-1 day', '-1 second')
          AND b.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

-- payload is the domain.Notice as JSON.
CREATE TABLE outbox (
    id         TEXT    PRIMARY KEY,
    booking_id TEXT    REFERENCES bookings (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    recipient  TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'cancelled')),
    due_at     TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    sent_at    TEXT,
    created_at TEXT    NOT NULL,
    payload    TEXT    NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_booking ON outbox (booking_id);

-- booking_id is checked at commit: the key is claimed before the booking is written.
CREATE TABLE idempotency_keys (
    key_hash     TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    booking_id   TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    sealed_token BLOB,
    created_at   TEXT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE users (
    id              TEXT    PRIMARY KEY,
    email           TEXT    NOT NULL UNIQUE CHECK (email = lower(email)),
    name            TEXT    NOT NULL DEFAULT '',
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'frontdesk', 'practitioner')),
    password_hash   TEXT    NOT NULL DEFAULT '',
    practitioner_id TEXT    REFERENCES practitioners (id) ON DELETE SET NULL,
    active          BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL
);

CREATE TABLE credentials (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('token', 'session')),
    name       TEXT NOT NULL DEFAULT '',
    csrf       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX credentials_user ON credentials (user_id);

CREATE TABLE feed_tokens (
    id              TEXT PRIMARY KEY,
    practitioner_id TEXT REFERENCES practitioners (id) ON DELETE CASCADE,
    hash            TEXT NOT NULL UNIQUE,
    privacy         TEXT NOT NULL CHECK (privacy IN ('busy', 'initials', 'full')),
    created_by      TEXT,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT
);

CREATE TABLE audit_log (
    id                    TEXT PRIMARY KEY,
    at                    TEXT NOT NULL,
    actor_user_id         TEXT,
    actor_name            TEXT NOT NULL DEFAULT '',
    actor_role            TEXT NOT NULL DEFAULT '',
    actor_practitioner_id TEXT,
    action                TEXT NOT NULL,
    entity_type           TEXT NOT NULL DEFAULT '',
    entity_id             TEXT NOT NULL DEFAULT '',
    before                TEXT,
    after                 TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE feed_tokens;
DROP TABLE credentials;
DROP TABLE users;
DROP TABLE idempotency_keys;
DROP TABLE outbox;
DROP TABLE bookings;
DROP TABLE patients;
DROP TABLE time_off;
DROP TABLE date_overrides;
DROP TABLE working_hours;
DROP TABLE practitioner_services;
DROP TABLE practitioners;
DROP TABLE services;
DROP TABLE clinic;
