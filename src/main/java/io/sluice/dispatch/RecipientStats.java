package io.sluice.dispatch;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Counts per campaign: recipients by state, skips by code, and how many wait for a validation-cache entry. States
 * come from the counters every state change keeps ({@link RecipientCounts}). "Waiting for validation" depends on the
 * cache as much as on the recipients, so it cannot be kept that way: it is counted at most once per
 * {@code waitingRefresh}, in the background, and a caller gets the last figure (the very first call counts at once).
 */
public class RecipientStats {

    private static final Logger LOG = LoggerFactory.getLogger(RecipientStats.class);

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
    private final RecipientCounts counters;
    private final Duration waitingRefresh;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "waiting-for-validation-count");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<Long, Long> waiting;
    private volatile Future<?> firstCount;
    private volatile Instant waitingAt = Instant.EPOCH;
    private volatile Duration validationMaxAge;

    public RecipientStats(DataSource dataSource, SqlFiles sql, Duration waitingRefresh) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.counters = new RecipientCounts(dataSource, sql, "stats");
        this.waitingRefresh = waitingRefresh;
    }

    /** A verdict older than this does not let a recipient be mailed, so its recipients count as waiting (null: never). */
    public void setValidationMaxAge(Duration validationMaxAge) {
        this.validationMaxAge = validationMaxAge;
    }

    public Map<Long, Counts> byCampaign() {
        return build(counters.read("recipient-count-read"), waiting());
    }

    /** The same numbers counted from every recipient row (what the counters must agree with; slow at scale). */
    public Map<Long, Counts> byCampaignCountingRows() {
        return build(counters.read("recipient-counts"), countWaiting());
    }

    private static Map<Long, Counts> build(Map<Long, Map<String, Map<String, Long>>> rows, Map<Long, Long> waiting) {
        Map<Long, Counts> result = new HashMap<>();
        rows.forEach((campaign, states) -> {
            Counts counts = result.computeIfAbsent(campaign, id -> new Counts());
            states.forEach((state, byCode) -> {
                long n = byCode.values().stream().mapToLong(Long::longValue).sum();
                if (n != 0) {
                    counts.byState.put(state, n);
                }
                if (RecipientStore.SKIPPED.equals(state)) {
                    byCode.forEach((code, c) -> {
                        if (c != 0) {
                            counts.skippedByCode.put(code, c);
                        }
                    });
                }
            });
        });
        waiting.forEach((campaign, n) -> result.computeIfAbsent(campaign, id -> new Counts()).waitingForValidation = n);
        return result;
    }

    /** Starts the first "waiting for validation" count in the background (at 7M rows it takes seconds). */
    public void countInBackground() {
        if (!waitingRefresh.isZero() && refreshing.compareAndSet(false, true)) {
            firstCount = refresher.submit(this::refreshWaiting);
        }
    }

    private void refreshWaiting() {
        try {
            waiting = countWaiting();
            waitingAt = Instant.now();
        } catch (RuntimeException e) {
            LOG.warn("Counting recipients waiting for validation failed: {}", e.getMessage());
        } finally {
            refreshing.set(false);
        }
    }

    private Map<Long, Long> waiting() {
        Map<Long, Long> last = waiting;
        Future<?> first = firstCount;
        if (last == null && first != null) {
            try {
                first.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.warn("Counting recipients waiting for validation failed: {}", e.getMessage());
            }
            last = waiting;
        }
        if (last == null || waitingRefresh.isZero()) {
            last = countWaiting();
            waiting = last;
            waitingAt = Instant.now();
            return last;
        }
        if (waitingAt.plus(waitingRefresh).isBefore(Instant.now()) && refreshing.compareAndSet(false, true)) {
            refresher.submit(this::refreshWaiting);
        }
        return last;
    }

    private Map<Long, Long> countWaiting() {
        Map<Long, Long> result = new HashMap<>();
        Duration maxAge = validationMaxAge;
        Timestamp freshSince = maxAge == null ? new Timestamp(0) : Timestamp.from(Instant.now().minus(maxAge));
        jdbc.query(sql.get("recipient-waiting-for-validation"), rs -> {
            result.put(rs.getLong("campaign_id"), rs.getLong("n"));
        }, freshSince);
        return result;
    }
}
