-- Issue 16, finding 7: deactivating a user now revokes their sessions, API
-- tokens and the feed links they made, so reactivating them revives none.
-- Users deactivated before that still hold live rows: revoke them too.

-- +goose Up
UPDATE credentials SET revoked_at = strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE NOT active);
UPDATE feed_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
WHERE revoked_at IS NULL AND created_by IN (SELECT id FROM users WHERE NOT active);

-- +goose Down
-- A revocation is not undone.
SELECT 1;
