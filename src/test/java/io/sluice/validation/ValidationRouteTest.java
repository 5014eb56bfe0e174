package io.sluice.validation;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The validation routes against WireMock stubs of NeverBounce and Email List Verify: the cache is filled with each
 * provider's own code, failover on a business failure with the alert in /api/status, retries with backoff on
 * transient failures only, the per-call timeout, the + disagreement, the concurrency cap, expiry.
 */
@org.junit.jupiter.api.Timeout(90)
class ValidationRouteTest {

    private ProviderStubs stubs;
    private SluiceRunner sluice;

    @BeforeEach
    void stubs() {
        stubs = new ProviderStubs();
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        stubs.close();
    }

    private SluiceRunner start(String... overrides) {
        sluice = new SluiceRunner(SluiceRunner.tempDir("validation"))
                .set("sluice.validation.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.neverbounce.api-url", stubs.url())
                .set("sluice.neverbounce.api-key", ProviderStubs.NB_KEY)
                .set("sluice.emaillistverify.api-url", stubs.url())
                .set("sluice.emaillistverify.api-key", ProviderStubs.ELV_KEY)
                .set("sluice.validation.retry-attempts", "2")
                .set("sluice.validation.retry-delay-ms", "200")
                .set("sluice.validation.retry-max-delay-ms", "1000")
                .set("sluice.neverbounce.timeout-ms", "5000")
                .set("sluice.emaillistverify.timeout-ms", "5000");
        for (int i = 0; i < overrides.length; i += 2) {
            sluice.set(overrides[i], overrides[i + 1]);
        }
        return sluice.start();
    }

    private void audience(String... emails) {
        sluice.campaign("Hello", "Hi", null, "email\n" + String.join("\n", emails) + "\n", null);
    }

    private String run() {
        var response = sluice.call("POST", "/api/validation/run", null, null);
        assertThat(response.statusCode()).as("validation run answer: " + response.body()).isEqualTo(200);
        return response.body();
    }

    private Map<String, Object> entry(String email) {
        List<Map<String, Object>> rows = sluice.jdbc().queryForList(
                "SELECT text_code, provider, checked_at FROM email_validation_cache WHERE email = ?", email);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String status() {
        return sluice.call("GET", "/api/status", null, null).body();
    }

    @Test
    void should_cache_each_providers_own_code_and_send_the_key_only_in_the_body() {
        start();
        stubs.neverBounce("ada@example.com", ProviderStubs.nbResult("valid", "has_dns", "has_dns_mx", "smtp_connectable"));
        stubs.neverBounce("gone@example.com", ProviderStubs.nbResult("invalid", "has_dns", "has_dns_mx"));
        stubs.neverBounce("any@catchall.example", ProviderStubs.nbResult("catchall", "has_dns", "has_dns_mx"));
        audience("ada@example.com", "Gone@Example.com", "any@catchall.example", "temp@mailinator.com");

        String answer = run();

        assertThat(answer).contains("\"cached\":3");
        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "valid").containsEntry("PROVIDER", "neverbounce");
        assertThat(entry("gone@example.com")).containsEntry("TEXT_CODE", "invalid");
        assertThat(entry("any@catchall.example")).containsEntry("TEXT_CODE", "catchall");
        assertThat(entry("temp@mailinator.com")).as("a disposable domain is settled locally, no provider spend")
                .containsEntry("TEXT_CODE", "disposable").containsEntry("PROVIDER", "local");
        assertThat(sluice.management("GET", "/observe/metrics", null).body()).as("every provider call counted by outcome")
                .contains("sluice_validation_calls_total{outcome=\"valid\",provider=\"neverbounce\"} 1.0")
                .contains("sluice_validation_calls_total{outcome=\"invalid\",provider=\"neverbounce\"} 1.0")
                .contains("sluice_validation_calls_total{outcome=\"catchall\",provider=\"neverbounce\"} 1.0");
        stubs.server.verify(3, postRequestedFor(urlPathEqualTo("/v4/single/check"))
                .withRequestBody(containing("key=" + ProviderStubs.NB_KEY)));
        stubs.server.getAllServeEvents().forEach(event -> assertThat(event.getRequest().getUrl())
                .as("the NeverBounce key never travels in a URL").doesNotContain(ProviderStubs.NB_KEY));
        stubs.server.verify(0, getRequestedFor(urlPathEqualTo("/api/verifyEmail")));
        String check = sluice.call("POST", "/api/addresses/check", "text/plain", "ada@example.com\nany@catchall.example\n").body();
        assertThat(check).contains("\"verdict\":\"deliverable\"", "\"verdict\":\"risky\"");
        assertThat(status()).contains("\"creditsUsed\":3").doesNotContain(ProviderStubs.NB_KEY, ProviderStubs.ELV_KEY);
        String metrics = sluice.management("GET", "/observe/metrics", null).body();
        assertThat(metrics).as("calls by outcome, their latency and the credits NeverBounce reported, on the management port")
                .contains("sluice_validation_calls_total{outcome=\"valid\",provider=\"neverbounce\"} 1.0",
                        "sluice_validation_calls_total{outcome=\"catchall\",provider=\"neverbounce\"} 1.0",
                        "sluice_validation_call_duration_seconds_count{provider=\"neverbounce\"} 3",
                        "sluice_validation_credits_total{provider=\"neverbounce\"} 3.0");

        assertThat(run()).as("a second run finds nothing left to validate").contains("\"selected\":0");
        stubs.server.verify(3, postRequestedFor(urlPathEqualTo("/v4/single/check")));
    }

    @Test
    void should_stop_a_provider_on_auth_failure_fail_over_and_raise_the_alert() {
        start();
        stubs.neverBounceAll(okJson(ProviderStubs.nbError("auth_failure", "Invalid API key 'abc'")));
        stubs.emailListVerify("ada@example.com", "ok");
        stubs.emailListVerify("bob@example.com", "email_disabled");
        stubs.emailListVerify("cy@example.com", "ok_for_all");
        audience("ada@example.com", "bob@example.com", "cy@example.com");

        run();

        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "ok").containsEntry("PROVIDER", "emaillistverify");
        assertThat(entry("bob@example.com")).containsEntry("TEXT_CODE", "email_disabled");
        assertThat(entry("cy@example.com")).containsEntry("TEXT_CODE", "ok_for_all");
        assertThat(stubs.server.findAll(postRequestedFor(urlPathEqualTo("/v4/single/check"))).size())
                .as("a locked-out provider is not called again once the failure is known (at most the calls already in flight)")
                .isLessThanOrEqualTo(3);
        stubs.server.verify(getRequestedFor(urlPathEqualTo("/api/verifyEmail")).withQueryParam("secret", equalTo(ProviderStubs.ELV_KEY)));
        String status = status();
        assertThat(status).contains("\"state\":\"stopped\"", "neverbounce stopped: auth_failure: Invalid API key");

        int before = stubs.server.findAll(postRequestedFor(urlPathEqualTo("/v4/single/check"))).size();
        sluice.jdbc().update("DELETE FROM email_validation_cache");
        run();
        stubs.server.verify(before, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(entry("ada@example.com")).containsEntry("PROVIDER", "emaillistverify");

        assertThat(sluice.call("POST", "/api/validation/providers/neverbounce/resume", null, null).body())
                .contains("\"state\":\"active\"");
        assertThat(status()).doesNotContain("neverbounce stopped");
        assertThat(sluice.call("POST", "/api/validation/providers/zerobounce/resume", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void should_stop_email_list_verify_on_its_key_error_answer() {
        start("sluice.validation.providers", "emaillistverify,neverbounce");
        stubs.emailListVerifyAll(aResponse().withStatus(200).withBody("Key not valid"));
        stubs.neverBounce("ada@example.com", ProviderStubs.nbResult("valid"));
        audience("ada@example.com");

        run();

        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "valid").containsEntry("PROVIDER", "neverbounce");
        assertThat(status()).contains("emaillistverify stopped: key not valid");
    }

    @Test
    void should_retry_5xx_and_throttle_answers_with_growing_delays_then_cache() {
        start();
        String scenario = "flaky";
        stubs.server.stubFor(post(urlPathEqualTo("/v4/single/check")).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("Service Unavailable")).willSetStateTo("throttled"));
        stubs.server.stubFor(post(urlPathEqualTo("/v4/single/check")).inScenario(scenario).whenScenarioStateIs("throttled")
                .willReturn(okJson(ProviderStubs.nbError("throttle_triggered", "Too many requests in a short amount of time")))
                .willSetStateTo("fine"));
        stubs.server.stubFor(post(urlPathEqualTo("/v4/single/check")).inScenario(scenario).whenScenarioStateIs("fine")
                .willReturn(okJson(ProviderStubs.nbResult("valid"))));
        audience("ada@example.com");

        run();

        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "valid").containsEntry("PROVIDER", "neverbounce");
        var calls = stubs.server.findAll(postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(calls).hasSize(3);
        long first = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        long second = calls.get(2).getLoggedDate().getTime() - calls.get(1).getLoggedDate().getTime();
        assertThat(first).as("first retry waits half to all of 200 ms").isGreaterThanOrEqualTo(100);
        assertThat(second).as("second retry waits half to all of 400 ms").isGreaterThanOrEqualTo(200);
        stubs.server.verify(0, getRequestedFor(urlPathEqualTo("/api/verifyEmail")));
        assertThat(status()).contains("\"retries\":2");
    }

    @Test
    void should_fail_over_after_the_retries_of_a_provider_that_keeps_failing() {
        start();
        stubs.neverBounceAll(okJson(ProviderStubs.nbError("temp_unavail", "Service is temporarily unavailable")));
        stubs.emailListVerify("ada@example.com", "ok");
        audience("ada@example.com");

        run();

        stubs.server.verify(3, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "ok").containsEntry("PROVIDER", "emaillistverify");
        assertThat(status()).as("a transient failure is no business failure").doesNotContain("neverbounce stopped");
    }

    @Test
    void should_not_retry_a_permanent_failure() {
        start();
        stubs.neverBounceAll(okJson(ProviderStubs.nbError("general_failure", "Missing required parameter 'email'")));
        stubs.emailListVerify("ada@example.com", "ok");
        audience("ada@example.com");

        run();

        stubs.server.verify(1, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "ok");
        assertThat(status()).contains("\"retries\":0").doesNotContain("neverbounce stopped");
    }

    @Test
    void should_cut_a_slow_call_at_the_per_call_timeout() {
        start("sluice.neverbounce.timeout-ms", "400", "sluice.validation.retry-attempts", "1");
        stubs.neverBounceAll(okJson(ProviderStubs.nbResult("valid")).withFixedDelay(6000));
        stubs.emailListVerify("ada@example.com", "ok");
        audience("ada@example.com");

        long started = System.nanoTime();
        run();
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(entry("ada@example.com")).containsEntry("TEXT_CODE", "ok").containsEntry("PROVIDER", "emaillistverify");
        assertThat(tookMs).as("two 400 ms timeouts and one short backoff, not a 6 s answer").isLessThan(5500);
        assertThat(status()).contains("\"transient\":2");
    }

    @Test
    void should_not_cache_a_syntax_rejection_of_a_sound_plus_address_and_count_it() {
        start();
        stubs.neverBounce("grace+news@example.org", ProviderStubs.nbResult("invalid", "bad_syntax"));
        stubs.emailListVerify("grace+news@example.org", "ok");
        stubs.neverBounce("tom+a@example.org", ProviderStubs.nbResult("invalid", "bad_syntax"));
        stubs.emailListVerify("tom+a@example.org", "invalid_syntax");
        audience("grace+news@example.org", "tom+a@example.org");

        String answer = run();

        assertThat(entry("grace+news@example.org")).as("the other provider's verdict is kept")
                .containsEntry("TEXT_CODE", "ok").containsEntry("PROVIDER", "emaillistverify");
        assertThat(entry("tom+a@example.org")).as("both providers reject a sound + address: left pending, not cached").isNull();
        assertThat(answer).contains("\"leftPending\":1");
        assertThat(sluice.state("tom+a@example.org")).isEqualTo("PENDING");
        assertThat(status()).contains("\"disagreements\":3");

        run();
        stubs.server.verify(2, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(entry("tom+a@example.org")).as("not asked again before sluice.validation.retry-pending-after").isNull();
    }

    @Test
    void should_keep_at_most_the_configured_calls_in_flight() {
        start("sluice.neverbounce.concurrency", "4", "sluice.validation.threads", "20");
        stubs.neverBounceAll(okJson(ProviderStubs.nbResult("valid")).withFixedDelay(250));
        String[] emails = new String[24];
        for (int i = 0; i < emails.length; i++) {
            emails[i] = "user" + i + "@example.com";
        }
        audience(emails);

        run();

        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM email_validation_cache WHERE text_code = 'valid'", Integer.class))
                .isEqualTo(24);
        assertThat(stubs.inFlight.max.get()).as("never more than 4 in flight at the stub").isLessThanOrEqualTo(4)
                .as("but in parallel").isGreaterThanOrEqualTo(2);
    }

    @Test
    void should_revalidate_expired_entries_but_never_suppressed_or_unsubscribed_ones() {
        start("sluice.validation.max-age", "P90D");
        stubs.neverBounceAll(okJson(ProviderStubs.nbResult("invalid")));
        audience("old@example.com", "fresh@example.com", "left@example.com", "bounced@example.com");
        Timestamp old = Timestamp.from(Instant.now().minus(Duration.ofDays(100)));
        Timestamp recent = Timestamp.from(Instant.now().minus(Duration.ofDays(10)));
        var jdbc = sluice.jdbc();
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'valid', 'neverbounce', ?)", "old@example.com", old);
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'valid', 'neverbounce', ?)", "fresh@example.com", recent);
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'unsubscribed', 'unsubscribe', ?)", "left@example.com", old);
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'suppressed', 'postmark', ?)", "bounced@example.com", old);

        run();

        stubs.server.verify(1, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        stubs.server.verify(postRequestedFor(urlPathEqualTo("/v4/single/check")).withRequestBody(containing("email=old%40example.com")));
        assertThat(entry("old@example.com")).containsEntry("TEXT_CODE", "invalid");
        assertThat(entry("fresh@example.com")).containsEntry("TEXT_CODE", "valid");
        assertThat(entry("left@example.com")).containsEntry("TEXT_CODE", "unsubscribed");
        assertThat(entry("bounced@example.com")).containsEntry("TEXT_CODE", "suppressed");
    }

    @Test
    void should_count_cache_hits_and_misses_at_import_and_in_the_address_check() {
        start("sluice.validation.max-age", "P90D");
        var jdbc = sluice.jdbc();
        Timestamp old = Timestamp.from(Instant.now().minus(Duration.ofDays(100)));
        Timestamp recent = Timestamp.from(Instant.now().minus(Duration.ofDays(10)));
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'valid', 'neverbounce', ?)", "fresh@example.com", recent);
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'valid', 'neverbounce', ?)", "old@example.com", old);
        jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'suppressed', 'postmark', ?)", "bounced@example.com", old);

        // fresh and bounced (a suppression never expires) are hits; old (expired) and new are misses; the disposable
        // address is decided locally.
        audience("Fresh@example.com", "old@example.com", "bounced@example.com", "new@example.com", "temp@mailinator.com");

        String status = status();
        assertThat(status).contains("\"cache\":{\"hits\":2,\"misses\":2,\"local\":1,\"hitRate\":0.5,"
                + "\"import\":{\"hit\":2,\"miss\":2,\"local\":1},\"check\":{\"hit\":0,\"miss\":0,\"local\":0}}");
        assertThat(status).as("an expired verdict waits for validation like a missing one")
                .contains("\"waitingForValidation\":2");

        String check = sluice.call("POST", "/api/addresses/check", "text/plain",
                "fresh@example.com\nold@example.com\nnew@example.com\nnot an address\n").body();
        assertThat(check).contains("{\"email\":\"fresh@example.com\",\"code\":\"valid\",\"verdict\":\"deliverable\",\"reason\":\"cached verdict\"}",
                "{\"email\":\"old@example.com\",\"code\":\"valid\",\"verdict\":\"deliverable\",\"reason\":\"cached verdict older than sluice.validation.max-age");
        assertThat(status()).contains("\"cache\":{\"hits\":3,\"misses\":4,\"local\":2,\"hitRate\":0.4286,",
                "\"check\":{\"hit\":1,\"miss\":2,\"local\":1}}");
        assertThat(sluice.management("GET", "/observe/metrics", null).body()).contains(
                "sluice_validation_cache_lookups_total{result=\"hit\",source=\"import\"} 2.0",
                "sluice_validation_cache_lookups_total{result=\"miss\",source=\"check\"} 2.0",
                "sluice_validation_cache_hit_ratio 0.428");
    }

    @Test
    void should_leave_addresses_pending_when_no_provider_can_answer() {
        start();
        stubs.neverBounceAll(okJson(ProviderStubs.nbError("auth_failure", "Invalid API key")));
        stubs.emailListVerifyAll(aResponse().withStatus(402).withBody("no credit"));
        audience("ada@example.com");

        run();

        assertThat(entry("ada@example.com")).isNull();
        assertThat(sluice.state("ada@example.com")).isEqualTo("PENDING");
        assertThat(status()).contains("neverbounce stopped", "emaillistverify stopped", "no usable validation provider");
    }

    @Test
    void should_ask_the_next_provider_after_unknown_and_keep_unknown_when_all_say_so() {
        start();
        stubs.neverBounce("slow@example.com", ProviderStubs.nbResult("unknown"));
        stubs.emailListVerify("slow@example.com", "ok");
        stubs.neverBounce("dark@example.com", ProviderStubs.nbResult("unknown"));
        stubs.emailListVerify("dark@example.com", "unknown");
        audience("slow@example.com", "dark@example.com");

        run();

        assertThat(entry("slow@example.com")).containsEntry("TEXT_CODE", "ok").containsEntry("PROVIDER", "emaillistverify");
        assertThat(entry("dark@example.com")).containsEntry("TEXT_CODE", "unknown");
    }

    @Test
    void should_open_the_circuit_of_a_failing_provider_and_ask_the_next_one_at_once() {
        start("sluice.validation.threads", "1", "sluice.validation.retry-attempts", "0",
                "sluice.validation.breaker-window", "4", "sluice.validation.breaker-failure-rate", "50");
        stubs.neverBounceAll(aResponse().withStatus(500).withBody("Internal Server Error"));
        stubs.emailListVerifyAll(aResponse().withStatus(200).withBody("ok"));
        String[] emails = new String[10];
        for (int i = 0; i < emails.length; i++) {
            emails[i] = "user" + i + "@example.com";
        }
        audience(emails);

        run();

        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM email_validation_cache WHERE text_code = 'ok'", Integer.class))
                .isEqualTo(10);
        stubs.server.verify(4, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(status()).as("an open circuit is no business failure").contains("\"unavailable\":6").doesNotContain("neverbounce stopped");
    }

    @Test
    void should_cap_the_calls_started_per_second() {
        start("sluice.emaillistverify.max-per-second", "5", "sluice.validation.providers", "emaillistverify");
        stubs.emailListVerifyAll(aResponse().withStatus(200).withBody("ok"));
        String[] emails = new String[20];
        for (int i = 0; i < emails.length; i++) {
            emails[i] = "user" + i + "@example.com";
        }
        audience(emails);

        run();

        List<Long> at = stubs.server.findAll(getRequestedFor(urlPathEqualTo("/api/verifyEmail"))).stream()
                .map(c -> c.getLoggedDate().getTime()).sorted().toList();
        assertThat(at).hasSize(20);
        // The Throttle counts per fixed one-second window: a burst may straddle a window edge (up to 2 x 5 close
        // together), but 20 calls need at least four windows, so they span three window lengths minus the first's rest.
        assertThat(at.get(19) - at.get(0)).as("20 calls at 5 per second").isGreaterThanOrEqualTo(1950);
        for (int i = 0; i + 10 < at.size(); i++) {
            assertThat(at.get(i + 10) - at.get(i)).as("never 11 calls within one second").isGreaterThanOrEqualTo(1000 - 50);
        }
    }
}
