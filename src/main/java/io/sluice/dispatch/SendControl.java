package io.sluice.dispatch;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

import javax.sql.DataSource;

import io.sluice.admin.ApiException;
import io.sluice.db.SqlFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The story's live {@code sendLimit}: read from the database on every tick so a person (or the guard) can change it
 * at any moment; 0 makes the tick a no-op. The halted flag with its reason stops everything until a person lifts it.
 */
public class SendControl {

    private static final Logger LOG = LoggerFactory.getLogger(SendControl.class);

    /** What the ramp reads. */
    public record RampState(int step, Instant stepStartedAt, boolean overridden, boolean halted, int sendLimit) {
    }

    /** What a tick reads. */
    public record State(int sendLimit, boolean halted, String haltReason) {
    }

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private io.sluice.admin.EventLog events;

    public SendControl(DataSource dataSource, SqlFiles sql) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
    }

    /** Where a person's send limit changes are written, with their reason. */
    public void setEvents(io.sluice.admin.EventLog events) {
        this.events = events;
    }

    /** Creates the single control row on first start; an existing row (a person's setting) is never overwritten. */
    public void ensureExists(int initialSendLimit) {
        Integer rows = jdbc.queryForObject(sql.get("send-control-count"), Integer.class);
        if (rows == null || rows == 0) {
            jdbc.update(sql.get("send-control-insert"), initialSendLimit, Timestamp.from(Instant.now()));
            LOG.info("Send control created with sendLimit {}", initialSendLimit);
        }
    }

    public State read() {
        return jdbc.queryForObject(sql.get("send-control-read"),
                (rs, n) -> new State(rs.getInt("send_limit"), rs.getBoolean("halted"), rs.getString("halt_reason")));
    }

    /** PUT /api/send-limit {"sendLimit": N, "reason": optional}: takes effect on the next tick. */
    public Map<String, Object> updateSendLimit(Map<String, Object> json) {
        Object value = json == null ? null : json.get("sendLimit");
        if (!(value instanceof Integer || value instanceof Long)) {
            throw ApiException.badRequest("sendLimit must be a whole number of messages per tick, e.g. {\"sendLimit\": 1000}");
        }
        long limit = ((Number) value).longValue();
        if (limit < 0 || limit > 1_000_000) {
            throw ApiException.badRequest("sendLimit must be between 0 and 1000000, got " + limit);
        }
        String reason = io.sluice.admin.EventLog.reasonOf(json);
        int previous = read().sendLimit();
        setSendLimit((int) limit);
        LOG.info("sendLimit set to {} through the admin API", limit);
        if (events != null) {
            events.record("send-limit", "admin-api", null, reason, Map.of("sendLimit", limit, "previous", previous));
        }
        return Map.of("sendLimit", limit);
    }

    public RampState readRamp() {
        return jdbc.queryForObject(sql.get("send-control-read-ramp"), (rs, n) -> new RampState(rs.getInt("ramp_step"),
                rs.getTimestamp("ramp_step_started_at") == null ? null : rs.getTimestamp("ramp_step_started_at").toInstant(),
                rs.getBoolean("ramp_overridden"), rs.getBoolean("halted"), rs.getInt("send_limit")));
    }

    /** The ramp moves to a step: its sendLimit applies from the next tick (never while halted or overridden). */
    public void setRampStep(int step, Instant startedAt, int sendLimit) {
        jdbc.update(sql.get("send-control-set-ramp-step"), step, Timestamp.from(startedAt), sendLimit, Timestamp.from(Instant.now()));
    }

    /** Sticky: sendLimit 0 and halted with the reason, until a person resumes. */
    public void halt(String reason) {
        jdbc.update(sql.get("send-control-halt"), reason.length() > 1000 ? reason.substring(0, 1000) : reason,
                Timestamp.from(Instant.now()), Timestamp.from(Instant.now()));
    }

    /** Lifts a halt; with the ramp's first step (rampRestarts) or a person's own sendLimit (the ramp stays overridden). */
    public void resume(int sendLimit, boolean rampRestarts) {
        jdbc.update(sql.get("send-control-resume"), sendLimit, !rampRestarts, Timestamp.from(Instant.now()));
        if (rampRestarts) {
            setRampStep(0, Instant.now(), sendLimit);
        }
    }

    public void setSendLimit(int limit) {
        jdbc.update(sql.get("send-control-set-limit"), limit, Timestamp.from(Instant.now()));
    }
}
