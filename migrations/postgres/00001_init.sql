-- Frontdesk schema, PostgreSQL. Instants are timestamptz (UTC); durations are
-- whole seconds; ids are UUIDs. Double booking is impossible by construction:
-- see bookings_no_overlap.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE clinic (
    id                        smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name                      text        NOT NULL,
    time_zone                 text        NOT NULL,
    phone                     text        NOT NULL DEFAULT '',
    email                     text        NOT NULL,
    address                   text        NOT NULL DEFAULT '',
    what_to_bring             text        NOT NULL DEFAULT '',
    min_notice_seconds        bigint      NOT NULL,
    horizon_seconds           bigint      NOT NULL,
    cancel_cutoff_seconds     bigint      NOT NULL,
    reschedule_cutoff_seconds bigint      NOT NULL,
    slot_step_seconds         bigint      NOT NULL,
    reminder_before_seconds   bigint      NOT NULL,
    updated_at                timestamptz NOT NULL
);

CREATE TABLE services (
    id                    uuid    PRIMARY KEY,
    name                  text    NOT NULL,
    kind                  text    NOT NULL,
    description           text    NOT NULL DEFAULT '',
    duration_seconds      bigint  NOT NULL CHECK (duration_seconds > 0),
    buffer_before_seconds bigint  NOT NULL DEFAULT 0 CHECK (buffer_before_seconds >= 0),
    buffer_after_seconds  bigint  NOT NULL DEFAULT 0 CHECK (buffer_after_seconds >= 0),
    price_cents           integer NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency              text    NOT NULL,
    new_patients_only     boolean NOT NULL DEFAULT false,
    online_bookable       boolean NOT NULL DEFAULT true,
    active                boolean NOT NULL DEFAULT true,
    color                 text    NOT NULL DEFAULT '',
    sort_order            integer NOT NULL DEFAULT 0
);

CREATE TABLE practitioners (
    id        uuid    PRIMARY KEY,
    name      text    NOT NULL,
    title     text    NOT NULL DEFAULT '',
    email     text    NOT NULL DEFAULT '',
    time_zone text    NOT NULL,
    bio       text    NOT NULL DEFAULT '',
    active    boolean NOT NULL DEFAULT true,
    color     text    NOT NULL DEFAULT ''
);

CREATE TABLE practitioner_services (
    practitioner_id uuid    NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    service_id      uuid    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (practitioner_id, service_id)
);

-- Local wall-clock minutes in the practitioner's zone; end <= start runs past midnight.
CREATE TABLE working_hours (
    id              uuid     PRIMARY KEY,
    practitioner_id uuid     NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    weekday         smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute    smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute      smallint NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute <> end_minute)
);
CREATE INDEX working_hours_practitioner ON working_hours (practitioner_id, weekday, start_minute);

-- ranges is a JSON array of [start_minute, end_minute] pairs; [] is a day off.
CREATE TABLE date_overrides (
    id              uuid PRIMARY KEY,
    practitioner_id uuid NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    day             date NOT NULL,
    ranges          text NOT NULL DEFAULT '[]',
    note            text NOT NULL DEFAULT '',
    UNIQUE (practitioner_id, day)
);

CREATE TABLE time_off (
    id              uuid        PRIMARY KEY,
    practitioner_id uuid        NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    reason          text        NOT NULL DEFAULT '',
    CHECK (end_at > start_at)
);
CREATE INDEX time_off_practitioner ON time_off (practitioner_id, end_at);

CREATE TABLE patients (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    email      text        NOT NULL UNIQUE CHECK (email = lower(email)),
    phone      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE TABLE bookings (
    id              uuid        PRIMARY KEY,
    uid             uuid        NOT NULL UNIQUE,
    service_id      uuid        NOT NULL REFERENCES services (id),
    practitioner_id uuid        NOT NULL REFERENCES practitioners (id),
    patient_id      uuid        NOT NULL REFERENCES patients (id),
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    block_start     timestamptz NOT NULL,
    block_end       timestamptz NOT NULL,
    status          text        NOT NULL CHECK (status IN ('confirmed', 'arrived', 'completed', 'no_show', 'cancelled')),
    overbooked      boolean     NOT NULL DEFAULT false,
    complimentary   boolean     NOT NULL DEFAULT false,
    source          text        NOT NULL CHECK (source IN ('online', 'staff')),
    time_zone       text        NOT NULL DEFAULT '',
    intake          text,
    notes           text        NOT NULL DEFAULT '',
    staff_notes     text        NOT NULL DEFAULT '',
    cancel_reason   text        NOT NULL DEFAULT '',
    sequence        integer     NOT NULL DEFAULT 0,
    manage_hash     text,
    created_by      uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    cancelled_at    timestamptz,
    CHECK (end_at > start_at),
    CHECK (block_start <= start_at AND block_end >= end_at),
    -- Range reads rely on no block being longer than a day.
    CHECK (block_end <= block_start + interval '24 hours'),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        practitioner_id WITH =,
        tstzrange(block_start, block_end) WITH &&
    ) WHERE (status <> 'cancelled' AND NOT overbooked)
);
-- Availability reads: a month of one practitioner's busy blocks from the
-- index alone (the predicate is the busy definition, as in bookings_no_overlap).
CREATE INDEX bookings_blocks ON bookings (practitioner_id, block_start) INCLUDE (block_end)
    WHERE status <> 'cancelled' AND NOT overbooked;
CREATE UNIQUE INDEX bookings_manage_hash ON bookings (manage_hash);
-- The complimentary case review: once per patient, enforced here.
CREATE UNIQUE INDEX bookings_one_case_review ON bookings (patient_id)
    WHERE complimentary AND status <> 'cancelled';
CREATE INDEX bookings_start ON bookings (start_at);
CREATE INDEX bookings_patient ON bookings (patient_id, start_at);
CREATE INDEX bookings_updated ON bookings (updated_at);

-- payload is the domain.Notice as JSON.
CREATE TABLE outbox (
    id         uuid        PRIMARY KEY,
    booking_id uuid        REFERENCES bookings (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    recipient  text        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'cancelled')),
    due_at     timestamptz NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT '',
    sent_at    timestamptz,
    created_at timestamptz NOT NULL,
    payload    text        NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_booking ON outbox (booking_id);

-- booking_id is checked at commit: the key is claimed before the booking is written.
CREATE TABLE idempotency_keys (
    key_hash     text        PRIMARY KEY,
    request_hash text        NOT NULL,
    booking_id   uuid        NOT NULL REFERENCES bookings (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    sealed_token bytea,
    created_at   timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE users (
    id              uuid        PRIMARY KEY,
    email           text        NOT NULL UNIQUE CHECK (email = lower(email)),
    name            text        NOT NULL DEFAULT '',
    role            text        NOT NULL CHECK (role IN ('admin', 'frontdesk', 'practitioner')),
    password_hash   text        NOT NULL DEFAULT '',
    practitioner_id uuid        REFERENCES practitioners (id) ON DELETE SET NULL,
    active          boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL
);

CREATE TABLE credentials (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       text        NOT NULL UNIQUE,
    kind       text        NOT NULL CHECK (kind IN ('token', 'session')),
    name       text        NOT NULL DEFAULT '',
    csrf       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX credentials_user ON credentials (user_id);

CREATE TABLE feed_tokens (
    id              uuid        PRIMARY KEY,
    practitioner_id uuid        REFERENCES practitioners (id) ON DELETE CASCADE,
    hash            text        NOT NULL UNIQUE,
    privacy         text        NOT NULL CHECK (privacy IN ('busy', 'initials', 'full')),
    created_by      uuid,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);

CREATE TABLE audit_log (
    id                    uuid        PRIMARY KEY,
    at                    timestamptz NOT NULL,
    actor_user_id         uuid,
    actor_name            text        NOT NULL DEFAULT '',
    actor_role            text        NOT NULL DEFAULT '',
    actor_practitioner_id uuid,
    action                text        NOT NULL,
    entity_type           text        NOT NULL DEFAULT '',
    entity_id             text        NOT NULL DEFAULT '',
    before                text,
    after                 text
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
