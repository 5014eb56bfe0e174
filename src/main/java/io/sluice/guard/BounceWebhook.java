package io.sluice.guard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.ApiException;
import io.sluice.db.SqlFiles;
import io.sluice.validation.EmailSyntax;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Postmark's Bounce and SpamComplaint webhooks: a hard bounce or a complaint suppresses the address at once (no
 * waiting for the next suppression sync); soft bounces are counted and suppress after a limit. Authenticated by
 * HTTP basic auth, which Postmark puts in the webhook URL; a malformed payload changes nothing.
 */
public class BounceWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(BounceWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Postmark bounce types after which mailing the address again only hurts the sender. */
    static final Set<String> SUPPRESS_AT_ONCE = Set.of("HardBounce", "BadEmailAddress", "SpamComplaint", "SpamNotification",
            "ManuallyDeactivated", "Blocked");
    static final Set<String> SOFT = Set.of("SoftBounce", "Transient", "DnsError");

    private final byte[] credentials;
    private final int softBounceLimit;
    private final JdbcTemplate jdbc;
    private final SqlFiles sql;

    public BounceWebhook(String username, String password, int softBounceLimit, DataSource dataSource, SqlFiles sql) {
        this.credentials = username == null || username.isBlank() || password == null || password.isBlank() ? null
                : ("Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8);
        this.softBounceLimit = softBounceLimit;
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        if (credentials == null) {
            LOG.warn("Bounce webhook is closed: set sluice.webhook.username and sluice.webhook.password to accept Postmark webhooks");
        }
    }

    public void requireAuth(String authorization) {
        if (credentials == null || authorization == null
                || !MessageDigest.isEqual(credentials, authorization.strip().getBytes(StandardCharsets.UTF_8))) {
            // Postmark authenticates with HTTP basic auth (user and password in the webhook URL), not the admin token.
            throw new ApiException(401, "missing or wrong Basic auth credentials");
        }
    }

    /** Handles one webhook; answers what was done so Postmark's retries and an operator can see it. */
    public Map<String, Object> receive(String body) {
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (Exception e) {
            throw ApiException.badRequest("payload is not JSON");
        }
        if (payload == null || !payload.isObject()) {
            throw ApiException.badRequest("payload is not a JSON object");
        }
        String recordType = payload.path("RecordType").asText("");
        String type = payload.path("Type").asText("");
        String email = payload.path("Email").asText("");
        String stream = payload.path("MessageStream").asText(null);
        if (!recordType.equals("Bounce") && !recordType.equals("SpamComplaint")) {
            throw ApiException.badRequest("RecordType must be Bounce or SpamComplaint, got '" + recordType + "'");
        }
        EmailSyntax.Result address = EmailSyntax.check(email);
        if (type.isEmpty() || !address.valid()) {
            throw ApiException.badRequest("payload needs a Type and a valid Email");
        }
        String key = EmailSyntax.key(address.normalized());
        Timestamp now = Timestamp.from(Instant.now());
        if (recordType.equals("SpamComplaint") || SUPPRESS_AT_ONCE.contains(type)) {
            suppress(key, type, stream, now);
            LOG.info("Webhook: {} suppressed ({})", key, type);
            return Map.of("email", key, "action", "suppressed", "reason", type);
        }
        if (SOFT.contains(type)) {
            int bounces = countSoftBounce(key, now);
            if (bounces >= softBounceLimit) {
                suppress(key, "SoftBounce x" + bounces, stream, now);
                return Map.of("email", key, "action", "suppressed", "reason", "SoftBounce", "softBounces", bounces);
            }
            return Map.of("email", key, "action", "counted", "softBounces", bounces);
        }
        return Map.of("email", key, "action", "ignored", "reason", type);
    }

    private void suppress(String key, String reason, String stream, Timestamp now) {
        jdbc.update(sql.get("suppression-upsert"), key, "suppressed", "postmark-webhook", now, reason, stream);
    }

    private int countSoftBounce(String key, Timestamp now) {
        if (jdbc.update(sql.get("soft-bounce-increment"), now, key) == 0) {
            try {
                jdbc.update(sql.get("soft-bounce-insert"), key, now);
            } catch (org.springframework.dao.DuplicateKeyException raced) {
                jdbc.update(sql.get("soft-bounce-increment"), now, key);
            }
        }
        Integer bounces = jdbc.queryForObject(sql.get("soft-bounce-count"), Integer.class, key);
        return bounces == null ? 0 : bounces;
    }
}
