-- Reputation guard: why an address is suppressed and on which stream, soft-bounce counts, and the ramp's state.
ALTER TABLE email_validation_cache ADD COLUMN reason VARCHAR(200);
ALTER TABLE email_validation_cache ADD COLUMN message_stream VARCHAR(100);

-- Soft bounces per address (Postmark bounce webhook); the address is suppressed after sluice.webhook.soft-bounce-limit.
CREATE TABLE soft_bounce (
    email      VARCHAR(320) PRIMARY KEY,
    bounces    INT          NOT NULL,
    last_at    TIMESTAMP    NOT NULL
);

-- The ramp: which step sendLimit follows, since when, and whether a person has taken over with PUT /api/send-limit.
ALTER TABLE send_control ADD COLUMN ramp_step INT DEFAULT 0 NOT NULL;
ALTER TABLE send_control ADD COLUMN ramp_step_started_at TIMESTAMP;
ALTER TABLE send_control ADD COLUMN ramp_overridden BOOLEAN DEFAULT FALSE NOT NULL;
