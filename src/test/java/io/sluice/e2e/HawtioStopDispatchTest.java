package io.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.support.BrowserScript;
import io.sluice.support.HawtioConsole;
import io.sluice.support.SluiceRunner;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's emergency stop, end to end in a real browser: Sluice sends a campaign over SMTP (GreenMail) on
 * one-second ticks; Hawtio (its own JVM) connects to Sluice's Jolokia with the management credentials; headless
 * chromium stops the dispatch-schedule route from the Camel routes table; the admin API then shows the mail has
 * stopped: SENT no longer grows, the rest stays PENDING, and the SMTP server receives nothing more.
 */
class HawtioStopDispatchTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTE = "dispatch-schedule";
    /** Screenshots and logs of the browser tests. */
    private static final Path OUT = Path.of("target", "e2e").toAbsolutePath();

    @Test
    void should_stop_sending_when_an_operator_stops_the_dispatch_route_in_hawtio() throws Exception {
        // The console is proven once, on the H2 run; the database runs repeat the route tests, not the browser.
        BrowserScript.assumeAvailable();
        Files.createDirectories(OUT);
        Path dir = SluiceRunner.tempDir("e2e-hawtio");
        StringBuilder audience = new StringBuilder("email\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 0; i < 2000; i++) {
            audience.append("reader").append(i).append("@example.com\n");
            results.append("reader").append(i).append("@example.com,valid\n");
        }

        try (HawtioConsole hawtio = HawtioConsole.start(OUT.resolve("hawtio.log"));
             SluiceRunner sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort())
                     .set("sluice.dispatch.cron", "0/1 * * * * ?")
                     .set("sluice.dispatch.first-tick-delay-ms", "1000")
                     .set("sluice.dispatch.initial-send-limit", "3")) {
            sluice.start();
            sluice.campaign("Notice", "Hello", null, audience.toString(), results.toString());
            await("sending is under way").atMost(Duration.ofSeconds(60)).until(() -> sent(sluice) >= 6);

            // Fails the test with the script's output (and leaves target/e2e/hawtio-stop-dispatch-failure-*.png).
            String browser = BrowserScript.run("hawtio-stop-dispatch.mjs", Map.of(
                    "E2E_OUT", OUT.toString(),
                    "HAWTIO_URL", hawtio.url(),
                    "JOLOKIA_HOST", "127.0.0.1",
                    "JOLOKIA_PORT", sluice.managementUrl().replaceAll(".*:", ""),
                    "JOLOKIA_PATH", "/observe/jolokia",
                    "JOLOKIA_USER", SluiceRunner.MANAGEMENT_USER,
                    "JOLOKIA_PASSWORD", SluiceRunner.MANAGEMENT_PASSWORD,
                    "ROUTE_ID", ROUTE), 420);
            assertThat(browser).contains("route " + ROUTE + ": " + ROUTE + " Stopped");
            assertThat(OUT.resolve("hawtio-route-stopped.png")).isNotEmptyFile();
            assertThat(sluice.context().getRouteController().getRouteStatus(ROUTE)).isEqualTo(ServiceStatus.Stopped);

            // The tick that was running when the route stopped may finish; after that nothing more may leave.
            AtomicLong previous = new AtomicLong(-1);
            await("the last tick has finished").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> previous.getAndSet(sent(sluice)) == sent(sluice));
            long sentWhenStopped = sent(sluice);
            int receivedWhenStopped = greenMail.getReceivedMessages().length;
            await("no further mail for five one-second ticks").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                    .until(() -> sent(sluice) == sentWhenStopped && greenMail.getReceivedMessages().length == receivedWhenStopped);

            JsonNode counts = campaign(sluice).path("counts");
            assertThat(counts.path("PENDING").asLong()).as("recipients left waiting").isGreaterThan(0);
            assertThat(counts.path("SENT").asLong() + counts.path("PENDING").asLong()).isEqualTo(2000);
            assertThat(receivedWhenStopped).as("the SMTP server got exactly the SENT ones").isEqualTo((int) sentWhenStopped);
        }
    }

    private static long sent(SluiceRunner sluice) throws Exception {
        return campaign(sluice).path("counts").path("SENT").asLong();
    }

    private static JsonNode campaign(SluiceRunner sluice) throws Exception {
        return JSON.readTree(sluice.call("GET", "/api/status", null, null).body()).path("campaigns").path(0);
    }
}
