-- The source_burst alert kind: one invite link brings a burst of joins, or its subscribers
-- leave much faster than the channel's. Its threshold is a factor, like unsubscribe_spike.

ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check CHECK (kind IN (
    'subscriber_drop', 'subscriber_surge', 'milestone', 'post_views', 'post_underperforms',
    'reaction_spike', 'unsubscribe_spike', 'posting_gap', 'source_burst'));

ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_source_burst_thresholds CHECK (
    kind <> 'source_burst'
    OR (factor IS NOT NULL AND amount IS NULL AND percent IS NULL AND hours IS NULL)
);
