package io.sluice.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The Hawtio console from tools/hawtio, started as its own JVM exactly as the README says (its Jolokia never meets
 * Camel's). Builds the launcher first when target/ lacks it.
 */
public final class HawtioConsole implements AutoCloseable {

    private static final Path TOOL = Path.of("tools", "hawtio").toAbsolutePath();
    private static final Path JAR = TOOL.resolve("target/hawtio-launcher.jar");

    private final Process process;
    private final int port;

    private HawtioConsole(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static HawtioConsole start(Path log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR) || !Files.isRegularFile(TOOL.resolve("target/hawtio.war"))) {
            build(log.resolveSibling("hawtio-build.log"));
        }
        int port = SluiceRunner.freePort();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", JAR.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HawtioConsole console = new HawtioConsole(process, port);
        HttpClient http = HttpClient.newHttpClient();
        await("Hawtio answers on " + console.url()).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("Hawtio exited: " + Files.readString(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create(console.url() + "/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return console;
    }

    private static void build(Path log) throws IOException, InterruptedException {
        Process build = new ProcessBuilder(Path.of("mvnw").toAbsolutePath().toString(), "-B", "-q", "-f",
                TOOL.resolve("pom.xml").toString(), "package")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!build.waitFor(10, TimeUnit.MINUTES) || build.exitValue() != 0) {
            build.destroyForcibly();
            throw new IllegalStateException("building tools/hawtio failed: " + Files.readString(log));
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hawtio";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
