package io.sluice.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * The database a test runs on, chosen by -Dsluice.test.db=h2|mariadb|postgresql (default h2). MariaDB and
 * PostgreSQL get a fresh database per test directory on the local server (127.0.0.1, root / trust auth); when that
 * server is not running the test is skipped, saying why, unless -Dsluice.test.db.required=true (CI) makes it fail.
 * The database name is kept in the test directory so a restart test reopens the same one.
 */
public record TestDatabase(String url, String username, String password) {

    public static String vendor() {
        return System.getProperty("sluice.test.db", "h2").toLowerCase(Locale.ROOT);
    }

    public static TestDatabase forDirectory(Path dir) {
        return switch (vendor()) {
            case "h2" -> new TestDatabase("jdbc:h2:file:" + dir.resolve("db/sluice").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
            case "mariadb" -> server(dir, "jdbc:mariadb://127.0.0.1:3306/", "root", "");
            case "postgresql" -> server(dir, "jdbc:postgresql://127.0.0.1:5432/", "postgres", "");
            default -> throw new IllegalArgumentException("sluice.test.db must be h2, mariadb or postgresql");
        };
    }

    private static TestDatabase server(Path dir, String base, String user, String password) {
        Path marker = dir.resolve("database-name");
        try {
            if (Files.exists(marker)) {
                return new TestDatabase(base + Files.readString(marker).strip(), user, password);
            }
            String name = "sluice_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            String admin = base + (base.contains("postgresql") ? "postgres" : "");
            try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            Files.createDirectories(dir);
            Files.writeString(marker, name);
            return new TestDatabase(base + name, user, password);
        } catch (SQLException e) {
            if (Boolean.getBoolean("sluice.test.db.required")) {
                throw new IllegalStateException(vendor() + " is required for this run but not reachable at " + base, e);
            }
            Assumptions.abort(vendor() + " server not reachable at " + base + " (" + e.getMessage() + "): skipped");
            throw new IllegalStateException("unreachable");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
