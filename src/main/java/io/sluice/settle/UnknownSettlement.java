package io.sluice.settle;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.admin.EventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@code unknown-settle} route calls: which UNKNOWN recipients a run asks Postmark about, the query of each
 * page, the reading of each answer, and the state each recipient ends in. A message of this campaign in Postmark's
 * log → SENT with its MessageID; every page read and none found → PENDING (sent again); anything that is not a
 * readable answer → the row stays UNKNOWN (never guessed) and a later run asks again.
 */
public class UnknownSettlement {

    private static final Logger LOG = LoggerFactory.getLogger(UnknownSettlement.class);
    static final String ACTOR = "unknown-settle";

    private final UnknownRecipients store;
    private final EventLog events;
    private final boolean enabled;
    private final String off;
    private final Duration delay;
    private final Duration maxAge;
    private final int batchSize;
    private final Clock clock;
    private final Map<String, Counter> meters = new TreeMap<>();
    private final Map<String, Long> totals = new LinkedHashMap<>();
    /** Runs go on from the last id the previous run asked about (0: from the start). */
    private long cursor;
    private int selectedByRun;
    private volatile Map<String, Object> lastRun;

    /**
     * @param off why settlement is off (null when it is on): no Postmark token, not sending through SMTP, or switched off
     */
    public UnknownSettlement(UnknownRecipients store, EventLog events, String off, Duration delay, Duration maxAge,
                             int batchSize, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.events = events;
        this.enabled = off == null;
        this.off = off;
        this.delay = delay;
        this.maxAge = maxAge;
        this.batchSize = batchSize;
        this.clock = clock;
        for (String result : List.of("sent", "pending", "error", "unresolved", "not-asked")) {
            totals.put(result, 0L);
            if (registry != null) {
                meters.put(result, Counter.builder("sluice.unknown.settle")
                        .description("UNKNOWN recipients looked up in Postmark's message log, by result (sent, pending = sent"
                                + " again, error and unresolved = left UNKNOWN, not-asked = a stopped run left it for the next)")
                        .tag("result", result).register(registry));
            }
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** The parameters of the route's {@code sql:{{sluice-sql:unknown-settle-select}}}. */
    public synchronized Map<String, Object> selection() {
        Instant now = clock.instant();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("afterId", cursor);
        params.put("changedBefore", Timestamp.from(now.minus(delay)));
        params.put("changedSince", Timestamp.from(now.minus(maxAge)));
        params.put("limit", batchSize);
        return params;
    }

    /** A run over the rows the select returned (camel-sql SelectList: one map per row, key case as the database has it). */
    public synchronized SettleRun startRun(List<Map<String, Object>> rows) {
        List<UnknownRecipient> recipients = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> r = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            r.putAll(row);
            recipients.add(new UnknownRecipient(((Number) r.get("id")).longValue(), ((Number) r.get("campaign_id")).longValue(),
                    (String) r.get("email"), (String) r.get("message_stream"), instant(r.get("claimed_at")),
                    instant(r.get("updated_at"))));
        }
        selectedByRun = recipients.size();
        return new SettleRun(clock.instant(), recipients);
    }

    /** The query string of the lookup's next page (the route puts it in CamelHttpQuery). */
    public String query(SettleLookup lookup) {
        return lookup.query();
    }

    /** One answer of Postmark's message search. */
    public void read(SettleLookup lookup, Integer httpStatus, String body) {
        lookup.onPage(PostmarkMessageSearch.read(lookup.recipient(), httpStatus, body));
    }

    /** The call itself failed: a timeout, a refused connection, a broken answer. */
    public void failed(SettleLookup lookup, Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + PostmarkMessageSearch.shorten(root.getMessage()));
        lookup.onFailure(why);
    }

    /** Writes the lookup's outcome: SENT or PENDING in one transaction each; the others leave the row as it is. */
    public void settle(SettleLookup lookup) {
        UnknownRecipient r = lookup.recipient();
        UnknownRecipients.Row row = new UnknownRecipients.Row(r.id(), r.campaignId(), r.updatedAt());
        SettleLookup.Outcome outcome = lookup.outcome();
        boolean moved = true;
        try {
            switch (outcome) {
                case SENT -> moved = store.markSent(row, lookup.detail());
                case PENDING -> moved = store.release(row, lookup.detail());
                default -> {
                }
            }
        } catch (RuntimeException e) {
            // The database refused the write: nothing changed, the row is asked about again by a later run.
            LOG.warn("UNKNOWN recipient {} (campaign {}): {} could not be written, it stays UNKNOWN: {}", r.id(), r.campaignId(),
                    outcome, e.toString());
            lookup.writeFailed("the database refused the change: " + e.getClass().getSimpleName());
            outcome = lookup.outcome();
        }
        lookup.run().settled(lookup, moved);
        if (!moved) {
            LOG.info("UNKNOWN recipient {} (campaign {}) changed while Postmark was asked: left as it is now", r.id(), r.campaignId());
            return;
        }
        count(outcome);
        switch (outcome) {
            case SENT -> LOG.info("UNKNOWN recipient {} (campaign {}) is in Postmark's message log: SENT, {}", r.id(), r.campaignId(), lookup.detail());
            case PENDING -> LOG.info("UNKNOWN recipient {} (campaign {}) {}: PENDING", r.id(), r.campaignId(), lookup.detail());
            case NOT_ASKED -> LOG.debug("UNKNOWN recipient {} (campaign {}) not asked: {}", r.id(), r.campaignId(), lookup.detail());
            default -> LOG.warn("UNKNOWN recipient {} (campaign {}) stays UNKNOWN: {}", r.id(), r.campaignId(), lookup.detail());
        }
    }

    /** The end of a run: the cursor moves on, the counts become the status, a log line and (if it asked anything) an event. */
    public synchronized Map<String, Object> finish(SettleRun run) {
        long lastAsked = run.lastAskedId();
        if (!run.stopped() && selectedByRun < batchSize) {
            cursor = 0;
        } else if (lastAsked >= 0) {
            cursor = lastAsked;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("at", run.startedAt().toString());
        summary.put("finishedAt", clock.instant().toString());
        summary.put("selected", run.getLookups().size());
        summary.put("calls", run.calls());
        summary.put("sent", run.count(SettleLookup.Outcome.SENT));
        summary.put("pending", run.count(SettleLookup.Outcome.PENDING));
        summary.put("errors", run.count(SettleLookup.Outcome.ERROR));
        summary.put("unresolved", run.count(SettleLookup.Outcome.UNRESOLVED));
        summary.put("notAsked", run.count(SettleLookup.Outcome.NOT_ASKED));
        summary.put("changedMeanwhile", run.changedMeanwhile());
        summary.put("stoppedBecause", run.stoppedBecause());
        summary.put("lastError", run.lastError());
        lastRun = summary;
        if (!run.getLookups().isEmpty()) {
            if (run.stopped()) {
                LOG.warn("Settle run stopped asking Postmark ({}): {}", run.stoppedBecause(), line(summary));
            } else {
                LOG.info("Settle run: {}", line(summary));
            }
            try {
                events.record("unknown-settled", ACTOR, null, null, summary);
            } catch (RuntimeException e) {
                LOG.warn("Settle run could not be written to the event history: {}", e.toString());
            }
        }
        return summary;
    }

    /** {@code GET /api/status} → {@code settle}. */
    public synchronized Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("enabled", enabled);
        status.put("off", off);
        status.put("delay", delay.toString());
        status.put("lastRun", lastRun);
        status.put("totals", new LinkedHashMap<>(totals));
        return status;
    }

    private synchronized void count(SettleLookup.Outcome outcome) {
        String result = outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
        totals.merge(result, 1L, Long::sum);
        Counter meter = meters.get(result);
        if (meter != null) {
            meter.increment();
        }
    }

    private static String line(Map<String, Object> s) {
        return String.format("%s selected, %s sent (found in the log), %s pending (sent again), %s errors and %s unresolved"
                        + " (left UNKNOWN), %s not asked, %s changed meanwhile; %s calls",
                s.get("selected"), s.get("sent"), s.get("pending"), s.get("errors"), s.get("unresolved"), s.get("notAsked"),
                s.get("changedMeanwhile"), s.get("calls"));
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof LocalDateTime t) {
            return t.atZone(ZoneId.systemDefault()).toInstant();
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof java.util.Date d) {
            return d.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + value.getClass().getName());
    }
}
