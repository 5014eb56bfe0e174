package io.sluice.routes;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

import io.sluice.support.LogCapture;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live route edits with sluice.routes.reload=true, on a copy of routes/: a saved edit of api-status answers at once
 * without a restart; a broken edit (bad YAML, an unknown endpoint option, a bean that does not exist, an expression
 * that only fails when the route starts) leaves the running version answering and the log says why.
 */
class RouteReloadTest {

    private static final String EDITED_STEP = """
                    - setHeader:
                        name: X-Route-Edition
                        constant: "%s"
            """;

    private SluiceRunner sluice;
    private LogCapture log;
    private Path routes;
    private String original;

    @BeforeEach
    void start() throws IOException {
        Path dir = SluiceRunner.tempDir("reload");
        routes = dir.resolve("routes");
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, routes.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        original = Files.readString(routes.resolve("api-status.camel.yaml"));
        log = LogCapture.of(RouteReload.class);
        sluice = new SluiceRunner(dir).set("sluice.routes.dir", routes.toString()).set("sluice.routes.reload", "true").start();
    }

    @AfterEach
    void stop() {
        sluice.close();
        log.close();
    }

    private void save(String content) throws IOException {
        Path temp = routes.resolve("api-status.camel.yaml.tmp");
        Files.writeString(temp, content);
        Files.move(temp, routes.resolve("api-status.camel.yaml"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private String edition(String name) {
        return original + EDITED_STEP.formatted(name);
    }

    /** Which version of api-status answers ("original", or the edition header); the status code if it does not. */
    private String answeringEdition() {
        HttpResponse<String> status = sluice.call("GET", "/api/status", null, null);
        if (status.statusCode() != 200 || !status.body().contains("\"sendLimit\"")) {
            return "HTTP " + status.statusCode(); // also for the few milliseconds in which Camel swaps the route
        }
        return status.headers().firstValue("X-Route-Edition").orElse("original");
    }

    private void awaitLog(String... parts) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains(parts)));
    }

    @Test
    void should_reload_an_edited_route_without_a_restart() throws IOException {
        assertThat(answeringEdition()).isEqualTo("original");

        save(edition("two"));

        await().atMost(Duration.ofSeconds(20)).until(() -> answeringEdition().equals("two"));
        awaitLog("api-status.camel.yaml reloaded");
        assertThat(sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 5}").statusCode())
                .as("the other routes were not touched").isEqualTo(200);
    }

    @Test
    void should_apply_an_edited_route_configuration_to_the_routes_that_use_it() throws IOException {
        Path errors = routes.resolve("admin-api-errors.camel.yaml");
        String marker = "                constant: application/json\n";
        String original = Files.readString(errors);
        assertThat(original).contains(marker);
        String edited = original.replace(marker, marker
                + "            - setHeader:\n"
                + "                name: X-Refusal-Edition\n"
                + "                constant: two\n");

        Files.writeString(errors, edited);

        await().atMost(Duration.ofSeconds(20)).until(() -> sluice.call("GET", "/api/status", null, null, "wrong")
                .headers().firstValue("X-Refusal-Edition").orElse("").equals("two"));
        awaitLog("also reloading");
        await().atMost(Duration.ofSeconds(20)).alias("every admin route takes the new error handling").until(() -> sluice
                .call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": -1}").headers()
                .firstValue("X-Refusal-Edition").orElse("").equals("two"));
    }

    @Test
    void should_keep_the_running_route_when_the_edit_is_broken_and_say_why() throws IOException {
        save(edition("two"));
        await().atMost(Duration.ofSeconds(20)).until(() -> answeringEdition().equals("two"));

        log.clear();
        save(original.replace("      steps:", "     steps:\n  - broken: [") );
        awaitLog("ERROR", "api-status.camel.yaml NOT reloaded", "does not parse");
        assertThat(answeringEdition()).as("bad YAML: the last good version still answers").isEqualTo("two");

        log.clear();
        save(edition("three").replace("httpMethodRestrict: GET", "httpMethodRestrict: GET\n        httpMetodRestrict: GET"));
        awaitLog("NOT reloaded", "httpMetodRestrict");
        assertThat(answeringEdition()).as("unknown endpoint option").isEqualTo("two");

        log.clear();
        save(edition("three").replace("ref: adminApi", "ref: adminApy"));
        awaitLog("NOT reloaded", "no bean named adminApy");
        assertThat(answeringEdition()).as("unknown bean").isEqualTo("two");

        log.clear();
        save(edition("three").replace("constant: \"three\"", "simple: \"${header.unclosed\""));
        awaitLog("NOT reloaded, it failed to start");
        awaitLog("the version that ran before is running again");
        assertThat(answeringEdition()).as("fails only while starting: the version that ran is put back").isEqualTo("two");

        save(edition("four"));
        await().atMost(Duration.ofSeconds(20)).until(() -> answeringEdition().equals("four"));
    }
}
