package io.sluice.settle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One run of the settle route over the UNKNOWN rows it selected. It stops asking at a refused token (no other call can
 * succeed) or after {@link #FAILURES_IN_A_ROW} failed calls in a row (Postmark is down: the rows wait for the next run
 * instead of each costing a timeout). Used by one route thread at a time.
 */
public final class SettleRun {

    /** Failed calls in a row after which a run stops asking. */
    static final int FAILURES_IN_A_ROW = 5;

    private final Instant startedAt;
    private final List<SettleLookup> lookups = new ArrayList<>();
    private final Map<SettleLookup.Outcome, Integer> outcomes = new EnumMap<>(SettleLookup.Outcome.class);
    private int failuresInARow;
    private int calls;
    private int changedMeanwhile;
    private String stoppedBecause;
    private String lastError;

    SettleRun(Instant startedAt, List<UnknownRecipient> recipients) {
        this.startedAt = startedAt;
        recipients.forEach(r -> lookups.add(new SettleLookup(r, this)));
    }

    /** What the route splits over. */
    public List<SettleLookup> getLookups() {
        return lookups;
    }

    boolean stopped() {
        return stoppedBecause != null;
    }

    String stoppedBecause() {
        return stoppedBecause;
    }

    void answered() {
        calls++;
        failuresInARow = 0;
    }

    void failed(String why, boolean unauthorized) {
        calls++;
        lastError = why;
        failuresInARow++;
        if (unauthorized) {
            stoppedBecause = "Postmark refused the server token (401): " + why;
        } else if (failuresInARow >= FAILURES_IN_A_ROW) {
            stoppedBecause = failuresInARow + " calls in a row failed, the last: " + why;
        }
    }

    /** A lookup ended: what became of its row ({@code moved} false when the row changed meanwhile and was left alone). */
    void settled(SettleLookup lookup, boolean moved) {
        if (!moved) {
            changedMeanwhile++;
            return;
        }
        outcomes.merge(lookup.outcome(), 1, Integer::sum);
    }

    int count(SettleLookup.Outcome outcome) {
        return outcomes.getOrDefault(outcome, 0);
    }

    Instant startedAt() {
        return startedAt;
    }

    int calls() {
        return calls;
    }

    int changedMeanwhile() {
        return changedMeanwhile;
    }

    String lastError() {
        return lastError;
    }

    /** The highest id this run asked about (its rows are settled or wait for a later pass), or -1 when it asked none. */
    long lastAskedId() {
        long last = -1;
        for (SettleLookup l : lookups) {
            if (l.outcome() != SettleLookup.Outcome.NOT_ASKED) {
                last = Math.max(last, l.recipient().id());
            }
        }
        return last;
    }
}
