package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import io.sluice.support.SluiceRunner;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the database: Sluice on an H2 server over TCP, then the server goes away. Liveness stays UP
 * (restarting Sluice would not bring the database back).
 */
class DatabaseReadinessTest {

    private SluiceRunner sluice;
    private Server h2;

    @AfterEach
    void stop() {
        if (h2 != null) {
            h2.stop();
        }
        if (sluice != null) {
            sluice.close();
        }
    }

    private Path dir;
    private int port;

    /** Sluice on an H2 server over TCP, which the test can stop and start again. */
    private void startOnTcpDatabase() throws Exception {
        dir = SluiceRunner.tempDir("readiness");
        port = SluiceRunner.freePort();
        startDatabase();
        sluice = new SluiceRunner(dir)
                .set("sluice.db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/readiness")
                .set("sluice.db.username", "sa").set("sluice.db.password", "").start();
    }

    private void startDatabase() throws Exception {
        h2 = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir", dir.toString()).start();
    }

    @Test
    void should_report_not_ready_while_the_database_is_unreachable() throws Exception {
        startOnTcpDatabase();

        HttpResponse<String> ready = sluice.management("GET", "/observe/health/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("sluice-database");

        h2.stop();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> down = sluice.management("GET", "/observe/health/ready", null);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("sluice-database").contains("DOWN");
        });
        HttpResponse<String> live = sluice.management("GET", "/observe/health/live", null);
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
    }

    @Test
    void should_answer_status_with_503_and_the_reason_within_two_seconds_while_the_database_is_down() throws Exception {
        startOnTcpDatabase();
        assertThat(sluice.call("GET", "/api/status", null, null).statusCode()).isEqualTo(200);

        h2.stop();

        // Several calls in a row: earlier reads still waiting on the pool must not make later calls wait either.
        for (int call = 0; call < 6; call++) {
            long started = System.nanoTime();
            HttpResponse<String> status = sluice.call("GET", "/api/status", null, null);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).as("call " + call + " answered in " + took.toMillis() + " ms").isLessThan(Duration.ofSeconds(2));
            assertThat(status.statusCode()).as(status.body()).isEqualTo(503);
            assertThat(status.body()).startsWith("{\"error\":\"status unavailable: ")
                    .containsAnyOf("the database did not answer within 1500 ms", "the database is unreachable",
                            "earlier status reads are still waiting for the database")
                    .doesNotContain("Exception", "jdbc:", "java.", "Failed to invoke");
        }

        startDatabase();
        // Polled once a second, as the progress page does every 5 s: Hikari re-validates a pooled connection idle for
        // 500 ms, and only then drops the ones the restart broke (H2's "connection broken" is not an 08 SQL state).
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(sluice.call("GET", "/api/status", null, null).statusCode()).as("back with the database").isEqualTo(200));
    }
}
