-- The import's duplicate check (campaign_id = ? AND email_key IN (1,000 keys)) is only fast as 1,000 probes of the
-- (campaign_id, email_key) index. With statistics from before the import, PostgreSQL believes the new campaign has
-- a few hundred rows and reads all of them instead (a bitmap scan on campaign_id): 0.5 s per batch at 900,000 rows
-- and growing, so a 7M import slowed to a crawl; after ANALYZE the same check took 1.2 ms. Autovacuum analyzes at most
-- once a minute and only after 10 % of the table changed, so the importer asks whenever its row count has doubled
-- (about 13 times for 7M rows; each ANALYZE samples a fixed 30,000 rows).
ANALYZE recipient
