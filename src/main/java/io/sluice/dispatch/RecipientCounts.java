package io.sluice.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

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
    private final DataSource dataSource;
    private final SqlFiles sql;
    private final int slotBase;
    /** Counter rows known to exist (created by this process or found so): never inserted again. */
    private final Set<String> existing = ConcurrentHashMap.newKeySet();

    public RecipientCounts(DataSource dataSource, SqlFiles sql, String instanceId) {
        this.dataSource = dataSource;
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
        ensureRows(ordered, slot);
        jdbc.batchUpdate(sql.get("recipient-count-add"), ordered, ordered.size(), (ps, d) -> {
            ps.setLong(1, d.campaignId());
            ps.setString(2, d.state());
            ps.setString(3, d.skipCode());
            ps.setInt(4, slot);
            ps.setLong(5, d.n());
        });
    }

    /**
     * Creates the counter rows the deltas need, each in its own committed statement outside the caller's transaction,
     * before the upsert runs. H2's MERGE is not atomic: two transactions creating the same new row both took the
     * insert branch and one failed with a duplicate key, rolling back its whole outcome batch or release. With the row
     * there first, every upsert is an update under a row lock. Once per row and process: later deltas skip this.
     */
    private void ensureRows(List<Delta> deltas, int slot) {
        List<Delta> missing = deltas.stream().filter(d -> !existing.contains(key(d, slot))).toList();
        if (missing.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            for (Delta d : missing) {
                try (PreparedStatement insert = c.prepareStatement(sql.get("recipient-count-create"))) {
                    insert.setLong(1, d.campaignId());
                    insert.setString(2, d.state());
                    insert.setString(3, d.skipCode());
                    insert.setInt(4, slot);
                    insert.executeUpdate();
                } catch (SQLException e) {
                    if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                        // Not "already there" (a lost connection, say): the upsert below still creates the row if
                        // need be, inside the caller's transaction, and the next delta tries this again.
                        continue;
                    }
                    // A duplicate key: the row exists, which is all this wants.
                }
                existing.add(key(d, slot));
            }
        } catch (SQLException e) {
            // No connection: the upsert below meets the same problem and reports it.
        }
    }

    private static String key(Delta d, int slot) {
        return d.campaignId() + "/" + d.state() + "/" + d.skipCode() + "/" + slot;
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
