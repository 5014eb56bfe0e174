package io.sluice.drills;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One {@code java -jar sluice.jar} child process, started from a scratch working directory with its settings as
 * environment variables, the way an operator runs it. Any SLUICE_* variable in the drill's own environment wins over
 * the drill's choice (so a drill can be pointed at settings it does not know yet). {@link #kill9()} is SIGKILL to
 * this pid; {@link #stop()} is SIGTERM, then SIGKILL if it has not stopped in 60 s.
 */
final class SluiceJar implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    final String name;
    final Path workDir;
    final Map<String, String> env;
    final int port;
    private final List<String> jvmArgs;
    private final Path log;
    private Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SluiceJar(String name, Path workDir, Map<String, String> env, List<String> jvmArgs) {
        this.name = name;
        this.workDir = workDir;
        this.env = new LinkedHashMap<>(env);
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("SLUICE_")) {
                this.env.put(k, v);
            }
        });
        this.port = Integer.parseInt(this.env.get("SLUICE_HTTP_PORT"));
        this.jvmArgs = jvmArgs;
        this.log = workDir.resolve("sluice.log");
    }

    /** The jar under test: -Ddrill.jar, else target/sluice.jar of the checkout. */
    static Path jar() {
        return Path.of(System.getProperty("drill.jar", "target/sluice.jar")).toAbsolutePath();
    }

    static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /** Starts the process and waits until its admin API answers (or it dies, or 120 s pass). */
    SluiceJar start() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(jvmArgs);
        // Management (Jolokia, health) on loopback too: the drills open nothing on other interfaces.
        command.add("-Dcamel.management.host=127.0.0.1");
        command.add("-jar");
        command.add(jar().toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        builder.environment().putAll(env);
        Files.writeString(log, "\n==== drill: start " + name + " at " + java.time.Instant.now() + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = builder.start();
        boolean up = Drill.waitFor(Duration.ofSeconds(120), 200, () -> !process.isAlive() || answers());
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + " at start; log " + log + ":\n" + tail(40));
        }
        if (!up) {
            throw new IllegalStateException(name + " did not answer within 120 s; log " + log + ":\n" + tail(40));
        }
        return this;
    }

    private boolean answers() {
        try {
            return call("GET", "/api/status", null, null, Duration.ofSeconds(3)).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL to this pid: no shutdown hook, no graceful stop, what a crashed host leaves behind. */
    void kill9() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The jar's threads (jcmd Thread.print), appended to its log with the reason: taken when a drill finds it stuck, so
     * what it waited on is on record after the drill stops it.
     */
    void dumpThreads(String why) {
        if (!isAlive()) {
            return;
        }
        try {
            Files.writeString(log, "\n==== drill: threads of " + name + " (" + why + ") at " + java.time.Instant.now() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process jcmd = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "jcmd",
                    String.valueOf(pid()), "Thread.print", "-l").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("cannot take the threads of " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM (a clean stop), SIGKILL after 60 s. */
    void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    Answer call(String method, String path, String body, String contentType, Duration timeout) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
                .header("Authorization", "Bearer " + Drill.ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(answer.statusCode(), answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** An admin call that must succeed (2xx), or the drill stops with the answer. */
    JsonNode admin(String method, String path, String body, String contentType) throws IOException {
        Answer answer = call(method, path, body, contentType, Duration.ofSeconds(60));
        if (answer.status() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.status() + ": " + answer.body());
        }
        return answer.json();
    }

    /** GET /api/status within the time given, or null (down, slow, not JSON). */
    JsonNode status(Duration timeout) {
        try {
            Answer answer = call("GET", "/api/status", null, null, timeout);
            return answer.status() == 200 ? answer.json() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    Path log() {
        return log;
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "sluice " + name + (process == null ? "" : " pid " + process.pid());
    }
}
