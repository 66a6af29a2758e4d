-- An update is confirmed to Telegram only once it is stored, so Telegram may deliver one again
-- that was stored but not yet confirmed (a crash, a webhook answer that failed). Posts and
-- reaction counts are keyed by what they are; a join or leave is known by its update.
ALTER TABLE subscriber_events ADD COLUMN update_id bigint;
-- Partial: rows without one (older rows, demo data) cost the index nothing.
CREATE UNIQUE INDEX subscriber_events_update ON subscriber_events (update_id)
    WHERE update_id IS NOT NULL;
