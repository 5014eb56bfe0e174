-- The content enricher of route recipients-claim (direct:recipients-claim-verdicts): the cached code of every address
-- of one claimed chunk in ONE query, never one per recipient. It runs inside the claim's transaction, after the UPDATE:
-- the chunk is the rows this claim marked CLAIMED (its own token), found through the (state, id) index between the
-- chunk's lowest and highest id, so it reads the chunk and at most the other rows in flight between them, whatever the
-- table's size. Why not "WHERE email IN (<the chunk's 1,000 addresses>)": on H2 an IN list of 1,000 bound strings took
-- 35-50 ms per chunk against 4-12 ms this way, and made claim + mark 45 % slower than the claim that joined the code in
-- (bench/scale.sh compare, 2026-12-06). The claim already checked that each address has a usable verdict.
SELECT r.email_key AS email, v.text_code
FROM recipient r
JOIN email_validation_cache v ON v.email = r.email_key
WHERE r.state = 'CLAIMED'
  AND r.id BETWEEN :#minId AND :#maxId
  AND r.claimed_by = :#token
