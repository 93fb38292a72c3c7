-- Busy calendars: a practitioner's own calendars (Google's secret address,
-- Outlook's published ICS, iCloud's public link), fetched by the poller in
-- any replica, and the busy intervals read from them. The URL is a secret:
-- url_sealed holds it (AES-GCM under BUSY_URL_KEY when one is configured),
-- url_hint the scheme and host that staff see. claimed_until is the poller's
-- lease: a replica takes a due row and sets it in one UPDATE (SQLite
-- serialises writes), so no other replica fetches the URL in the same interval. Intervals carry
-- only start and end: never a title.

-- +goose Up
CREATE TABLE busy_calendars (
    id              TEXT        PRIMARY KEY,
    practitioner_id TEXT        NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    label           TEXT        NOT NULL DEFAULT '',
    url_sealed      BLOB        NOT NULL,
    url_hash        TEXT        NOT NULL,
    url_hint        TEXT        NOT NULL,
    created_at      TEXT        NOT NULL,
    next_fetch_at   TEXT        NOT NULL,
    claimed_until   TEXT,
    etag            TEXT        NOT NULL DEFAULT '',
    last_modified   TEXT        NOT NULL DEFAULT '',
    body_hash       TEXT        NOT NULL DEFAULT '',
    expanded_until  TEXT,
    last_fetched_at TEXT,
    last_attempt_at TEXT,
    last_error      TEXT        NOT NULL DEFAULT '',
    failures        INTEGER     NOT NULL DEFAULT 0,
    events          INTEGER     NOT NULL DEFAULT 0,
    UNIQUE (practitioner_id, url_hash)
);
CREATE INDEX busy_calendars_due ON busy_calendars (next_fetch_at);

CREATE TABLE busy_intervals (
    calendar_id     TEXT        NOT NULL REFERENCES busy_calendars (id) ON DELETE CASCADE,
    practitioner_id TEXT        NOT NULL,
    start_at        TEXT        NOT NULL,
    end_at          TEXT        NOT NULL,
    PRIMARY KEY (calendar_id, start_at),
    CHECK (end_at > start_at)
);
CREATE INDEX busy_intervals_practitioner ON busy_intervals (practitioner_id, end_at);

-- +goose Down
DROP TABLE busy_intervals;
DROP TABLE busy_calendars;
