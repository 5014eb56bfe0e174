package io.sluice.mail;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.sluice.admin.ApiException;
import io.sluice.db.SqlFiles;
import io.sluice.validation.ValidationCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * RFC 8058 one-click unsubscribe: the token in List-Unsubscribe names campaign and recipient under an HMAC, so only
 * the link that was mailed can unsubscribe its address. The address is cached as {@code unsubscribed}, a code no
 * campaign mails and that never expires; a forged or altered token changes nothing.
 */
public class Unsubscribes {

    private static final Logger LOG = LoggerFactory.getLogger(Unsubscribes.class);
    public static final String CODE = "unsubscribed";

    private final UnsubscribeTokens tokens;
    private final ValidationCache cache;
    private final JdbcTemplate jdbc;
    private final SqlFiles sql;

    public Unsubscribes(UnsubscribeTokens tokens, ValidationCache cache, DataSource dataSource, SqlFiles sql) {
        this.tokens = tokens;
        this.cache = cache;
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
    }

    /** POST with body {@code List-Unsubscribe=One-Click} (mail clients) or the confirmation page's form. */
    public String oneClick(String token, String body, String formField) {
        // platform-http turns a form-encoded body into headers, so the field arrives as a header or as raw text.
        boolean oneClick = "One-Click".equals(formField) || (body != null && body.strip().equals("List-Unsubscribe=One-Click"));
        if (!oneClick) {
            throw ApiException.badRequest("expected the body List-Unsubscribe=One-Click");
        }
        String email = recipientOf(token);
        cache.suppress(email, CODE, "unsubscribe");
        LOG.info("Unsubscribed recipient of token {}", token.substring(0, token.lastIndexOf('.')));
        return "<!doctype html><meta charset=utf-8><title>Unsubscribed</title><p>You are unsubscribed. No more mail of this kind will reach you.</p>";
    }

    /** GET: a small page with a button that posts the one-click body (a GET must never unsubscribe by itself). */
    public String page(String token) {
        recipientOf(token);
        return "<!doctype html><meta charset=utf-8><title>Unsubscribe</title>"
                + "<form method=post><input type=hidden name=List-Unsubscribe value=One-Click>"
                + "<p>Stop receiving these emails?</p><button type=submit>Unsubscribe</button></form>";
    }

    private String recipientOf(String token) {
        UnsubscribeTokens.Subject subject = tokens.verify(token)
                .orElseThrow(() -> new ApiException(403, "this unsubscribe link is not valid"));
        List<Map<String, Object>> rows = jdbc.queryForList(sql.get("recipient-email"), subject.recipientId(), subject.campaignId());
        if (rows.isEmpty()) {
            throw new ApiException(403, "this unsubscribe link is not valid");
        }
        return rows.get(0).get("email").toString();
    }
}
