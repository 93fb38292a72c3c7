-- The display name the clinic's emails come from (MAIL_FROM may carry one:
-- "Riverside Clinic <desk@clinic.example>"); it is also the CN of every
-- invite's ORGANIZER. Empty: the clinic's name.

-- +goose Up
ALTER TABLE clinic ADD COLUMN sender_name text NOT NULL DEFAULT '' CHECK (length(sender_name) <= 200);

-- +goose Down
ALTER TABLE clinic DROP COLUMN sender_name;
