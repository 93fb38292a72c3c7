-- Inbound mail (issue 21): see the PostgreSQL migration of the same name.

-- +goose Up
ALTER TABLE bookings ADD COLUMN attendee_status TEXT NOT NULL DEFAULT 'needs_action'
    CHECK (attendee_status IN ('needs_action', 'accepted', 'declined', 'tentative'));
ALTER TABLE patients ADD COLUMN email_status TEXT NOT NULL DEFAULT 'ok'
    CHECK (email_status IN ('ok', 'bouncing'));
ALTER TABLE practitioners ADD COLUMN send_invites INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN message_id TEXT;
CREATE INDEX outbox_message_id ON outbox (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE inbound_messages (
    id             TEXT    PRIMARY KEY,
    received_at    TEXT    NOT NULL,
    sha256         TEXT    NOT NULL UNIQUE,
    size           INTEGER NOT NULL,
    message_id     TEXT    NOT NULL DEFAULT '',
    envelope_from  TEXT    NOT NULL DEFAULT '',
    raw            BLOB    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    due_at         TEXT    NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT    NOT NULL DEFAULT '',
    from_address   TEXT    NOT NULL DEFAULT '',
    subject        TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL DEFAULT 'other' CHECK (kind IN ('reply', 'counter', 'bounce', 'other')),
    state          TEXT    NOT NULL DEFAULT 'received',
    detail         TEXT    NOT NULL DEFAULT '',
    booking_id     TEXT    REFERENCES bookings (id) ON DELETE SET NULL,
    proposed_start TEXT,
    proposed_end   TEXT,
    processed_at   TEXT
);
CREATE INDEX inbound_queue ON inbound_messages (due_at) WHERE status = 'pending';
CREATE INDEX inbound_received ON inbound_messages (received_at DESC, id);
CREATE INDEX inbound_message_id ON inbound_messages (message_id) WHERE message_id <> '';

-- +goose Down
DROP TABLE inbound_messages;
DROP INDEX outbox_message_id;
ALTER TABLE outbox DROP COLUMN message_id;
ALTER TABLE practitioners DROP COLUMN send_invites;
ALTER TABLE patients DROP COLUMN email_status;
ALTER TABLE bookings DROP COLUMN attendee_status;
