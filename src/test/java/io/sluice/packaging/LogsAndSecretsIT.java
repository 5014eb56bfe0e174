package io.sluice.packaging;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.sluice.packaging.WorkingDirectory.copyTree;
import static io.sluice.packaging.WorkingDirectory.javaBin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar with SLUICE_LOG_FORMAT=json and a distinctive value for every secret, exercised through its paths
 * that log: a Postmark statistics error then healthy figures, authenticated SMTP delivery, refused admin and webhook
 * calls, a campaign name with quotes, a newline and a backslash, an inbox file that fails with a stack trace, and a
 * broken live route edit. Every line it writes to stdout must parse as one JSON object, and no secret may appear in
 * the log, in GET /api/status or in GET /api/status/history.
 */
class LogsAndSecretsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAMPAIGN_NAME = "Notice \"2027\"\nsecond line \\ end";

    /** Environment variable → a value no log line could contain by chance. */
    private static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static {
        SECRETS.put("SLUICE_ADMIN_TOKEN", "adm1n-T0KEN-e5b0c2");
        SECRETS.put("SLUICE_SMTP_PASSWORD", "smtp-PASSW0RD-91d4");
        SECRETS.put("SLUICE_POSTMARK_SERVER_TOKEN", "p0stmark-SERVER-7a2f");
        SECRETS.put("SLUICE_WEBHOOK_PASSWORD", "w3bhook-PASSW0RD-c81e");
        SECRETS.put("SLUICE_UNSUBSCRIBE_SECRET", "unsub-HMAC-SECRET-4f09b7d2");
        SECRETS.put("SLUICE_DB_PASSWORD", "db-PASSW0RD-2b6c");
        SECRETS.put("SLUICE_MANAGEMENT_PASSWORD", "mgmt-PASSW0RD-d3a1");
    }

    @Test
    void should_write_only_json_lines_and_never_a_secret() throws Exception {
        Path jar = Path.of("target/sluice.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path work = Files.createTempDirectory("sluice-logs");
        copyTree(Path.of("routes"), work.resolve("routes"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        int port = SluiceRunner.freePort();
        String admin = SECRETS.get("SLUICE_ADMIN_TOKEN");

        WireMockServer postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        // Postmark's documented error shape first (with quotes and a newline in it), then healthy figures; a call
        // without the right token gets Postmark's 401.
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).atPriority(9).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ErrorCode\":10,\"Message\":\"No Account or Server API tokens were supplied in the HTTP headers.\"}")));
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).atPriority(1).inScenario("stats")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("healthy")
                .withHeader("X-Postmark-Server-Token", equalTo(SECRETS.get("SLUICE_POSTMARK_SERVER_TOKEN")))
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"ErrorCode\":500,\"Message\":\"Internal \\\"error\\\"\\nplease retry\"}")));
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).atPriority(1).inScenario("stats")
                .whenScenarioStateIs("healthy")
                .withHeader("X-Postmark-Server-Token", equalTo(SECRETS.get("SLUICE_POSTMARK_SERVER_TOKEN")))
                .willReturn(okJson("{\"Sent\":0,\"Bounced\":0,\"SMTPApiErrors\":0,\"BounceRate\":0,\"SpamComplaints\":0,\"SpamComplaintsRate\":0}")));
        GreenMail smtp = new GreenMail(new ServerSetup(SluiceRunner.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("sluice", SECRETS.get("SLUICE_SMTP_PASSWORD")));
        smtp.start();

        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", jar.toString()).directory(work.toFile())
                .redirectOutput(work.resolve("stdout.log").toFile()).redirectError(work.resolve("stderr.log").toFile());
        Map<String, String> env = builder.environment();
        env.putAll(SECRETS);
        env.put("SLUICE_LOG_FORMAT", "json");
        env.put("SLUICE_DEMO_ENABLED", "false");
        env.put("SLUICE_HTTP_PORT", Integer.toString(port));
        env.put("SLUICE_ROUTES_RELOAD", "true");
        env.put("SLUICE_DELIVERY_MODE", "smtp");
        env.put("SLUICE_SMTP_HOST", "127.0.0.1");
        env.put("SLUICE_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()));
        env.put("SLUICE_SMTP_USERNAME", "sluice");
        env.put("SLUICE_POSTMARK_API_URL", postmark.baseUrl());
        env.put("SLUICE_WEBHOOK_USERNAME", "postmark");
        env.put("SLUICE_DISPATCH_CRON", "0/2 * * * * ?");
        // Odd seconds, while dispatch ticks on even ones (each tick reads statistics first): two calls at once could
        // both reach the stub, and the older one's 500 would then be dropped unjudged behind the newer healthy answer.
        env.put("SLUICE_GUARD_CRON", "1/2 * * * * ?");
        env.put("SLUICE_DISPATCH_FIRST_TICK_DELAY_MS", "1000");
        env.put("SLUICE_UNSUBSCRIBE_BASE_URL", "https://sluice.example.com");
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive() || answers(http, base + "/api/status", admin));
            assertThat(process.isAlive()).as("the jar runs; stdout:\n" + Files.readString(work.resolve("stdout.log"))).isTrue();

            String created = send(http, "POST", base + "/api/campaigns", admin, "application/json", "{\"name\":"
                    + JSON.writeValueAsString(CAMPAIGN_NAME) + ",\"from\":\"news@example.com\",\"subject\":\"Hi\",\"textTemplate\":\"Hello {{unsubscribe_url}}\"}").body();
            String id = JSON.readTree(created).path("id").asText();
            send(http, "POST", base + "/api/validation-results", admin, "text/csv", "email,code\na@example.com,valid\nb@example.com,valid\n");
            send(http, "POST", base + "/api/campaigns/" + id + "/audience", admin, "text/csv", "email\na@example.com\nb@example.com\n");
            send(http, "POST", base + "/api/campaigns/" + id + "/start", admin, null, null);
            assertThat(send(http, "GET", base + "/api/status", "wrong-token", null, null).statusCode()).isEqualTo(401);
            HttpResponse<String> webhook = http.send(HttpRequest.newBuilder(URI.create(base + "/webhooks/postmark"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("postmark:wrong".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"RecordType\":\"Bounce\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(webhook.statusCode()).isEqualTo(401);
            // An audience file for a campaign that does not exist: the import fails with a stack trace.
            Path inbox = work.resolve("data/inbox/audience/99");
            Files.createDirectories(inbox);
            Files.writeString(inbox.resolve("members.csv"), "email\nx@example.com\n");

            await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(work.resolve("data/inbox/audience/error/99/members.csv"))
                    || Files.exists(work.resolve("data/inbox/audience/99/error/members.csv")));

            // A broken live edit: refused, logged as one JSON line, and the running route still answers; then a good one.
            Path apiStatus = work.resolve("routes/api-status.camel.yaml");
            String running = Files.readString(apiStatus);
            Files.writeString(apiStatus, "- route:\n    id: api-status\n    from: [\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(work.resolve("stdout.log")).contains("NOT reloaded"));
            assertThat(send(http, "GET", base + "/api/status", admin, null, null).statusCode()).isEqualTo(200);
            Files.writeString(apiStatus, running + "        - setHeader:\n            name: X-Route-Edition\n            constant: two\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> send(http, "GET", base + "/api/status", admin, null, null)
                    .headers().firstValue("X-Route-Edition").orElse("").equals("two"));
            HttpResponse<String> status = send(http, "GET", base + "/api/status", admin, null, null);
            HttpResponse<String> history = send(http, "GET", base + "/api/status/history", admin, null, null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"SENT\":2");
            for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
                assertThat(status.body()).as("GET /api/status must not show " + secret.getKey()).doesNotContain(secret.getValue());
                assertThat(history.body()).as("GET /api/status/history must not show " + secret.getKey()).doesNotContain(secret.getValue());
            }
        } finally {
            process.destroy();
            process.waitFor();
            smtp.stop();
            postmark.stop();
        }

        String stdout = Files.readString(work.resolve("stdout.log"));
        String stderr = Files.readString(work.resolve("stderr.log"));
        List<JsonNode> events = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.has("time") && event.has("level") && event.has("logger") && event.has("message")).as(line).isTrue();
            events.add(event);
        }
        assertThat(events).as("a run's worth of log lines").hasSizeGreaterThan(30);
        assertThat(events).as("the campaign name with its quotes, newline and backslash intact")
                .anySatisfy(e -> assertThat(e.path("message").asText()).contains(CAMPAIGN_NAME));
        assertThat(events).as("an exception with its stack trace inside the JSON")
                .anySatisfy(e -> assertThat(e.path("error").path("stackTrace").asText()).contains("\n\tat "));
        assertThat(events).as("the refused live edit").anySatisfy(e -> {
            assertThat(e.path("level").asText()).isEqualTo("ERROR");
            assertThat(e.path("message").asText()).contains("api-status.camel.yaml NOT reloaded");
        });
        assertThat(events).as("the guard's failed statistics call")
                .anySatisfy(e -> assertThat(e.path("message").asText()).contains("cannot read statistics"));
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            assertThat(stdout).as("the log must not show " + secret.getKey()).doesNotContain(secret.getValue());
            assertThat(stderr).as("stderr must not show " + secret.getKey()).doesNotContain(secret.getValue());
        }
    }

    private static boolean answers(HttpClient http, String url, String token) {
        try {
            return send(http, "GET", url, token, null, null).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token, String type, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
