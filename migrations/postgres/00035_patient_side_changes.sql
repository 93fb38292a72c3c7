-- What patients and their calendars see change, kept apart from what only
-- staff change (issue 24).
--
-- bookings.changed_at: the last change a patient or a calendar sees (the
-- booking, a move, the cancellation), the DTSTAMP of the manage page's .ics
-- and the LAST-MODIFIED of feeds; staff notes and check-ins leave it. NULL
-- means created_at (a new booking's insert may leave it out). Existing rows
-- take updated_at, the nearest upper bound of their last change.
--
-- bookings.cutoff_from: the start the patient's cancel cut-off counts from
-- when a visit was moved inside that cut-off; NULL means start_at.
--
-- time_off.updated_at and sequence: a time-off entry's DTSTAMP /
-- LAST-MODIFIED (when it was set, never its start) and its SEQUENCE.

-- +goose Up
ALTER TABLE bookings ADD COLUMN changed_at timestamptz;
ALTER TABLE bookings ADD COLUMN cutoff_from timestamptz;
UPDATE bookings SET changed_at = updated_at;
ALTER TABLE time_off ADD COLUMN updated_at timestamptz;
ALTER TABLE time_off ADD COLUMN sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0);
UPDATE time_off SET updated_at = now();

-- +goose Down
ALTER TABLE time_off DROP COLUMN sequence;
ALTER TABLE time_off DROP COLUMN updated_at;
ALTER TABLE bookings DROP COLUMN cutoff_from;
ALTER TABLE bookings DROP COLUMN changed_at;
