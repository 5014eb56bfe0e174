package io.sluice.drills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What every drill shares: its options, a run folder under target/drills/runs, scratch working directories laid out
 * as the README runs the jar (routes/, samples/, application.properties copied from the checkout), free loopback
 * ports, the checks that decide the exit code, and the cleanup that ends every process the drill started (by its
 * own handle, also on SIGTERM from the wrapper's timeout).
 */
abstract class Drill {

    static final String ADMIN_TOKEN = "drill-admin-token-0123456789";
    static final String UNSUBSCRIBE_SECRET = "drill-unsubscribe-secret-0123456789";
    static final String POSTMARK_TOKEN = "drill-postmark-server-token";
    static final String WEBHOOK_USER = "drill-webhook";
    static final String WEBHOOK_PASSWORD = "drill-webhook-password-0123";

    final String name;
    final Options options;
    final Path repo = Path.of("").toAbsolutePath();
    final Path runDir;
    final long startedAt = System.currentTimeMillis();
    private final List<String[]> checks = new ArrayList<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<Table> tables = new ArrayList<>();

    Drill(String name, String[] args) {
        this.name = name;
        this.options = new Options(args);
        this.runDir = repo.resolve("target/drills/runs/" + name + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The drill itself: reads its options first (then {@link Options#rejectUnknown()}), adds tables and checks. */
    abstract void run() throws Exception;

    /** Runs a drill, prints its tables and checks, and exits 0 only when every check passed. */
    static void main(Drill drill) {
        Thread hook = new Thread(drill::closeAll, "drill-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int status;
        try {
            drill.log("drill " + drill.name + " on " + SluiceJar.jar() + ", run folder " + drill.runDir);
            drill.run();
        } catch (Throwable t) {
            drill.log("drill stopped by " + t);
            t.printStackTrace(System.out);
            drill.check("drill ran to its end", false, String.valueOf(t));
        } finally {
            drill.closeAll();
        }
        status = drill.report();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the wrapper's timeout is stopping us: the hook has run
        }
        System.exit(status);
    }

    private int report() {
        for (Table table : tables) {
            table.print();
        }
        Table summary = new Table("checks: " + name, "check", "result", "detail");
        int failed = 0;
        for (String[] c : checks) {
            summary.row(c[0], c[1], c[2]);
            if (!c[1].equals("ok")) {
                failed++;
            }
        }
        summary.print();
        System.out.println("machine: " + machine());
        System.out.println("options: " + options.describe());
        System.out.println("run folder (logs): " + runDir);
        System.out.printf("took %.0f s%n", (System.currentTimeMillis() - startedAt) / 1000.0);
        System.out.println(name + ": " + (checks.size() - failed) + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    }

    /** A table for the report printed at the end (before the checks). */
    void table(Table table) {
        tables.add(table);
    }

    boolean check(String what, boolean ok, Object detail) {
        checks.add(new String[] {what, ok ? "ok" : "FAILED", String.valueOf(detail)});
        if (!ok) {
            log("check failed: " + what + " (" + detail + ")");
        }
        return ok;
    }

    /** Closed in reverse order at the end of the drill, or by the shutdown hook if the drill is stopped. */
    <T extends AutoCloseable> T closeLater(T resource) {
        synchronized (resources) {
            resources.push(resource);
        }
        return resource;
    }

    /** How many resources are open now: {@link #closeTo} closes what was opened after this mark. */
    int mark() {
        synchronized (resources) {
            return resources.size();
        }
    }

    void closeTo(int mark) {
        while (true) {
            AutoCloseable next;
            synchronized (resources) {
                if (resources.size() <= mark) {
                    return;
                }
                next = resources.poll();
            }
            try {
                next.close();
            } catch (Exception e) {
                log("cleanup of " + next + " failed: " + e);
            }
        }
    }

    void closeAll() {
        while (true) {
            AutoCloseable next;
            synchronized (resources) {
                next = resources.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.close();
            } catch (Exception e) {
                log("cleanup of " + next + " failed: " + e);
            }
        }
    }

    void log(String message) {
        System.out.printf("[%7.1fs] %s%n", (System.currentTimeMillis() - startedAt) / 1000.0, message);
        System.out.flush();
    }

    double seconds(long fromMillis) {
        return (System.currentTimeMillis() - fromMillis) / 1000.0;
    }

    /** A free loopback port (bound, then released for the process that will use it). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A scratch working directory as the README runs the jar: routes/, samples/ and application.properties beside it. */
    Path workDir(String sub) throws IOException {
        Path dir = runDir.resolve(sub);
        Files.createDirectories(dir);
        copyTree(repo.resolve("routes"), dir.resolve("routes"));
        copyTree(repo.resolve("samples"), dir.resolve("samples"));
        Files.copy(repo.resolve("application.properties"), dir.resolve("application.properties"), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** A setting as the copied application.properties has it (the drill's own defaults follow the product's). */
    static String property(Path workDir, String key, String fallback) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(workDir.resolve("application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            return fallback;
        }
        return p.getProperty(key, fallback).strip();
    }

    /**
     * The environment every drill gives the jar: loopback ports, no demo, secrets, SMTP to the sink and a short cron.
     * Drills add their own; {@link SluiceJar} lets any SLUICE_* variable of the drill's own environment win over both.
     */
    Map<String, String> baseEnv(int smtpPort, int periodSeconds, int threads) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SLUICE_HTTP_HOST", "127.0.0.1");
        env.put("SLUICE_HTTP_PORT", Integer.toString(freePort()));
        env.put("SLUICE_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("SLUICE_DEMO_ENABLED", "false");
        env.put("SLUICE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("SLUICE_UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET);
        env.put("SLUICE_WEBHOOK_USERNAME", WEBHOOK_USER);
        env.put("SLUICE_WEBHOOK_PASSWORD", WEBHOOK_PASSWORD);
        env.put("SLUICE_DELIVERY_MODE", "smtp");
        env.put("SLUICE_SMTP_HOST", "127.0.0.1");
        env.put("SLUICE_SMTP_PORT", Integer.toString(smtpPort));
        env.put("SLUICE_DISPATCH_CRON", "0/" + periodSeconds + " * * * * ?");
        env.put("SLUICE_DISPATCH_FIRST_TICK_DELAY_MS", "1000");
        env.put("SLUICE_DISPATCH_THREADS", Integer.toString(threads));
        // Blank Postmark token: the guard (and settlement) stay off unless a drill turns them on with the stub.
        env.put("SLUICE_POSTMARK_SERVER_TOKEN", "");
        env.put("SLUICE_POSTMARK_API_URL", "http://127.0.0.1:9");
        return env;
    }

    /** The guard and the settlement of UNKNOWN against the Postmark stub. */
    void postmarkEnv(Map<String, String> env, PostmarkStub stub) {
        env.put("SLUICE_POSTMARK_API_URL", stub.url());
        env.put("SLUICE_POSTMARK_SERVER_TOKEN", POSTMARK_TOKEN);
        env.put("SLUICE_GUARD_GRACE", options.get("guard-grace", "PT10S"));
        env.put("SLUICE_GUARD_CRON", "0/" + options.getInt("guard-period-seconds", 3) + " * * * * ?");
        env.put("SLUICE_GUARD_TIMEOUT_MS", options.get("guard-timeout-ms", "2000"));
        // sluice.settle.* (issue 20, item 4): ignored by a jar that has no settlement yet.
        env.put("SLUICE_SETTLE_DELAY", options.get("settle-delay", "PT5S"));
        env.put("SLUICE_SETTLE_CRON", "0/" + options.getInt("settle-period-seconds", 5) + " * * * * ?");
    }

    /** The jar's JVM options: the heap of a small host; C1 only, which halves start-up CPU on a shared 2-core box. */
    List<String> jvmOptions() {
        return List.of(options.get("jvm-opts", "-Xmx512m -XX:TieredStopAtLevel=1").strip().split("\\s+"));
    }

    /**
     * Waits for settlement of UNKNOWN (issue 20 item 4): until the condition holds, the time is up, or the jar has not
     * asked the Messages API anything for {@code quietSeconds} (a jar without settlement: no point waiting longer).
     */
    String awaitSettlement(PostmarkStub stub, int timeoutSeconds, int quietSeconds, BooleanSupplier settled) {
        long s0 = System.currentTimeMillis();
        waitFor(Duration.ofSeconds(timeoutSeconds), 1000,
                () -> settled.getAsBoolean() || stub.calls("messages-search") == 0 && seconds(s0) > quietSeconds);
        boolean ok = settled.getAsBoolean();
        String how = ok ? "settled in " : stub.calls("messages-search") == 0 ? "no Messages API call in " : "NOT settled after ";
        return how + String.format("%.0f s", seconds(s0)) + "; Postmark stub calls " + stub.callCounts() + ", recipients looked up "
                + stub.searchedRecipients();
    }

    /** Waits until the condition holds, polling; false when the time is up. */
    static boolean waitFor(Duration atMost, long pollMillis, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + atMost.toMillis();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.currentTimeMillis() >= deadline) {
                return false;
            }
            pause(pollMillis);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static String median(List<Integer> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Integer> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double m = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        return sorted.get(0) + " / " + (m == Math.rint(m) ? Long.toString((long) m) : Double.toString(m)) + " / " + sorted.get(n - 1);
    }
}
