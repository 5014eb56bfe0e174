package io.sluice.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every admin call carries {@code Authorization: Bearer <sluice.admin.token>}. An empty token is refused at start
 * unless local-demo mode is on, and then every call is allowed and the log says so loudly.
 */
public class AdminAuth {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);

    private final byte[] token;

    public AdminAuth(String token, boolean demoMode) {
        if (token == null || token.isBlank()) {
            if (!demoMode) {
                throw new IllegalStateException("sluice.admin.token is empty: set SLUICE_ADMIN_TOKEN "
                        + "(or sluice.demo.enabled=true for a local demo with an open admin API)");
            }
            LOG.warn("*** LOCAL DEMO MODE: sluice.admin.token is empty, the admin API is OPEN to anyone who can reach it. "
                    + "Never run like this with real recipients. ***");
            this.token = null;
        } else {
            this.token = token.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Throws a 401 unless the header carries the token (compared in constant time). */
    public void require(String authorization) {
        if (token == null) {
            return;
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw ApiException.unauthorized();
        }
        byte[] given = authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token, given)) {
            throw ApiException.unauthorized();
        }
    }
}
