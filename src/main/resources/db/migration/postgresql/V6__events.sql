-- The event history: what a person decided through the admin API (resend or mark sent UNKNOWN recipients, with the
-- reason they gave) and what the settlement of UNKNOWN recipients against Postmark's message log did, run by run.
-- Append-only; GET /api/events reads it newest first.
CREATE TABLE sluice_event (
    id          BIGSERIAL PRIMARY KEY,
    event_at    TIMESTAMP     NOT NULL,
    kind        VARCHAR(64)   NOT NULL,     -- unknown-resend, unknown-mark-sent, unknown-settled
    actor       VARCHAR(100)  NOT NULL,     -- admin-api (a person), unknown-settle (the route)
    campaign_id BIGINT,
    reason      VARCHAR(1000),
    detail      TEXT                        -- a JSON object: counts, the recipients concerned
);
CREATE INDEX sluice_event_at ON sluice_event (event_at);

-- The settle route walks the UNKNOWN rows every minute, and an operator's call reads a campaign's. V5 dropped
-- (state, id), so without this that walk read the whole table. UNKNOWN rows are few (a crash or a lost reply each),
-- and rows in other states have no entry here: state was already indexed, so no update that was HOT stops being one.
CREATE INDEX recipient_unknown ON recipient (id) WHERE state = 'UNKNOWN';
