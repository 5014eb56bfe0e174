-- Soft bounces counted per address: suppressed at sluice.webhook.soft-bounce-limit.
SELECT bounces FROM soft_bounce WHERE email = ?
