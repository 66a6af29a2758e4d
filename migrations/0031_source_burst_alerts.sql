-- The source_burst alert kind: one invite link brings a burst of joins, or its subscribers
-- leave much faster than the channel's. Its threshold is a factor, like unsubscribe_spike.

-- The list of kinds is taken from the constraint as it stands and this one added, so kinds
-- another migration added (before this one) stay allowed.
DO $$
DECLARE
    kinds text[];
BEGIN
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO kinds
      FROM pg_constraint c,
           regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
     WHERE c.conrelid = 'alert_rules'::regclass AND c.conname = 'alert_rules_kind_check';
    ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
    EXECUTE format(
        'ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check CHECK (kind = ANY (%L::text[]))',
        array_append(kinds, 'source_burst'));
END
$$;

ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_source_burst_thresholds CHECK (
    kind <> 'source_burst'
    OR (factor IS NOT NULL AND amount IS NULL AND percent IS NULL AND hours IS NULL)
);
