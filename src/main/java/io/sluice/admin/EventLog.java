package io.sluice.admin;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The event history ({@code sluice_event}): decisions a person made through the admin API (send limit, resume, ramp,
 * campaign start and pause, uploads, UNKNOWN recipients), with their reason where given, and what Sluice did by itself
 * (guard halts, ramp steps, inbox imports, settlement). {@link #record} joins the caller's transaction when there is one (same DataSource),
 * so a change and its entry are written together or not at all. {@code GET /api/events} reads it newest first.
 */
public class EventLog {

    /** Entries one call answers with when it names no limit, and at most. */
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;

    public EventLog(DataSource dataSource, SqlFiles sql) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
    }

    /**
     * The optional {@code reason} of a person's call (PUT /api/send-limit, POST /api/resume): a string of at most
     * 1,000 characters, or null when absent; 400 otherwise.
     */
    public static String reasonOf(Map<String, Object> json) {
        Object value = json == null ? null : json.get("reason");
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw ApiException.badRequest("reason must be a text, e.g. {\"reason\": \"bounces checked with Postmark\"}");
        }
        if (text.length() > 1000) {
            throw ApiException.badRequest("reason must be at most 1000 characters, got " + text.length());
        }
        return text.isBlank() ? null : text.strip();
    }

    /** Appends one entry; {@code detail} is kept as a JSON object. */
    public void record(String kind, String actor, Long campaignId, String reason, Map<String, Object> detail) {
        String json;
        try {
            json = JSON.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event detail is not JSON-writable", e);
        }
        jdbc.update(sql.get("event-insert"), Timestamp.from(Instant.now()), kind, actor, campaignId, truncate(reason, 1000),
                truncate(json, 8000));
    }

    /**
     * {@code GET /api/events?since=&limit=}: entries at or after {@code since} (an ISO-8601 instant or date, UTC;
     * absent = all), newest first, at most {@code limit} (default 100, at most 1,000).
     */
    public Map<String, Object> list(String since, String limit) {
        Instant from = since(since);
        int max = limit(limit);
        List<Map<String, Object>> events = jdbc.query(sql.get("events-since"), (rs, n) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", rs.getLong("id"));
            e.put("at", rs.getTimestamp("event_at").toInstant().toString());
            e.put("kind", rs.getString("kind"));
            e.put("actor", rs.getString("actor"));
            long campaign = rs.getLong("campaign_id");
            e.put("campaign", rs.wasNull() ? null : campaign);
            e.put("reason", rs.getString("reason"));
            e.put("detail", detail(rs.getString("detail")));
            return e;
        }, Timestamp.from(from), max + 1);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("since", since == null || since.isBlank() ? null : from.toString());
        answer.put("limit", max);
        answer.put("more", events.size() > max);
        answer.put("events", events.size() > max ? events.subList(0, max) : events);
        return answer;
    }

    static Instant since(String value) {
        if (value == null || value.isBlank()) {
            return Instant.EPOCH;
        }
        String text = value.strip();
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("since must be an ISO-8601 instant (2026-12-01T10:00:00Z) or date (2026-12-01), got: "
                    + shorten(text));
        }
    }

    private static int limit(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", got: " + shorten(value));
    }

    private static Object detail(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            // Cut to the column: shown as the text that was kept.
            return json;
        }
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
