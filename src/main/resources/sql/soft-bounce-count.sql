SELECT bounces FROM soft_bounce WHERE email = ?
