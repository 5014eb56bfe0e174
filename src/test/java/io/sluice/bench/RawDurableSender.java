package io.sluice.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.Recipient;
import io.sluice.dispatch.ValidationVerdicts;
import io.sluice.mail.MailComposer;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * The like-for-like baseline (issue 15): a sender in plain JDBC and Jakarta Mail that does the same durable work per
 * recipient as a dispatch tick, with none of Camel. Per chunk of {@code claimChunk}: the claim's own statements (the
 * pipeline's files under sql/, the same per-dialect variants, run in one transaction as RecipientStore.claim runs
 * them: plan, SELECT of ready rows with their validation code, guarded UPDATE to CLAIMED in chunks of 1,000 ids, a
 * read-back when it took fewer, the PENDING→CLAIMED counters). Per recipient: the validation code checked against the
 * allowed codes, the delivery record INSERT before the send (its primary key refuses a second send), MailComposer, one
 * {@code sendMessage} on the thread's connected Transport, the server's reply kept. Per {@code outcomeBatch} outcomes
 * of a thread (or when the oldest has waited {@code outcomeMaxDelayMs}, and at the end): one transaction with the
 * guarded SENT writes (H2: a JDBC batch of recipient-mark-sent; MariaDB/PostgreSQL: the set-based
 * recipient-mark-outcomes, with the MariaDB lock-and-retry when its count falls short) and the CLAIMED→SENT counters
 * (the counter row created once first, as RecipientCounts does), as OutcomeBatches and RecipientStore.write do.
 *
 * <p>Each thread keeps one pooled JDBC connection and one connected Transport for the whole run (what a hand-written
 * sender would do). Like a tick, the next chunk is claimed by whichever thread sees the queue of claimed, unsent
 * recipients fall to half a chunk, while the others go on sending. Left out, as the pipeline's per-tick work rather
 * than per-recipient work: the guard check, stale-claim recovery, the send control and period budget, the progress log.
 * Any failure (SQL or SMTP) ends the run with an exception: this is a benchmark, not a sender.
 */
final class RawDurableSender {

    /** What the pipeline's delivery records carry (DeliveryRecords.PROCESSOR). */
    static final String PROCESSOR = "recipient-send";
    private static final int CLAIM_UPDATE_IDS = 1000;
    private static final int COUNTER_SLOTS = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final SqlFiles sql;
    private final MailComposer composer;
    private final Session session;
    private final String smtpHost;
    private final int smtpPort;
    private final int threads;
    private final int claimChunk;
    private final int outcomeBatch;
    private final long outcomeMaxDelayNanos;
    private final Set<String> allowedCodes;
    private final Duration validationMaxAge;
    /**
     * The claim tokens' owner: the Sluice instance this runs in. Sluice's heartbeat recovers the claims of any owner that
     * is not a live instance (a made-up owner's rows went UNKNOWN or back to PENDING in the middle of a run).
     */
    private final String instanceId;
    private final AtomicLong claims = new AtomicLong();
    /** Counter rows this sender created or found (as RecipientCounts keeps them): never inserted again. */
    private final Set<String> counterRows = ConcurrentHashMap.newKeySet();
    private final Map<String, ParsedSql> parsed = new ConcurrentHashMap<>();

    RawDurableSender(String instanceId, DataSource dataSource, SqlFiles sql, MailComposer composer, Properties mailProperties, String smtpHost,
                     int smtpPort, int threads, int claimChunk, int outcomeBatch, long outcomeMaxDelayMs,
                     Set<String> allowedCodes, Duration validationMaxAge) {
        this.instanceId = instanceId;
        this.dataSource = dataSource;
        this.sql = sql;
        this.composer = composer;
        this.session = Session.getInstance(mailProperties);
        this.smtpHost = smtpHost;
        this.smtpPort = smtpPort;
        this.threads = threads;
        this.claimChunk = claimChunk;
        this.outcomeBatch = outcomeBatch;
        this.outcomeMaxDelayNanos = outcomeMaxDelayMs * 1_000_000L;
        this.allowedCodes = allowedCodes;
        this.validationMaxAge = validationMaxAge;
    }

    /** What one run did: recipients sent and skipped, and the timed window (from the release of the connected threads). */
    record Result(int sent, int skipped, long nanos) {
    }

    /** Hooks around the timed window, so the caller can take CPU figures inside it (after the threads connected). */
    interface Window {
        void opening() throws Exception;

        void closed() throws Exception;
    }

    /**
     * Claims and sends up to {@code budget} ready recipients over {@code threads} threads. The threads connect (JDBC and
     * SMTP) before the clock starts, as the pipeline's pooled connections are after its warm-up; the clock stops when
     * every thread has sent its last message and written its last outcomes.
     */
    Result run(int budget, Window window) throws Exception {
        Claim claim = new Claim(budget);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int slot = Math.floorMod(instanceId.hashCode() + 7 + t, COUNTER_SLOTS);
            Thread worker = new Thread(() -> {
                Transport transport = null;
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(true);
                    transport = session.getTransport("smtp");
                    transport.connect(smtpHost, smtpPort, null, null);
                    ready.countDown();
                    go.await();
                    send(c, transport, claim, slot, sent, skipped, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    claim.abort();
                    ready.countDown();
                } finally {
                    done.countDown();
                    if (transport != null) {
                        try {
                            transport.close();
                        } catch (Exception ignored) {
                            // the sink may be gone already
                        }
                    }
                }
            }, "raw-durable-" + t);
            worker.start();
            workers.add(worker);
        }
        ready.await();
        if (failure.get() != null) {
            go.countDown();
            throw new IllegalStateException("raw durable sender could not connect", failure.get());
        }
        window.opening();
        long start = System.nanoTime();
        go.countDown();
        if (!done.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("raw durable send did not finish in 600 s");
        }
        long nanos = System.nanoTime() - start;
        window.closed();
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("raw durable send failed", failure.get());
        }
        return new Result(sent.get(), skipped.get(), nanos);
    }

    /** One thread's loop: next claimed recipient, record, compose, send, outcome into the thread's batch. */
    private void send(Connection c, Transport transport, Claim claim, int slot, AtomicInteger sent, AtomicInteger skipped,
                      AtomicReference<Throwable> failure) throws Exception {
        List<Outcome> batch = new ArrayList<>();
        long firstAt = 0;
        Recipient r;
        while (failure.get() == null && (r = claim.next(c, slot)) != null) {
            Outcome outcome;
            if (r.validationCode() == null || !allowedCodes.contains(r.validationCode())) {
                outcome = new Outcome(r, "SKIPPED", r.validationCode());
            } else if (!record(c, r)) {
                outcome = new Outcome(r, "SKIPPED", "duplicate");
            } else {
                MimeMessage message = composer.compose(r);
                transport.sendMessage(message, message.getAllRecipients());
                outcome = new Outcome(r, "SENT", ((SMTPTransport) transport).getLastServerResponse());
            }
            (outcome.state().equals("SENT") ? sent : skipped).incrementAndGet();
            long now = System.nanoTime();
            if (batch.isEmpty()) {
                firstAt = now;
            }
            batch.add(outcome);
            if (batch.size() >= outcomeBatch || now - firstAt >= outcomeMaxDelayNanos) {
                writeOutcomes(c, batch, slot);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            writeOutcomes(c, batch, slot);
        }
    }

    /** The delivery record, committed before the send: false when the key is there already (sent before). */
    private boolean record(Connection c, Recipient r) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(sql.get("delivery-record-insert"))) {
            insert.setString(1, PROCESSOR);
            insert.setString(2, r.deliveryKey());
            insert.setTimestamp(3, Timestamp.from(Instant.now()));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return false;
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------ the claim

    /** The claimed, unsent recipients of this run, and who claims the next chunk (as TickClaim does). */
    private final class Claim {
        private final ArrayDeque<Recipient> queue = new ArrayDeque<>();
        private int unclaimed;
        private boolean claiming;
        private boolean dry;

        Claim(int budget) {
            unclaimed = budget;
            // The first chunk is claimed by the first thread to ask, inside the timed window (a tick claims it too).
            dry = budget <= 0;
        }

        synchronized void abort() {
            dry = true;
            queue.clear();
            notifyAll();
        }

        /** The next recipient, or null when the run has none left; may claim the next chunk on this thread first. */
        Recipient next(Connection c, int slot) throws SQLException {
            Recipient r;
            boolean claimHere;
            synchronized (this) {
                while (queue.isEmpty() && claiming) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
                r = queue.poll();
                claimHere = !claiming && !dry && queue.size() <= claimChunk / 2;
                if (claimHere) {
                    claiming = true;
                }
            }
            if (claimHere) {
                int wanted;
                synchronized (this) {
                    wanted = Math.min(claimChunk, unclaimed);
                }
                List<Recipient> claimed = List.of();
                try {
                    claimed = claim(c, wanted, slot);
                } finally {
                    synchronized (this) {
                        queue.addAll(claimed);
                        unclaimed -= claimed.size();
                        dry = claimed.size() < wanted || unclaimed == 0;
                        claiming = false;
                        notifyAll();
                    }
                }
                if (r == null) {
                    return next(c, slot);
                }
            }
            return r;
        }
    }

    /** RecipientStore.claim in plain JDBC: one transaction on this thread's connection. */
    private List<Recipient> claim(Connection c, int limit, int slot) throws SQLException {
        if (limit <= 0) {
            return List.of();
        }
        String token = instanceId + "/raw-" + claims.incrementAndGet();
        Timestamp now = Timestamp.from(Instant.now());
        Timestamp freshSince = validationMaxAge == null ? new Timestamp(0) : Timestamp.from(Instant.now().minus(validationMaxAge));
        c.setAutoCommit(false);
        try {
            String plan = sql.get("recipients-claim-plan");
            if (!plan.isEmpty()) {
                try (Statement s = c.createStatement()) {
                    s.execute(plan);
                }
            }
            List<Recipient> candidates = new ArrayList<>();
            try (PreparedStatement select = prepare(c, sql.named("recipients-claim-select"),
                    Map.of("now", now, "freshSince", freshSince, "limit", limit));
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new Recipient(rs.getLong("id"), rs.getLong("campaign_id"), rs.getString("email"),
                            rs.getString("email_key"), rs.getString("fields"), rs.getInt("attempts"), null));
                }
            }
            Set<Long> mine = new HashSet<>();
            for (int from = 0; from < candidates.size(); from += CLAIM_UPDATE_IDS) {
                List<Long> ids = candidates.subList(from, Math.min(candidates.size(), from + CLAIM_UPDATE_IDS)).stream()
                        .map(Recipient::id).toList();
                Map<String, Object> params = Map.of("token", token, "now", now, "ids", ids);
                if (update(c, sql.named("recipients-claim-update"), params) == ids.size()) {
                    mine.addAll(ids);
                } else {
                    mine.addAll(queryIds(c, sql.named("recipients-claimed-among"), params));
                }
            }
            List<Recipient> claimed = new ArrayList<>(mine.size());
            Map<Long, Long> perCampaign = new TreeMap<>();
            for (Recipient r : candidates) {
                if (mine.contains(r.id())) {
                    claimed.add(new Recipient(r.id(), r.campaignId(), r.email(), r.emailKey(), r.fields(), r.attempts() + 1,
                            r.validationCode()));
                    perCampaign.merge(r.campaignId(), 1L, Long::sum);
                }
            }
            List<Delta> deltas = new ArrayList<>();
            perCampaign.forEach((campaign, n) -> {
                deltas.add(new Delta(campaign, "PENDING", "", -n));
                deltas.add(new Delta(campaign, "CLAIMED", "", n));
            });
            addCounters(c, deltas, slot);
            // The verdicts of the chunk, one lookup, as the route's content enricher (recipients-claim-verdicts) reads them.
            List<Map<String, Object>> verdicts = new ArrayList<>();
            if (!claimed.isEmpty()) {
                try (PreparedStatement lookup = prepare(c, sql.named("validation-verdicts"), ValidationVerdicts.keys(claimed, token));
                     ResultSet rs = lookup.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new java.util.HashMap<>();
                        row.put("email", rs.getString(1));
                        row.put("text_code", rs.getString(2));
                        verdicts.add(row);
                    }
                }
            }
            c.commit();
            return ValidationVerdicts.merge(claimed, verdicts);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    // ------------------------------------------------------------------------------------------------ outcomes

    private record Outcome(Recipient recipient, String state, String detail) {
    }

    /** One outcome as the set-based UPDATE reads it from its JSON parameter (RecipientStore's OutcomeRow). */
    private record OutcomeRow(long id, String state, String detail) {
    }

    private record Delta(long campaignId, String state, String skipCode, long n) {
    }

    /** RecipientStore.write in plain JDBC: the guarded outcome writes and their counters in one transaction. */
    private void writeOutcomes(Connection c, List<Outcome> outcomes, int slot) throws Exception {
        List<Outcome> moved = inTransaction(c, () -> writeAndCount(c, outcomes, false, slot));
        if (moved == null) {
            // MariaDB's UPDATE moved fewer rows than it was given: rolled back, written again naming the CLAIMED rows first.
            inTransaction(c, () -> writeAndCount(c, outcomes, true, slot));
        }
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    /** Runs {@code work} in one transaction; a null result rolls it back (RecipientStore's setRollbackOnly). */
    private static <T> T inTransaction(Connection c, Work<T> work) throws Exception {
        c.setAutoCommit(false);
        try {
            T result = work.run();
            if (result == null) {
                c.rollback();
            } else {
                c.commit();
            }
            return result;
        } catch (Exception e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private List<Outcome> writeAndCount(Connection c, List<Outcome> outcomes, boolean lockFirst, int slot) throws Exception {
        String commitMode = sql.get("outcomes-commit-mode");
        if (!commitMode.isEmpty()) {
            try (Statement s = c.createStatement()) {
                s.execute(commitMode);
            }
        }
        Timestamp now = Timestamp.from(Instant.now());
        String oneStatement = sql.get("recipient-mark-outcomes");
        List<Outcome> moved = oneStatement.isEmpty() ? writeInBatches(c, outcomes, now) : writeInOneStatement(c, oneStatement, outcomes, now, lockFirst);
        if (moved == null) {
            return null;
        }
        List<Delta> deltas = new ArrayList<>();
        for (Outcome o : moved) {
            deltas.add(new Delta(o.recipient().campaignId(), "CLAIMED", "", -1));
            deltas.add(new Delta(o.recipient().campaignId(), o.state(), "SKIPPED".equals(o.state()) && detail(o) != null ? detail(o) : "", 1));
        }
        addCounters(c, deltas, slot);
        return moved;
    }

    /** H2: one JDBC batch of guarded single-row UPDATEs per state. */
    private List<Outcome> writeInBatches(Connection c, List<Outcome> outcomes, Timestamp now) throws SQLException {
        List<Outcome> moved = new ArrayList<>();
        for (String state : List.of("SENT", "SKIPPED")) {
            List<Outcome> rows = outcomes.stream().filter(o -> o.state().equals(state)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            try (PreparedStatement update = c.prepareStatement(sql.get("SENT".equals(state) ? "recipient-mark-sent" : "recipient-mark-skipped"))) {
                for (Outcome o : rows) {
                    update.setString(1, detail(o));
                    update.setTimestamp(2, now);
                    update.setLong(3, o.recipient().id());
                    update.addBatch();
                }
                int[] counts = update.executeBatch();
                for (int i = 0; i < rows.size(); i++) {
                    if (counts[i] == 1) {
                        moved.add(rows.get(i));
                    }
                }
            }
        }
        return moved;
    }

    /** MariaDB and PostgreSQL: one set-based UPDATE over the batch as a JSON array (RecipientStore.writeInOneStatement). */
    private List<Outcome> writeInOneStatement(Connection c, String update, List<Outcome> outcomes, Timestamp now, boolean lockFirst)
            throws Exception {
        String batch = JSON.writeValueAsString(outcomes.stream().map(o -> new OutcomeRow(o.recipient().id(), o.state(), detail(o))).toList());
        Map<String, Object> params = Map.of("now", now, "batch", batch);
        String lock = sql.get("recipient-outcomes-lock");
        Set<Long> movedIds;
        if (lock.isEmpty()) {
            movedIds = new HashSet<>(queryIds(c, update, params));
        } else if (lockFirst) {
            movedIds = new HashSet<>(queryIds(c, lock, Map.of("ids", outcomes.stream().map(o -> o.recipient().id()).toList())));
            update(c, update, params);
        } else {
            movedIds = new HashSet<>();
            outcomes.forEach(o -> movedIds.add(o.recipient().id()));
            if (update(c, update, params) != movedIds.size()) {
                return null;
            }
        }
        return outcomes.stream().filter(o -> movedIds.remove(o.recipient().id())).toList();
    }

    private static String detail(Outcome o) {
        String text = o.detail();
        int max = "SENT".equals(o.state()) ? 500 : 64;
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    // ------------------------------------------------------------------------------------------------ counters

    /**
     * RecipientCounts.ensureRows: each counter row not known yet is created at zero in its own committed statement, on
     * another pooled connection (outside the caller's transaction), before the upsert adds to it.
     */
    private void ensureCounterRows(List<Delta> deltas, int slot) throws SQLException {
        List<Delta> missing = deltas.stream().filter(d -> !counterRows.contains(counterKey(d, slot))).toList();
        if (missing.isEmpty()) {
            return;
        }
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(true);
            for (Delta d : missing) {
                try (PreparedStatement insert = other.prepareStatement(sql.get("recipient-count-create"))) {
                    insert.setLong(1, d.campaignId());
                    insert.setString(2, d.state());
                    insert.setString(3, d.skipCode());
                    insert.setInt(4, slot);
                    insert.executeUpdate();
                } catch (SQLException alreadyThere) {
                    // the row exists: all this wants
                }
                counterRows.add(counterKey(d, slot));
            }
        }
    }

    private static String counterKey(Delta d, int slot) {
        return d.campaignId() + "/" + d.state() + "/" + d.skipCode() + "/" + slot;
    }

    /** RecipientCounts.apply: one row per counter, in a fixed order (no deadlocks between threads), as one JDBC batch. */
    private void addCounters(Connection c, List<Delta> deltas, int slot) throws SQLException {
        Map<Delta, Delta> merged = new TreeMap<>(Comparator.comparingLong(Delta::campaignId).thenComparing(Delta::state)
                .thenComparing(Delta::skipCode));
        for (Delta d : deltas) {
            merged.merge(d, d, (a, b) -> new Delta(a.campaignId(), a.state(), a.skipCode(), a.n() + b.n()));
        }
        List<Delta> ordered = merged.values().stream().filter(d -> d.n() != 0).toList();
        if (ordered.isEmpty()) {
            return;
        }
        ensureCounterRows(ordered, slot);
        try (PreparedStatement add = c.prepareStatement(sql.get("recipient-count-add"))) {
            int rows = 0;
            for (Delta d : ordered) {
                add.setLong(1, d.campaignId());
                add.setString(2, d.state());
                add.setString(3, d.skipCode());
                add.setInt(4, slot);
                add.setLong(5, d.n());
                add.addBatch();
                rows++;
            }
            if (rows > 0) {
                add.executeBatch();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ named parameters

    /** A statement with {@code :name} parameters as plain JDBC wants it: {@code ?} placeholders, lists expanded. */
    private int update(Connection c, String text, Map<String, Object> params) throws SQLException {
        try (PreparedStatement ps = prepare(c, text, params)) {
            return ps.executeUpdate();
        }
    }

    private List<Long> queryIds(Connection c, String text, Map<String, Object> params) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, text, params); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private PreparedStatement prepare(Connection c, String text, Map<String, Object> params) throws SQLException {
        ParsedSql p = parsed.computeIfAbsent(text, ParsedSql::parse);
        StringBuilder jdbcSql = new StringBuilder(p.pieces.get(0));
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < p.names.size(); i++) {
            Object value = params.get(p.names.get(i));
            if (value == null && !params.containsKey(p.names.get(i))) {
                throw new IllegalArgumentException("no value for :" + p.names.get(i));
            }
            if (value instanceof Collection<?> list) {
                for (int k = 0; k < list.size(); k++) {
                    jdbcSql.append(k == 0 ? "?" : ", ?");
                }
                values.addAll(list);
            } else {
                jdbcSql.append('?');
                values.add(value);
            }
            jdbcSql.append(p.pieces.get(i + 1));
        }
        PreparedStatement ps = c.prepareStatement(jdbcSql.toString());
        for (int i = 0; i < values.size(); i++) {
            ps.setObject(i + 1, values.get(i));
        }
        return ps;
    }

    /** The text between {@code :name} parameters, and their names; quoted literals and {@code ::} casts are left alone. */
    private record ParsedSql(List<String> pieces, List<String> names) {
        static ParsedSql parse(String text) {
            List<String> pieces = new ArrayList<>();
            List<String> names = new ArrayList<>();
            StringBuilder piece = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (ch == '\'') {
                    quoted = !quoted;
                } else if (!quoted && ch == ':' && i + 1 < text.length() && text.charAt(i + 1) == ':') {
                    piece.append("::");
                    i++;
                    continue;
                } else if (!quoted && ch == ':' && i + 1 < text.length() && Character.isJavaIdentifierStart(text.charAt(i + 1))) {
                    int end = i + 1;
                    while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
                        end++;
                    }
                    pieces.add(piece.toString());
                    piece.setLength(0);
                    names.add(text.substring(i + 1, end));
                    i = end - 1;
                    continue;
                }
                piece.append(ch);
            }
            pieces.add(piece.toString());
            return new ParsedSql(pieces, names);
        }
    }

    /** Rows of a campaign per state, from the rows and from the counters: the benchmark's check that the run was whole. */
    static Map<String, long[]> states(DataSource dataSource, long campaignId) throws SQLException {
        Map<String, long[]> states = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement rows = c.prepareStatement("SELECT state, COUNT(*) FROM recipient WHERE campaign_id = ? GROUP BY state")) {
                rows.setLong(1, campaignId);
                try (ResultSet rs = rows.executeQuery()) {
                    while (rs.next()) {
                        states.computeIfAbsent(rs.getString(1), s -> new long[2])[0] = rs.getLong(2);
                    }
                }
            }
            try (PreparedStatement counters = c.prepareStatement("SELECT state, SUM(n) FROM recipient_count WHERE campaign_id = ? GROUP BY state")) {
                counters.setLong(1, campaignId);
                try (ResultSet rs = counters.executeQuery()) {
                    while (rs.next()) {
                        states.computeIfAbsent(rs.getString(1), s -> new long[2])[1] = rs.getLong(2);
                    }
                }
            }
        }
        return states;
    }
}
