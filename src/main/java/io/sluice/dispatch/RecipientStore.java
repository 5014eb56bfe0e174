package io.sluice.dispatch;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionStatus;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final TransactionTemplate transaction;
    private final SqlFiles sql;
    private final String instanceId;
    private final Duration validationMaxAge;
    private final RecipientCounts counts;
    private final AtomicLong claims = new AtomicLong();

    public RecipientStore(DataSource dataSource, SqlFiles sql, String instanceId) {
        this(dataSource, sql, instanceId, null);
    }

    /**
     * @param validationMaxAge a validation verdict older than this is not mailed on (the validation route renews it
     *                         first); {@code suppressed} and {@code unsubscribed} never expire; null: no expiry
     */
    public RecipientStore(DataSource dataSource, SqlFiles sql, String instanceId, Duration validationMaxAge) {
        this.validationMaxAge = validationMaxAge;
        this.jdbc = new JdbcTemplate(dataSource);
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.sql = sql;
        this.instanceId = instanceId;
        this.counts = new RecipientCounts(dataSource, sql, instanceId);
    }

    /** The process a claim token ({@code <instance id>/<n>}) belongs to. */
    public static String ownerOf(String claimToken) {
        int slash = claimToken == null ? -1 : claimToken.lastIndexOf('/');
        return slash < 0 ? String.valueOf(claimToken) : claimToken.substring(0, slash);
    }

    /**
     * Claims up to {@code limit} ready recipients: pending, in a running campaign, due, and with a usable
     * validation-cache entry (an address nobody validated is never mailed: it waits), each with its cached code. This
     * is the plain-JDBC form of route {@code recipients-claim}, which dispatch uses: the same statement files, the same
     * steps in one transaction ({@link #claimParameters}, select, {@link #candidates}, the guarded UPDATE, {@link #taken})
     * and the same merge of the codes ({@link ValidationVerdicts}). Benchmarks and store-level tests call it.
     */
    public List<Recipient> claim(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return transaction.execute(status -> {
            Map<String, Object> params = claimParameters(limit);
            String plan = sql.get("recipients-claim-plan");
            if (!plan.isEmpty()) {
                jdbc.execute(plan);
            }
            List<Map<String, Object>> rows = named.queryForList(sql.named("recipients-claim-select"), params);
            candidates(params, rows);
            List<Recipient> claimed = update(params);
            if (claimed.isEmpty()) {
                return claimed;
            }
            return ValidationVerdicts.merge(claimed, named.queryForList(sql.named("validation-verdicts"),
                    ValidationVerdicts.keys(claimed, (String) params.get("token"))));
        });
    }

    /**
     * The claim's write, inside its transaction: the candidates still PENDING become CLAIMED under {@code claimToken},
     * and the counters move by the rows really taken, which are returned (in the candidates' order).
     */
    List<Recipient> take(List<Recipient> candidates, String claimToken, Timestamp now) {
        Map<String, Object> params = new HashMap<>();
        params.put("token", claimToken);
        params.put("now", now);
        params.put(CANDIDATES, candidates);
        params.put(IDS, candidates.stream().map(Recipient::id).toList());
        return update(params);
    }

    /** The guarded UPDATE, the read-back when its count falls short, and {@link #taken}: the route's steps, in Java. */
    @SuppressWarnings("unchecked")
    private List<Recipient> update(Map<String, Object> params) {
        List<Long> ids = (List<Long>) params.get(IDS);
        if (ids.isEmpty()) {
            return List.of();
        }
        int updated = named.update(sql.named("recipients-claim-update"), params);
        List<Map<String, Object>> among = updated == ids.size() ? null : named.queryForList(sql.named("recipients-claimed-among"), params);
        return taken(params, updated, among);
    }

    /** The parameter holding a chunk's candidate ids (the claim UPDATE's {@code :#in:ids}). */
    static final String IDS = "ids";
    private static final String CANDIDATES = "candidates";

    /**
     * Step {@code recipients-claim-begin}: the parameters of one chunk's claim statements, by name: {@code token} (this
     * claim's {@code <instance id>/<n>}), {@code now}, {@code freshSince} (verdicts older than
     * sluice.validation.max-age do not count), {@code limit}.
     */
    public Map<String, Object> claimParameters(int limit) {
        Map<String, Object> params = new HashMap<>();
        params.put("token", instanceId + "/" + claims.incrementAndGet());
        Instant now = Instant.now();
        params.put("now", Timestamp.from(now));
        params.put("freshSince", validationMaxAge == null ? new Timestamp(0) : Timestamp.from(now.minus(validationMaxAge)));
        params.put("limit", Math.max(0, limit));
        return params;
    }

    /**
     * Step {@code recipients-claim-candidates}: the rows the select found, kept as recipients in the parameters, and
     * their ids as {@code ids} for the guarded UPDATE. Returns the parameters.
     */
    public Map<String, Object> candidates(Map<String, Object> params, List<Map<String, Object>> rows) {
        List<Recipient> candidates = new ArrayList<>(rows == null ? 0 : rows.size());
        if (rows != null) {
            for (Map<String, Object> row : rows) {
                candidates.add(new Recipient(number(row, "id"), number(row, "campaign_id"), text(row, "email"),
                        text(row, "email_key"), text(row, "fields"), (int) number(row, "attempts"), null));
            }
        }
        params.put(CANDIDATES, candidates);
        params.put(IDS, candidates.stream().map(Recipient::id).toList());
        return params;
    }

    /** Step {@code recipients-claim-token}: the claim's token, which the enricher's lookup reads the chunk by. */
    public String token(Map<String, Object> params) {
        return (String) params.get("token");
    }

    /** Step {@code recipients-claim-found}: whether the select found any candidate (the UPDATE runs only then). */
    public boolean found(Map<String, Object> params) {
        return !((List<?>) params.getOrDefault(IDS, List.of())).isEmpty();
    }

    /** Step {@code recipients-claim-fell-short}: whether the guarded UPDATE took fewer rows than it was given. */
    public boolean fellShort(Map<String, Object> params, Integer updated) {
        return updated == null || updated != ((List<?>) params.getOrDefault(IDS, List.of())).size();
    }

    /**
     * Step {@code recipients-claim-take}, inside the claim transaction: the candidates the guarded UPDATE really took
     * (all of them when its count says so, else those {@code recipients-claimed-among} read back by id and token), in
     * the candidates' order, with the claim's attempt counted; the counters move by that many rows.
     *
     * @param updated the UPDATE's count (null: no UPDATE ran, nothing was found)
     * @param among   the rows read back when the count fell short (null when it did not)
     */
    @SuppressWarnings("unchecked")
    public List<Recipient> taken(Map<String, Object> params, Integer updated, List<Map<String, Object>> among) {
        List<Recipient> candidates = (List<Recipient>) params.getOrDefault(CANDIDATES, List.of());
        if (updated == null || candidates.isEmpty()) {
            return List.of();
        }
        // The guarded UPDATE's count says whether it took every row it was given (on MariaDB and PostgreSQL it always
        // does: the select holds their locks). Only when it took fewer are the rows it did take read back, by id and
        // token: reading back by token alone walked every CLAIMED row of every tick in flight.
        Set<Long> mine = new HashSet<>();
        if (updated == candidates.size()) {
            candidates.forEach(r -> mine.add(r.id()));
        } else if (among != null) {
            among.forEach(row -> mine.add(number(row, "id")));
        }
        List<Recipient> claimed = new ArrayList<>(mine.size());
        Map<Long, Long> perCampaign = new HashMap<>();
        for (Recipient r : candidates) {
            if (mine.contains(r.id())) {
                claimed.add(new Recipient(r.id(), r.campaignId(), r.email(), r.emailKey(), r.fields(), r.attempts() + 1,
                        r.validationCode()));
                perCampaign.merge(r.campaignId(), 1L, Long::sum);
            }
        }
        List<RecipientCounts.Delta> deltas = new ArrayList<>();
        perCampaign.forEach((campaign, n) -> deltas.addAll(RecipientCounts.moved(campaign, PENDING, CLAIMED, null, n)));
        counts.apply(deltas);
        return claimed;
    }

    /** A column of a row as the driver named it (H2 upper case, MariaDB and PostgreSQL lower case). */
    private static Object column(Map<String, Object> row, String name) {
        Object value = row.get(name);
        return value != null ? value : row.get(name.toUpperCase(java.util.Locale.ROOT));
    }

    private static long number(Map<String, Object> row, String name) {
        Object value = column(row, name);
        if (!(value instanceof Number n)) {
            throw new IllegalStateException("claim row without a numeric " + name + ": " + row.keySet());
        }
        return n.longValue();
    }

    private static String text(Map<String, Object> row, String name) {
        Object value = column(row, name);
        if (value instanceof java.sql.Clob clob) {
            try {
                return clob.getSubString(1, (int) clob.length());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read " + name, e);
            }
        }
        return value == null ? null : value.toString();
    }

    /** An outcome on its way to the table: the row leaves CLAIMED for {@code state} (SENT or SKIPPED). */
    public record Outcome(Recipient recipient, String state, String detail) {
    }

    public void markSent(Recipient r, String reply) {
        write(List.of(new Outcome(r, SENT, reply)));
    }

    public void markSkipped(Recipient r, String code) {
        write(List.of(new Outcome(r, SKIPPED, code)));
    }

    /**
     * Writes SENT and SKIPPED outcomes in one transaction: each row guarded on CLAIMED, and one counter delta per
     * campaign and state for the rows the guard let through. Where the dialect has a set-based form
     * ({@code recipient-mark-outcomes}: PostgreSQL, MySQL/MariaDB) that is one statement for the whole list; on H2
     * one guarded UPDATE per row, sent as one JDBC batch per state.
     */
    public void write(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        Timestamp now = now();
        Boolean written = transaction.execute(status -> writeAndCount(outcomes, now, false, status));
        if (!Boolean.TRUE.equals(written)) {
            // The UPDATE moved fewer rows than it was given and cannot say which (MySQL/MariaDB): rolled back, and
            // written again naming the rows still CLAIMED first.
            transaction.execute(status -> writeAndCount(outcomes, now, true, status));
        }
    }

    /**
     * One attempt at {@link #write}: the rows and their counters, or (false, the transaction marked for rollback) when
     * an UPDATE that cannot return the rows it moved moved fewer than it was given and {@code lockFirst} is off.
     */
    private boolean writeAndCount(List<Outcome> outcomes, Timestamp now, boolean lockFirst, TransactionStatus status) {
        String commitMode = sql.get("outcomes-commit-mode");
        if (!commitMode.isEmpty()) {
            jdbc.execute(commitMode);
        }
        String oneStatement = sql.get("recipient-mark-outcomes");
        List<Outcome> moved = oneStatement.isEmpty() ? writeInBatches(outcomes, now) : writeInOneStatement(oneStatement, outcomes, now, lockFirst);
        if (moved == null) {
            status.setRollbackOnly();
            return false;
        }
        List<RecipientCounts.Delta> deltas = new ArrayList<>();
        for (Outcome o : moved) {
            deltas.addAll(RecipientCounts.moved(o.recipient().campaignId(), CLAIMED, o.state(), SKIPPED.equals(o.state()) ? detail(o) : null, 1));
        }
        counts.apply(deltas);
        return true;
    }

    /** The outcomes whose rows one JDBC batch of guarded UPDATEs per state moved out of CLAIMED. */
    private List<Outcome> writeInBatches(List<Outcome> outcomes, Timestamp now) {
        List<Outcome> moved = new ArrayList<>();
        for (String state : List.of(SENT, SKIPPED)) {
            List<Outcome> rows = outcomes.stream().filter(o -> o.state().equals(state)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            int[] updated = jdbc.batchUpdate(sql.get(SENT.equals(state) ? "recipient-mark-sent" : "recipient-mark-skipped"),
                    new BatchPreparedStatementSetter() {
                        @Override
                        public void setValues(PreparedStatement ps, int i) throws SQLException {
                            Outcome o = rows.get(i);
                            ps.setString(1, detail(o));
                            ps.setTimestamp(2, now);
                            ps.setLong(3, o.recipient().id());
                        }

                        @Override
                        public int getBatchSize() {
                            return rows.size();
                        }
                    });
            for (int i = 0; i < rows.size(); i++) {
                // H2 reports each row's count for UPDATE batches (so do PostgreSQL, and MariaDB outside its bulk mode).
                if (updated[i] == 1) {
                    moved.add(rows.get(i));
                }
            }
        }
        return moved;
    }

    /**
     * The outcomes whose rows one set-based UPDATE moved out of CLAIMED. The batch goes in as one JSON array of
     * {id, state, detail}. PostgreSQL's UPDATE returns the ids it moved. MySQL/MariaDB have no UPDATE ... RETURNING:
     * the UPDATE's count says whether it moved every row of the batch (nearly always: only a recovery between the
     * claim and the outcome takes a row away), and when it did not, null, so the caller rolls back and writes again
     * with {@code lockFirst}: the rows still CLAIMED locked and named first ({@code recipient-outcomes-lock}), and the
     * UPDATE then moves exactly those. (Locking first every time cost a second statement per batch.)
     */
    private List<Outcome> writeInOneStatement(String update, List<Outcome> outcomes, Timestamp now, boolean lockFirst) {
        String batch;
        try {
            batch = JSON.writeValueAsString(outcomes.stream().map(o -> new OutcomeRow(o.recipient().id(), o.state(), detail(o))).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an outcome batch as JSON", e);
        }
        MapSqlParameterSource params = new MapSqlParameterSource("now", now).addValue("batch", batch);
        String lock = sql.get("recipient-outcomes-lock");
        Set<Long> movedIds;
        if (lock.isEmpty()) {
            movedIds = new HashSet<>(named.queryForList(update, params, Long.class));
        } else if (lockFirst) {
            movedIds = new HashSet<>(named.queryForList(lock, Map.of("ids", outcomes.stream().map(o -> o.recipient().id()).toList()), Long.class));
            named.update(update, params);
        } else {
            movedIds = outcomes.stream().map(o -> o.recipient().id()).collect(Collectors.toSet());
            // The count is of rows matched (the driver's default, not only changed ones), each row once however often
            // the batch names it.
            if (named.update(update, params) != movedIds.size()) {
                return null;
            }
        }
        // remove: an outcome listed twice for one row moves it (and its counters) once.
        return outcomes.stream().filter(o -> movedIds.remove(o.recipient().id())).toList();
    }

    /** One outcome as the set-based UPDATE reads it from its JSON parameter. */
    private record OutcomeRow(long id, String state, String detail) {
    }

    /** What the row keeps of an outcome: the server's reply for SENT, the skip code for SKIPPED, cut to the column. */
    private static String detail(Outcome o) {
        return truncate(o.detail(), SENT.equals(o.state()) ? 500 : 64);
    }

    public void markFailed(Recipient r, String reason) {
        leaveClaimed(r, FAILED, null, sql.get("recipient-mark-failed"), truncate(reason, 1000), now(), r.id());
    }

    /**
     * The data went out and no reply came (at-most-once): UNKNOWN with the reason; the delivery record stays, so the row
     * is never sent again unless a person (or a settlement with the provider) decides.
     */
    public void markUnknown(Recipient r, String reason) {
        leaveClaimed(r, UNKNOWN, null, sql.get("recipient-mark-unknown"), truncate(reason, 1000), now(), r.id());
    }

    /**
     * The send journal says the row was handed to delivery, and the database lost its delivery record in a crash: a
     * PENDING or CLAIMED row becomes UNKNOWN (its counters with it); a row with an outcome keeps it.
     *
     * @return true when the row was moved to UNKNOWN
     */
    public boolean markUnknownRestored(long id, String reason) {
        Boolean moved = transaction.execute(status -> {
            List<Object[]> rows = jdbc.query(sql.get("recipient-state"), (rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}, id);
            if (rows.isEmpty()) {
                return false;
            }
            long campaignId = (Long) rows.get(0)[0];
            String state = (String) rows.get(0)[1];
            if (!PENDING.equals(state) && !CLAIMED.equals(state)) {
                return false;
            }
            if (jdbc.update(sql.get("recipient-mark-unknown-restored"), truncate(reason, 1000), now(), id, state) != 1) {
                return false;
            }
            counts.apply(RecipientCounts.moved(campaignId, state, UNKNOWN, null, 1));
            return true;
        });
        return Boolean.TRUE.equals(moved);
    }

    /**
     * Never handed to the server (the delivery breaker was open): back to PENDING as it was before the claim, due at
     * once, the claim's attempt given back, its last error untouched.
     */
    public void release(Recipient r) {
        leaveClaimed(r, PENDING, null, sql.get("recipient-release"), now(), r.id());
    }

    /** A transient failure: back to PENDING, due again after {@code delay}, with the reason kept for operators. */
    public void returnToPool(Recipient r, String reason, Duration delay) {
        leaveClaimed(r, PENDING, null, sql.get("recipient-return-to-pool"), truncate(reason, 1000),
                Timestamp.from(Instant.now().plus(delay)), now(), r.id());
    }

    /** One guarded UPDATE out of CLAIMED and, when it took the row, the counters, in one transaction. */
    private void leaveClaimed(Recipient r, String to, String skipCode, String update, Object... args) {
        transaction.executeWithoutResult(status -> {
            if (jdbc.update(update, args) == 1) {
                counts.apply(RecipientCounts.moved(r.campaignId(), CLAIMED, to, skipCode, 1));
            }
        });
    }

    /**
     * Accounts for rows a crashed tick left CLAIMED: claims older than {@code claimedBefore}, and every claim of a
     * process that is no longer alive (its heartbeat stopped), whichever instance runs this. Rows with a delivery
     * record may have been sent: at-most-once marks them UNKNOWN for a person to review; at-least-once drops the
     * record and releases them to be sent again. Rows without a record were never handed to delivery and simply go
     * back to PENDING. Each (claim, campaign) group is one transaction with its guarded UPDATEs and counters.
     *
     * @return how many rows were recovered, by the state they were given
     */
    public Map<String, Integer> recoverStaleClaims(Instant claimedBefore, Predicate<String> ownerAlive,
                                                   DeliveryGuarantee guarantee, String processorName) {
        record Group(String claimToken, long campaignId, Timestamp oldest) {
        }
        List<Group> groups = jdbc.query(sql.get("recipients-claim-groups"),
                (rs, n) -> new Group(rs.getString("claimed_by"), rs.getLong("campaign_id"), rs.getTimestamp("oldest")));
        int unknown = 0;
        int released = 0;
        for (Group g : groups) {
            boolean ownerGone = !ownerAlive.test(ownerOf(g.claimToken()));
            if (!ownerGone && !g.oldest().toInstant().isBefore(claimedBefore)) {
                continue;
            }
            // A dead owner's claims are all stale, however recent; a live owner's only past the lease.
            Timestamp cutoff = Timestamp.from(ownerGone ? Instant.now().plusSeconds(86_400) : claimedBefore);
            int[] moved = transaction.execute(status -> {
                int toUnknown = 0;
                if (guarantee == DeliveryGuarantee.AT_MOST_ONCE) {
                    toUnknown = jdbc.update(sql.get("recipients-recover-unknown"), now(), g.claimToken(), g.campaignId(), cutoff, processorName);
                } else {
                    jdbc.update(sql.get("delivery-records-drop-stale"), processorName, g.claimToken(), g.campaignId(), cutoff);
                }
                int toPending = jdbc.update(sql.get("recipients-recover-release"), now(), g.claimToken(), g.campaignId(), cutoff);
                List<RecipientCounts.Delta> deltas = new ArrayList<>(RecipientCounts.moved(g.campaignId(), CLAIMED, UNKNOWN, null, toUnknown));
                deltas.addAll(RecipientCounts.moved(g.campaignId(), CLAIMED, PENDING, null, toPending));
                counts.apply(deltas);
                return new int[] {toUnknown, toPending};
            });
            unknown += moved[0];
            released += moved[1];
        }
        return Map.of(UNKNOWN, unknown, PENDING, released);
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
