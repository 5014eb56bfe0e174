package io.sluice.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.sluice.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SENT and SKIPPED outcomes written in batches: each dispatch thread collects its own and writes them in one
 * transaction once it holds {@code batchSize} of them, and at the end of the tick; a background flusher writes every
 * batch whose oldest outcome has waited {@code maxDelayMillis}, so a thread stuck in a slow SMTP conversation does not
 * sit on what it already sent. One transaction per outcome cost more CPU than composing the message (a commit, the
 * guarded UPDATE and the counter upsert per recipient).
 *
 * <p>The price is the crash window: a row whose outcome is still here after its send stays CLAIMED with its
 * delivery record, so recovery marks it UNKNOWN (at-most-once) or sends it again (at-least-once): what the threads
 * sent in the last {@code maxDelayMillis} (plus the flusher's own write). A batch size of 1 writes every outcome at once.
 *
 * <p>A batch that meets a transient database error (a lost connection, a deadlock, two batches racing to create one
 * counter row) is kept and written again by the flusher until it goes through: left alone, its rows would stay
 * CLAIMED until the claim lease ran out, and then count as UNKNOWN though their outcome was known.
 */
public class OutcomeBatches implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeBatches.class);

    private final RecipientStore store;
    private final int batchSize;
    private final long maxDelayNanos;
    private final Map<Thread, Batch> batches = new ConcurrentHashMap<>();
    private final Queue<List<RecipientStore.Outcome>> retries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failedWrites = new AtomicInteger();
    private final AtomicInteger waitingForRetry = new AtomicInteger();
    private volatile ScheduledFuture<?> flusher;
    /** Held by the flusher's turn and by the tick's last flush, so the one waits for the other's write. */
    private final Object flushing = new Object();

    public OutcomeBatches(RecipientStore store, int batchSize, long maxDelayMillis) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("sluice.dispatch.outcome-batch must be at least 1, got: " + batchSize);
        }
        if (maxDelayMillis < 0) {
            throw new IllegalArgumentException("sluice.dispatch.outcome-max-delay-ms must be at least 0, got: " + maxDelayMillis);
        }
        this.store = store;
        this.batchSize = batchSize;
        this.maxDelayNanos = maxDelayMillis * 1_000_000L;
    }

    /**
     * Starts the flusher: every tenth of the max delay (at least 5 ms) it writes the batches that waited long enough,
     * and retries, so an outcome is written within about 1.1 x the max delay of its send plus the write itself.
     */
    public void start(ScheduledExecutorService scheduler) {
        long period = Math.max(5_000_000L, maxDelayNanos / 10);
        flusher = scheduler.scheduleWithFixedDelay(this::flushDue, period, period, TimeUnit.NANOSECONDS);
    }

    /** Adds an outcome to the calling thread's batch and writes the batch when it is full. */
    public void add(RecipientStore.Outcome outcome) {
        if (batchSize == 1) {
            write(List.of(outcome));
            return;
        }
        List<RecipientStore.Outcome> due = batches.computeIfAbsent(Thread.currentThread(), t -> new Batch())
                .add(outcome, batchSize, maxDelayNanos);
        if (due != null) {
            write(due);
        }
    }

    /**
     * Writes every thread's batch: at the end of a tick, when its threads are done. It waits for a write the flusher has
     * under way, so that when the tick closes every outcome it counted is in the table (a benchmark saw rows still
     * CLAIMED for a few milliseconds after the tick returned).
     */
    public void flushAll() {
        synchronized (flushing) {
            for (Batch batch : batches.values()) {
                List<RecipientStore.Outcome> due = batch.takeAll();
                if (!due.isEmpty()) {
                    write(due);
                }
            }
        }
    }

    /** Outcomes waiting to be written again after a transient database error. */
    public int waitingForRetry() {
        return waitingForRetry.get();
    }

    /**
     * The flusher's turn: every batch older than the max delay, written together in one transaction (one commit for
     * all threads, not one per thread: on a busy machine fifteen commits in a row outlasted the crash window the README
     * states), then the batches a database error sent back.
     */
    void flushDue() {
        synchronized (flushing) {
            flushDueNow();
        }
    }

    private void flushDueNow() {
        try {
            long now = System.nanoTime();
            List<RecipientStore.Outcome> due = new ArrayList<>();
            for (Batch batch : batches.values()) {
                List<RecipientStore.Outcome> older = batch.takeIfOlder(now, maxDelayNanos);
                if (older != null) {
                    due.addAll(older);
                }
            }
            if (!due.isEmpty()) {
                write(due);
            }
            retry();
        } catch (RuntimeException e) {
            // Never let one failure end the schedule: the flusher is what bounds the crash window.
            LOG.error("Writing dispatch outcomes failed: {}", e.toString());
        }
    }

    private void retry() {
        int n = retries.size();
        for (int i = 0; i < n; i++) {
            List<RecipientStore.Outcome> outcomes = retries.poll();
            if (outcomes == null) {
                return;
            }
            try {
                store.write(outcomes);
            } catch (RuntimeException e) {
                retries.add(outcomes);
                return; // the database is still unwell: try again at the next turn, in order
            }
            waitingForRetry.addAndGet(-outcomes.size());
            int failures = failedWrites.getAndSet(0);
            if (failures > 0) {
                LOG.info("Dispatch outcomes written again after a database error ({} outcome batches had waited)", failures);
            }
        }
    }

    private void write(List<RecipientStore.Outcome> outcomes) {
        try {
            store.write(outcomes);
        } catch (RuntimeException e) {
            if (Database.isTransientFailure(e)) {
                waitingForRetry.addAndGet(outcomes.size());
                retries.add(outcomes);
                if (failedWrites.getAndIncrement() == 0) {
                    LOG.warn("Could not record {} dispatch outcomes ({}); they are kept and written again when the database answers",
                            outcomes.size(), e.toString());
                }
                return;
            }
            // Nothing is lost: the rows stay CLAIMED with their delivery records, and stale-claim recovery accounts for
            // them (UNKNOWN at-most-once, sent again at-least-once) once the claim lease runs out.
            LOG.error("Could not record {} dispatch outcomes; their rows stay CLAIMED until the claim lease runs out: {}",
                    outcomes.size(), e.toString());
        }
    }

    /** A clean stop: the flusher ends, and every outcome still held is written once more. */
    @Override
    public void close() {
        ScheduledFuture<?> f = flusher;
        if (f != null) {
            f.cancel(false);
        }
        flushAll();
        retry();
        if (!retries.isEmpty()) {
            LOG.error("{} dispatch outcomes could not be written before the stop; their rows stay CLAIMED and are recovered "
                    + "as after a crash", waitingForRetry());
        }
    }

    /** One thread's outcomes; synchronized because the flusher and the tick's last flush take them too. */
    private static final class Batch {

        private List<RecipientStore.Outcome> outcomes = new ArrayList<>();
        private long firstAt;

        synchronized List<RecipientStore.Outcome> add(RecipientStore.Outcome outcome, int batchSize, long maxDelayNanos) {
            long now = System.nanoTime();
            if (outcomes.isEmpty()) {
                firstAt = now;
            }
            outcomes.add(outcome);
            return outcomes.size() >= batchSize || now - firstAt >= maxDelayNanos ? takeAll() : null;
        }

        synchronized List<RecipientStore.Outcome> takeIfOlder(long now, long maxDelayNanos) {
            return !outcomes.isEmpty() && now - firstAt >= maxDelayNanos ? takeAll() : null;
        }

        synchronized List<RecipientStore.Outcome> takeAll() {
            List<RecipientStore.Outcome> taken = outcomes;
            outcomes = new ArrayList<>();
            return taken;
        }
    }
}
