package io.sluice.dispatch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One dispatch tick: what the gate decided and what happened to each claimed recipient (shared by split threads). */
public final class Tick {

    private final Instant at = Instant.now();
    private final int sendLimit;
    private final String closedBecause;
    private final AtomicInteger claimed = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger unknown = new AtomicInteger();
    private final AtomicInteger released = new AtomicInteger();
    private volatile Instant finishedAt;
    private long period;
    private int reserved;

    Tick(int sendLimit, String closedBecause) {
        this.sendLimit = sendLimit;
        this.closedBecause = closedBecause;
    }

    /** Whether this tick may claim anything. */
    public boolean isOpen() {
        return closedBecause == null;
    }

    public int getSendLimit() {
        return sendLimit;
    }

    public String closedBecause() {
        return closedBecause;
    }

    void reserved(long period, int reserved) {
        this.period = period;
        this.reserved = reserved;
    }

    /** The dispatch period this tick belongs to (the end of its cron interval, epoch milliseconds). */
    long period() {
        return period;
    }

    /** How much of the period's global budget this tick took. */
    int reserved() {
        return reserved;
    }

    void claimed(int n) {
        claimed.addAndGet(n);
    }

    void sent() {
        sent.incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    void failed() {
        failed.incrementAndGet();
    }

    void retried() {
        retried.incrementAndGet();
    }

    void unknown() {
        unknown.incrementAndGet();
    }

    void released() {
        released.incrementAndGet();
    }

    int releasedCount() {
        return released.get();
    }

    void finish() {
        finishedAt = Instant.now();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("at", at.toString());
        map.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        map.put("sendLimit", sendLimit);
        map.put("gate", closedBecause == null ? "open" : closedBecause);
        map.put("claimed", claimed.get());
        map.put("sent", sent.get());
        map.put("skipped", skipped.get());
        map.put("failed", failed.get());
        map.put("returnedToPool", retried.get());
        map.put("unknown", unknown.get());
        map.put("released", released.get());
        return map;
    }

    int claimedCount() {
        return claimed.get();
    }

    public int sentCount() {
        return sent.get();
    }
}
