package io.sluice.validation;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Picks the next addresses the validation route should validate: those of pending recipients with no cache entry or
 * an expired one. It walks the recipient ids in windows from a cursor that wraps around at the end, so each run
 * reads a bounded index range instead of the whole table, and every pending recipient comes round again.
 */
public class PendingAddresses {

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private final long window;
    private long cursor;

    public PendingAddresses(DataSource dataSource, SqlFiles sql, long window) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.window = window;
    }

    /**
     * Up to {@code batch} distinct addresses whose entry is missing or older than {@code expiredBefore}, skipping
     * those {@code skip} names (waiting for a retry); stops after one full lap of the id range.
     */
    public synchronized Set<String> next(int batch, Instant expiredBefore, Predicate<String> skip) {
        Set<String> picked = new LinkedHashSet<>();
        long maxId = jdbc.queryForObject(sql.get("recipient-max-id"), Long.class);
        long scanned = 0;
        Timestamp cutoff = Timestamp.from(expiredBefore);
        while (picked.size() < batch && scanned <= maxId) {
            if (cursor >= maxId) {
                cursor = 0;
            }
            long from = cursor;
            long to = from + window;
            int want = batch - picked.size();
            List<Map<String, Object>> rows = jdbc.queryForList(sql.get("validation-candidates"), from, to, cutoff, want);
            long last = from;
            for (Map<String, Object> row : rows) {
                last = ((Number) value(row, "id")).longValue();
                String email = (String) value(row, "email_key");
                if (!skip.test(email)) {
                    picked.add(email);
                }
            }
            if (rows.size() == want) {
                scanned += last - from;
                cursor = last;
            } else {
                scanned += window;
                cursor = to;
            }
        }
        return picked;
    }

    private static Object value(Map<String, Object> row, String column) {
        Object value = row.get(column);
        return value != null ? value : row.get(column.toUpperCase(java.util.Locale.ROOT));
    }
}
