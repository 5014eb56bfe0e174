package io.sluice.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's files and its history API, over HTTP (the browser tests are ProgressPageBrowserTest and, on the
 * packaged jar with a restart, OperatorConsoleIT).
 */
class ProgressPageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SluiceRunner sluice;

    @BeforeAll
    static void start() {
        sluice = new SluiceRunner(SluiceRunner.tempDir("page")).set("sluice.history.sample-ms", "200").start();
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    @Test
    void should_serve_the_page_without_data_and_with_headers_that_keep_it_to_itself() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(sluice.baseUrl() + "/admin")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.uri().getPath()).isEqualTo("/admin/index.html");
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'", "script-src 'self'", "form-action 'none'"));
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.body()).contains("<script src=\"/admin/page.js\"").doesNotContain(SluiceRunner.TOKEN);

        assertThat(sluice.call("GET", "/admin/page.js", null, null, null).headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
        assertThat(sluice.call("GET", "/admin/..%2Fapplication.properties", null, null, null).statusCode())
                .as("only the page's own files").isEqualTo(404);
        assertThat(sluice.call("GET", "/admin/secrets.txt", null, null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void should_refuse_the_history_without_the_token() {
        assertThat(sluice.call("GET", "/api/status/history", null, null, null).statusCode()).isEqualTo(401);
        assertThat(sluice.call("GET", "/api/status/history", null, null, "wrong").statusCode()).isEqualTo(401);
    }

    @Test
    void should_keep_the_send_limit_and_ramp_step_over_time_with_the_thresholds() throws Exception {
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 777}");

        JsonNode history = await().atMost(Duration.ofSeconds(10)).until(
                () -> JSON.readTree(sluice.call("GET", "/api/status/history", null, null).body()),
                h -> h.path("samples").size() > 0
                        && h.path("samples").get(h.path("samples").size() - 1).path("sendLimit").asInt() == 777);

        JsonNode last = history.path("samples").get(history.path("samples").size() - 1);
        assertThat(last.has("at")).isTrue();
        assertThat(last.path("rampStep").asInt()).isEqualTo(1);
        assertThat(last.path("guardState").asText()).as("no Postmark token in this test").isEqualTo("off");
        assertThat(last.path("bounceRate").isNull()).as("no figures: a gap, not a false zero").isTrue();
        assertThat(history.path("thresholds").path("bounceRateHalt").asDouble()).isEqualTo(5.0);
        assertThat(history.path("thresholds").path("bounceRateWarn").asDouble()).isEqualTo(3.0);
        assertThat(history.path("thresholds").path("complaintRateHalt").asDouble()).isEqualTo(0.1);
        assertThat(history.path("samplePeriodMs").asInt()).isEqualTo(200);
    }

    @Test
    void should_serve_the_history_from_the_database_since_a_time_page_by_page() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(
                () -> JSON.readTree(sluice.call("GET", "/api/status/history", null, null).body()).path("samples").size() >= 4);
        Integer rows = sluice.jdbc().queryForObject("SELECT COUNT(*) FROM status_sample", Integer.class);
        assertThat(rows).as("samples are rows of status_sample").isGreaterThanOrEqualTo(4);

        JsonNode all = JSON.readTree(sluice.call("GET", "/api/status/history?since=2000-01-01", null, null).body());
        JsonNode samples = all.path("samples");
        assertThat(samples.size()).isGreaterThanOrEqualTo(4);
        assertThat(samples.path(0).has("sent") && samples.path(0).has("skipped") && samples.path(0).has("failed")).isTrue();
        assertThat(all.path("retention").asText()).isEqualTo("PT720H");

        // Page by page: two at a time from the first, then on from the last one seen (since is inclusive).
        JsonNode first = JSON.readTree(sluice.call("GET", "/api/status/history?since=2000-01-01&limit=2", null, null).body());
        assertThat(first.path("samples").size()).isEqualTo(2);
        assertThat(first.path("more").asBoolean()).isTrue();
        assertThat(first.path("samples").path(0).path("at").asText()).isEqualTo(samples.path(0).path("at").asText());
        String from = first.path("samples").path(1).path("at").asText();
        JsonNode next = JSON.readTree(sluice.call("GET", "/api/status/history?since=" + from + "&limit=2", null, null).body());
        assertThat(next.path("samples").path(0).path("at").asText()).isEqualTo(from);
        assertThat(next.path("samples").path(1).path("at").asText()).isEqualTo(samples.path(2).path("at").asText());

        assertThat(JSON.readTree(sluice.call("GET", "/api/status/history?since=2999-01-01", null, null).body()).path("samples")).isEmpty();
        assertThat(sluice.call("GET", "/api/status/history?since=yesterday", null, null).statusCode()).isEqualTo(400);
        assertThat(sluice.call("GET", "/api/status/history?limit=0", null, null).statusCode()).isEqualTo(400);
        assertThat(sluice.call("GET", "/api/status/history?limit=10001", null, null).statusCode()).isEqualTo(400);
    }
}
