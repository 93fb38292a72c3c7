-- An open waitlist offer keeps its time as a hold (table holds, 00021):
-- hold_id is that hold, which the accepted booking consumes and a decline,
-- expiry or withdrawal deletes. No foreign key: a consumed or swept hold
-- is gone while the offer's row stays as history.

-- +goose Up
ALTER TABLE waitlist_offers ADD COLUMN hold_id TEXT;

-- +goose Down
ALTER TABLE waitlist_offers DROP COLUMN hold_id;
