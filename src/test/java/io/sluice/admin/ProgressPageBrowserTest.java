package io.sluice.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.support.BrowserScript;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The progress page in headless Chromium: an operator signs in with the admin token and sees the true numbers. The
 * sample campaign is sent once (six sent, three skipped with their codes, one waiting for validation), the page is
 * opened, and every figure it shows is compared with GET /api/status. Screenshot: target/progress-page.png.
 */
class ProgressPageBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void should_show_the_numbers_of_the_status_api_and_refresh_by_itself() throws Exception {
        BrowserScript.assumeAvailable();
        Path dir = SluiceRunner.tempDir("page-browser");
        // A stub of Postmark's GET /stats/outbound (documented fields) so the guard has rates to chart: 2.1% bounces.
        WireMockServer postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson("{\"Sent\":1000,\"Bounced\":21,"
                + "\"SMTPApiErrors\":0,\"BounceRate\":2.1,\"SpamComplaints\":0,\"SpamComplaintsRate\":0.0}")));
        try (SluiceRunner sluice = new SluiceRunner(dir)
                .set("sluice.demo.enabled", "true")
                .set("sluice.history.sample-ms", "300")
                .set("sluice.postmark.api-url", postmark.baseUrl())
                .set("sluice.postmark.server-token", "page-test-server-token")
                .set("sluice.guard.cron", "0/2 * * * * ?")
                .start()) {
            sluice.tick();
            JsonNode before = JSON.readTree(sluice.call("GET", "/api/status", null, null).body());
            JsonNode sample = before.path("campaigns").path(0);
            assertThat(sample.path("counts").path("SENT").asInt()).as("the sample campaign sent some").isEqualTo(6);
            assertThat(sample.path("skipped").size()).as("and skipped some with codes").isEqualTo(3);
            assertThat(sample.path("waitingForValidation").asInt()).as("and one waits").isEqualTo(1);

            Path screenshot = Path.of("target/progress-page.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            Path result = dir.resolve("page.json");
            BrowserScript.run("progress-page.mjs", Map.of("SLUICE_URL", sluice.baseUrl(), "SLUICE_TOKEN", SluiceRunner.TOKEN,
                    "SCREENSHOT", screenshot.toString(), "RESULT", result.toString(), "NEW_SEND_LIMIT", "4321"), 120);

            JsonNode page = JSON.readTree(result.toFile());
            JsonNode status = JSON.readTree(sluice.call("GET", "/api/status", null, null).body());
            Map<String, String> shown = new HashMap<>();
            page.path("values").fields().forEachRemaining(e -> shown.put(e.getKey(), e.getValue().asText()));

            assertThat(shown.get("sendLimit")).as("send limit, set while the page was open").isEqualTo("4321")
                    .isEqualTo(status.path("sendLimit").asText());
            assertThat(shown.get("halted")).isEqualTo(status.path("halted").asText());
            assertThat(shown.get("guard.state")).isEqualTo(status.path("guard").path("state").asText());
            assertThat(shown.get("ramp.step")).isEqualTo(status.path("ramp").path("step").asText());
            assertThat(shown.get("lastTick.sent")).isEqualTo(status.path("lastTick").path("sent").asText());
            assertThat(shown.get("lastTick.skipped")).isEqualTo(status.path("lastTick").path("skipped").asText());
            int compared = 0;
            for (JsonNode campaign : status.path("campaigns")) {
                String p = "campaign." + campaign.path("id").asText() + ".";
                assertThat(shown.get(p + "name")).isEqualTo(campaign.path("name").asText());
                assertThat(shown.get(p + "state")).isEqualTo(campaign.path("state").asText());
                assertThat(shown.get(p + "total")).as(p + "total").isEqualTo(campaign.path("total").asText());
                assertThat(shown.get(p + "waitingForValidation")).isEqualTo(campaign.path("waitingForValidation").asText());
                for (String state : new String[] {"SENT", "SKIPPED", "FAILED", "UNKNOWN", "CLAIMED", "PENDING"}) {
                    assertThat(shown.get(p + "counts." + state)).as(p + "counts." + state)
                            .isEqualTo(Long.toString(campaign.path("counts").path(state).asLong(0)));
                    compared++;
                }
                for (Iterator<Map.Entry<String, JsonNode>> codes = campaign.path("skipped").fields(); codes.hasNext(); ) {
                    Map.Entry<String, JsonNode> code = codes.next();
                    assertThat(shown.get(p + "skipped." + code.getKey())).as(p + "skipped." + code.getKey())
                            .isEqualTo(code.getValue().asText());
                    compared++;
                }
                assertThat(shown.keySet().stream().filter(k -> k.startsWith(p + "skipped.")).count())
                        .as("no skip code on the page that the status does not have").isEqualTo(campaign.path("skipped").size());
            }
            assertThat(compared).as("per-campaign figures compared").isEqualTo(6 + 3);
            assertThat(page.path("bars").path(sample.path("id").asText()).toString())
                    .as("the progress bar has sent, skipped and pending segments").contains("seg-SENT 60%", "seg-SKIPPED 30%", "seg-PENDING 10%");
            assertThat(page.path("chartPoints").path("chart-send-limit").asInt()).as("send limit history drawn").isGreaterThanOrEqualTo(2);
            assertThat(page.path("chartPoints").path("chart-ramp-step").asInt()).as("ramp step history drawn").isGreaterThanOrEqualTo(2);
            assertThat(page.path("checks").toString()).contains("the token never appears in a URL", "signing out forgets the token");
            assertThat(shown.get("guard.figures.bounceRate")).as("bounce rate").isEqualTo("2.1")
                    .isEqualTo(status.path("guard").path("figures").path("bounceRate").asText());
            assertThat(page.path("chartPoints").path("chart-bounce-rate").asInt()).as("bounce rate history drawn").isGreaterThanOrEqualTo(2);
            assertThat(screenshot).exists();
            assertThat(Files.size(screenshot)).as("a real screenshot").isGreaterThan(10_000);
        } finally {
            postmark.stop();
        }
    }
}
