package io.sluice.db;

import java.util.Locale;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.LoggerFactory;

/**
 * The one DataSource Sluice uses, and the schema migrations for the vendor its URL names.
 * Dialect differences live in {@code db/migration/<vendor>} and {@code sql/<vendor>}, never in routes.
 */
public final class Database {

    private final HikariDataSource pool;
    /** What Sluice uses: the pool, or on MariaDB/MySQL the pool behind {@link ClientSideParameterCount}. */
    private final DataSource dataSource;
    private final Vendor vendor;
    /** The embedded H2 file's crash repair (null for other databases): see {@link H2Rebuild}. */
    private final H2Rebuild h2Rebuild;

    public enum Vendor {
        H2("h2"), MYSQL("mysql"), POSTGRESQL("postgresql");

        private final String folder;

        Vendor(String folder) {
            this.folder = folder;
        }

        public String folder() {
            return folder;
        }

        public static Vendor ofUrl(String jdbcUrl) {
            String url = jdbcUrl.toLowerCase(Locale.ROOT);
            if (url.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
                return MYSQL;
            }
            if (url.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            throw new IllegalArgumentException("sluice.db.url must be an H2, MySQL/MariaDB or PostgreSQL JDBC URL, got: " + jdbcUrl);
        }
    }

    public Database(String url, String username, String password, int poolSize) {
        this.vendor = Vendor.ofUrl(url);
        java.nio.file.Path h2 = vendor == Vendor.H2 ? h2File(url) : null;
        this.h2Rebuild = h2 == null ? null : new H2Rebuild(h2, durableH2(url), username, password);
        if (h2Rebuild != null) {
            h2Rebuild.ifNotClosedCleanly();
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("sluice-db");
        config.setJdbcUrl(vendor == Vendor.H2 ? durableH2(url) : url);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(poolSize, 4));
        if (vendor == Vendor.MYSQL) {
            // READ COMMITTED avoids InnoDB gap locks between concurrent claims on neighbouring rows.
            config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
            config.addDataSourceProperty("rewriteBatchedStatements", "true");
        }
        if (vendor == Vendor.POSTGRESQL) {
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            // Sluice runs short OLTP statements only; JIT compilation added ~0.9 s to a claim at 7M rows.
            // Custom plans: a generic plan of the import's duplicate check (1,000 parameters) scanned the whole table.
            config.addDataSourceProperty("options", "-c jit=off -c plan_cache_mode=force_custom_plan");
        }
        this.pool = new HikariDataSource(config);
        this.dataSource = vendor == Vendor.MYSQL ? new ClientSideParameterCount(pool) : pool;
    }

    /**
     * An H2 URL whose commits survive {@code kill -9}. H2 writes committed transactions to its file about half a second
     * later by default (WRITE_DELAY 500 ms): a killed process loses them, and with them the delivery records and
     * outcomes of what it had just sent, which then looked unsent and went out again (639 addresses twice in 20 kills).
     * WRITE_DELAY=0 writes each commit to the file before it returns (into the OS's cache: that survives a killed
     * process, not a power cut, which would need an fsync per commit). A URL that names WRITE_DELAY itself keeps it.
     */
    /**
     * Where an embedded H2 file database keeps its file ({@code jdbc:h2:file:./data/sluice} → {@code ./data/sluice}), or
     * null for anything else (another database, an H2 in memory or behind a TCP server).
     */
    public static java.nio.file.Path h2File(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        if (!upper.startsWith("JDBC:H2:")) {
            return null;
        }
        String rest = url.substring("jdbc:h2:".length());
        String restUpper = rest.toUpperCase(Locale.ROOT);
        if (restUpper.startsWith("MEM:") || restUpper.startsWith("TCP:") || restUpper.startsWith("SSL:") || restUpper.startsWith("ZIP:")) {
            return null;
        }
        if (restUpper.startsWith("FILE:")) {
            rest = rest.substring("file:".length());
        }
        int options = rest.indexOf(';');
        String path = options < 0 ? rest : rest.substring(0, options);
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        return java.nio.file.Path.of(path);
    }

    static String durableH2(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        if (upper.startsWith("JDBC:H2:MEM:")) {
            return url;
        }
        if (upper.contains(";WRITE_DELAY=")) {
            if (!upper.matches(".*;WRITE_DELAY=0+(;.*)?")) {
                LoggerFactory.getLogger(Database.class).warn("sluice.db.url sets H2's WRITE_DELAY above 0: commits of the last "
                        + "moments are lost when the process is killed, and what they recorded as sent may be sent again");
            }
            return url;
        }
        return url + ";WRITE_DELAY=0";
    }

    /**
     * Whether a database failure may go away if the same work is tried again: the connection was lost or could not be
     * had, a lock wait or deadlock chose this transaction, or two transactions raced to insert the same new row (the
     * per-thread counter rows). Anything else (a broken statement, a constraint a retry would break again) is not.
     */
    public static boolean isTransientFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.dao.TransientDataAccessException
                    || t instanceof org.springframework.dao.RecoverableDataAccessException
                    || t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof org.springframework.dao.DuplicateKeyException
                    || t instanceof org.springframework.transaction.CannotCreateTransactionException
                    || t instanceof java.sql.SQLTransientException
                    || t instanceof java.sql.SQLRecoverableException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** Brings the schema up to date; safe to run on every start and from every instance. */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/" + vendor.folder())
                .load()
                .migrate();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Vendor vendor() {
        return vendor;
    }

    public void close() {
        pool.close();
        if (h2Rebuild != null) {
            h2Rebuild.closedCleanly();
        }
    }
}
