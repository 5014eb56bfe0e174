-- One address's cached code (null when never validated), by the cache's primary key, the normalised address.
SELECT text_code FROM email_validation_cache WHERE email = ?
