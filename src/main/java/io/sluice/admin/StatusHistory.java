package io.sluice.admin;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import io.sluice.dispatch.RecipientStats;
import io.sluice.dispatch.SendControl;
import io.sluice.guard.Guard;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The send limit, ramp step, guard state and rates and the recipients sent, skipped and failed over time, for the
 * progress page's charts: the status answer only holds the present. Sampled on a timer into the database
 * ({@code status_sample}), so the charts cover the whole campaign after a restart; samples older than the retention
 * are deleted as new ones come. With several instances one sample a period is written, not one per instance.
 */
public class StatusHistory {

    /** Samples one answer holds at most, whatever the caller asks. */
    static final int MAX_LIMIT = 10_000;
    private static final String[] STATES = {"SENT", "SKIPPED", "FAILED", "UNKNOWN"};

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private final SendControl sendControl;
    private final Guard guard;
    private final Supplier<Map<Long, RecipientStats.Counts>> counts;
    private final double bounceRateWarn;
    private final int defaultLimit;
    private final long samplePeriodMs;
    private final Duration retention;
    private final Clock clock;

    public StatusHistory(DataSource dataSource, SqlFiles sql, SendControl sendControl, Guard guard,
                         Supplier<Map<Long, RecipientStats.Counts>> counts, double bounceRateWarn, int defaultLimit,
                         long samplePeriodMs, Duration retention, Clock clock) {
        if (defaultLimit < 1 || defaultLimit > MAX_LIMIT) {
            throw new IllegalStateException("sluice.history.size must be from 1 to " + MAX_LIMIT + ", got " + defaultLimit);
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalStateException("sluice.history.retention must be a positive duration, got " + retention);
        }
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.sendControl = sendControl;
        this.guard = guard;
        this.counts = counts;
        this.bounceRateWarn = bounceRateWarn;
        this.defaultLimit = defaultLimit;
        this.samplePeriodMs = samplePeriodMs;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * Writes one sample of the live figures, unless another instance wrote one in the last half period; then deletes
     * the samples past the retention. Answers whether it wrote.
     */
    public boolean sample() {
        Instant now = clock.instant();
        Long recent = jdbc.queryForObject(sql.get("status-sample-recent"), Long.class,
                Timestamp.from(now.minusMillis(samplePeriodMs / 2)));
        if (recent != null && recent > 0) {
            return false;
        }
        SendControl.RampState ramp = sendControl.readRamp();
        Map<String, Object> guardStatus = guard.status();
        Map<?, ?> figures = (Map<?, ?>) guardStatus.get("figures");
        long[] byState = new long[STATES.length];
        for (RecipientStats.Counts campaign : counts.get().values()) {
            for (int i = 0; i < STATES.length; i++) {
                byState[i] += campaign.state(STATES[i]);
            }
        }
        // No figures yet (guard off, or never read): the charts leave a gap rather than draw a false zero.
        jdbc.update(sql.get("status-sample-insert"), Timestamp.from(now), ramp.sendLimit(), ramp.halted(), ramp.step() + 1,
                ramp.overridden(), String.valueOf(guardStatus.get("state")), rate(figures, "bounceRate"),
                rate(figures, "complaintRate"), byState[0], byState[1], byState[2], byState[3]);
        jdbc.update(sql.get("status-samples-prune"), Timestamp.from(now.minus(retention)));
        return true;
    }

    private static Double rate(Map<?, ?> figures, String key) {
        Object value = figures == null ? null : figures.get(key);
        return value instanceof Number n ? n.doubleValue() : null;
    }

    /** GET /api/status/history without parameters: the newest samples. */
    public Map<String, Object> history() {
        return history(null, null);
    }

    /**
     * GET /api/status/history?since=&limit=: the thresholds the charts draw and the samples oldest first. With
     * {@code since} (an ISO instant or date, UTC) the samples at or after it, at most {@code limit}, and {@code more}
     * when there are further ones (ask again from the last one's {@code at}); without it, the newest {@code limit}.
     */
    public Map<String, Object> history(String since, String limit) {
        int max = limit(limit);
        List<Map<String, Object>> samples;
        boolean more;
        if (since == null || since.isBlank()) {
            samples = new ArrayList<>(jdbc.query(sql.get("status-samples-latest"), (rs, n) -> row(rs), max));
            Collections.reverse(samples);
            more = false;
        } else {
            samples = jdbc.query(sql.get("status-samples-since"), (rs, n) -> row(rs), Timestamp.from(EventLog.since(since)), max + 1);
            more = samples.size() > max;
            if (more) {
                samples = samples.subList(0, max);
            }
        }
        Map<String, Object> guardStatus = guard.status();
        Map<String, Object> thresholds = new LinkedHashMap<>();
        thresholds.put("bounceRateHalt", guardStatus.get("bounceRateHalt"));
        thresholds.put("bounceRateWarn", bounceRateWarn);
        thresholds.put("complaintRateHalt", guardStatus.get("complaintRateHalt"));
        // The ramp holds its step at half the complaint halt threshold (see Ramp.onFigures).
        thresholds.put("complaintRateWarn", ((Number) guardStatus.get("complaintRateHalt")).doubleValue() / 2);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("samplePeriodMs", samplePeriodMs);
        answer.put("retention", retention.toString());
        answer.put("since", since == null || since.isBlank() ? null : EventLog.since(since).toString());
        answer.put("limit", max);
        answer.put("more", more);
        answer.put("thresholds", thresholds);
        answer.put("samples", samples);
        return answer;
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("at", rs.getTimestamp("sampled_at").toInstant().toString());
        sample.put("sendLimit", rs.getInt("send_limit"));
        sample.put("halted", rs.getBoolean("halted"));
        sample.put("rampStep", rs.getInt("ramp_step"));
        sample.put("rampOverridden", rs.getBoolean("ramp_overridden"));
        sample.put("guardState", rs.getString("guard_state"));
        double bounce = rs.getDouble("bounce_rate");
        sample.put("bounceRate", rs.wasNull() ? null : bounce);
        double complaint = rs.getDouble("complaint_rate");
        sample.put("complaintRate", rs.wasNull() ? null : complaint);
        sample.put("sent", rs.getLong("sent"));
        sample.put("skipped", rs.getLong("skipped"));
        sample.put("failed", rs.getLong("failed"));
        sample.put("unknown", rs.getLong("unknown_count"));
        return sample;
    }

    private int limit(String value) {
        if (value == null || value.isBlank()) {
            return defaultLimit;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", got: "
                + (value.length() > 60 ? value.substring(0, 60) + "..." : value));
    }
}
