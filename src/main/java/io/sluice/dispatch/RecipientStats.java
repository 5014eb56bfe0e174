package io.sluice.dispatch;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.JdbcTemplate;

/** Counts per campaign: recipients by state, skips by code, and how many wait for a validation-cache entry. */
public class RecipientStats {

    /** One campaign's numbers. */
    public static final class Counts {
        private final Map<String, Long> byState = new TreeMap<>();
        private final Map<String, Long> skippedByCode = new TreeMap<>();
        private long waitingForValidation;

        public Map<String, Long> byState() {
            return byState;
        }

        public Map<String, Long> skippedByCode() {
            return skippedByCode;
        }

        public long waitingForValidation() {
            return waitingForValidation;
        }

        public long state(String state) {
            return byState.getOrDefault(state, 0L);
        }

        public long total() {
            return byState.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;

    public RecipientStats(DataSource dataSource, SqlFiles sql) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
    }

    public Map<Long, Counts> byCampaign() {
        Map<Long, Counts> result = new HashMap<>();
        jdbc.query(sql.get("recipient-counts"), rs -> {
            Counts counts = result.computeIfAbsent(rs.getLong("campaign_id"), id -> new Counts());
            String state = rs.getString("state");
            long n = rs.getLong("n");
            counts.byState.merge(state, n, Long::sum);
            if (RecipientStore.SKIPPED.equals(state)) {
                counts.skippedByCode.merge(String.valueOf(rs.getString("skip_code")), n, Long::sum);
            }
        });
        jdbc.query(sql.get("recipient-waiting-for-validation"), rs -> {
            result.computeIfAbsent(rs.getLong("campaign_id"), id -> new Counts()).waitingForValidation = rs.getLong("n");
        });
        return result;
    }
}
