-- Feed state: what each feed token last served (a fingerprint of the
-- content, the strong ETag) and when that content last changed, so that
-- Last-Modified never goes backwards, even when an event is deleted or
-- leaves the window. changed_at is TEXT in the fixed-width UTC form, NULL
-- until the feed is first fetched.

-- +goose Up
ALTER TABLE feed_tokens ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE feed_tokens ADD COLUMN changed_at TEXT;

-- +goose Down
ALTER TABLE feed_tokens DROP COLUMN changed_at;
ALTER TABLE feed_tokens DROP COLUMN etag;
