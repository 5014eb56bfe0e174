package io.sluice.drills;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The database of one drill run. H2: the jar's own default URL from application.properties (never overridden: the
 * file lands in the scratch working directory, with whatever options the product ships), opened by the drill only
 * once the jar is gone. MariaDB: a fresh database {@code sluicedrill_<random>} on a server (the machine's on
 * 127.0.0.1:3306 as root, or a private {@link MariaDbServer}), dropped at the end.
 */
final class DrillDb implements AutoCloseable {

    final String kind;
    final String url;
    final String user;
    final String password;
    private final String serverUrl;
    private final String database;

    private DrillDb(String kind, String url, String user, String password, String serverUrl, String database) {
        this.kind = kind;
        this.url = url;
        this.user = user;
        this.password = password;
        this.serverUrl = serverUrl;
        this.database = database;
    }

    static DrillDb of(String kind, Path workDir, String mariadbServer) throws SQLException {
        return switch (kind) {
            case "h2" -> h2(workDir);
            case "mariadb" -> mariadb(mariadbServer, "root", "");
            default -> throw new IllegalArgumentException("--db is h2 or mariadb, got " + kind);
        };
    }

    /** The product's default H2 URL, its relative file resolved in the working directory for the drill's own reads. */
    static DrillDb h2(Path workDir) {
        String configured = Drill.property(workDir, "sluice.db.url", "jdbc:h2:file:./data/sluice;DB_CLOSE_ON_EXIT=FALSE");
        String override = System.getenv("SLUICE_DB_URL");
        String url = override != null && !override.isBlank() ? override : configured;
        String prefix = "jdbc:h2:file:";
        if (!url.startsWith(prefix)) {
            throw new IllegalStateException("the H2 drill expects a jdbc:h2:file: URL, application.properties has " + url);
        }
        String rest = url.substring(prefix.length());
        int semi = rest.indexOf(';');
        String file = semi < 0 ? rest : rest.substring(0, semi);
        String options = semi < 0 ? "" : rest.substring(semi);
        Path path = Path.of(file);
        String absolute = path.isAbsolute() || file.startsWith("~") ? file : workDir.resolve(file).normalize().toString();
        return new DrillDb("h2 (" + url + ")", prefix + absolute + options, "sa", "", null, null);
    }

    /** A fresh database on a MariaDB server, e.g. jdbc:mariadb://127.0.0.1:3306/ as root with no password. */
    static DrillDb mariadb(String serverUrl, String user, String password) throws SQLException {
        String name = "sluicedrill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(serverUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new DrillDb("mariadb (" + serverUrl + name + ")", serverUrl + name, user, password, serverUrl, name);
    }

    boolean isH2() {
        return serverUrl == null;
    }

    /** The environment pointing the jar at this database (nothing for H2: the product's default URL is the point). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        if (!isH2()) {
            env.put("SLUICE_DB_URL", url);
            env.put("SLUICE_DB_USERNAME", user);
            env.put("SLUICE_DB_PASSWORD", password);
        }
        return env;
    }

    Connection open() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public void close() {
        if (database == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(serverUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        } catch (SQLException e) {
            System.out.println("could not drop drill database " + database + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return kind;
    }
}
