package io.sluice.advisories;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CVE-2026-85251: a provider that answers with a redirect to another host (here: {@code localhost} and another port,
 * another origin than the configured {@code 127.0.0.1}) must not receive the Postmark token or a provider key there.
 * Sluice follows no redirect; the 3xx is a failed call: the sync fails, the address stays pending.
 */
@Timeout(120)
class ProviderRedirectTest {

    static final String SERVER_TOKEN = "postmark-token-under-test";
    static final String NB_KEY = "nb-key-under-test";
    static final String ELV_KEY = "elv-key-under-test";

    private WireMockServer providers;
    private WireMockServer elsewhere;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        providers = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        providers.start();
        elsewhere = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        elsewhere.start();
        elsewhere.stubFor(any(anyUrl()).willReturn(okJson("{\"MessageStreams\":[],\"Suppressions\":[],\"status\":\"success\","
                + "\"result\":\"valid\",\"flags\":[],\"execution_time\":1}")));
        sluice = new SluiceRunner(SluiceRunner.tempDir("redirects"))
                .set("sluice.postmark.api-url", configured())
                .set("sluice.postmark.server-token", SERVER_TOKEN)
                .set("sluice.neverbounce.api-url", configured())
                .set("sluice.neverbounce.api-key", NB_KEY)
                .set("sluice.emaillistverify.api-url", configured())
                .set("sluice.emaillistverify.api-key", ELV_KEY)
                .set("sluice.validation.retry-attempts", "0")
                .set("sluice.validation.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.suppressions.cron", "0 0 0 1 1 ? 2099")
                .start();
    }

    @AfterEach
    void stop() {
        sluice.close();
        providers.stop();
        elsewhere.stop();
    }

    /** The providers' configured base URL: 127.0.0.1, where the redirect and the overrides name localhost or another port. */
    private String configured() {
        return "http://127.0.0.1:" + providers.port();
    }

    private void assertNothingElsewhere() {
        assertThat(elsewhere.getAllServeEvents()).as("the redirect target never hears from Sluice, token, key or not")
                .extracting(HttpOverrideHeadersTest::seen).isEmpty();
    }

    private String there(String path) {
        return "http://localhost:" + elsewhere.port() + path;
    }

    @Test
    void postmark_redirects_are_not_followed_with_the_token() {
        providers.stubFor(get(urlPathEqualTo("/message-streams")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", there("/message-streams"))));

        var listed = sluice.call("POST", "/api/suppressions/sync", null, null);

        assertNothingElsewhere();
        assertThat(listed.statusCode()).as("a redirected stream list is a failed sync: " + listed.body()).isEqualTo(500);
        providers.verify(getRequestedFor(urlPathEqualTo("/message-streams")));

        // The list answers; the dump (the call after it, token attached) is redirected with 307.
        providers.stubFor(get(urlPathEqualTo("/message-streams")).willReturn(okJson("{\"MessageStreams\":[{\"ID\":\"outbound\","
                + "\"ServerID\":1,\"Name\":\"Transactional\",\"MessageStreamType\":\"Transactional\"}],\"TotalCount\":1}")));
        providers.stubFor(get(urlPathEqualTo("/message-streams/outbound/suppressions/dump")).willReturn(aResponse().withStatus(307)
                .withHeader("Location", there("/message-streams/outbound/suppressions/dump"))));

        var dumped = sluice.call("POST", "/api/suppressions/sync", null, null);

        assertNothingElsewhere();
        assertThat(dumped.statusCode()).as("a redirected dump is a failed sync: " + dumped.body()).isEqualTo(500);
        providers.verify(getRequestedFor(urlPathEqualTo("/message-streams/outbound/suppressions/dump")));
        for (var answer : java.util.List.of(listed, dumped)) {
            assertThat(answer.body()).contains("\"error\"").doesNotContain(SERVER_TOKEN);
            assertThat(answer.headers().map().toString()).as("the admin answer carries no Postmark header, token or Location")
                    .doesNotContain(SERVER_TOKEN).doesNotContainIgnoringCase("location");
        }
    }

    @Test
    void validation_provider_redirects_are_failed_calls_and_no_key_follows_them() {
        // 307 keeps the method and body: a client that followed it would POST key=... to the other host.
        providers.stubFor(post(urlPathEqualTo("/v4/single/check")).willReturn(aResponse().withStatus(307)
                .withHeader("Location", there("/v4/single/check"))));
        providers.stubFor(get(urlPathEqualTo("/api/verifyEmail")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", there("/api/verifyEmail?secret=" + URLEncoder.encode(ELV_KEY, StandardCharsets.UTF_8)))));
        sluice.campaign("Hello", "Hi", null, "email\nada@example.com\n", null);

        var run = sluice.call("POST", "/api/validation/run", null, null);

        assertNothingElsewhere();
        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(run.body()).as("no verdict from a redirect: the address waits for a later run")
                .contains("\"cached\":0", "\"leftPending\":1");
        providers.verify(1, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        providers.verify(1, getRequestedFor(urlPathEqualTo("/api/verifyEmail")));
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM email_validation_cache", Integer.class)).isZero();
        assertThat(sluice.management("GET", "/observe/metrics", null).body()).as("each redirect counted as a failed call")
                .contains("sluice_validation_calls_total{outcome=\"permanent\",provider=\"neverbounce\"} 1.0")
                .contains("sluice_validation_calls_total{outcome=\"permanent\",provider=\"emaillistverify\"} 1.0");
    }

    @Test
    void a_bulk_job_redirect_is_not_followed_with_the_key() {
        sluice.close();
        sluice = new SluiceRunner(SluiceRunner.tempDir("redirects-bulk"))
                .set("sluice.neverbounce.api-url", configured())
                .set("sluice.neverbounce.api-key", NB_KEY)
                .set("sluice.emaillistverify.api-key", "")
                .set("sluice.validation.mode", "bulk")
                .set("sluice.validation.cron", "0 0 0 1 1 ? 2099")
                .start();
        providers.stubFor(post(urlPathEqualTo("/v4/jobs/create")).willReturn(aResponse().withStatus(308)
                .withHeader("Location", there("/v4/jobs/create"))));
        sluice.campaign("Hello", "Hi", null, "email\nada@example.com\n", null);

        var run = sluice.call("POST", "/api/validation/run", null, null);

        assertNothingElsewhere();
        assertThat(run.body()).as("the job was not created: its addresses wait").contains("\"mode\":\"bulk\"", "\"cached\":0");
        providers.verify(1, postRequestedFor(urlPathEqualTo("/v4/jobs/create")));
    }
}
