package io.sluice.mail;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery circuit breaker and what dispatch reads from it. After {@code failures} consecutive transient or
 * ambiguous delivery failures, across every dispatch thread, the breaker opens: the {@code recipient-send-breaker}
 * step (Camel's circuitBreaker EIP on this very breaker, so Hawtio shows its state) refuses every call, the tick stops
 * claiming, and what it holds goes back to the pool untouched. After {@code open} it lets {@code probes} calls through
 * (half-open); one success among them closes it, all failing open it again. A 5xx refusal of a recipient or message
 * is the recipient's problem, not the server's: it neither opens nor closes the breaker.
 * <p>
 * A COUNT_BASED window of {@code failures} calls with a 100 % threshold, judged once it holds {@code failures} calls,
 * opens exactly on {@code failures} failures in a row.
 */
public class DeliveryGate {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryGate.class);

    private final CircuitBreaker breaker;
    private final Clock clock;
    private volatile String lastFailure;
    private volatile Instant lastFailureAt;

    public DeliveryGate(int failures, Duration open, int probes) {
        this(failures, open, probes, Clock.systemUTC());
    }

    DeliveryGate(int failures, Duration open, int probes, Clock clock) {
        if (failures < 1 || probes < 1 || open.isNegative() || open.isZero()) {
            throw new IllegalArgumentException("sluice.delivery.breaker-failures and breaker-probes must be at least 1 and "
                    + "breaker-open-seconds positive, got: " + failures + ", " + probes + ", " + open.toSeconds());
        }
        this.clock = clock;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(failures)
                .minimumNumberOfCalls(failures)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(probes)
                .waitDurationInOpenState(open)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(DeliveryGate::countsAgainstServer)
                .ignoreException(t -> FailureClassifier.classify(t) == FailureClassifier.Kind.PERMANENT)
                // Refusals are counted, not debugged: no stack trace per refused recipient.
                .writableStackTraceEnabled(false)
                .build();
        breaker = CircuitBreaker.of("deliveryBreaker", config);
        breaker.getEventPublisher()
                .onError(e -> {
                    if (countsAgainstServer(e.getThrowable())) {
                        lastFailure = FailureClassifier.describe(e.getThrowable());
                        lastFailureAt = clock.instant();
                    }
                })
                .onStateTransition(e -> {
                    switch (e.getStateTransition().getToState()) {
                        case OPEN -> LOG.warn("Delivery breaker open: sending stops, a probe goes out in {} s (last delivery "
                                + "failure: {})", open.toSeconds(), lastFailure == null ? "none" : lastFailure);
                        case HALF_OPEN -> LOG.info("Delivery breaker half-open: the next {} send(s) probe the server", probes);
                        case CLOSED -> LOG.info("Delivery breaker closed: a probe was delivered, sending resumes");
                        default -> LOG.warn("Delivery breaker now {}", e.getStateTransition().getToState());
                    }
                });
    }

    /** Transient and ambiguous failures say the server (or the way to it) is in trouble. */
    static boolean countsAgainstServer(Throwable failure) {
        FailureClassifier.Kind kind = FailureClassifier.classify(failure);
        return kind == FailureClassifier.Kind.TRANSIENT || kind == FailureClassifier.Kind.AMBIGUOUS;
    }

    /** The resilience4j breaker that recipient-send's circuitBreaker step uses (bound as {@code deliveryBreaker}). */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** Open: nothing may be sent until the probe time. Half-open is not open: its probes need recipients. */
    public boolean isOpen() {
        CircuitBreaker.State state = breaker.getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    /**
     * Why dispatch must not claim now, or null. When a tick opens, only an open breaker shuts the gate: a half-open one
     * waits for a probe, which needs a recipient. Before a further chunk a half-open breaker shuts it too: the probes are
     * under way and every other recipient would only be refused and released.
     */
    public String closed(boolean tickOpening) {
        CircuitBreaker.State state = breaker.getState();
        if (isOpen() || (!tickOpening && state == CircuitBreaker.State.HALF_OPEN)) {
            return "delivery breaker " + state.name().toLowerCase(Locale.ROOT).replace('_', '-') + ": "
                    + (lastFailure == null ? "opened by hand" : lastFailure);
        }
        return null;
    }

    /** For GET /api/status: the breaker's state and the last failure that counted against the server. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("breaker", breaker.getState().name());
        status.put("lastFailure", lastFailure);
        status.put("lastFailureAt", lastFailureAt == null ? null : lastFailureAt.toString());
        status.put("failedCalls", breaker.getMetrics().getNumberOfFailedCalls());
        status.put("refusedCalls", breaker.getMetrics().getNumberOfNotPermittedCalls());
        return status;
    }
}
