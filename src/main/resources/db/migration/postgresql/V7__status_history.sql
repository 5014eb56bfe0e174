-- The progress page's history: one row per sampling interval (sluice.history.sample-ms) with what the charts draw,
-- so a restart keeps them. Rows older than sluice.history.retention are deleted as new ones come; with several
-- instances, one sample a period is written (an instance skips its turn when a recent row exists).
CREATE TABLE status_sample (
    sampled_at      TIMESTAMP     NOT NULL,
    send_limit      INT           NOT NULL,
    halted          BOOLEAN       NOT NULL,
    ramp_step       INT           NOT NULL,     -- 1-based, as GET /api/status shows it
    ramp_overridden BOOLEAN       NOT NULL,
    guard_state     VARCHAR(20)   NOT NULL,     -- healthy, unavailable, halted, off
    bounce_rate     DOUBLE PRECISION, -- null until the guard has figures (a gap, not a false zero)
    complaint_rate  DOUBLE PRECISION,
    sent            BIGINT        NOT NULL,     -- recipients in each state, all campaigns together
    skipped         BIGINT        NOT NULL,
    failed          BIGINT        NOT NULL,
    unknown_count   BIGINT        NOT NULL      -- "unknown" is a keyword in H2
);
CREATE INDEX status_sample_at ON status_sample (sampled_at);
