package io.sluice.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One Sluice in its own JVM, started the way the jar starts ({@code io.sluice.Sluice} from the repository root, with
 * the test classpath), its settings as {@code -D} overrides of the very keys the application reads. {@link #kill()}
 * is SIGKILL: no shutdown hook, no graceful stop, exactly what a crashed host leaves behind.
 */
public final class SluiceProcess implements AutoCloseable {

    private final String instanceId;
    private final int port;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private SluiceProcess(String instanceId, int port, Process process, Path log) {
        this.instanceId = instanceId;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts an instance and returns once its admin API answers. */
    public static SluiceProcess start(String instanceId, Path dir, Map<String, String> settings) {
        int port = SluiceRunner.freePort();
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-Dsluice.instance.id=" + instanceId);
        command.add("-Dsluice.http.port=" + port);
        command.add("-Dsluice.http.host=127.0.0.1");
        command.add("io.sluice.Sluice");
        Path log = dir.resolve(instanceId + ".log");
        try {
            Files.createDirectories(dir);
            Process process = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            SluiceProcess sluice = new SluiceProcess(instanceId, port, process, log);
            await("instance " + instanceId + " answering (log " + log + ")").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("instance " + instanceId + " exited: " + Files.readString(log));
                        }
                        return sluice.answers();
                    });
            return sluice;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean answers() {
        try {
            return call("GET", "/api/status", null).statusCode() == 200;
        } catch (IllegalStateException notYet) {
            return false;
        }
    }

    public String id() {
        return instanceId;
    }

    public HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + SluiceRunner.TOKEN).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", body.startsWith("{") ? "application/json" : "text/csv");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + path + " on " + instanceId + " failed", e);
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, as an orchestrator stops a container; SIGKILL if it does not stop in time. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
