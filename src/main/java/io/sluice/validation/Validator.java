package io.sluice.validation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.sluice.admin.ApiException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validation policy the validation routes call: which addresses to validate, and for each provider answer what
 * happens next. One place decides: cache a verdict; retry a transient failure with exponential backoff and jitter;
 * fail over to the next provider (in {@code sluice.validation.providers} order) after a permanent failure, an open
 * circuit, an {@code unknown} or a syntax verdict the local check disagrees with (the {@code +} case); stop calling a
 * provider that fails in a business way (auth failure, locked account, no credit) and raise an alert.
 */
public class Validator {

    private static final Logger LOG = LoggerFactory.getLogger(Validator.class);

    static final String EMAIL = "validationEmail";
    static final String PROVIDER = "validationProvider";
    static final String TRIED = "validationTried";
    static final String ATTEMPT = "validationAttempt";
    static final String BACKOFF = "validationBackoffMs";
    static final String UNKNOWN = "validationUnknown";
    static final String STARTED = "validationStartedNanos";
    static final String RUN = "validationRun";

    /** What Sluice knows about one provider: configured, stopped by a business failure, and its counters. */
    static final class Provider {
        final String name;
        final boolean configured;
        volatile String alert;
        volatile Instant alertAt;
        final Map<String, LongAdder> results = new ConcurrentHashMap<>();
        final LongAdder calls = new LongAdder();
        final LongAdder retries = new LongAdder();
        final LongAdder credits = new LongAdder();
        final LongAdder latencyMs = new LongAdder();

        Provider(String name, boolean configured) {
            this.name = name;
            this.configured = configured;
        }

        boolean usable() {
            return configured && alert == null;
        }
    }

    /** Counters of one run, shared by the run's split exchanges. */
    public static final class Run {
        final Instant startedAt;
        final List<String> addresses;
        final AtomicLong local = new AtomicLong();
        final AtomicLong cached = new AtomicLong();
        final AtomicLong deferred = new AtomicLong();
        volatile Instant finishedAt;
        volatile String mode = "single";

        Run(Instant startedAt, List<String> addresses) {
            this.startedAt = startedAt;
            this.addresses = addresses;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("at", startedAt.toString());
            map.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
            map.put("mode", mode);
            map.put("selected", addresses.size() + local.get());
            map.put("local", local.get());
            map.put("cached", cached.get());
            map.put("leftPending", deferred.get());
            return map;
        }
    }

    private final Map<String, Provider> providers = new LinkedHashMap<>();
    private final LocalChecks localChecks;
    private final ValidationCache cache;
    private final PendingAddresses pending;
    private final Clock clock;
    private final Duration maxAge;
    private final int batchSize;
    private final int retryAttempts;
    private final long retryDelayMs;
    private final long retryMaxDelayMs;
    private final Duration retryPendingAfter;
    private final String mode;
    private final Duration bulkMaxWait;
    private final Map<String, Instant> deferredUntil = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong disagreements = new AtomicLong();
    private volatile Instant lastDisagreementAt;
    private volatile Run lastRun;
    private volatile CallListener calls = (provider, outcome, latencyNanos, credits) -> { };
    private Consumer<Map<String, Object>> alert = event -> { };

    public Validator(List<String> order, Map<String, Boolean> configured, LocalChecks localChecks, ValidationCache cache,
                     PendingAddresses pending, Clock clock, Duration maxAge, int batchSize, int retryAttempts,
                     long retryDelayMs, long retryMaxDelayMs, Duration retryPendingAfter, String mode, Duration bulkMaxWait) {
        for (String name : order) {
            if (!configured.containsKey(name)) {
                throw new IllegalStateException("sluice.validation.providers names an unknown provider: " + name
                        + " (known: " + configured.keySet() + ")");
            }
            providers.put(name, new Provider(name, configured.get(name)));
        }
        if (!Set.of("single", "bulk").contains(mode)) {
            throw new IllegalStateException("sluice.validation.mode must be single or bulk, got: " + mode);
        }
        this.localChecks = localChecks;
        this.cache = cache;
        this.pending = pending;
        this.clock = clock;
        this.maxAge = maxAge;
        this.batchSize = batchSize;
        this.retryAttempts = retryAttempts;
        this.retryDelayMs = retryDelayMs;
        this.retryMaxDelayMs = retryMaxDelayMs;
        this.retryPendingAfter = retryPendingAfter;
        this.mode = mode;
        this.bulkMaxWait = bulkMaxWait;
    }

    /** Hears every single-address provider call: its outcome label, latency and the credits it used (the metrics). */
    public interface CallListener {
        void called(String provider, String outcome, long latencyNanos, long credits);
    }

    public void setCallListener(CallListener calls) {
        this.calls = calls;
    }

    /** Where a business failure is announced besides the log and the status (the operators' alert webhook). */
    public void setAlert(Consumer<Map<String, Object>> alert) {
        this.alert = alert;
    }

    // ---- a run: select, validate each, finish ----

    /**
     * Starts a run: picks the next batch, caches local verdicts (disposable, role, broken syntax) at once, and leaves
     * the addresses that need a provider as the body. With no usable provider nothing is selected.
     */
    public void start(Exchange exchange) {
        Instant now = clock.instant();
        deferredUntil.values().removeIf(until -> !until.isAfter(now));
        List<String> forProviders = new ArrayList<>();
        Run run = new Run(now, forProviders);
        if (providers.values().stream().anyMatch(Provider::usable)) {
            Set<String> picked = pending.next(batchSize, now.minus(maxAge),
                    email -> deferredUntil.containsKey(email) || inFlight.contains(email));
            Map<String, String> local = new LinkedHashMap<>();
            for (String email : picked) {
                LocalChecks.Verdict verdict = localChecks.check(email);
                if (verdict.passed()) {
                    forProviders.add(email);
                } else {
                    local.put(email, verdict.code());
                }
            }
            cache.putAll(local, "local");
            run.local.set(local.size());
            inFlight.addAll(forProviders);
        }
        run.mode = useBulk(forProviders) ? "bulk" : "single";
        lastRun = run;
        exchange.setProperty(RUN, run);
        exchange.getMessage().setBody(forProviders);
    }

    /** Bulk mode sends the whole batch as one NeverBounce job (when NeverBounce is usable). */
    public boolean useBulk(List<String> addresses) {
        Provider neverBounce = providers.get(NeverBounce.NAME);
        return "bulk".equals(mode) && neverBounce != null && neverBounce.usable() && !addresses.isEmpty();
    }

    public void finish(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        run.addresses.forEach(inFlight::remove);
        run.finishedAt = clock.instant();
        if (!run.addresses.isEmpty() || run.local.get() > 0) {
            LOG.info("Validation run ({}): {} local verdicts, {} sent to providers, {} cached, {} left pending",
                    run.mode, run.local.get(), run.addresses.size(), run.cached.get(), run.deferred.get());
        }
    }

    public Map<String, Object> runNow(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        return run.toMap();
    }

    // ---- one address: ask providers in order until one gives a verdict we keep ----

    public void begin(Exchange exchange) {
        String email = exchange.getMessage().getBody(String.class);
        exchange.setProperty(EMAIL, email);
        exchange.setProperty(TRIED, new HashSet<String>());
        exchange.setProperty(ATTEMPT, 0);
        exchange.setProperty(BACKOFF, 0L);
        exchange.removeProperty(UNKNOWN);
        moveTo(exchange, nextProvider(exchange));
    }

    /** Reads the provider's answer (the body) and sets the next step: done, retry after a backoff, or another provider. */
    public void judge(Exchange exchange) {
        String email = exchange.getProperty(EMAIL, String.class);
        String name = exchange.getProperty(PROVIDER, String.class);
        Provider provider = providers.get(name);
        ProviderAnswer answer = exchange.getMessage().getBody(ProviderAnswer.class);
        if (answer == null) {
            answer = ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, "no answer");
        }
        Long started = exchange.getProperty(STARTED, Long.class);
        long latencyNanos = started == null ? 0 : System.nanoTime() - started;
        provider.latencyMs.add(latencyNanos / 1_000_000);
        provider.calls.increment();
        provider.results.computeIfAbsent(answer.label(), k -> new LongAdder()).increment();
        provider.credits.add(answer.creditsUsed());
        calls.called(name, answer.label(), latencyNanos, answer.creditsUsed());
        exchange.setProperty(BACKOFF, 0L);

        switch (answer.kind()) {
            case VERDICT -> {
                if (answer.syntaxRejected() && EmailSyntax.check(email).valid()) {
                    long n = disagreements.incrementAndGet();
                    lastDisagreementAt = clock.instant();
                    LOG.warn("{} called {} {} but the local syntax check finds it sound: not cached ({} disagreements)",
                            name, email, answer.code(), n);
                    failOver(exchange);
                } else if ("unknown".equals(Verdicts.of(answer.code())) && nextProvider(exchange) != null) {
                    exchange.setProperty(UNKNOWN, new String[] {name, answer.code()});
                    failOver(exchange);
                } else {
                    store(exchange, email, answer.code(), name);
                }
            }
            case TRANSIENT -> {
                int attempt = exchange.getProperty(ATTEMPT, Integer.class) + 1;
                if (attempt <= retryAttempts && provider.usable()) {
                    exchange.setProperty(ATTEMPT, attempt);
                    exchange.setProperty(BACKOFF, backoff(attempt));
                    provider.retries.increment();
                    LOG.debug("{} transient failure for an address ({}), retry {} of {} in {} ms", name, answer.reason(), attempt,
                            retryAttempts, exchange.getProperty(BACKOFF));
                } else {
                    LOG.warn("{} still failing after {} retries ({}): next provider", name, retryAttempts, answer.reason());
                    failOver(exchange);
                }
            }
            case BUSINESS -> {
                disable(provider, answer.reason());
                failOver(exchange);
            }
            case PERMANENT, UNAVAILABLE -> {
                LOG.warn("{} could not validate an address ({}): next provider", name, answer.reason());
                failOver(exchange);
            }
        }
    }

    /** Exponential backoff with full jitter between half and all of the doubled delay, capped. */
    long backoff(int attempt) {
        long ceiling = Math.min(retryMaxDelayMs, retryDelayMs << Math.min(attempt - 1, 20));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    private void failOver(Exchange exchange) {
        String next = nextProvider(exchange);
        if (next == null) {
            String[] unknown = exchange.getProperty(UNKNOWN, String[].class);
            String email = exchange.getProperty(EMAIL, String.class);
            if (unknown != null) {
                // every provider asked said unknown: keep the last one's code (dispatch skips it with that code)
                store(exchange, email, unknown[1], unknown[0]);
            } else {
                defer(exchange, email);
            }
            exchange.removeProperty(PROVIDER);
            return;
        }
        moveTo(exchange, next);
    }

    private String nextProvider(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Set<String> tried = exchange.getProperty(TRIED, Set.class);
        String current = exchange.getProperty(PROVIDER, String.class);
        for (Provider provider : providers.values()) {
            if (provider.usable() && !tried.contains(provider.name) && !provider.name.equals(current)) {
                return provider.name;
            }
        }
        return null;
    }

    private void moveTo(Exchange exchange, String provider) {
        String current = exchange.getProperty(PROVIDER, String.class);
        if (current != null) {
            @SuppressWarnings("unchecked")
            Set<String> tried = exchange.getProperty(TRIED, Set.class);
            tried.add(current);
        }
        if (provider == null) {
            exchange.removeProperty(PROVIDER);
            String email = exchange.getProperty(EMAIL, String.class);
            if (current == null && email != null && exchange.getProperty(UNKNOWN) == null) {
                defer(exchange, email); // no usable provider at all
            }
        } else {
            exchange.setProperty(PROVIDER, provider);
            exchange.setProperty(ATTEMPT, 0);
        }
    }

    private void store(Exchange exchange, String email, String code, String provider) {
        cache.put(email, code, provider);
        inFlight.remove(email);
        Run run = exchange.getProperty(RUN, Run.class);
        if (run != null) {
            run.cached.incrementAndGet();
        }
        exchange.removeProperty(UNKNOWN);
        exchange.removeProperty(PROVIDER); // settled: the provider loop ends
    }

    private void defer(Exchange exchange, String email) {
        if (deferredUntil.put(email, clock.instant().plus(retryPendingAfter)) == null) {
            Run run = exchange.getProperty(RUN, Run.class);
            if (run != null) {
                run.deferred.incrementAndGet();
            }
        }
        inFlight.remove(email);
    }

    /** Called before each provider call, for the latency figure. */
    public void calling(Exchange exchange) {
        exchange.setProperty(STARTED, System.nanoTime());
    }

    private void disable(Provider provider, String reason) {
        synchronized (provider) {
            if (provider.alert != null) {
                return;
            }
            provider.alert = reason;
            provider.alertAt = clock.instant();
        }
        LOG.error("Validation provider {} stopped: {}. Fix the account, then POST /api/validation/providers/{}/resume",
                provider.name, reason, provider.name);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", "sluice.validation-provider-stopped");
        event.put("provider", provider.name);
        event.put("reason", reason);
        event.put("at", provider.alertAt.toString());
        alert.accept(event);
    }

    /** POST /api/validation/providers/{name}/resume: a person fixed the account; call the provider again. */
    public Map<String, Object> resume(String name) {
        Provider provider = providers.get(name);
        if (provider == null) {
            throw ApiException.notFound("no validation provider " + name + " (configured order: " + providers.keySet() + ")");
        }
        provider.alert = null;
        provider.alertAt = null;
        LOG.info("Validation provider {} resumed by the admin API", name);
        return providerStatus(provider);
    }

    // ---- bulk mode: one NeverBounce job for the whole batch ----

    public void bulkCreated(Exchange exchange, Object created) {
        exchange.setProperty("validationBulkStartedAt", clock.instant());
        if (created instanceof Long id) {
            exchange.setProperty("validationJobId", id);
            exchange.setProperty("validationJobState", "waiting");
            LOG.info("NeverBounce bulk job {} created", id);
        } else {
            bulkFailed(exchange, (ProviderAnswer) created);
        }
    }

    public void bulkPolled(Exchange exchange, Object state) {
        if (state instanceof ProviderAnswer failure) {
            bulkFailed(exchange, failure);
            return;
        }
        Instant started = exchange.getProperty("validationBulkStartedAt", Instant.class);
        if ("waiting".equals(state) && clock.instant().isAfter(started.plus(bulkMaxWait))) {
            bulkFailed(exchange, ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT,
                    "job not complete after " + bulkMaxWait));
            return;
        }
        exchange.setProperty("validationJobState", state);
    }

    private void bulkFailed(Exchange exchange, ProviderAnswer failure) {
        Provider provider = providers.get(NeverBounce.NAME);
        provider.results.computeIfAbsent(failure.label(), k -> new LongAdder()).increment();
        if (failure.kind() == ProviderAnswer.Kind.BUSINESS) {
            disable(provider, failure.reason());
        } else {
            LOG.warn("NeverBounce bulk job failed: {}; the addresses stay pending", failure.reason());
        }
        exchange.setProperty("validationJobState", "failed");
    }

    /** Writes a downloaded job's results into the cache, with the same {@code +} rule as single checks. */
    public void bulkResults(Exchange exchange, List<NeverBounce.BulkRow> rows) {
        Run run = exchange.getProperty(RUN, Run.class);
        Provider provider = providers.get(NeverBounce.NAME);
        Map<String, String> verdicts = new LinkedHashMap<>();
        for (NeverBounce.BulkRow row : rows) {
            String email = row.email().strip().toLowerCase(java.util.Locale.ROOT);
            provider.calls.increment();
            provider.results.computeIfAbsent(row.result(), k -> new LongAdder()).increment();
            if (row.badSyntax() && "invalid".equals(row.result()) && EmailSyntax.check(email).valid()) {
                long n = disagreements.incrementAndGet();
                lastDisagreementAt = clock.instant();
                LOG.warn("neverbounce (bulk) called {} bad syntax but the local syntax check finds it sound: not cached ({} disagreements)", email, n);
                continue;
            }
            verdicts.put(email, row.result());
        }
        cache.putAll(verdicts, NeverBounce.NAME);
        if (run != null) {
            run.cached.addAndGet(verdicts.size());
        }
        exchange.setProperty("validationBulkCached", verdicts.keySet());
    }

    /** Whatever a bulk run did not cache stays pending and is tried again after sluice.validation.retry-pending-after. */
    public void bulkFinished(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        @SuppressWarnings("unchecked")
        Set<String> cached = exchange.getProperty("validationBulkCached", Set.class);
        for (String email : run.addresses) {
            if (cached == null || !cached.contains(email)) {
                defer(exchange, email);
            }
        }
    }

    // ---- status ----

    public Map<String, Object> status() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("mode", mode);
        map.put("maxAgeDays", maxAge.toDays());
        List<String> alerts = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Provider provider : providers.values()) {
            list.add(providerStatus(provider));
            if (provider.alert != null) {
                alerts.add(provider.name + " stopped: " + provider.alert);
            }
        }
        if (providers.values().stream().noneMatch(Provider::usable)) {
            alerts.add("no usable validation provider: unvalidated recipients wait");
        }
        map.put("alerts", alerts);
        map.put("providers", list);
        map.put("disagreements", disagreements.get());
        map.put("lastDisagreementAt", lastDisagreementAt == null ? null : lastDisagreementAt.toString());
        map.put("leftPending", deferredUntil.size());
        Run run = lastRun;
        map.put("lastRun", run == null ? null : run.toMap());
        return map;
    }

    private Map<String, Object> providerStatus(Provider provider) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", provider.name);
        map.put("state", !provider.configured ? "unconfigured" : provider.alert != null ? "stopped" : "active");
        map.put("alert", provider.alert);
        map.put("alertAt", provider.alertAt == null ? null : provider.alertAt.toString());
        long calls = provider.calls.sum();
        map.put("calls", calls);
        Map<String, Long> results = new TreeMap<>();
        provider.results.forEach((k, v) -> results.put(k, v.sum()));
        map.put("results", results);
        map.put("retries", provider.retries.sum());
        map.put("creditsUsed", provider.credits.sum());
        map.put("meanLatencyMs", calls == 0 ? 0 : provider.latencyMs.sum() / calls);
        return map;
    }
}
