package io.sluice.campaign;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import io.sluice.admin.ApiException;
import io.sluice.db.SqlFiles;
import io.sluice.mail.MailComposer;
import io.sluice.validation.EmailSyntax;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/** Campaigns: created by the admin API, started and paused by a person, read by dispatch on every message. */
public class CampaignStore {

    private static final RowMapper<Campaign> ROW = (rs, n) -> new Campaign(
            rs.getLong("id"), rs.getString("name"), rs.getString("from_address"), rs.getString("subject"),
            rs.getString("text_template"), rs.getString("html_template"), rs.getString("message_stream"),
            rs.getString("state"), rs.getTimestamp("updated_at").toInstant());

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private final String defaultMessageStream;

    public CampaignStore(DataSource dataSource, SqlFiles sql, String defaultMessageStream) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.defaultMessageStream = defaultMessageStream;
    }

    /** Creates a DRAFT campaign from the admin API's JSON; a missing or malformed field is a 400 and changes nothing. */
    public Map<String, Object> create(Map<String, Object> json) {
        String name = required(json, "name", 200);
        String from = required(json, "from", 320);
        String subject = required(json, "subject", 998);
        String text = optional(json, "textTemplate");
        String html = optional(json, "htmlTemplate");
        String stream = Optional.ofNullable(optional(json, "messageStream")).orElse(defaultMessageStream);
        if (text == null && html == null) {
            throw ApiException.badRequest("a campaign needs a textTemplate, an htmlTemplate or both");
        }
        if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
            throw ApiException.badRequest("subject must be a single line");
        }
        MailComposer.checkTemplate("subject", subject);
        MailComposer.checkTemplate("textTemplate", text);
        MailComposer.checkTemplate("htmlTemplate", html);
        if (!fromIsValid(from)) {
            throw ApiException.badRequest("from must be an address like news@example.com or \"Name <news@example.com>\"");
        }
        long id = insert(name, from, subject, text, html, stream);
        return Map.of("id", id, "state", Campaign.DRAFT);
    }

    public long insert(String name, String from, String subject, String text, String html, String stream) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update(con -> {
            var ps = con.prepareStatement(sql.get("campaign-insert"), new String[] {"id"});
            ps.setString(1, name);
            ps.setString(2, from);
            ps.setString(3, subject);
            ps.setString(4, text);
            ps.setString(5, html);
            ps.setString(6, stream);
            ps.setString(7, Campaign.DRAFT);
            ps.setTimestamp(8, now);
            ps.setTimestamp(9, now);
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    public Optional<Campaign> find(long id) {
        List<Campaign> found = jdbc.query(sql.get("campaign-find"), ROW, id);
        return found.stream().findFirst();
    }

    public Campaign require(long id) {
        return find(id).orElseThrow(() -> ApiException.notFound("no campaign " + id));
    }

    public List<Campaign> all() {
        return jdbc.query(sql.get("campaign-all"), ROW);
    }

    /** When the earliest running campaign was started (the guard's statistics window), or null. */
    public Instant runningSince() {
        Timestamp since = jdbc.queryForObject(sql.get("campaign-running-since"), Timestamp.class);
        return since == null ? null : since.toInstant();
    }

    public Map<String, Object> start(long id) {
        return changeState(id, Campaign.RUNNING);
    }

    public Map<String, Object> pause(long id) {
        return changeState(id, Campaign.PAUSED);
    }

    private Map<String, Object> changeState(long id, String state) {
        require(id);
        jdbc.update(sql.get("campaign-set-state"), state, Timestamp.from(Instant.now()), id);
        return Map.of("id", id, "state", state);
    }

    static boolean fromIsValid(String from) {
        String address = from.strip();
        int open = address.lastIndexOf('<');
        if (open >= 0 && address.endsWith(">")) {
            String display = address.substring(0, open);
            if (display.indexOf('\r') >= 0 || display.indexOf('\n') >= 0) {
                return false;
            }
            address = address.substring(open + 1, address.length() - 1);
        }
        return EmailSyntax.check(address).valid();
    }

    private static String required(Map<String, Object> json, String field, int maxLength) {
        String value = optional(json, field);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("field '" + field + "' is required");
        }
        if (value.length() > maxLength) {
            throw ApiException.badRequest("field '" + field + "' is longer than " + maxLength + " characters");
        }
        return value;
    }

    private static String optional(Map<String, Object> json, String field) {
        Object value = json.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw ApiException.badRequest("field '" + field + "' must be a string");
        }
        return text;
    }
}
