package io.sluice.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.sluice.mail.FailureClassifier;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dispatch routes call, step by step: open a tick (read the live send control, recover stale claims),
 * claim, record each recipient's outcome, close the tick. It knows the store and the delivery records, not SMTP.
 */
public class Dispatch {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatch.class);

    private final SendControl sendControl;
    private final RecipientStore recipients;
    private final IdempotentRepository deliveryRecords;
    private final ProgressLog progress;
    private final Set<String> allowedCodes;
    private final DeliveryGuarantee guarantee;
    private final Duration claimLease;
    private final Duration retryAfter;
    private final int maxAttempts;
    private final Supplier<String> guardGate;
    private final SendBudget budget;
    private final Supplier<Set<String>> aliveInstances;
    private final AtomicBoolean tickRunning = new AtomicBoolean();
    private volatile Tick lastTick;
    private volatile DispatchOutcomes outcomes = DispatchOutcomes.NONE;
    private volatile OutcomeBatches batches;
    private volatile int claimChunk = Integer.MAX_VALUE;
    private volatile Gate deliveryGate = tickOpening -> null;
    private volatile java.util.function.IntFunction<List<Recipient>> chunkClaimer;

    /** The delivery breaker's part of the gate: why dispatch must not claim now, or null. */
    @FunctionalInterface
    public interface Gate {
        String closed(boolean tickOpening);
    }

    public Dispatch(SendControl sendControl, RecipientStore recipients, IdempotentRepository deliveryRecords,
                    ProgressLog progress, Set<String> allowedCodes, DeliveryGuarantee guarantee, Duration claimLease,
                    Duration retryAfter, int maxAttempts, Supplier<String> guardGate, SendBudget budget,
                    Supplier<Set<String>> aliveInstances) {
        this.guardGate = guardGate;
        this.budget = budget;
        this.aliveInstances = aliveInstances;
        this.sendControl = sendControl;
        this.recipients = recipients;
        this.deliveryRecords = deliveryRecords;
        this.progress = progress;
        this.allowedCodes = allowedCodes;
        this.guarantee = guarantee;
        this.claimLease = claimLease;
        this.retryAfter = retryAfter;
        this.maxAttempts = maxAttempts;
        this.batches = new OutcomeBatches(recipients, 1, 0);
        this.chunkClaimer = recipients::claim;
    }

    /** The most one claim may take: the chunk's ids go into one IN list, below every driver's limit. */
    public static final int MAX_CLAIM_CHUNK = 10_000;

    /**
     * How one chunk is claimed: route {@code recipients-claim} (ProducerTemplate to {@code direct:recipients-claim});
     * default {@link RecipientStore#claim}, the same statements in plain JDBC.
     */
    public void setChunkClaimer(java.util.function.IntFunction<List<Recipient>> chunkClaimer) {
        this.chunkClaimer = chunkClaimer;
    }

    /** How SENT and SKIPPED outcomes are written (default: each at once). */
    public void setOutcomeBatches(OutcomeBatches batches) {
        this.batches = batches;
    }

    /** How many recipients one claim takes at most (default: the whole tick at once). */
    public void setClaimChunk(int claimChunk) {
        if (claimChunk < 1 || claimChunk > MAX_CLAIM_CHUNK) {
            throw new IllegalArgumentException("sluice.dispatch.claim-chunk must be 1 to " + MAX_CLAIM_CHUNK + ", got: " + claimChunk);
        }
        this.claimChunk = claimChunk;
    }

    /** The delivery breaker's gate (default: always open). */
    public void setDeliveryGate(Gate deliveryGate) {
        this.deliveryGate = deliveryGate;
    }

    /** Who hears about each outcome besides the recipient table (the metrics). */
    public void setOutcomes(DispatchOutcomes outcomes) {
        this.outcomes = outcomes;
    }

    /** Opens a tick: the gate is closed when halted, when sendLimit is 0, or while the previous tick still runs. */
    public Tick begin() {
        if (!tickRunning.compareAndSet(false, true)) {
            LOG.info("Dispatch tick skipped: the previous tick is still running");
            return new Tick(0, "previous tick still running");
        }
        Tick tick;
        try {
            tick = decide();
        } catch (RuntimeException e) {
            // A tick that fails before its split must not leave the gate marked busy, or no tick would ever run again.
            tickRunning.set(false);
            throw e;
        }
        if (!tick.isOpen()) {
            tickRunning.set(false);
            lastTick = tick;
            tick.finish();
            LOG.info("Dispatch tick: nothing sent ({})", tick.closedBecause());
        }
        return tick;
    }

    private Tick decide() {
        recoverStaleClaims(Instant.now().minus(claimLease));
        SendControl.State control = sendControl.read();
        String closed = gateClosed(control, true);
        Tick tick;
        if (closed != null) {
            tick = new Tick(0, closed);
        } else {
            // sendLimit is one budget per period across every instance and every tick in it.
            long period = budget.periodOf(Instant.now());
            int granted = budget.reserve(period, control.sendLimit(), control.sendLimit());
            tick = granted == 0
                    ? new Tick(control.sendLimit(), "this period's sendLimit of " + control.sendLimit() + " is already claimed by another tick")
                    : new Tick(control.sendLimit(), null);
            tick.reserved(period, granted);
        }
        return tick;
    }

    /**
     * Claims the tick's first chunk of ready recipients; the dispatch threads claim the rest as they go (see
     * {@link TickClaim}). Each chunk is one call of route recipients-claim ({@link #setChunkClaimer}). Before each further chunk the gate is checked again: a halt (the guard's or a person's), a
     * sendLimit set to 0 or a closed guard ends the claiming, and the tick sends only what it already holds. What the
     * tick reserved but did not claim goes back to the period's budget.
     */
    public TickClaim claim(Tick tick) {
        AtomicBoolean first = new AtomicBoolean(true);
        return new TickClaim(n -> {
            if (!first.getAndSet(false)) {
                String closed = gateClosed(sendControl.read(), false);
                if (closed != null) {
                    LOG.info("Dispatch tick stops claiming after {} recipients: {}", tick.claimedCount(), closed);
                    return List.of();
                }
            }
            List<Recipient> claimed = withVerdicts(chunkClaimer.apply(n));
            tick.claimed(claimed.size());
            return claimed;
        }, tick.reserved(), claimChunk, () -> budget.giveBack(tick.period(), tick.reserved() - tick.claimedCount()));
    }

    /**
     * The claimed recipients the content enricher found a cached verdict for. One without (the claim saw a usable
     * verdict, then its cache row vanished: only a person deleting it does that) goes back to PENDING untouched, where an
     * address without a verdict waits: it is never mailed, and never skipped for want of a code.
     */
    private List<Recipient> withVerdicts(List<Recipient> claimed) {
        if (claimed.stream().allMatch(r -> r.validationCode() != null)) {
            return claimed;
        }
        List<Recipient> verified = new java.util.ArrayList<>(claimed.size());
        for (Recipient r : claimed) {
            if (r.validationCode() != null) {
                verified.add(r);
            } else {
                LOG.warn("Recipient {} of campaign {} was claimed but its address has no validation-cache entry any more: back to PENDING",
                        r.id(), r.campaignId());
                recipients.release(r);
            }
        }
        return verified;
    }

    /**
     * Why the gate is shut (a halt, the guard, the delivery breaker, sendLimit 0), or null: asked when a tick opens and
     * before each chunk.
     */
    private String gateClosed(SendControl.State control, boolean tickOpening) {
        if (control.halted()) {
            return "halted: " + control.haltReason();
        }
        String guardClosed = guardGate.get();
        if (guardClosed != null) {
            return guardClosed;
        }
        String deliveryClosed = deliveryGate.closed(tickOpening);
        if (deliveryClosed != null) {
            return deliveryClosed;
        }
        return control.sendLimit() <= 0 ? "sendLimit is 0" : null;
    }

    /** One lane per dispatch thread, each taking its next recipient from the tick's claim. */
    public List<Iterable<Recipient>> lanes(TickClaim claim, int lanes) {
        return claim.lanes(lanes);
    }

    /**
     * Whether the recipient's cached validation code forbids mailing (the story mailed only valid and ok; catch-all
     * was skipped).
     */
    public boolean refuses(Recipient r) {
        return r.validationCode() == null || !allowedCodes.contains(r.validationCode());
    }

    /** The idempotent consumer's key of a recipient. */
    public String deliveryKey(Recipient r) {
        return r.deliveryKey();
    }

    /** Skipped because of its validation code, which the recipient keeps as its skip code. */
    public void refused(Recipient r, Tick tick) {
        skipped(r, r.validationCode(), tick);
    }

    public void sent(Recipient r, String reply, Tick tick) {
        batches.add(new RecipientStore.Outcome(r, RecipientStore.SENT, reply));
        tick.sent();
        outcomes.sent();
    }

    public void skipped(Recipient r, String code, Tick tick) {
        batches.add(new RecipientStore.Outcome(r, RecipientStore.SKIPPED, code));
        tick.skipped();
        outcomes.skipped(code);
    }


    /** A permanent failure (SMTP 5xx, a broken template): FAILED with the reason, never retried. */
    public void failed(Recipient r, Throwable failure, Tick tick) {
        recipients.markFailed(r, FailureClassifier.describe(failure));
        tick.failed();
        outcomes.failed("permanent");
        LOG.warn("Recipient {} of campaign {} failed permanently: {}", r.id(), r.campaignId(), FailureClassifier.describe(failure));
    }

    /**
     * A transient failure after the in-tick retries: the server refused or could not be reached before the end of the
     * data, so nothing was delivered and the delivery record goes (else the idempotent consumer would skip the retry).
     * The row returns to the pool, or is FAILED once it has used up its attempts.
     */
    public void returnToPool(Recipient r, Throwable failure, Tick tick) {
        returnToPool(r, failure, tick, "transient");
    }

    /**
     * The message data went out whole and no reply came: the server may have delivered it. At-most-once: UNKNOWN at
     * once, the delivery record kept, never sent again by Sluice on its own. At-least-once: returned to the pool like a
     * transient failure (a duplicate is the accepted risk).
     */
    public void ambiguous(Recipient r, Throwable failure, Tick tick) {
        if (guarantee != DeliveryGuarantee.AT_MOST_ONCE) {
            returnToPool(r, failure, tick, "ambiguous");
            return;
        }
        String reason = FailureClassifier.describe(failure);
        recipients.markUnknown(r, reason);
        tick.unknown();
        outcomes.failed("ambiguous");
        LOG.warn("Recipient {} of campaign {} is UNKNOWN: {}", r.id(), r.campaignId(), reason);
    }

    /**
     * The delivery breaker is open: the recipient was never handed to the server and goes back to the pool untouched,
     * due at once, its delivery record (if the idempotent consumer wrote one) removed and the claim's attempt given back.
     */
    public void release(Recipient r, Tick tick) {
        deliveryRecords.remove(r.deliveryKey());
        recipients.release(r);
        tick.released();
        outcomes.released();
    }

    private void returnToPool(Recipient r, Throwable failure, Tick tick, String failureClass) {
        String reason = FailureClassifier.describe(failure);
        deliveryRecords.remove(r.deliveryKey());
        if (r.attempts() >= maxAttempts) {
            recipients.markFailed(r, "gave up after " + r.attempts() + " attempts: " + reason);
            tick.failed();
        } else {
            recipients.returnToPool(r, reason, retryAfter);
            tick.retried();
        }
        outcomes.failed(failureClass);
        LOG.warn("Recipient {} of campaign {}: {} failure ({}), attempt {} of {}", r.id(), r.campaignId(), failureClass, reason,
                r.attempts(), maxAttempts);
    }

    public void end(Tick tick) {
        if (!tick.isOpen()) {
            return;
        }
        batches.flushAll();
        try {
            // Recipients the delivery breaker released were never sent: their share of the period's sendLimit is free again.
            budget.giveBack(tick.period(), tick.releasedCount());
        } catch (RuntimeException e) {
            LOG.warn("The {} recipients the delivery breaker released could not be given back to this period's budget: {}",
                    tick.releasedCount(), e.toString());
        }
        tick.finish();
        lastTick = tick;
        tickRunning.set(false);
        progress.log(tick);
    }

    public Tick lastTick() {
        return lastTick;
    }

    /**
     * The heartbeat's turn (every {@code sluice.cluster.heartbeat-interval-ms}, on every instance): claims of an instance
     * that stopped beating, and claims past the lease, come back whatever the ticks are doing. Run only when a tick
     * opened, a survivor busy in a long tick took a dead instance's claims back after 170 s instead of 45.
     */
    public void recoverStale() {
        recoverStaleClaims(Instant.now().minus(claimLease));
    }

    public void recoverStaleClaims(Instant claimedBefore) {
        recover(claimedBefore, aliveInstances.get());
    }

    /**
     * At start: claims that carry this instance's own id are left from its previous run (a fixed
     * {@code sluice.instance.id} survives a restart) and nobody is working on them any more.
     */
    public void recoverClaimsOfPreviousRun(String instanceId) {
        Set<String> others = new java.util.HashSet<>(aliveInstances.get());
        others.remove(instanceId);
        recover(Instant.now().minus(claimLease), others);
    }

    private void recover(Instant claimedBefore, Set<String> alive) {
        Map<String, Integer> recovered = recipients.recoverStaleClaims(claimedBefore, alive::contains, guarantee, DeliveryRecords.PROCESSOR);
        int unknown = recovered.get(RecipientStore.UNKNOWN);
        int released = recovered.get(RecipientStore.PENDING);
        if (unknown > 0) {
            LOG.warn("{} recipients whose claim expired (or whose instance died) after their delivery record was written are now UNKNOWN: review them", unknown);
        }
        if (released > 0) {
            LOG.info("{} recipients whose claim expired (or whose instance died) went back to PENDING", released);
        }
    }
}
