-- What the booker typed (issue 16, finding 3). A booking never changes an
-- existing patient's record: the name and phone given with a request for
-- an email that already has a patient stay on the booking, for staff to
-- compare with the record and merge by hand. '' for rows older than the
-- columns and for bookings that gave no phone.

-- +goose Up
ALTER TABLE bookings ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN given_phone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bookings DROP COLUMN given_phone;
ALTER TABLE bookings DROP COLUMN given_name;
