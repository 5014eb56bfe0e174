package io.sluice.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds an embedded H2 file database that was not closed cleanly (the process was killed), before anything else
 * opens it: every table is written out as SQL ({@code SCRIPT}) and read back into a new file ({@code RUNSCRIPT}),
 * which then takes the old file's place.
 *
 * <p>Why: H2 2.5.252 came back from {@code kill -9} with rows still marked as changed by a transaction that no longer
 * existed. Reading them is fine (a read sees the last committed value), but a statement that changes such a row never
 * ends: it spins in H2's transaction map ({@code TxDecisionMaker}), a whole CPU, with no lock timeout. In the kill
 * drill that was a counter row ({@code recipient_count}), so the first tick after the restart hung for good with its
 * recipients CLAIMED, and so did every restart after it (the row is in the file). A {@code SCRIPT} reads the committed
 * values, so the rebuilt file carries none of those marks (checked on a copy of that drill's file: the same UPDATE that
 * spun forever took milliseconds after the rebuild).
 *
 * <p>"Not closed cleanly": a marker file beside the database ({@code <file>.in-use}) exists from start to a clean
 * close ({@link Database#close}). Every step is safe to crash in: the old file is replaced only once the new one is
 * complete, and is kept beside it as {@code <file>.before-rebuild.mv.db} (one, the latest) for a person to look at.
 * The cost is a read and a write of the whole database at such a start: 1.6-2.1 s for a campaign of 6,000
 * (drills/kill9.sh); minutes for millions of rows (use MariaDB or PostgreSQL for those: README "Durability").
 */
final class H2Rebuild {

    private static final Logger LOG = LoggerFactory.getLogger(H2Rebuild.class);
    /** Databases open in this JVM, by file: a second Database on an open file (tests do that) is no restart. */
    private static final java.util.Map<Path, Integer> OPEN = new java.util.HashMap<>();

    private final Path file;
    private final String options;
    private final String user;
    private final String password;

    /**
     * @param file    the database's file name without {@code .mv.db} ({@link Database#h2File})
     * @param url     its JDBC URL (options after the first {@code ;} are kept for every connection made here)
     */
    H2Rebuild(Path file, String url, String user, String password) {
        this.file = file.toAbsolutePath().normalize();
        int semicolon = url.indexOf(';');
        this.options = semicolon < 0 ? "" : url.substring(semicolon);
        this.user = user;
        this.password = password;
    }

    Path marker() {
        return sibling(".in-use");
    }

    Path kept() {
        return sibling(".before-rebuild.mv.db");
    }

    /** Rebuilds the database if the last process that used it did not close it; then marks it in use. */
    boolean ifNotClosedCleanly() {
        synchronized (OPEN) {
            if (OPEN.merge(file, 1, Integer::sum) > 1) {
                return false;
            }
        }
        try {
            Path db = sibling(".mv.db");
            Path rebuilt = Path.of(file + ".rebuilt.mv.db");
            if (!Files.exists(db) && Files.exists(rebuilt) && Files.exists(kept())) {
                // Killed between the two renames of an earlier rebuild: the new file is complete, finish the swap.
                Files.move(rebuilt, db, StandardCopyOption.ATOMIC_MOVE);
            }
            boolean rebuild = Files.exists(marker()) && Files.exists(db);
            if (rebuild) {
                rebuild(db, rebuilt);
            }
            Files.createDirectories(marker().getParent());
            Files.writeString(marker(), "in use since " + java.time.Instant.now() + " by process " + ProcessHandle.current().pid() + "\n");
            return rebuild;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the H2 database " + file, e);
        }
    }

    /** After a clean close: the next start needs no rebuild. */
    void closedCleanly() {
        synchronized (OPEN) {
            if (OPEN.merge(file, -1, Integer::sum) > 0) {
                return;
            }
            OPEN.remove(file);
        }
        try {
            Files.deleteIfExists(marker());
        } catch (IOException e) {
            LOG.warn("Cannot remove {} (the next start will rebuild the database as after a crash): {}", marker(), e.toString());
        }
    }

    private void rebuild(Path db, Path rebuilt) throws IOException {
        long started = System.nanoTime();
        Path script = sibling(".rebuild.sql.gz");
        Path partial = sibling(".rebuild.sql.gz.part");
        Files.deleteIfExists(partial);
        Files.deleteIfExists(rebuilt);
        LOG.warn("The H2 database {} was not closed cleanly (the process was killed or crashed): rebuilding it from its committed "
                + "rows before the start, so no row stays locked by a transaction that died with the process", db);
        try {
            run("jdbc:h2:file:" + file + options, "SCRIPT TO " + literal(partial) + " COMPRESSION GZIP");
            Files.move(partial, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            run("jdbc:h2:file:" + file + ".rebuilt" + options, "RUNSCRIPT FROM " + literal(script) + " COMPRESSION GZIP");
        } catch (SQLException e) {
            Files.deleteIfExists(rebuilt);
            LOG.error("Cannot rebuild the H2 database {} ({}): starting on it as it is; a statement on a row the killed process "
                    + "was changing may hang", db, e.getMessage());
            return;
        }
        Files.move(db, kept(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(rebuilt, db, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(script);
        LOG.warn("H2 database rebuilt in {} ms; the file as the killed process left it is kept as {}",
                (System.nanoTime() - started) / 1_000_000, kept());
    }

    /** One statement on a connection of its own, then SHUTDOWN: the file is closed whatever DB_CLOSE_DELAY says. */
    private void run(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
            s.execute("SHUTDOWN");
        }
    }

    private Path sibling(String suffix) {
        return Path.of(file + suffix);
    }

    private static String literal(Path p) {
        return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
    }
}
