package io.sluice.guard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.ApiException;
import io.sluice.dispatch.SendControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reputation kill switch. Postmark shuts a stream down above a 10% bounce rate; the story stopped itself at 5%.
 * Each check reads the stream's outbound statistics for the campaign window; a bounce or complaint rate at or above
 * its threshold halts sending (sendLimit 0, halted with the reason and the figures) until a person resumes. When the
 * statistics cannot be read for longer than the grace, dispatch sends nothing (fail closed) and resumes by itself
 * once healthy figures come back: that is not a halt.
 *
 * <p>Only an answer that arrived within the call's time limit is judged. The route's circuit breaker gives up on a call
 * at the time limit, but the HTTP read it abandoned keeps running (an HTTP read does not stop on interrupt) and may
 * answer much later; each call therefore carries an id and a deadline ({@link Call}), and {@link #judge} drops an
 * answer past its deadline, or older than one already judged, without looking at it. The gate opens only on a fresh,
 * timely, healthy answer.
 */
public class Guard {

    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SendControl sendControl;
    private final boolean enabled;
    private final double bounceHalt;
    private final double complaintHalt;
    private final long minSent;
    private final Duration grace;
    private final Duration callTimeout;
    private final String messageStream;
    private final int resumeSendLimit;
    private volatile io.sluice.admin.EventLog events;
    private final Clock clock;
    private final Supplier<Instant> windowStart;

    private volatile Ramp ramp;
    private volatile Supplier<Long> webhookBounces = () -> 0L;
    private volatile java.util.function.Consumer<Map<String, Object>> alert = a -> { };
    private volatile Instant lastHealthyAt;
    private volatile Instant lastCheckAt;
    private volatile String lastError;
    private volatile Map<String, Object> lastFigures = Map.of();
    private final AtomicLong calls = new AtomicLong();
    /** The newest call judged so far: an older call's answer never overrides what a newer one said. */
    private long lastJudgedCall;

    /** One statistics call: its sequence number, when it started and the moment after which its answer is ignored. */
    public record Call(long id, Instant startedAt, Instant deadline) {
    }

    public Guard(SendControl sendControl, boolean enabled, double bounceHalt, double complaintHalt, long minSent,
                 Duration grace, Duration callTimeout, String messageStream, int resumeSendLimit, Clock clock,
                 Supplier<Instant> windowStart) {
        this.windowStart = windowStart;
        this.callTimeout = callTimeout;
        this.sendControl = sendControl;
        this.enabled = enabled;
        this.bounceHalt = bounceHalt;
        this.complaintHalt = complaintHalt;
        this.minSent = minSent;
        this.grace = grace;
        this.messageStream = messageStream;
        this.resumeSendLimit = resumeSendLimit;
        this.clock = clock;
        if (!enabled) {
            LOG.warn("Reputation guard is OFF: no sluice.postmark.server-token. Nothing watches the bounce rate.");
        }
    }

    public void setRamp(Ramp ramp) {
        this.ramp = ramp;
    }

    /** Hard bounces and complaints the webhook saw in the window: fresher than Postmark's statistics. */
    public void setWebhookBounces(Supplier<Long> webhookBounces) {
        this.webhookBounces = webhookBounces;
    }

    /** Where a halt is announced besides the log and the status (the operators' webhook). */
    /** Where halts and a person's resumes are written. */
    public void setEvents(io.sluice.admin.EventLog events) {
        this.events = events;
    }

    public void setAlert(java.util.function.Consumer<Map<String, Object>> alert) {
        this.alert = alert;
    }

    public Instant windowStart() {
        Instant start = windowStart.get();
        return start == null ? clock.instant() : start;
    }

    /** The last figures read (sent, bounced, spamComplaints, bounceRate, complaintRate in percent); empty before. */
    public Map<String, Object> figures() {
        return lastFigures;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /**
     * The query of one statistics call: the sending stream from the day the earliest running campaign started.
     * All-time stream statistics would dilute a new campaign's bounces under years of clean transactional mail.
     */
    public String statsQuery() {
        Instant start = windowStart.get();
        LocalDate from = LocalDate.ofInstant(start == null ? clock.instant() : start, ZoneOffset.UTC);
        return "messagestream=" + messageStream + "&fromdate=" + from;
    }

    /** Starts one statistics call: the route keeps it with the exchange and hands it back to {@link #judge}. */
    public Call beginCall() {
        Instant now = clock.instant();
        return new Call(calls.incrementAndGet(), now, now.plus(callTimeout));
    }

    /**
     * Judges what the circuit breaker handed back for a call, outside the breaker: the answer's body, or why there is
     * none (the fallback's failure). An answer is judged only when it is timely (at or before the call's deadline) and
     * fresh (no newer call judged yet); a late or stale one changes nothing but the log, so it can never reopen the gate.
     */
    public synchronized void judge(Call call, String body, String failure) {
        // One judgement at a time, whole: marking a call judged and recording what it said happen together, so a
        // caller whose older answer is dropped (a tick racing the guard's schedule) reads the newer answer's state,
        // never the gap between them.
        Instant now = clock.instant();
        if (call.id() <= lastJudgedCall) {
            if (failure != null) {
                // The operator still hears of a failed call, though a newer answer decides the guard's state.
                LOG.warn("Reputation guard cannot read statistics (call {}, superseded by a newer call; state unchanged): {}",
                        call.id(), failure);
            } else {
                LOG.info("Guard: statistics call {} answered after a newer call was judged; its answer is dropped", call.id());
            }
            return;
        }
        lastJudgedCall = call.id();
        if (failure != null) {
            unavailable(failure);
        } else if (now.isAfter(call.deadline())) {
            unavailable("statistics answered after the " + callTimeout.toMillis() + " ms time limit; the answer is dropped");
        } else {
            evaluate(body, now);
        }
    }

    /** Judges one timely statistics answer; halts when a rate reaches its threshold. */
    private void evaluate(String json, Instant answeredAt) {
        JsonNode stats;
        try {
            stats = JSON.readTree(json == null ? "" : json);
        } catch (Exception e) {
            unavailable("statistics answer is not JSON");
            return;
        }
        if (stats == null || !stats.has("Sent") || !stats.has("Bounced")) {
            unavailable("statistics answer lacks Sent or Bounced");
            return;
        }
        long sent = stats.path("Sent").asLong();
        // Postmark's statistics lag; bounces the webhook already reported in the window count if they are more.
        long bounced = Math.max(stats.path("Bounced").asLong(), webhookBounces.get());
        long complaints = stats.path("SpamComplaints").asLong();
        double bounceRate = sent == 0 ? 0 : 100.0 * bounced / sent;
        double complaintRate = sent == 0 ? 0 : 100.0 * complaints / sent;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("sent", sent);
        figures.put("bounced", bounced);
        figures.put("spamComplaints", complaints);
        figures.put("bounceRate", round(bounceRate));
        figures.put("complaintRate", round(complaintRate));
        lastFigures = figures;
        lastCheckAt = answeredAt;
        lastHealthyAt = answeredAt;
        lastError = null;
        if (sent < minSent) {
            if (ramp != null) {
                ramp.onFigures(0, 0, complaintHalt);
            }
            return;
        }
        String reason = null;
        if (bounceRate >= bounceHalt) {
            reason = String.format("bounce rate %.2f%% >= %.2f%% (%d bounced of %d sent)", bounceRate, bounceHalt, bounced, sent);
        } else if (complaintRate >= complaintHalt) {
            reason = String.format("complaint rate %.3f%% >= %.3f%% (%d complaints of %d sent)", complaintRate, complaintHalt, complaints, sent);
        }
        if (reason != null && !sendControl.read().halted()) {
            sendControl.halt("guard: " + reason);
            LOG.error("SENDING HALTED by the reputation guard: {}. A person must look, then POST /api/resume.", reason);
            if (events != null) {
                events.record("halted", "guard", null, reason, figures);
            }
            Map<String, Object> event = new LinkedHashMap<>(figures);
            event.put("event", "sluice.halted");
            event.put("reason", reason);
            alert.accept(event);
        } else if (reason == null && ramp != null) {
            ramp.onFigures(bounceRate, complaintRate, complaintHalt);
        }
    }

    /** The statistics could not be read in time (timeout, 5xx, circuit open, a late or unreadable answer). */
    private void unavailable(String reason) {
        lastCheckAt = clock.instant();
        lastError = reason;
        LOG.warn("Reputation guard cannot read statistics: {}", reason);
    }

    /** Why dispatch must not send now, or null. Never-read statistics count as unavailable: fail closed. */
    public String blocksDispatch() {
        if (!enabled) {
            return null;
        }
        Instant healthy = lastHealthyAt;
        if (healthy == null || Duration.between(healthy, clock.instant()).compareTo(grace) > 0) {
            return "guard: statistics unavailable" + (lastError == null ? "" : " (" + lastError + ")");
        }
        return null;
    }

    /**
     * POST /api/resume: a person lifts the halt, restarting at the given sendLimit or the ramp's first step; the
     * optional reason goes to the event history with what was lifted.
     */
    public Map<String, Object> resume(Map<String, Object> json) {
        String reason = io.sluice.admin.EventLog.reasonOf(json);
        int limit = resumeSendLimit;
        boolean rampRestarts = true;
        if (json != null && json.get("sendLimit") != null) {
            rampRestarts = false;
            if (!(json.get("sendLimit") instanceof Integer value) || value < 0) {
                throw ApiException.badRequest("sendLimit must be a whole number >= 0");
            }
            limit = value;
        }
        SendControl.State before = sendControl.read();
        sendControl.resume(limit, rampRestarts);
        LOG.warn("Halt lifted by a person through POST /api/resume; sendLimit {}", limit);
        if (events != null) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("sendLimit", limit);
            detail.put("rampRestarts", rampRestarts);
            detail.put("wasHalted", before.halted());
            detail.put("haltReason", before.haltReason());
            events.record("resumed", "admin-api", null, reason, detail);
        }
        return Map.of("halted", false, "sendLimit", limit);
    }

    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("enabled", enabled);
        String blocked = blocksDispatch();
        status.put("state", !enabled ? "off" : sendControl.read().halted() ? "halted" : blocked != null ? "unavailable" : "healthy");
        status.put("bounceRateHalt", bounceHalt);
        status.put("complaintRateHalt", complaintHalt);
        status.put("lastCheckAt", lastCheckAt == null ? null : lastCheckAt.toString());
        status.put("lastHealthyAt", lastHealthyAt == null ? null : lastHealthyAt.toString());
        status.put("lastError", lastError);
        status.put("figures", lastFigures);
        return status;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
