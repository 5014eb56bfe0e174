SELECT text_code FROM email_validation_cache WHERE email = ?
