package io.sluice.packaging;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.Test;

import static io.sluice.packaging.WorkingDirectory.copyTree;
import static io.sluice.packaging.WorkingDirectory.javaBin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starts the shaded jar the way the README and the container do (java -jar sluice.jar from a working directory
 * holding routes/, application.properties and samples/) and watches it send the sample campaign to the outbox.
 * Tests can pass while the jar fails (a test-scope dependency, a properties file the jar never reads): this catches it.
 */
class PackagedJarIT {

    @Test
    void should_send_the_sample_campaign_to_the_outbox_from_the_packaged_jar() throws Exception {
        Path jar = Path.of("target/sluice.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path work = Files.createTempDirectory("sluice-jar");
        copyTree(Path.of("routes"), work.resolve("routes"));
        copyTree(Path.of("samples"), work.resolve("samples"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        int port = SluiceRunner.freePort();
        int managementPort = SluiceRunner.freePort();

        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", jar.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("sluice.log").toFile());
        builder.environment().put("SLUICE_HTTP_PORT", Integer.toString(port));
        builder.environment().put("SLUICE_DISPATCH_FIRST_TICK_DELAY_MS", "1000");
        // Secrets from the environment must never reach the log.
        builder.environment().put("SLUICE_ADMIN_TOKEN", "it-admin-SECRET-token");
        builder.environment().put("SLUICE_SMTP_PASSWORD", "it-smtp-SECRET");
        builder.environment().put("SLUICE_WEBHOOK_PASSWORD", "it-webhook-SECRET");
        builder.environment().put("SLUICE_MANAGEMENT_PORT", Integer.toString(managementPort));
        builder.environment().put("SLUICE_MANAGEMENT_PASSWORD", "it-management-SECRET");
        Process process = builder.start();
        try {
            Path outbox = work.resolve("data/outbox/campaign-1");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !process.isAlive() || countEml(outbox) == 6);
            assertThat(process.isAlive()).as("the jar keeps running; log:\n" + Files.readString(work.resolve("sluice.log"))).isTrue();
            assertThat(countEml(outbox)).as("the six validated sample addresses are mailed").isEqualTo(6);

            HttpResponse<String> status = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
                            .header("Authorization", "Bearer it-admin-SECRET-token").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"SENT\":6", "\"disposable\":1", "\"waitingForValidation\":1");
            assertThat(status.body()).doesNotContain("SECRET");

            // The jar carries the management port: Jolokia, health and metrics behind the management credentials.
            for (String path : new String[] {"/observe/health/ready", "/observe/metrics", "/observe/jolokia/version"}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path));
                assertThat(HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                        .as("%s without credentials", path).isEqualTo(401);
                HttpResponse<String> answer = HttpClient.newHttpClient().send(request.header("Authorization", "Basic "
                        + java.util.Base64.getEncoder().encodeToString("sluice:it-management-SECRET".getBytes())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as("%s: %s", path, answer.body()).isEqualTo(200);
            }
            assertThat(Files.readString(work.resolve("sluice.log"))).contains("Tick: limit").doesNotContain("SECRET").doesNotContain("local-demo-secret");
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    @Test
    void a_misspelt_setting_stops_the_jar_within_seconds_naming_the_key_it_meant() throws Exception {
        Path jar = Path.of("target/sluice.jar").toAbsolutePath();
        Path work = Files.createTempDirectory("sluice-jar-typo");
        copyTree(Path.of("routes"), work.resolve("routes"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", jar.toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("sluice.log").toFile());
        builder.environment().put("SLUICE_DISPATCH_THREDS", "4");
        builder.environment().put("SLUICE_HTTP_PORT", Integer.toString(SluiceRunner.freePort()));
        builder.environment().put("SLUICE_MANAGEMENT_PORT", Integer.toString(SluiceRunner.freePort()));
        Process process = builder.start();
        try {
            assertThat(process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).as("the jar stops by itself").isTrue();
            assertThat(process.exitValue()).isNotZero();
            assertThat(Files.readString(work.resolve("sluice.log")))
                    .contains("SLUICE_DISPATCH_THREDS").contains("did you mean sluice.dispatch.threads");
        } finally {
            process.destroyForcibly();
        }
    }

    private static long countEml(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".eml")).count();
        }
    }
}
