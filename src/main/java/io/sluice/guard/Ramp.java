package io.sluice.guard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.dispatch.SendControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The automatic ramp: sendLimit follows a list of steps (the story's: 10 for 20 min, 100 for 30 min, 1,000 / 2,000 /
 * 3,000 for 30 min each, 4,000 for 12 h, 5,000 / 6,000 / 7,000 for 2 h each, then 8,000). The guard advances a step
 * when its time is up and the rates are below the warning threshold, and holds it while they are above. A person's
 * PUT /api/send-limit takes over until POST /api/ramp/resume.
 */
public class Ramp {

    private static final Logger LOG = LoggerFactory.getLogger(Ramp.class);

    /** One step: this sendLimit per tick for this long (null = until the end). */
    public record Step(int sendLimit, Duration duration) {
    }

    private final List<Step> steps;
    private final double warnRate;
    private final SendControl sendControl;
    private final double ticksPerHour;
    private final Clock clock;
    private volatile io.sluice.admin.EventLog events;

    public Ramp(List<Step> steps, double warnRate, SendControl sendControl, double ticksPerHour, Clock clock) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("sluice.ramp.steps needs at least one step");
        }
        this.steps = List.copyOf(steps);
        this.warnRate = warnRate;
        this.sendControl = sendControl;
        this.ticksPerHour = ticksPerHour;
        this.clock = clock;
    }

    /** Where the ramp's steps and a person's POST /api/ramp/resume are written. */
    public void setEvents(io.sluice.admin.EventLog events) {
        this.events = events;
    }

    private void record(String kind, String actor, int index, String why) {
        if (events != null) {
            events.record(kind, actor, null, why, Map.of("step", index + 1, "sendLimit", steps.get(index).sendLimit()));
        }
    }

    /** Parses "10@PT20M,100@PT30M,...,8000": limit@duration, the last step may have no duration. */
    public static List<Step> parse(String setting) {
        List<Step> steps = new ArrayList<>();
        for (String part : setting.split(",")) {
            String[] pieces = part.strip().split("@");
            try {
                int limit = Integer.parseInt(pieces[0].strip());
                Duration duration = pieces.length > 1 ? Duration.parse(pieces[1].strip()) : null;
                if (limit < 0 || (duration != null && duration.isNegative())) {
                    throw new IllegalArgumentException();
                }
                steps.add(new Step(limit, duration));
            } catch (RuntimeException e) {
                throw new IllegalStateException("sluice.ramp.steps: '" + part.strip() + "' is not limit@ISO-duration (e.g. 100@PT30M)");
            }
        }
        return steps;
    }

    /** Called with healthy figures on every guard check: starts, holds or advances the ramp. */
    public void onFigures(double bounceRate, double complaintRate, double complaintHalt) {
        SendControl.RampState state = sendControl.readRamp();
        if (state.halted() || state.overridden()) {
            return;
        }
        Instant now = clock.instant();
        int index = Math.min(state.step(), steps.size() - 1);
        if (state.stepStartedAt() == null) {
            sendControl.setRampStep(index, now, steps.get(index).sendLimit());
            LOG.info("Ramp started at step {}: sendLimit {}", index + 1, steps.get(index).sendLimit());
            record("ramp-step", "ramp", index, "ramp started at the first healthy guard check");
            return;
        }
        Step step = steps.get(index);
        boolean timeUp = step.duration() != null && !now.isBefore(state.stepStartedAt().plus(step.duration()));
        boolean warm = bounceRate >= warnRate || complaintRate >= complaintHalt / 2;
        if (timeUp && warm) {
            LOG.warn("Ramp holds step {} (sendLimit {}): bounce rate {}% is at or above the warning {}%", index + 1,
                    step.sendLimit(), bounceRate, warnRate);
        } else if (timeUp && index + 1 < steps.size()) {
            Step next = steps.get(index + 1);
            sendControl.setRampStep(index + 1, now, next.sendLimit());
            LOG.info("Ramp advances to step {}: sendLimit {}", index + 2, next.sendLimit());
            record("ramp-step", "ramp", index + 1, "step " + (index + 1) + " done with healthy rates");
        }
    }

    /** POST /api/ramp/resume: the ramp takes sendLimit back from a person at its current step. */
    public Map<String, Object> resume() {
        SendControl.RampState state = sendControl.readRamp();
        int index = Math.min(state.step(), steps.size() - 1);
        sendControl.setRampStep(index, clock.instant(), steps.get(index).sendLimit());
        LOG.info("Ramp resumed at step {}: sendLimit {}", index + 1, steps.get(index).sendLimit());
        record("ramp-resume", "admin-api", index, null);
        return status(List.of());
    }

    /** The ramp in GET /api/status, with the projected finish of each campaign's remaining recipients. */
    public Map<String, Object> status(List<Map.Entry<Long, Long>> remainingByCampaign) {
        SendControl.RampState state = sendControl.readRamp();
        int index = Math.min(state.step(), steps.size() - 1);
        Step step = steps.get(index);
        Instant now = clock.instant();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("overridden", state.overridden());
        status.put("step", index + 1);
        status.put("steps", steps.size());
        status.put("stepSendLimit", step.sendLimit());
        Instant ends = state.stepStartedAt() == null || step.duration() == null ? null : state.stepStartedAt().plus(step.duration());
        status.put("stepEndsAt", ends == null ? null : ends.toString());
        status.put("stepTimeLeftSeconds", ends == null ? null : Math.max(0, Duration.between(now, ends).toSeconds()));
        Map<String, Object> finish = new LinkedHashMap<>();
        for (Map.Entry<Long, Long> campaign : remainingByCampaign) {
            Instant at = projectFinish(campaign.getValue(), index, ends, state.overridden() ? state.sendLimit() : -1, now);
            finish.put(Long.toString(campaign.getKey()), at == null ? null : at.toString());
        }
        status.put("projectedFinish", finish);
        return status;
    }

    /** Walks the steps from now: capacity = sendLimit x ticks per hour, step by step, until nothing remains. */
    Instant projectFinish(long remaining, int index, Instant stepEnds, int fixedLimit, Instant now) {
        if (remaining <= 0) {
            return now;
        }
        if (fixedLimit >= 0) {
            return fixedLimit == 0 ? null : now.plusSeconds((long) Math.ceil(remaining / (fixedLimit * ticksPerHour) * 3600));
        }
        Instant t = now;
        double left = remaining;
        for (int i = index; i < steps.size(); i++) {
            Step step = steps.get(i);
            double perSecond = step.sendLimit() * ticksPerHour / 3600.0;
            Instant end = i == index ? stepEnds : (step.duration() == null ? null : t.plus(step.duration()));
            if (end == null) {
                return perSecond <= 0 ? null : t.plusSeconds((long) Math.ceil(left / perSecond));
            }
            double span = Math.max(0, Duration.between(t, end).toSeconds());
            if (perSecond * span >= left) {
                return t.plusSeconds((long) Math.ceil(left / perSecond));
            }
            left -= perSecond * span;
            t = end;
        }
        return null;
    }
}
