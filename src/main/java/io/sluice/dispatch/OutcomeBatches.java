package io.sluice.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SENT and SKIPPED outcomes written in batches: each dispatch thread collects its own and writes them in one
 * transaction once it holds {@code batchSize} of them, once the oldest has waited {@code maxDelayMillis}, and at the
 * end of the tick. One transaction per outcome cost more CPU than composing the message (a commit, the guarded
 * UPDATE and the counter upsert per recipient).
 *
 * <p>The price is the crash window: a row whose outcome is still here after its send stays CLAIMED with its
 * delivery record, so recovery marks it UNKNOWN (at-most-once) or sends it again (at-least-once). At most
 * threads × batchSize rows, and in practice what the threads send in {@code maxDelayMillis}. A batch size of 1
 * writes every outcome at once.
 */
public class OutcomeBatches {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeBatches.class);

    private final RecipientStore store;
    private final int batchSize;
    private final long maxDelayNanos;
    private final Map<Thread, Batch> batches = new ConcurrentHashMap<>();

    public OutcomeBatches(RecipientStore store, int batchSize, long maxDelayMillis) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("sluice.dispatch.outcome-batch must be at least 1, got: " + batchSize);
        }
        this.store = store;
        this.batchSize = batchSize;
        this.maxDelayNanos = maxDelayMillis * 1_000_000L;
    }

    /** Adds an outcome to the calling thread's batch and writes the batch when it is full or old enough. */
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

    /** Writes every thread's batch: at the end of a tick, when its threads are done. */
    public void flushAll() {
        for (Batch batch : batches.values()) {
            List<RecipientStore.Outcome> due = batch.takeAll();
            if (!due.isEmpty()) {
                write(due);
            }
        }
    }

    private void write(List<RecipientStore.Outcome> outcomes) {
        try {
            store.write(outcomes);
        } catch (RuntimeException e) {
            // Nothing is lost: the rows stay CLAIMED with their delivery records, and stale-claim recovery accounts for
            // them (UNKNOWN at-most-once, sent again at-least-once) once the claim lease runs out.
            LOG.error("Could not record {} dispatch outcomes; their rows stay CLAIMED until the claim lease runs out: {}",
                    outcomes.size(), e.toString());
        }
    }

    /** One thread's outcomes; synchronized only so the tick's last flush sees every one of them. */
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

        synchronized List<RecipientStore.Outcome> takeAll() {
            List<RecipientStore.Outcome> taken = outcomes;
            outcomes = new ArrayList<>();
            return taken;
        }
    }
}
