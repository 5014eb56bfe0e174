package io.sluice.admin;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.dispatch.SendControl;
import io.sluice.guard.Guard;

/**
 * The send limit, ramp step and guard rates over time, for the progress page's charts: the status answer only holds
 * the present. Sampled on a timer into a bounded in-memory ring (a day at one sample a minute by default), so it
 * starts empty after a restart; the database keeps the figures that matter (send control, recipient states).
 */
public class StatusHistory {

    private final SendControl sendControl;
    private final Guard guard;
    private final double bounceRateWarn;
    private final int capacity;
    private final long samplePeriodMs;
    private final Clock clock;
    private final Deque<Map<String, Object>> samples = new ArrayDeque<>();

    public StatusHistory(SendControl sendControl, Guard guard, double bounceRateWarn, int capacity, long samplePeriodMs,
                         Clock clock) {
        if (capacity < 1) {
            throw new IllegalStateException("sluice.history.size must be at least 1, got " + capacity);
        }
        this.sendControl = sendControl;
        this.guard = guard;
        this.bounceRateWarn = bounceRateWarn;
        this.capacity = capacity;
        this.samplePeriodMs = samplePeriodMs;
        this.clock = clock;
    }

    /** One sample of the live figures; the oldest is dropped when the ring is full. */
    public void sample() {
        SendControl.RampState ramp = sendControl.readRamp();
        Map<String, Object> guardStatus = guard.status();
        Map<?, ?> figures = (Map<?, ?>) guardStatus.get("figures");
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("at", clock.instant().toString());
        sample.put("sendLimit", ramp.sendLimit());
        sample.put("halted", ramp.halted());
        sample.put("rampStep", ramp.step() + 1);
        sample.put("rampOverridden", ramp.overridden());
        sample.put("guardState", guardStatus.get("state"));
        // No figures yet (guard off, or never read): the charts leave a gap rather than draw a false zero.
        sample.put("bounceRate", figures == null ? null : figures.get("bounceRate"));
        sample.put("complaintRate", figures == null ? null : figures.get("complaintRate"));
        synchronized (samples) {
            samples.addLast(sample);
            while (samples.size() > capacity) {
                samples.removeFirst();
            }
        }
    }

    /** GET /api/status/history: the thresholds the charts draw, and the samples oldest first. */
    public Map<String, Object> history() {
        Map<String, Object> guardStatus = guard.status();
        Map<String, Object> thresholds = new LinkedHashMap<>();
        thresholds.put("bounceRateHalt", guardStatus.get("bounceRateHalt"));
        thresholds.put("bounceRateWarn", bounceRateWarn);
        thresholds.put("complaintRateHalt", guardStatus.get("complaintRateHalt"));
        // The ramp holds its step at half the complaint halt threshold (see Ramp.onFigures).
        thresholds.put("complaintRateWarn", ((Number) guardStatus.get("complaintRateHalt")).doubleValue() / 2);
        List<Map<String, Object>> copy;
        synchronized (samples) {
            copy = new ArrayList<>(samples);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("samplePeriodMs", samplePeriodMs);
        answer.put("capacity", capacity);
        answer.put("thresholds", thresholds);
        answer.put("samples", copy);
        return answer;
    }
}
