-- The content enricher of route recipients-claim (direct:recipients-claim-verdicts): the cached code of every address
-- of one claimed chunk in ONE query (camel-sql expands :#in:keys to one bind parameter per address; a chunk is at most
-- sluice.dispatch.claim-chunk, capped at 10,000, below every driver's bind-parameter limit), never one per recipient.
-- By the cache's primary key. The claim already checked that each address has a usable verdict.
SELECT email, text_code
FROM email_validation_cache
WHERE email IN (:#in:keys)
