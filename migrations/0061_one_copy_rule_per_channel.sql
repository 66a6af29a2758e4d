-- One copy alert rule per owner and channel: two concurrent ensure_rules could both pass their
-- NOT EXISTS and store two, and each rule fired its own alert for the same copy. Extra rules go
-- (the oldest stays, with its firings), then a partial unique index keeps it so.
DELETE FROM alert_rules r
 USING alert_rules keep
 WHERE r.kind = 'copy' AND keep.kind = 'copy'
   AND keep.owner_id = r.owner_id AND keep.channel_id = r.channel_id
   AND (keep.created_at, keep.id) < (r.created_at, r.id);

CREATE UNIQUE INDEX alert_rules_one_copy_rule ON alert_rules (owner_id, channel_id)
    WHERE kind = 'copy';
