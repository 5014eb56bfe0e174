package io.sluice.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs a browser test script from e2e/ with node (playwright-core driving Debian's headless chromium). A machine
 * without chromium or without {@code npm ci --prefix e2e} skips the test and says why, unless
 * {@code -Dsluice.e2e.required=true} (CI) turns that into a failure.
 */
public final class BrowserScript {

    public static final Path E2E = Path.of("e2e").toAbsolutePath();
    public static final String CHROMIUM = System.getProperty("sluice.e2e.chromium", "/usr/bin/chromium");

    private BrowserScript() {
    }

    /** Skips (or fails when required) unless node, chromium and e2e/node_modules/playwright-core are there. */
    public static void assumeAvailable() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            missing.add(CHROMIUM + " (apt-get install -y chromium)");
        }
        if (!Files.isDirectory(E2E.resolve("node_modules/playwright-core"))) {
            missing.add("e2e/node_modules/playwright-core (npm ci --prefix e2e)");
        }
        if (!onPath("node")) {
            missing.add("node on the PATH");
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "browser test needs " + String.join(", ", missing);
        if (Boolean.getBoolean("sluice.e2e.required")) {
            throw new AssertionError(reason + " (sluice.e2e.required=true)");
        }
        Assumptions.abort(reason);
    }

    /** Runs node e2e/&lt;script&gt; with the environment given; returns its output, fails with it on a non-zero exit. */
    public static String run(String script, Map<String, String> env, long timeoutSeconds) {
        try {
            Path log = Files.createTempFile("e2e-" + script, ".log");
            ProcessBuilder builder = new ProcessBuilder("node", E2E.resolve(script).toString())
                    .directory(E2E.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("CHROMIUM", CHROMIUM);
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(script + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
            }
            String output = Files.readString(log);
            if (process.exitValue() != 0) {
                throw new AssertionError(script + " failed (exit " + process.exitValue() + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
