-- Inbound mail (issue 21): replies to invites, bounces, practitioner invites.
-- Every received message is stored first, whole, then processed from a
-- queue claimed like the outbox; sha256 keeps one row per distinct message.

-- +goose Up
ALTER TABLE bookings ADD COLUMN attendee_status text NOT NULL DEFAULT 'needs_action'
    CHECK (attendee_status IN ('needs_action', 'accepted', 'declined', 'tentative'));
ALTER TABLE patients ADD COLUMN email_status text NOT NULL DEFAULT 'ok'
    CHECK (email_status IN ('ok', 'bouncing'));
ALTER TABLE practitioners ADD COLUMN send_invites boolean NOT NULL DEFAULT false;
-- The Message-ID an outbox row goes out with, fixed when the row is written,
-- so a bounce finds it even when the delivery was never recorded.
ALTER TABLE outbox ADD COLUMN message_id text;
CREATE INDEX outbox_message_id ON outbox (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE inbound_messages (
    id             uuid        PRIMARY KEY,
    received_at    timestamptz NOT NULL,
    sha256         text        NOT NULL UNIQUE,
    size           integer     NOT NULL,
    message_id     text        NOT NULL DEFAULT '',
    envelope_from  text        NOT NULL DEFAULT '',
    raw            bytea       NOT NULL,
    -- the queue: pending until processed (done), claimed with a lease on due_at
    status         text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    due_at         timestamptz NOT NULL,
    attempts       integer     NOT NULL DEFAULT 0,
    last_error     text        NOT NULL DEFAULT '',
    -- the outcome
    from_address   text        NOT NULL DEFAULT '',
    subject        text        NOT NULL DEFAULT '',
    kind           text        NOT NULL DEFAULT 'other' CHECK (kind IN ('reply', 'counter', 'bounce', 'other')),
    state          text        NOT NULL DEFAULT 'received',
    detail         text        NOT NULL DEFAULT '',
    booking_id     uuid        REFERENCES bookings (id) ON DELETE SET NULL,
    proposed_start timestamptz,
    proposed_end   timestamptz,
    processed_at   timestamptz
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
