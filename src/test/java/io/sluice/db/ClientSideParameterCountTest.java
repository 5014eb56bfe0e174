package io.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import io.sluice.support.SluiceRunner;
import io.sluice.support.TestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * On MariaDB camel-sql's question "how many parameters?" is answered from the SQL text: Connector/J would answer it
 * with a server-side PREPARE per statement (a round trip and a second parse of the claim's 1,000 placeholders).
 */
class ClientSideParameterCountTest {

    @Test
    void counts_the_placeholders_outside_quotes_and_comments() {
        assertThat(ClientSideParameterCount.count("UPDATE recipient SET a = ? WHERE id IN (?, ?, ?) AND state = 'PENDING'")).isEqualTo(4);
        assertThat(ClientSideParameterCount.count("SELECT '?', \"?\", `a?b`, 'it''s ?', 'a\\'?', ? -- a ?\n, ? # b ?\n, /* ? */ ?"))
                .isEqualTo(3);
        assertThat(ClientSideParameterCount.count("SELECT 1")).isZero();
    }

    @Test
    void mariadb_answers_the_count_without_a_server_prepare() throws Exception {
        Assumptions.assumeTrue(TestDatabase.vendor().equals("mariadb"), "runs on MariaDB (-Dsluice.test.db=mariadb, as CI does)");
        TestDatabase db = TestDatabase.forDirectory(SluiceRunner.tempDir("parameter-count"));
        Database database = new Database(db.url(), db.username(), db.password(), 2);
        try (Connection c = database.dataSource().getConnection()) {
            long before = prepares(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT ? + ?, '?' FROM DUAL WHERE 1 IN (?, ?, ?)")) {
                assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(5);
                for (int i = 1; i <= 5; i++) {
                    ps.setLong(i, 1);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(2);
                }
            }
            assertThat(prepares(c)).as("no server-side PREPARE for the count").isEqualTo(before);
            assertThat(c.unwrap(Connection.class)).isSameAs(c);
        } finally {
            database.close();
        }
    }

    private static long prepares(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'")) {
            rs.next();
            return rs.getLong(2);
        }
    }
}
