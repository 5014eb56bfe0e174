-- Several instances on one database: who is alive, one send budget per dispatch period, and recipient counts kept
-- on every state change (GET /api/status must not count 7 million rows on every call).

-- One row per running process, its heartbeat renewed every sluice.cluster.heartbeat-interval-ms. A claim whose owner
-- has not beaten for sluice.cluster.heartbeat-timeout belongs to a dead process and is recovered by the others.
CREATE TABLE sluice_instance (
    instance_id  VARCHAR(100) PRIMARY KEY,
    started_at   DATETIME(3) NOT NULL,
    heartbeat_at DATETIME(3) NOT NULL
);

-- sendLimit is one budget per dispatch period (the cron interval) across every instance: a tick reserves what it
-- claims here under a row lock, so N instances (or a kickoff tick next to a cron tick) claim at most sendLimit together.
CREATE TABLE dispatch_budget (
    period_end BIGINT PRIMARY KEY,          -- the period's next cron fire time, epoch milliseconds
    claimed    INT NOT NULL,
    updated_at DATETIME(3) NOT NULL
);

-- Recipients per campaign, state and skip code, changed in the same transaction as the rows they count. Each sender
-- thread adds to its own slot (summed when read), so 15 threads never queue on one hot counter row.
CREATE TABLE recipient_count (
    campaign_id BIGINT      NOT NULL,
    state       VARCHAR(16) NOT NULL,
    skip_code   VARCHAR(64) NOT NULL,       -- '' unless state is SKIPPED
    slot        INT         NOT NULL,
    n           BIGINT      NOT NULL,
    PRIMARY KEY (campaign_id, state, skip_code, slot)
);
-- Counts of the rows that exist before this migration (once: the only full count Sluice ever makes).
INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n)
SELECT campaign_id, state, CASE WHEN state = 'SKIPPED' THEN COALESCE(skip_code, '') ELSE '' END, 0, COUNT(*)
FROM recipient
GROUP BY campaign_id, state, CASE WHEN state = 'SKIPPED' THEN COALESCE(skip_code, '') ELSE '' END;

-- (campaign_id, state) served only the full count the counters replace; every state change paid for it. (The
-- campaign foreign key keeps the (campaign_id, email_key) unique index.)
DROP INDEX recipient_campaign_state ON recipient;
