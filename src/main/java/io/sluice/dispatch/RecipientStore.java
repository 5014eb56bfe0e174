package io.sluice.dispatch;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recipient rows and their states. A claim moves rows from PENDING to CLAIMED in one transaction so no other tick
 * or instance can take them; every outcome moves a row out of CLAIMED, guarded on CLAIMED so a late writer cannot
 * overwrite a newer state.
 */
public class RecipientStore {

    public static final String PENDING = "PENDING";
    public static final String CLAIMED = "CLAIMED";
    public static final String SENT = "SENT";
    public static final String SKIPPED = "SKIPPED";
    public static final String FAILED = "FAILED";
    public static final String UNKNOWN = "UNKNOWN";

    private static final RowMapper<Recipient> ROW = (rs, n) -> new Recipient(rs.getLong("id"), rs.getLong("campaign_id"),
            rs.getString("email"), rs.getString("email_key"), rs.getString("fields"), rs.getInt("attempts"),
            rs.getString("validation_code"));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final SqlFiles sql;
    private final String instanceId;
    private final AtomicLong claims = new AtomicLong();

    public RecipientStore(DataSource dataSource, SqlFiles sql, String instanceId) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.sql = sql;
        this.instanceId = instanceId;
    }

    /**
     * Claims up to {@code limit} ready recipients: pending, in a running campaign, due, and with a validation-cache
     * entry (an address nobody validated is never mailed: it waits). The claim is the batch's content enricher: each
     * claimed recipient carries its cached validation code, read by the same statement (one join instead of a
     * lookup per message).
     */
    public List<Recipient> claim(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        String claimToken = instanceId + "/" + claims.incrementAndGet();
        Timestamp now = Timestamp.from(Instant.now());
        return transaction.execute(status -> {
            List<Recipient> candidates = jdbc.query(sql.get("recipients-claim-select"), ROW, now, limit);
            if (candidates.isEmpty()) {
                return candidates;
            }
            jdbc.batchUpdate(sql.get("recipients-claim-update"), candidates, candidates.size(), (ps, r) -> {
                ps.setString(1, claimToken);
                ps.setTimestamp(2, now);
                ps.setTimestamp(3, now);
                ps.setLong(4, r.id());
            });
            // Batch update counts are unreliable across drivers (MySQL's rewritten batches answer "no info"), so the
            // rows this claim really took are read back by its token.
            Set<Long> mine = new HashSet<>(jdbc.queryForList(sql.get("recipients-claimed-by"), Long.class, claimToken));
            List<Recipient> claimed = new ArrayList<>(mine.size());
            for (Recipient r : candidates) {
                if (mine.contains(r.id())) {
                    claimed.add(new Recipient(r.id(), r.campaignId(), r.email(), r.emailKey(), r.fields(), r.attempts() + 1,
                            r.validationCode()));
                }
            }
            return claimed;
        });
    }

    public void markSent(Recipient r, String reply) {
        jdbc.update(sql.get("recipient-mark-sent"), truncate(reply, 500), now(), r.id());
    }

    public void markSkipped(Recipient r, String code) {
        jdbc.update(sql.get("recipient-mark-skipped"), truncate(code, 64), now(), r.id());
    }

    public void markFailed(Recipient r, String reason) {
        jdbc.update(sql.get("recipient-mark-failed"), truncate(reason, 1000), now(), r.id());
    }

    /** A transient failure: back to PENDING, due again after {@code delay}, with the reason kept for operators. */
    public void returnToPool(Recipient r, String reason, Duration delay) {
        jdbc.update(sql.get("recipient-return-to-pool"), truncate(reason, 1000), Timestamp.from(Instant.now().plus(delay)),
                now(), r.id());
    }

    /**
     * Accounts for rows a crashed tick left CLAIMED. Rows with a delivery record may have been sent: at-most-once
     * marks them UNKNOWN for a person to review; at-least-once drops the record and releases them to be sent again.
     * Rows without a record were never handed to delivery and simply go back to PENDING.
     *
     * @return how many rows were recovered, by the state they were given
     */
    public Map<String, Integer> recoverStaleClaims(Instant claimedBefore, DeliveryGuarantee guarantee, String processorName) {
        Timestamp cutoff = Timestamp.from(claimedBefore);
        return transaction.execute(status -> {
            int unknown = 0;
            if (guarantee == DeliveryGuarantee.AT_MOST_ONCE) {
                unknown = jdbc.update(sql.get("recipients-recover-unknown"), now(), cutoff, processorName);
            } else {
                jdbc.update(sql.get("delivery-records-drop-stale"), processorName, cutoff);
            }
            int released = jdbc.update(sql.get("recipients-recover-release"), now(), cutoff);
            return Map.of(UNKNOWN, unknown, PENDING, released);
        });
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    private static String truncate(String text, int max) {
        if (text == null) {
            return null;
        }
        return text.length() <= max ? text : text.substring(0, max);
    }
}
