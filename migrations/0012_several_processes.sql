-- Several bot processes on one database.

-- Each scheduled job's tick is claimed by one process: one row per job, holding the latest tick
-- claimed; a process whose claim finds the tick taken skips it.
CREATE TABLE scheduled_job_ticks (
    job text PRIMARY KEY,
    tick timestamptz NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now()
);

-- The views collector's lease on a channel it is fetching: other processes take other channels.
ALTER TABLE channel_view_sources ADD COLUMN claimed_until timestamptz;
