package io.sluice.packaging;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.Test;

import static io.sluice.packaging.WorkingDirectory.copyTree;
import static io.sluice.packaging.WorkingDirectory.javaBin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The statements under sql/ are files an operator reads and changes: the packaged jar runs its own copy when the working
 * directory has none, and a changed file in ./sql, after a restart and no rebuild, is what runs.
 */
class SqlFilesIT {

    private static final String NAME = "Sample: terms of service update";

    @Test
    void a_changed_statement_under_sql_runs_after_a_restart_without_a_rebuild() throws Exception {
        Path jar = Path.of("target/sluice.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path work = Files.createTempDirectory("sluice-sql");
        copyTree(Path.of("routes"), work.resolve("routes"));
        copyTree(Path.of("samples"), work.resolve("samples"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));

        // First start: no sql/ beside the jar, so every statement is the jar's default.
        assertThat(work.resolve("sql")).doesNotExist();
        String before = statusOfARun(jar, work, "first.log");
        assertThat(before).as("the jar's campaign-all.sql: the name as stored").contains("\"name\":\"" + NAME + "\"");
        assertThat(Files.readString(work.resolve("first.log"))).contains("(0 files there; the jar's copy for any other)");

        // An operator copies the statement out and changes a harmless clause: the name is read upper-cased.
        Path edited = work.resolve("sql/campaign-all.sql");
        copyTree(Path.of("sql"), work.resolve("sql"));
        String original = Files.readString(edited);
        assertThat(original).contains("SELECT id, name,");
        Files.writeString(edited, original.replace("SELECT id, name,", "SELECT id, UPPER(name) AS name,"));

        String after = statusOfARun(jar, work, "second.log");
        assertThat(after).as("the edited ./sql/campaign-all.sql runs after a restart, with the same jar")
                .contains("\"name\":\"" + NAME.toUpperCase(java.util.Locale.ROOT) + "\"")
                .doesNotContain("\"name\":\"" + NAME + "\"");
    }

    /** Starts the jar in {@code work}, waits for GET /api/status to list the sample campaign, stops it; the answer. */
    private static String statusOfARun(Path jar, Path work, String log) throws Exception {
        int port = SluiceRunner.freePort();
        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", jar.toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve(log).toFile());
        builder.environment().put("SLUICE_HTTP_PORT", Integer.toString(port));
        builder.environment().put("SLUICE_MANAGEMENT_PORT", Integer.toString(SluiceRunner.freePort()));
        builder.environment().put("SLUICE_ADMIN_TOKEN", "it-admin-token");
        Process process = builder.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
                    .header("Authorization", "Bearer it-admin-token").build();
            String[] body = new String[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            return true;
                        }
                        HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
                        body[0] = answer.body();
                        return answer.statusCode() == 200 && answer.body().contains("\"campaigns\":[{");
                    });
            assertThat(process.isAlive()).as("the jar keeps running; log:\n" + Files.readString(work.resolve(log))).isTrue();
            return body[0];
        } finally {
            process.destroy();
            process.waitFor();
        }
    }
}
