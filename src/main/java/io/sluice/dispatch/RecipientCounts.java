package io.sluice.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Recipients per campaign and state, kept in {@code recipient_count} by every state change, inside the transaction
 * that changes the rows: the status and the progress log read a few counter rows instead of counting millions of
 * recipients. Each thread writes its own slot (rows are summed when read), so parallel senders never wait on one
 * hot counter row; deltas are applied in a fixed order so two transactions cannot deadlock on them.
 */
public class RecipientCounts {

    /** How many slots a (campaign, state, skip code) counter is spread over. */
    static final int SLOTS = 16;

    /** One change: {@code n} rows of a campaign entered ({@code n > 0}) or left ({@code n < 0}) a state. */
    public record Delta(long campaignId, String state, String skipCode, long n) {
        public Delta {
            skipCode = skipCode == null ? "" : skipCode;
        }
    }

    private static final Comparator<Delta> LOCK_ORDER = Comparator.comparingLong(Delta::campaignId)
            .thenComparing(Delta::state).thenComparing(Delta::skipCode);

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private final int slotBase;

    public RecipientCounts(DataSource dataSource, SqlFiles sql, String instanceId) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.slotBase = Math.floorMod(instanceId.hashCode(), SLOTS);
    }

    /** Rows of a campaign moved from one state to another (the skip code only counts for SKIPPED). */
    public static List<Delta> moved(long campaignId, String from, String to, String skipCode, long n) {
        return List.of(new Delta(campaignId, from, "", -n), new Delta(campaignId, to, RecipientStore.SKIPPED.equals(to) ? skipCode : "", n));
    }

    /** Applies the deltas; call it inside the transaction that changed the rows. */
    public void apply(List<Delta> deltas) {
        // One row per counter: PostgreSQL refuses an upsert batch (rewritten into one INSERT) that names a row twice.
        Map<Delta, Long> merged = new TreeMap<>(LOCK_ORDER);
        for (Delta d : deltas) {
            merged.merge(d, d.n(), Long::sum);
        }
        List<Delta> ordered = new ArrayList<>();
        merged.forEach((d, n) -> {
            if (n != 0) {
                ordered.add(new Delta(d.campaignId(), d.state(), d.skipCode(), n));
            }
        });
        if (ordered.isEmpty()) {
            return;
        }
        int slot = Math.floorMod(slotBase + (int) Thread.currentThread().getId(), SLOTS);
        jdbc.batchUpdate(sql.get("recipient-count-add"), ordered, ordered.size(), (ps, d) -> {
            ps.setLong(1, d.campaignId());
            ps.setString(2, d.state());
            ps.setString(3, d.skipCode());
            ps.setInt(4, slot);
            ps.setLong(5, d.n());
        });
    }

    /** Per campaign: count per state, and per skip code for SKIPPED ("null" for a skip without a code). */
    public Map<Long, Map<String, Map<String, Long>>> read(String sqlName) {
        Map<Long, Map<String, Map<String, Long>>> result = new TreeMap<>();
        jdbc.query(sql.get(sqlName), rs -> {
            String code = rs.getString("skip_code");
            String state = rs.getString("state");
            long n = rs.getLong("n");
            String key = RecipientStore.SKIPPED.equals(state) ? (code == null || code.isEmpty() ? "null" : code) : "";
            result.computeIfAbsent(rs.getLong("campaign_id"), id -> new TreeMap<>())
                    .computeIfAbsent(state, s -> new TreeMap<>()).merge(key, n, Long::sum);
        });
        return result;
    }
}
