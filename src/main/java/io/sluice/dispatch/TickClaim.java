package io.sluice.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tick's claim, taken in chunks while the dispatch threads send: the first chunk before the first send, each
 * further one by whichever thread sees the claimed-but-unsent queue run low, while the other threads go on sending.
 * Claimed all at once, 8,000 recipients kept one core busy and the other idle for a third of a second before the first
 * send. The tick's reservation of the period's budget bounds the total; what it could not claim goes back to the
 * budget once the claim runs dry (a short chunk: no more ready recipients) or fails.
 *
 * <p>The threads take short runs of recipients from one queue, so a thread whose messages go slowly takes fewer of them
 * and they all finish together.
 */
public final class TickClaim {

    private static final Logger LOG = LoggerFactory.getLogger(TickClaim.class);

    /** Recipients a lane takes at once at most: the default outcome batch. */
    private static final int RUN = 50;

    private final IntFunction<List<Recipient>> claimer;
    private final Runnable onDry;
    private final int chunk;
    private final ArrayDeque<Recipient> queue = new ArrayDeque<>();
    private int unclaimed;
    private boolean claiming;
    private boolean dry;

    /**
     * @param claimer claims up to the given number of ready recipients
     * @param budget  how many this tick may claim in all
     * @param chunk   how many one claim takes at most (at least 1: {@link Dispatch#setClaimChunk} checks the setting)
     * @param onDry   called once, with the claim finished, when no further chunk will be claimed
     */
    public TickClaim(IntFunction<List<Recipient>> claimer, int budget, int chunk, Runnable onDry) {
        this.claimer = claimer;
        this.onDry = onDry;
        this.chunk = chunk;
        this.unclaimed = budget;
        if (budget <= 0) {
            dry = true;
            dried();
        } else {
            claiming = true;
            claimNext();
        }
    }

    /** Recipients this tick has not claimed yet and may still claim. */
    public synchronized int unclaimed() {
        return unclaimed;
    }

    /** Whether nothing was claimed and nothing will be. */
    public synchronized boolean isEmpty() {
        return dry && queue.isEmpty() && !claiming;
    }

    /**
     * The next run of claimed recipients for one lane, or an empty list when the tick has none left. A run is
     * contiguous (in id order) and at most {@link #RUN} long, shorter near the end so the lanes finish together:
     * a lane's outcome batch then touches a few neighbouring rows instead of rows spread over the whole chunk. The
     * caller that finds the queue at or below half a chunk claims the next chunk first (outside the lock, so the others
     * keep sending from what is queued).
     */
    List<Recipient> take(int lanes) {
        boolean claimHere;
        List<Recipient> taken = new ArrayList<>();
        synchronized (this) {
            while (queue.isEmpty() && claiming) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return taken;
                }
            }
            int n = Math.max(1, Math.min(RUN, queue.size() / Math.max(1, lanes)));
            for (int i = 0; i < n && !queue.isEmpty(); i++) {
                taken.add(queue.poll());
            }
            claimHere = !claiming && !dry && queue.size() <= chunk / 2;
            if (claimHere) {
                claiming = true;
            }
        }
        if (claimHere) {
            try {
                claimNext();
            } catch (RuntimeException e) {
                // The recipients already claimed still go out; the tick claims no more (its lease recovers nothing
                // here: every claimed row is in the queue or in a lane).
                LOG.error("A claim of the next {} recipients failed; this tick claims no more and sends the {} it holds: {}",
                        chunk, queuedAndTaken(taken), e.toString());
            }
            if (taken.isEmpty()) {
                return take(lanes);
            }
        }
        return taken;
    }

    /** Runs {@code onDry} without letting its failure hide the claim's own. */
    private void dried() {
        try {
            onDry.run();
        } catch (RuntimeException e) {
            LOG.error("This tick's claim is finished, but what it did not claim could not be given back: {}", e.toString());
        }
    }

    private synchronized int queuedAndTaken(List<Recipient> taken) {
        return queue.size() + taken.size();
    }

    /** One chunk, claimed by the caller that set {@code claiming}; whatever happens, {@code claiming} is reset. */
    private void claimNext() {
        int wanted;
        synchronized (this) {
            wanted = Math.min(chunk, unclaimed);
        }
        List<Recipient> claimed = List.of();
        boolean failed = true;
        try {
            claimed = claimer.apply(wanted);
            failed = false;
        } finally {
            boolean nowDry;
            synchronized (this) {
                queue.addAll(claimed);
                unclaimed -= claimed.size();
                nowDry = failed || claimed.size() < wanted || unclaimed == 0;
                dry = nowDry;
                claiming = false;
                notifyAll();
            }
            if (nowDry) {
                dried();
            }
        }
    }

    /**
     * {@code lanes} views of this claim, one per dispatch thread, each taking its next recipient from the shared
     * queue. Fewer when the whole claim fits in fewer.
     */
    public List<Iterable<Recipient>> lanes(int lanes) {
        int n;
        synchronized (this) {
            n = Math.max(1, dry ? Math.min(lanes, queue.size()) : lanes);
        }
        Iterable<Recipient> lane = () -> new Iterator<>() {
            private Iterator<Recipient> run = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                if (!run.hasNext()) {
                    run = take(n).iterator();
                }
                return run.hasNext();
            }

            @Override
            public Recipient next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return run.next();
            }
        };
        return Collections.nCopies(n, lane);
    }
}
