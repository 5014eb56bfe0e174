package io.sluice.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.sluice.support.BrowserScript;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.sluice.packaging.WorkingDirectory.copyTree;
import static io.sluice.packaging.WorkingDirectory.javaBin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real browser against the packaged jar (java -jar target/sluice.jar from a working
 * directory of its own, free ports, a WireMock Postmark): e2e/operator-console.mjs signs in and uses every control,
 * and after each phase this test reads the API the page calls to check the page told the truth. Phases: the controls
 * (uploads with rejects, send limit honoured by the next tick, pause and start); a guard halt (WireMock's statistics
 * turn to 12% bounces) resumed from the page with a reason; a restart of the jar, after which the history from before
 * it is still served and drawn. Screenshots (normal, paused, halted, after the restart) in target/e2e/.
 */
class OperatorConsoleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "console-e2e-admin-token";
    private static final int GOOD = 40;
    private static final String HEALTHY = "{\"Sent\":0,\"Bounced\":0,\"SMTPApiErrors\":0,\"BounceRate\":0,\"SpamComplaints\":0,\"SpamComplaintsRate\":0}";
    private static final String BOUNCING = "{\"Sent\":1000,\"Bounced\":120,\"SMTPApiErrors\":0,\"BounceRate\":12.0,\"SpamComplaints\":0,\"SpamComplaintsRate\":0}";
    private static final String RECOVERED = "{\"Sent\":1000,\"Bounced\":12,\"SMTPApiErrors\":0,\"BounceRate\":1.2,\"SpamComplaints\":0,\"SpamComplaintsRate\":0}";

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @Test
    void an_operator_runs_the_send_from_the_console_of_the_packaged_jar() throws Exception {
        BrowserScript.assumeAvailable();
        Path jar = Path.of("target/sluice.jar").toAbsolutePath();
        assertThat(jar).as("the packaged jar (mvn package)").exists();
        Path work = Files.createTempDirectory("sluice-console");
        copyTree(Path.of("routes"), work.resolve("routes"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        Path validation = work.resolve("validation-results.csv");
        Files.writeString(validation, "email,code\n" + IntStream.rangeClosed(1, GOOD)
                .mapToObj(i -> String.format("person%02d@example.com,valid", i)).collect(Collectors.joining("\n")) + "\n");
        // Three bad rows among the good ones: not an address, a doubled @, a duplicate.
        Path audience = work.resolve("members.csv");
        List<String> lines = new ArrayList<>(List.of("email"));
        IntStream.rangeClosed(1, GOOD).forEach(i -> lines.add(String.format("person%02d@example.com", i)));
        lines.add(5, "not-an-address");
        lines.add(12, "bad@@example.com");
        lines.add("person07@example.com");
        Files.writeString(audience, String.join("\n", lines) + "\n");

        // Postmark's GET /stats/outbound (documented fields): healthy, then 12% bounces, then healthy again.
        WireMockServer postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        stats(postmark, Scenario.STARTED, HEALTHY);
        stats(postmark, "bouncing", BOUNCING);
        stats(postmark, "recovered", RECOVERED);
        postmark.stubFor(get(urlPathEqualTo("/message-streams")).willReturn(okJson("{\"MessageStreams\":[{\"ID\":\"broadcast\","
                + "\"ServerID\":1,\"Name\":\"Broadcasts\",\"MessageStreamType\":\"Broadcasts\"}],\"TotalCount\":1}")));
        postmark.stubFor(get(urlPathEqualTo("/message-streams/broadcast/suppressions/dump")).willReturn(okJson("{\"Suppressions\":["
                + "{\"EmailAddress\":\"gone@example.org\",\"SuppressionReason\":\"HardBounce\",\"Origin\":\"Recipient\","
                + "\"CreatedAt\":\"2026-12-01T08:58:33-05:00\"}]}")));

        int port = SluiceRunner.freePort();
        base = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>();
        env.put("SLUICE_ADMIN_TOKEN", TOKEN);
        env.put("SLUICE_DEMO_ENABLED", "false");
        env.put("SLUICE_UNSUBSCRIBE_SECRET", "console-e2e-unsubscribe-secret-0123456789");
        env.put("SLUICE_HTTP_PORT", Integer.toString(port));
        env.put("SLUICE_HTTP_HOST", "127.0.0.1");
        env.put("SLUICE_MANAGEMENT_PORT", Integer.toString(SluiceRunner.freePort()));
        env.put("SLUICE_POSTMARK_API_URL", postmark.baseUrl());
        env.put("SLUICE_POSTMARK_SERVER_TOKEN", "console-e2e-server-token");
        env.put("SLUICE_DISPATCH_CRON", "0/2 * * * * ?");
        // Odd seconds: the guard's own check never races the tick's (see LogsAndSecretsIT).
        env.put("SLUICE_GUARD_CRON", "1/2 * * * * ?");
        env.put("SLUICE_DISPATCH_FIRST_TICK_DELAY_MS", "1000");
        env.put("SLUICE_HISTORY_SAMPLE_MS", "500");

        Process sluice = start(jar, work, env, "sluice-1.log");
        try {
            JsonNode created = JSON.readTree(call("POST", "/api/campaigns", "application/json", "{\"name\":\"Terms 2027\","
                    + "\"from\":\"news@example.com\",\"subject\":\"Our terms change\",\"textTemplate\":\"Hello {{unsubscribe_url}}\"}").body());
            String campaign = created.path("id").asText();

            // Phase 1: the controls.
            JsonNode controls = browse("controls", work, Map.of("CAMPAIGN_ID", campaign, "AUDIENCE_CSV", audience.toString(),
                    "VALIDATION_CSV", validation.toString()));
            assertThat(controls.path("wrongTokenMessage").asText()).contains("refused");
            assertThat(controls.path("validationUpload").path("imported").asInt()).isEqualTo(GOOD);
            JsonNode upload = controls.path("audienceUpload");
            assertThat(upload.path("rows").asInt()).isEqualTo(GOOD + 3);
            assertThat(upload.path("imported").asInt()).isEqualTo(GOOD);
            assertThat(upload.path("rejected").asInt()).isEqualTo(3);
            assertThat(upload.path("rejects").toString()).as("the rejects with their lines and reasons")
                    .contains("not-an-address", "bad@@example.com", "person07@example.com");
            JsonNode status = status();
            JsonNode row = campaign(status, campaign);
            assertThat(row.path("total").asInt()).as("the API has the audience the page showed imported").isEqualTo(GOOD);
            assertThat(row.path("state").asText()).isEqualTo("RUNNING");
            assertThat(controls.path("tickAfterChange").path("sendLimit").asInt()).isEqualTo(5);
            assertThat(controls.path("pause").path("state").asText()).isEqualTo("PAUSED");
            assertThat(controls.path("suppressionSync").asText()).contains("1 suppressions read");
            assertThat(call("POST", "/api/addresses/check", "text/plain", "gone@example.org").body())
                    .as("the sync the page ran suppressed Postmark's address").contains("suppressed");
            assertThat(controls.path("checks").toString()).contains("a refused value changes nothing",
                    "the next tick honours the new limit", "a paused campaign sends nothing more",
                    "every API call after signing in carries the bearer header", "no CSP violation",
                    "without a token only the sign-in shows");

            // Phase 2: the guard halts (12% bounces); Postmark recovers before the person resumes, so the guard lets go.
            postmark.setScenarioState("stats", "bouncing");
            await("the guard halts on 12% bounces").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(() -> status().path("halted").asBoolean());
            postmark.setScenarioState("stats", "recovered");
            JsonNode halt = browse("halt", work, Map.of());
            assertThat(halt.path("haltReasonShown").asText()).contains("bounce rate 12.00%");
            status = status();
            assertThat(status.path("halted").asBoolean()).isFalse();
            assertThat(status.path("ramp").path("overridden").asBoolean()).as("given back to the ramp from the page").isFalse();
            assertThat(status.path("sendLimit").asInt()).isEqualTo(status.path("ramp").path("stepSendLimit").asInt());

            JsonNode events = JSON.readTree(call("GET", "/api/events?limit=200", null, null).body()).path("events");
            Map<String, JsonNode> byKind = new HashMap<>();
            events.forEach(e -> byKind.putIfAbsent(e.path("kind").asText(), e));
            assertThat(byKind).as("the event history").containsKeys("halted", "resumed", "send-limit", "campaign-start",
                    "campaign-pause", "audience-import", "validation-results-import", "ramp-step", "ramp-resume");
            assertThat(byKind.get("halted").path("actor").asText()).isEqualTo("guard");
            assertThat(byKind.get("resumed").path("reason").asText()).isEqualTo("bounces came from one bought segment, removed");
            assertThat(byKind.get("resumed").path("detail").path("wasHalted").asBoolean()).isTrue();
            assertThat(byKind.get("audience-import").path("detail").path("rejected").asInt()).isEqualTo(3);
            assertThat(events.toString()).contains("first hour on the new list: slow");

            // Phase 3: a restart keeps the history.
            JsonNode before = JSON.readTree(call("GET", "/api/status/history?since=1970-01-01&limit=10000", null, null).body());
            int samplesBefore = before.path("samples").size();
            String firstAt = before.path("samples").path(0).path("at").asText();
            assertThat(samplesBefore).as("samples every 500 ms over the run").isGreaterThan(20);
            sluice.destroy();
            assertThat(sluice.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the jar stops on SIGTERM").isTrue();
            sluice = start(jar, work, env, "sluice-2.log");
            JsonNode after = JSON.readTree(call("GET", "/api/status/history?since=1970-01-01&limit=10000", null, null).body());
            assertThat(after.path("samples").size()).as("the samples from before the restart are still served").isGreaterThanOrEqualTo(samplesBefore);
            assertThat(after.path("samples").path(0).path("at").asText()).isEqualTo(firstAt);
            assertThat(after.path("samples").toString()).as("the halt is in the history").contains("\"halted\":true");
            JsonNode drawn = browse("history", work, Map.of("POINTS_BEFORE", Integer.toString(samplesBefore)));
            assertThat(drawn.path("chartPoints").path("chart-send-limit").asInt()).isGreaterThanOrEqualTo(samplesBefore);

            for (String shot : new String[] {"console-normal", "console-paused", "console-halted", "console-after-restart"}) {
                Path png = Path.of("target/e2e", shot + ".png");
                assertThat(png).exists();
                assertThat(Files.size(png)).as(shot + " is a real screenshot").isGreaterThan(20_000);
            }
        } finally {
            sluice.destroy();
            sluice.waitFor();
            postmark.stop();
        }
    }

    private static void stats(WireMockServer postmark, String state, String body) {
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).inScenario("stats").whenScenarioStateIs(state).willReturn(okJson(body)));
    }

    private Process start(Path jar, Path work, Map<String, String> env, String log) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", jar.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve(log).toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        await("the jar answers (log " + work.resolve(log) + ")").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the jar exited:\n" + Files.readString(work.resolve(log)));
                    }
                    try {
                        return call("GET", "/api/status", null, null).statusCode() == 200;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
        return process;
    }

    private JsonNode browse(String phase, Path work, Map<String, String> extra) throws IOException {
        Path result = work.resolve("console-" + phase + ".json");
        Map<String, String> env = new HashMap<>(extra);
        env.put("SLUICE_URL", base);
        env.put("SLUICE_TOKEN", TOKEN);
        env.put("PHASE", phase);
        env.put("RESULT", result.toString());
        env.put("E2E_OUT", Path.of("target/e2e").toAbsolutePath().toString());
        BrowserScript.run("operator-console.mjs", env, 240);
        return JSON.readTree(result.toFile());
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(call("GET", "/api/status", null, null).body());
    }

    private static JsonNode campaign(JsonNode status, String id) {
        for (JsonNode c : status.path("campaigns")) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no campaign " + id + " in " + status);
    }

    private HttpResponse<String> call(String method, String path, String type, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
