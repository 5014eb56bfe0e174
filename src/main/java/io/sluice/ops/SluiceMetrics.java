package io.sluice.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.dispatch.DispatchOutcomes;
import io.sluice.dispatch.SendControl;
import io.sluice.validation.CacheLookups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's own Prometheus meters, beside Camel's route meters at /observe/metrics. Counters are incremented as
 * outcomes are recorded (never a count over the recipient table per scrape); the gauges read in-memory state: the
 * guard's last figures, and one cached row of send control refreshed at most once per {@code snapshotTtl}.
 *
 * <p>Validation providers report each call with {@link #validationCall(String, String)} (bean {@code sluiceMetrics}).
 */
public class SluiceMetrics implements DispatchOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(SluiceMetrics.class);

    private final MeterRegistry registry;
    private final Counter sends;
    private final Supplier<SendControl.RampState> control;
    private final Supplier<Map<String, Object>> guardFigures;
    private final int rampSteps;
    private final Duration snapshotTtl;
    private final Clock clock;
    private final Counter released;
    private volatile SendControl.RampState snapshot;
    private volatile Instant snapshotAt = Instant.EPOCH;

    public SluiceMetrics(MeterRegistry registry, Supplier<SendControl.RampState> control,
                         Supplier<Map<String, Object>> guardFigures, int rampSteps, Duration snapshotTtl, Clock clock) {
        this.registry = registry;
        this.control = control;
        this.guardFigures = guardFigures;
        this.rampSteps = rampSteps;
        this.snapshotTtl = snapshotTtl;
        this.clock = clock;
        this.sends = Counter.builder("sluice.sends").description("Messages handed to the mail server (recorded SENT)")
                .register(registry);
        this.released = Counter.builder("sluice.delivery.released")
                .description("Claimed recipients given back to the pool unsent because the delivery breaker was open")
                .register(registry);
        // Registered now so the series exist from the first scrape, before anything failed.
        failures("transient");
        failures("ambiguous");
        failures("permanent");
        // Strong references: Micrometer holds a gauge's object weakly by default, and a gauge whose object was collected
        // reads NaN for ever (SluiceMetricsTest, which keeps no reference, saw NaN once a GC ran between two scrapes).
        Gauge.builder("sluice.send.limit", this, m -> m.control(s -> s.sendLimit())).strongReference(true)
                .description("Messages a dispatch tick may claim (0 = nothing leaves)").register(registry);
        Gauge.builder("sluice.ramp.step", this, m -> m.control(s -> Math.min(s.step(), m.rampSteps - 1) + 1)).strongReference(true)
                .description("Current step of the ramp, 1-based").register(registry);
        Gauge.builder("sluice.halted", this, m -> m.control(s -> s.halted() ? 1 : 0)).strongReference(true)
                .description("1 while sending is halted until a person resumes it, else 0").register(registry);
        Gauge.builder("sluice.bounce.rate", this, m -> m.figure("bounceRate")).baseUnit("percent").strongReference(true)
                .description("Bounce rate in the guard's window at its last check (NaN before the first)").register(registry);
        Gauge.builder("sluice.complaint.rate", this, m -> m.figure("complaintRate")).baseUnit("percent").strongReference(true)
                .description("Spam-complaint rate in the guard's window at its last check (NaN before the first)")
                .register(registry);
    }

    @Override
    public void sent() {
        sends.increment();
    }

    @Override
    public void skipped(String code) {
        Counter.builder("sluice.skips").description("Recipients skipped, by validation-cache code (or duplicate)")
                .tag("code", code == null ? "none" : code.toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    @Override
    public void failed(String failureClass) {
        failures(failureClass).increment();
    }

    @Override
    public void released() {
        released.increment();
    }

    /**
     * One call to a validation provider: {@code provider} as configured (neverbounce, emaillistverify, ...),
     * {@code outcome} the verdict or error class (valid, invalid, catchall, unknown, timeout, error, ...), how long it
     * took from the request to the answer, and the credits the provider reported for it.
     */
    public void validationCall(String provider, String outcome, long latencyNanos, long credits) {
        String name = provider.toLowerCase(Locale.ROOT);
        Counter.builder("sluice.validation.calls").description("Calls to validation providers, by provider and outcome")
                .tag("provider", name).tag("outcome", outcome.toLowerCase(Locale.ROOT))
                .register(registry).increment();
        Timer.builder("sluice.validation.call.duration").description("Time from a validation request to its answer, by provider")
                .tag("provider", name).register(registry).record(latencyNanos, TimeUnit.NANOSECONDS);
        Counter.builder("sluice.validation.credits").description("Credits used at validation providers, as they report them")
                .tag("provider", name).register(registry).increment(credits);
    }

    /**
     * The validation cache's lookups ({@code sluice_validation_cache_lookups_total{source,result}}: hit, miss, local)
     * and the hit rate since start ({@code sluice_validation_cache_hit_ratio}: hits / (hits + misses), NaN before the
     * first lookup a provider could have answered).
     */
    public void cacheLookups(CacheLookups lookups) {
        for (CacheLookups.Source source : CacheLookups.Source.values()) {
            for (CacheLookups.Result result : CacheLookups.Result.values()) {
                FunctionCounter.builder("sluice.validation.cache.lookups", lookups, l -> l.count(source, result))
                        .description("Addresses looked up in the validation cache (each imported recipient, each address checked), by what was found")
                        .tag("source", source.label()).tag("result", result.label()).register(registry);
            }
        }
        Gauge.builder("sluice.validation.cache.hit.ratio", lookups, l -> {
            Double rate = l.hitRate();
            return rate == null ? Double.NaN : rate;
        }).strongReference(true).description("Share of lookups answered by a fresh cached verdict, since start (hits / (hits + misses))").register(registry);
    }

    private Counter failures(String failureClass) {
        return Counter.builder("sluice.failures")
                .description("Delivery attempts that failed: transient (returned to the pool or given up), ambiguous (no reply "
                        + "to the data: UNKNOWN at-most-once, returned to the pool at-least-once) or permanent")
                .tag("class", failureClass).register(registry);
    }

    private double control(java.util.function.ToDoubleFunction<SendControl.RampState> value) {
        SendControl.RampState state = snapshot();
        return state == null ? Double.NaN : value.applyAsDouble(state);
    }

    private SendControl.RampState snapshot() {
        Instant now = clock.instant();
        if (snapshot == null || Duration.between(snapshotAt, now).compareTo(snapshotTtl) >= 0) {
            synchronized (this) {
                if (snapshot == null || Duration.between(snapshotAt, now).compareTo(snapshotTtl) >= 0) {
                    try {
                        snapshot = control.get();
                    } catch (RuntimeException e) {
                        // A scrape must not fail with the database: keep the last values, and say so once per refresh.
                        LOG.warn("Send-control gauges not refreshed: {}", e.getMessage());
                    }
                    snapshotAt = now;
                }
            }
        }
        return snapshot;
    }

    private double figure(String key) {
        Object value = guardFigures.get().get(key);
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
