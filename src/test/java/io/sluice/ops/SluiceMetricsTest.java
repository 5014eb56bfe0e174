package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.dispatch.SendControl;
import io.sluice.validation.CacheLookups;
import org.junit.jupiter.api.Test;

class SluiceMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger reads = new AtomicInteger();
    private final MutableClock clock = new MutableClock();

    @Test
    void gauges_read_send_control_at_most_once_per_ttl_however_often_prometheus_scrapes() {
        new SluiceMetrics(registry, () -> {
            reads.incrementAndGet();
            return new SendControl.RampState(2, Instant.EPOCH, false, true, 1000);
        }, () -> Map.of("bounceRate", 1.5, "complaintRate", 0.02), 10, Duration.ofSeconds(5), clock);

        for (int i = 0; i < 20; i++) {
            registry.scrape();
        }
        assertThat(reads).hasValue(1);
        String text = registry.scrape();
        assertThat(text).contains("sluice_send_limit 1000.0", "sluice_ramp_step 3.0", "sluice_halted 1.0",
                "sluice_bounce_rate_percent 1.5", "sluice_complaint_rate_percent 0.02");

        clock.now = clock.now.plusSeconds(6);
        registry.scrape();
        assertThat(reads).hasValue(2);
    }

    @Test
    void exposes_the_validation_cache_lookups_and_hit_rate() {
        SluiceMetrics metrics = new SluiceMetrics(registry, () -> null, Map::of, 10, Duration.ZERO, clock);
        CacheLookups lookups = new CacheLookups();
        metrics.cacheLookups(lookups);
        assertThat(registry.scrape()).contains("sluice_validation_cache_hit_ratio NaN");

        lookups.add(CacheLookups.Source.IMPORT, CacheLookups.Result.HIT, 3);
        lookups.add(CacheLookups.Source.IMPORT, CacheLookups.Result.MISS, 1);
        lookups.add(CacheLookups.Source.CHECK, CacheLookups.Result.LOCAL, 2);

        assertThat(registry.scrape()).contains(
                "sluice_validation_cache_lookups_total{result=\"hit\",source=\"import\"} 3.0",
                "sluice_validation_cache_lookups_total{result=\"miss\",source=\"import\"} 1.0",
                "sluice_validation_cache_lookups_total{result=\"local\",source=\"check\"} 2.0",
                "sluice_validation_cache_hit_ratio 0.75");
    }

    @Test
    void counts_failures_by_class_ambiguous_included_and_recipients_the_delivery_breaker_released() {
        SluiceMetrics metrics = new SluiceMetrics(registry, () -> null, Map::of, 10, Duration.ZERO, clock);
        assertThat(registry.scrape()).as("every class exists before the first failure").contains(
                "sluice_failures_total{class=\"transient\"} 0.0", "sluice_failures_total{class=\"ambiguous\"} 0.0",
                "sluice_failures_total{class=\"permanent\"} 0.0", "sluice_delivery_released_total 0.0");

        metrics.failed("ambiguous");
        metrics.failed("ambiguous");
        metrics.released();

        assertThat(registry.scrape()).contains("sluice_failures_total{class=\"ambiguous\"} 2.0",
                "sluice_delivery_released_total 1.0");
    }

    @Test
    void a_database_error_keeps_the_last_values_instead_of_failing_the_scrape() {
        AtomicInteger calls = new AtomicInteger();
        new SluiceMetrics(registry, () -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("database down");
            }
            return new SendControl.RampState(0, null, false, false, 10);
        }, Map::of, 10, Duration.ZERO, clock);

        assertThat(registry.scrape()).contains("sluice_send_limit 10.0");
        assertThat(registry.scrape()).contains("sluice_send_limit 10.0").contains("sluice_bounce_rate_percent NaN");
    }

    @Test
    void refuses_a_management_password_the_users_file_would_misread() {
        assertThatThrownBy(() -> ManagementAccess.check("ops", "a,b")).hasMessageContaining("comma");
        assertThatThrownBy(() -> ManagementAccess.check("ops", " padded")).hasMessageContaining("space");
        assertThatThrownBy(() -> ManagementAccess.check("o=ps", "secret")).hasMessageContaining("username");
        ManagementAccess.check("ops.team@example", "s3cr=t:!#");
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
