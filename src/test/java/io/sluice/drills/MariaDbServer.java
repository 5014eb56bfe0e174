package io.sluice.drills;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A MariaDB server of the drill's own (mariadbd from the machine's package, its own datadir under the run folder, a
 * free loopback port), so the database fault can stop and start it without touching the server other test runs share.
 */
final class MariaDbServer implements AutoCloseable {

    private final Path dir;
    private final Path datadir;
    private final int port;
    private final Path socket;
    private Process process;

    MariaDbServer(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.datadir = dir.resolve("data");
        this.port = Drill.freePort();
        // Unix socket paths are limited to ~107 bytes: keep it short.
        this.socket = Path.of("/tmp", "drill-mariadb-" + port + ".sock");
        Files.createDirectories(dir);
        Process install = new ProcessBuilder(installer(), "--no-defaults", "--datadir=" + datadir, "--user=" + user(),
                "--auth-root-authentication-method=normal", "--skip-test-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("install.log").toFile()).start();
        if (!install.waitFor(180, TimeUnit.SECONDS) || install.exitValue() != 0) {
            install.destroyForcibly();
            throw new IllegalStateException("mariadb-install-db failed, see " + dir.resolve("install.log"));
        }
    }

    private static String installer() {
        return Files.isExecutable(Path.of("/usr/bin/mariadb-install-db")) ? "/usr/bin/mariadb-install-db" : "mysql_install_db";
    }

    private static String user() {
        return System.getProperty("user.name");
    }

    String url() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/";
    }

    /** Starts mariadbd and waits until it takes connections. */
    void start() throws IOException {
        List<String> command = List.of(Files.isExecutable(Path.of("/usr/sbin/mariadbd")) ? "/usr/sbin/mariadbd" : "mysqld",
                "--no-defaults", "--datadir=" + datadir, "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + socket, "--pid-file=" + dir.resolve("mariadbd.pid"), "--user=" + user(),
                "--log-error=" + dir.resolve("error.log"), "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
                "--max-connections=200");
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mariadbd.out").toFile())).start();
        boolean up = Drill.waitFor(Duration.ofSeconds(60), 200, () -> {
            if (!process.isAlive()) {
                return true;
            }
            try (Connection c = DriverManager.getConnection(url(), "root", "")) {
                return c.isValid(2);
            } catch (Exception notYet) {
                return false;
            }
        });
        if (!up || !process.isAlive()) {
            throw new IllegalStateException("private mariadbd did not come up, see " + dir.resolve("error.log"));
        }
    }

    /** SIGTERM to this mariadbd (a clean stop), SIGKILL if it takes more than 60 s. */
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
    public void close() throws IOException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (Files.exists(datadir)) {
            try (Stream<Path> files = Files.walk(datadir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.deleteIfExists(socket);
    }

    @Override
    public String toString() {
        return "private mariadbd on 127.0.0.1:" + port;
    }
}
