-- Busy calendars: a practitioner's own calendars (Google's secret address,
-- Outlook's published ICS, iCloud's public link), fetched by the poller in
-- any replica, and the busy intervals read from them. The URL is a secret:
-- url_sealed holds it (AES-GCM under BUSY_URL_KEY when one is configured),
-- url_hint the scheme and host that staff see. claimed_until is the poller's
-- lease: a replica takes a due row with FOR UPDATE SKIP LOCKED and sets it,
-- so no other replica fetches the URL in the same interval. Intervals carry
-- only start and end: never a title.

-- +goose Up
CREATE TABLE busy_calendars (
    id              uuid        PRIMARY KEY,
    practitioner_id uuid        NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    label           text        NOT NULL DEFAULT '',
    url_sealed      bytea       NOT NULL,
    url_hash        text        NOT NULL,
    url_hint        text        NOT NULL,
    created_at      timestamptz NOT NULL,
    next_fetch_at   timestamptz NOT NULL,
    claimed_until   timestamptz,
    etag            text        NOT NULL DEFAULT '',
    last_modified   text        NOT NULL DEFAULT '',
    body_hash       text        NOT NULL DEFAULT '',
    expanded_until  timestamptz,
    last_fetched_at timestamptz,
    last_attempt_at timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    failures        integer     NOT NULL DEFAULT 0,
    events          integer     NOT NULL DEFAULT 0,
    UNIQUE (practitioner_id, url_hash)
);
CREATE INDEX busy_calendars_due ON busy_calendars (next_fetch_at);

CREATE TABLE busy_intervals (
    calendar_id     uuid        NOT NULL REFERENCES busy_calendars (id) ON DELETE CASCADE,
    practitioner_id uuid        NOT NULL,
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    PRIMARY KEY (calendar_id, start_at),
    CHECK (end_at > start_at)
);
CREATE INDEX busy_intervals_practitioner ON busy_intervals (practitioner_id, end_at);

-- +goose Down
DROP TABLE busy_intervals;
DROP TABLE busy_calendars;
