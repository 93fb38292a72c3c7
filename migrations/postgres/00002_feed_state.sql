-- Feed state: what each feed token last served (a fingerprint of the
-- content, the strong ETag) and when that content last changed, so that
-- Last-Modified never goes backwards, even when an event is deleted or
-- leaves the window. changed_at is NULL until the feed is first fetched.

-- +goose Up
ALTER TABLE feed_tokens ADD COLUMN etag text NOT NULL DEFAULT '';
ALTER TABLE feed_tokens ADD COLUMN changed_at timestamptz;

-- +goose Down
ALTER TABLE feed_tokens DROP COLUMN changed_at;
ALTER TABLE feed_tokens DROP COLUMN etag;
