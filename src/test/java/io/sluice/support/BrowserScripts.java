package io.sluice.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs a browser script of {@code e2e/} ({@code node e2e/<name>.mjs}, Playwright driving Debian's chromium) and
 * answers its exit code and output. Skips the calling test, saying what is missing, when chromium, node or
 * {@code e2e/node_modules} is not there, unless {@code -Dsluice.e2e.required=true} (.ci/run) turns that into a failure.
 * Screenshots and the script's log go to {@code target/e2e/}.
 */
public final class BrowserScripts {

    public static final Path E2E = Path.of("e2e").toAbsolutePath();
    public static final Path OUT = Path.of("target", "e2e").toAbsolutePath();
    private static final String CHROMIUM = System.getProperty("sluice.e2e.chromium", "/usr/bin/chromium");

    public record Result(int exit, String output) {
    }

    private BrowserScripts() {
    }

    /** Call first: skips (or fails when required) unless a browser test can run here. */
    public static void assumeAvailable() {
        // The browser tests prove the console and the page, not the database: they run once, on the H2 run.
        Assumptions.assumeTrue("h2".equals(TestDatabase.vendor()), "browser tests run on the H2 run only");
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            missing.add(CHROMIUM + " (apt-get install -y chromium)");
        }
        if (onPath("node") == null) {
            missing.add("node");
        }
        if (!Files.isDirectory(E2E.resolve("node_modules/playwright-core"))) {
            missing.add("e2e/node_modules (npm ci --prefix e2e)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "browser test needs " + String.join(", ", missing);
        if (Boolean.getBoolean("sluice.e2e.required")) {
            throw new IllegalStateException(reason + " (-Dsluice.e2e.required=true)");
        }
        Assumptions.abort(reason + ": skipped");
    }

    public static Result run(String script, Map<String, String> environment, long timeoutSeconds) throws IOException, InterruptedException {
        Files.createDirectories(OUT);
        Path log = OUT.resolve(script.replace(".mjs", "") + ".log");
        ProcessBuilder builder = new ProcessBuilder(onPath("node"), E2E.resolve(script).toString())
                .directory(E2E.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("E2E_OUT", OUT.toString());
        builder.environment().put("CHROMIUM", CHROMIUM);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return new Result(-1, "timed out after " + timeoutSeconds + " s\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
