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

    @Test
    void should_report_not_ready_while_the_database_is_unreachable() throws Exception {
        Path dir = SluiceRunner.tempDir("readiness");
        int port = SluiceRunner.freePort();
        h2 = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir", dir.toString()).start();
        sluice = new SluiceRunner(dir)
                .set("sluice.db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/readiness")
                .set("sluice.db.username", "sa").set("sluice.db.password", "").start();

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
}
