/**
 * Migration 6 ([5/6]): mentions and notification levels. A chat's row keeps its current text's
 * mentions (`mentions`: the users as JSON, `mentions_room`: 1 for an `@room` that counts), and an
 * edit's event row its own (`mentions`: `{"mentions":[...],"mentionsRoom":true}` as JSON, the
 * fields it has); a delete clears both with the texts. `notify` is the membership's level; rows
 * that exist already get the default, as a new membership does.
 */
export const MENTIONS_NOTIFY_MIGRATION = `ALTER TABLE chats ADD COLUMN mentions TEXT;
ALTER TABLE chats ADD COLUMN mentions_room INTEGER;
ALTER TABLE events ADD COLUMN mentions TEXT;
ALTER TABLE memberships ADD COLUMN notify TEXT NOT NULL DEFAULT 'mentions';`;
