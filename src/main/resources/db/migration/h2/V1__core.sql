-- Sluice core schema (H2, the embedded default). MySQL and PostgreSQL have their own copies beside this one.

-- One broadcast: its templates, the stream it goes out on, and whether dispatch may claim its recipients.
CREATE TABLE campaign (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    name           VARCHAR(200)  NOT NULL,
    from_address   VARCHAR(320)  NOT NULL,
    subject        VARCHAR(998)  NOT NULL,
    text_template  CLOB,
    html_template  CLOB,
    message_stream VARCHAR(100)  NOT NULL,
    state          VARCHAR(16)   NOT NULL,   -- DRAFT, RUNNING, PAUSED, DONE
    created_at     TIMESTAMP     NOT NULL,
    updated_at     TIMESTAMP     NOT NULL
);

-- Every address of every campaign, with the state that says what happened to it.
-- state: PENDING, CLAIMED (taken by a tick, not yet recorded), SENT, SKIPPED (skip_code says why),
--        FAILED (last_error says why), UNKNOWN (a crash hit between the delivery record and the send).
CREATE TABLE recipient (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    campaign_id     BIGINT        NOT NULL REFERENCES campaign (id),
    email           VARCHAR(320)  NOT NULL,
    email_key       VARCHAR(320)  NOT NULL,  -- lower-cased: duplicates and the cache compare case-insensitively
    fields          CLOB,                    -- merge fields as a JSON object
    state           VARCHAR(16)   NOT NULL,
    skip_code       VARCHAR(64),
    attempts        INT           NOT NULL DEFAULT 0,
    last_error      VARCHAR(1000),
    smtp_reply      VARCHAR(500),
    claimed_by      VARCHAR(100),
    claimed_at      TIMESTAMP,
    next_attempt_at TIMESTAMP,
    created_at      TIMESTAMP     NOT NULL,
    updated_at      TIMESTAMP     NOT NULL,
    CONSTRAINT recipient_campaign_email UNIQUE (campaign_id, email_key)
);
-- The claim walks pending rows in id order: this index keeps that walk as cheap at row 7,000,000 as at row 1.
CREATE INDEX recipient_state_id ON recipient (state, id);
CREATE INDEX recipient_campaign_state ON recipient (campaign_id, state);

-- The story's cache, extended: one verdict per address, whoever gave it.
CREATE TABLE email_validation_cache (
    email      VARCHAR(320) PRIMARY KEY,     -- lower-cased address
    text_code  VARCHAR(64)  NOT NULL,        -- the provider's own code: valid, ok, invalid, accept_all, suppressed...
    provider   VARCHAR(64),
    checked_at TIMESTAMP    NOT NULL
);

-- The live knobs a person turns: sendLimit per tick (0 = nothing leaves) and the halt flag.
CREATE TABLE send_control (
    id          INT PRIMARY KEY,
    send_limit  INT           NOT NULL,
    halted      BOOLEAN       NOT NULL,
    halt_reason VARCHAR(1000),
    halted_at   TIMESTAMP,
    updated_at  TIMESTAMP     NOT NULL
);

-- The idempotent consumer's repository: one row per (campaign, recipient) that was handed to delivery.
-- The primary key is what makes a second hand-off impossible, across threads and instances.
CREATE TABLE delivery_record (
    processor_name VARCHAR(100) NOT NULL,
    message_id     VARCHAR(100) NOT NULL,
    created_at     TIMESTAMP    NOT NULL,
    PRIMARY KEY (processor_name, message_id)
);
