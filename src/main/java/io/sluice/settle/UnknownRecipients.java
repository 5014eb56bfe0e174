package io.sluice.settle;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.sluice.admin.EventLog;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.DeliveryRecords;
import io.sluice.dispatch.RecipientCounts;
import io.sluice.dispatch.RecipientStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves UNKNOWN recipients out of UNKNOWN: to SENT (it left: Postmark's log shows it, or a person says so) or back to
 * PENDING (it did not: sent again by the next tick). Each move is one transaction with its guarded UPDATE (only a row
 * still UNKNOWN and unchanged since it was read moves), the counters, and for PENDING the removal of its delivery
 * record, without which the idempotent consumer would skip the row as already handed over.
 */
public class UnknownRecipients {

    /** A row as read before deciding: the guarded UPDATE compares its change time. */
    public record Row(long id, long campaignId, Instant updatedAt) {
    }

    /** Ids per IN list: well below every driver's bind-parameter limit. */
    private static final int CHUNK = 1000;
    private static final RowMapper<Row> ROW = (rs, n) -> new Row(rs.getLong("id"), rs.getLong("campaign_id"),
            rs.getTimestamp("updated_at").toInstant());

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final TransactionTemplate transaction;
    private final SqlFiles sql;
    private final RecipientCounts counts;
    private final EventLog events;

    public UnknownRecipients(DataSource dataSource, SqlFiles sql, String instanceId, EventLog events) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.sql = sql;
        this.counts = new RecipientCounts(dataSource, sql, instanceId);
        this.events = events;
    }

    /** SENT with {@code reply}, if the row is still UNKNOWN and unchanged. */
    public boolean markSent(Row row, String reply) {
        return Boolean.TRUE.equals(transaction.execute(status -> markSentInTransaction(row, reply)));
    }

    /** PENDING (due at once, delivery record dropped), if the row is still UNKNOWN and unchanged. */
    public boolean release(Row row, String reason) {
        return Boolean.TRUE.equals(transaction.execute(status -> releaseInTransaction(row, reason)));
    }

    private boolean markSentInTransaction(Row row, String reply) {
        Timestamp now = Timestamp.from(Instant.now());
        if (jdbc.update(sql.get("unknown-mark-sent"), truncate(reply, 500), now, row.id(), Timestamp.from(row.updatedAt())) != 1) {
            return false;
        }
        counts.apply(RecipientCounts.moved(row.campaignId(), RecipientStore.UNKNOWN, RecipientStore.SENT, null, 1));
        return true;
    }

    private boolean releaseInTransaction(Row row, String reason) {
        Timestamp now = Timestamp.from(Instant.now());
        if (jdbc.update(sql.get("unknown-release"), truncate(reason, 1000), now, row.id(), Timestamp.from(row.updatedAt())) != 1) {
            return false;
        }
        jdbc.update(sql.get("delivery-record-delete"), DeliveryRecords.PROCESSOR, row.campaignId() + ":" + row.id());
        counts.apply(RecipientCounts.moved(row.campaignId(), RecipientStore.UNKNOWN, RecipientStore.PENDING, null, 1));
        return true;
    }

    /** What an operator's decision changed. */
    public record Decision(long campaignId, String action, int changed, List<Long> notUnknown) {
    }

    /**
     * An operator's decision about a campaign's UNKNOWN recipients ({@code ids} null = all of them): {@code resend}
     * releases them to PENDING, {@code mark-sent} marks them SENT. Only rows UNKNOWN now change; listed ids that are
     * not (another state, another campaign, no such row) come back in {@code notUnknown}. The changes and the event
     * entry with the reason are one transaction.
     */
    public Decision decide(long campaignId, boolean resend, List<Long> ids, String reason, String actor) {
        return transaction.execute(status -> {
            List<Row> rows = ids == null ? jdbc.query(sql.get("unknown-of-campaign"), ROW, campaignId) : among(campaignId, ids);
            List<Long> changed = new ArrayList<>();
            for (Row row : rows) {
                boolean moved = resend ? releaseInTransaction(row, "sent again by an operator: " + reason)
                        : markSentInTransaction(row, "marked sent by operator: " + reason);
                if (moved) {
                    changed.add(row.id());
                }
            }
            java.util.Set<Long> moved = new java.util.HashSet<>(changed);
            List<Long> notUnknown = ids == null ? List.of() : ids.stream().distinct().filter(id -> !moved.contains(id)).toList();
            String action = resend ? "resend" : "mark-sent";
            Map<String, Object> detail = new java.util.LinkedHashMap<>();
            detail.put("action", action);
            detail.put("recipients", ids == null ? "all" : ids.size());
            detail.put("changed", changed.size());
            detail.put("changedIds", first(changed, 200));
            detail.put("notUnknown", first(notUnknown, 200));
            events.record("unknown-" + action, actor, campaignId, reason, detail);
            return new Decision(campaignId, action, changed.size(), notUnknown);
        });
    }

    private List<Row> among(long campaignId, List<Long> ids) {
        List<Long> distinct = ids.stream().distinct().toList();
        List<Row> rows = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += CHUNK) {
            MapSqlParameterSource params = new MapSqlParameterSource("campaign", campaignId)
                    .addValue("ids", distinct.subList(from, Math.min(distinct.size(), from + CHUNK)));
            rows.addAll(named.query(sql.get("unknown-among"), params, ROW));
        }
        return rows;
    }

    private static List<Long> first(List<Long> ids, int n) {
        return ids.size() <= n ? ids : ids.subList(0, n);
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
