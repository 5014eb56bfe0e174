package io.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every commit on the embedded H2 file survives {@code kill -9}. H2's default write delay (500 ms) lost the last
 * half second of committed delivery records and outcomes in a kill drill, and those recipients were sent again.
 */
class DatabaseDurabilityTest {

    @Test
    void an_h2_url_without_a_write_delay_gets_none_and_one_that_names_it_keeps_it() {
        assertThat(Database.durableH2("jdbc:h2:file:./data/sluice;DB_CLOSE_ON_EXIT=FALSE"))
                .isEqualTo("jdbc:h2:file:./data/sluice;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        assertThat(Database.durableH2("jdbc:h2:file:./x;write_delay=0")).isEqualTo("jdbc:h2:file:./x;write_delay=0");
        assertThat(Database.durableH2("jdbc:h2:file:./x;WRITE_DELAY=500")).isEqualTo("jdbc:h2:file:./x;WRITE_DELAY=500");
        assertThat(Database.durableH2("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void every_commit_a_killed_process_reported_is_in_the_file_after_restart(@TempDir Path dir) throws Exception {
        // The default URL of application.properties, pointed into a scratch folder; Database adds the durability.
        String url = "jdbc:h2:file:" + dir.resolve("sluice").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
        Process child = new ProcessBuilder(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), CommitProbe.class.getName(), url))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long lastReported = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // Kill while it commits as fast as it can: the last commits are milliseconds old.
            while ((line = out.readLine()) != null) {
                lastReported = Long.parseLong(line.strip());
                if (lastReported >= 3_000) {
                    break;
                }
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no H2 close
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the probe process was killed").isTrue();
        }
        assertThat(lastReported).as("the probe reported its commits").isGreaterThanOrEqualTo(3_000);
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT COALESCE(MAX(n), 0) FROM probe")) {
            rs.next();
            assertThat(rs.getLong(1)).as("every commit reported before the kill is in the file").isGreaterThanOrEqualTo(lastReported);
        }
    }

    /** The killed process: commits one row at a time through Sluice's Database and prints each number once committed. */
    public static final class CommitProbe {
        public static void main(String[] args) throws Exception {
            Database database = new Database(args[0], "sa", "", 2);
            DataSource ds = database.dataSource();
            try (Connection c = ds.getConnection()) {
                c.createStatement().execute("CREATE TABLE probe (n BIGINT PRIMARY KEY)");
                var insert = c.prepareStatement("INSERT INTO probe (n) VALUES (?)");
                for (long n = 1; ; n++) {
                    insert.setLong(1, n);
                    insert.executeUpdate(); // autocommit: committed when it returns
                    System.out.println(n);
                    System.out.flush();
                }
            }
        }
    }
}
