package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /observe/metrics read by a real Prometheus parser: {@code promtool check metrics} (Debian package prometheus).
 * Skipped, saying why, when promtool is not installed, unless -Dsluice.ops.required=true (.ci/run) makes it fail.
 */
class MetricsFormatTest {

    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        Path dir = SluiceRunner.tempDir("metrics");
        sluice = new SluiceRunner(dir).start();
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void should_expose_metrics_that_promtool_accepts() throws Exception {
        String promtool = promtool();
        // Outbox mode: sends, skips with codes, and a validation call, so every sluice_* family has samples.
        sluice.campaign("Hello", "Hi", null, "email\nada@example.com\ntemp@mailinator.com\nfree@example.net\n",
                "email,code\nada@example.com,valid\nfree@example.net,accept_all\n");
        sluice.tick();
        sluice.bean("sluiceMetrics", SluiceMetrics.class).validationCall("emaillistverify", "ok", 312_000_000L, 1);

        HttpResponse<String> scrape = sluice.management("GET", "/observe/metrics", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        String metrics = scrape.body();
        assertThat(metrics).contains("sluice_sends_total 1.0", "sluice_skips_total{code=\"accept_all\"} 1.0",
                "sluice_send_limit", "sluice_halted", "sluice_ramp_step", "sluice_validation_calls_total");

        // The whole scrape must parse (exit 1 = parse error); Camel's own meters draw lint notes (camelCase labels,
        // an empty HELP) that promtool reports with exit 3 and that are Camel's to fix, not a format error.
        Check whole = check(promtool, metrics);
        assertThat(whole.exit()).as("promtool check metrics on the whole scrape said:%n%s", whole.report()).isIn(0, 3);
        assertThat(whole.report()).as("no lint note on Sluice's own meters").doesNotContain("sluice_");
        // Sluice's own families alone: clean, no lint note at all.
        StringBuilder own = new StringBuilder();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("sluice_") || line.matches("# (HELP|TYPE) sluice_.*")) {
                own.append(line).append('\n');
            }
        }
        Check sluiceOnly = check(promtool, own.toString());
        assertThat(sluiceOnly.exit()).as("promtool check metrics on sluice_* said:%n%s", sluiceOnly.report()).isZero();
    }

    private record Check(int exit, String report) {
    }

    private static Check check(String promtool, String metrics) throws Exception {
        Path file = Files.createTempFile("sluice-metrics", ".prom");
        Files.writeString(file, metrics, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(promtool, "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        Files.delete(file);
        return new Check(process.exitValue(), report);
    }

    private static String promtool() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if (Boolean.getBoolean("sluice.ops.required")) {
            throw new IllegalStateException("promtool is required (-Dsluice.ops.required=true) but not on the PATH: "
                    + "apt-get install -y prometheus");
        }
        Assumptions.abort("promtool not installed (Debian package prometheus): metrics format check skipped");
        return null;
    }
}
