package io.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded H2 file is rebuilt from its committed rows when the process before did not close it (a killed jar left
 * rows marked by a dead transaction, and a statement changing one spun forever: drills/README.md), and only then.
 * H2 cannot be made to leave such a mark on demand; the drill on the packaged jar shows the hang gone
 * (drills/kill9.sh); here: when it rebuilds, that nothing is lost, and that a rebuild killed half-way finishes.
 */
class H2RebuildTest {

    private Path dir;
    private String url;

    @BeforeEach
    void fileDatabase() {
        dir = SluiceRunner.tempDir("h2-rebuild");
        url = "jdbc:h2:file:" + dir.resolve("db/sluice").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    @Test
    void a_database_left_open_by_a_killed_process_is_rebuilt_with_every_row_and_the_old_file_kept() throws Exception {
        Database first = new Database(url, "sa", "", 2);
        first.migrate();
        JdbcTemplate jdbc = new JdbcTemplate(first.dataSource());
        jdbc.update("INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n) VALUES (7, 'SENT', '', 3, 41)");
        jdbc.update("INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n) VALUES (7, 'CLAIMED', '', 0, 5)");
        Map<String, Long> before = rowsPerTable(jdbc);
        first.close();
        H2Rebuild rebuild = new H2Rebuild(dir.resolve("db/sluice"), url, "sa", "");
        assertThat(rebuild.marker()).as("a clean close leaves no marker").doesNotExist();
        Files.writeString(rebuild.marker(), "in use\n"); // what a killed process leaves

        Database second = new Database(url, "sa", "", 2);
        try {
            JdbcTemplate again = new JdbcTemplate(second.dataSource());
            assertThat(rebuild.kept()).as("the file as the killed process left it").exists();
            assertThat(rowsPerTable(again)).isEqualTo(before);
            assertThat(again.queryForObject("SELECT n FROM recipient_count WHERE campaign_id = 7 AND slot = 3", Long.class)).isEqualTo(41L);
            again.update("UPDATE recipient_count SET n = n + 1 WHERE campaign_id = 7");
            assertThat(rebuild.marker()).as("in use again").exists();
        } finally {
            second.close();
        }
        assertThat(rebuild.marker()).doesNotExist();
    }

    @Test
    void a_clean_close_means_no_rebuild_at_the_next_start() {
        Database first = new Database(url, "sa", "", 2);
        first.migrate();
        first.close();
        H2Rebuild rebuild = new H2Rebuild(dir.resolve("db/sluice"), url, "sa", "");

        new Database(url, "sa", "", 2).close();

        assertThat(rebuild.kept()).doesNotExist();
    }

    @Test
    void a_rebuild_killed_between_its_two_renames_finishes_at_the_next_start() throws Exception {
        Database first = new Database(url, "sa", "", 2);
        first.migrate();
        new JdbcTemplate(first.dataSource()).update(
                "INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n) VALUES (9, 'SENT', '', 0, 12)");
        first.close();
        H2Rebuild rebuild = new H2Rebuild(dir.resolve("db/sluice"), url, "sa", "");
        Path db = dir.resolve("db/sluice.mv.db");
        // The state a kill leaves after "old file → kept" and before "rebuilt file → database file".
        Files.copy(db, dir.resolve("db/sluice.rebuilt.mv.db"));
        Files.move(db, rebuild.kept());
        Files.writeString(rebuild.marker(), "in use\n");

        Database second = new Database(url, "sa", "", 2);
        try {
            assertThat(new JdbcTemplate(second.dataSource()).queryForObject(
                    "SELECT n FROM recipient_count WHERE campaign_id = 9", Long.class)).isEqualTo(12L);
            assertThat(dir.resolve("db/sluice.rebuilt.mv.db")).doesNotExist();
        } finally {
            second.close();
        }
    }

    private static Map<String, Long> rowsPerTable(JdbcTemplate jdbc) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String table : jdbc.queryForList("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' "
                + "ORDER BY TABLE_NAME", String.class)) {
            rows.put(table, jdbc.queryForObject("SELECT COUNT(*) FROM \"" + table + "\"", Long.class));
        }
        return rows;
    }
}
