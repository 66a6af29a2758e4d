-- Several bot processes on one database: each scheduled job's tick is claimed by one of them.
-- One row per job, holding the latest tick claimed; a process whose claim finds the tick taken
-- skips it.
CREATE TABLE scheduled_job_ticks (
    job text PRIMARY KEY,
    tick timestamptz NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now()
);
