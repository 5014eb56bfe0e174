package io.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.sluice.dispatch.DeliveryGuarantee;
import io.sluice.dispatch.RecipientStore;
import io.sluice.support.SluiceRunner;
import io.sluice.support.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The migration that moved a claim's token and time from every claimed row into a recipient_claim row of its own:
 * claims in flight when it runs keep their owner and their age, so recovery still tells a dead owner's rows from a
 * live one's.
 */
class ClaimMigrationTest {

    private Database database;
    private JdbcTemplate jdbc;

    @BeforeEach
    void database() {
        TestDatabase db = TestDatabase.forDirectory(SluiceRunner.tempDir("claim-migration"));
        database = new Database(db.url(), db.username(), db.password(), 2);
        jdbc = new JdbcTemplate(database.dataSource());
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void claims_in_flight_keep_their_owner_and_age_and_are_recovered_by_them() {
        // The schema as it was just before the migration (its version differs per database).
        String before = switch (database.vendor()) {
            case H2 -> "3";
            case MYSQL -> "4";
            case POSTGRESQL -> "5";
        };
        Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/migration/" + database.vendor().folder())
                .target(before).load().migrate();
        jdbc.update("INSERT INTO campaign (name, from_address, subject, text_template, message_stream, state, created_at, updated_at) "
                + "VALUES ('c', 'a@example.com', 's', 't', 'broadcast', 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        long campaign = jdbc.queryForObject("SELECT MAX(id) FROM campaign", Long.class);
        Timestamp anHourAgo = Timestamp.from(Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS));
        Timestamp justNow = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        row(campaign, "gone1@example.com", "CLAIMED", "gone/7", anHourAgo);
        row(campaign, "gone2@example.com", "CLAIMED", "gone/7", anHourAgo);
        row(campaign, "alive@example.com", "CLAIMED", "alive/2", justNow);
        row(campaign, "waiting@example.com", "PENDING", null, null);
        jdbc.update("INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n) VALUES (?, 'CLAIMED', '', 0, 3), (?, 'PENDING', '', 0, 1)",
                campaign, campaign);

        database.migrate();

        assertThat(jdbc.queryForList("SELECT c.claimed_by FROM recipient r JOIN recipient_claim c ON c.id = r.claim_id "
                + "WHERE r.state = 'CLAIMED' ORDER BY r.email", String.class)).containsExactly("alive/2", "gone/7", "gone/7");
        assertThat(jdbc.queryForObject("SELECT claimed_at FROM recipient_claim WHERE claimed_by = 'gone/7'", Timestamp.class))
                .isEqualTo(anHourAgo);
        assertThat(jdbc.queryForObject("SELECT claim_id FROM recipient WHERE email = 'waiting@example.com'", Long.class))
                .as("never claimed").isZero();

        RecipientStore store = new RecipientStore(database.dataSource(), new SqlFiles(database.vendor()), "alive");
        Map<String, Integer> recovered = store.recoverStaleClaims(Instant.now().minus(10, ChronoUnit.MINUTES),
                owner -> owner.equals("alive"), DeliveryGuarantee.AT_MOST_ONCE, "recipient-send");

        assertThat(recovered).containsEntry("PENDING", 2).containsEntry("UNKNOWN", 0);
        assertThat(jdbc.queryForList("SELECT email FROM recipient WHERE state = 'CLAIMED'", String.class))
                .as("a live owner's recent claim is left to it").containsExactly("alive@example.com");
    }

    private void row(long campaign, String email, String state, String claimedBy, Timestamp claimedAt) {
        jdbc.update("INSERT INTO recipient (campaign_id, email, email_key, fields, state, attempts, claimed_by, claimed_at, created_at, updated_at) "
                + "VALUES (?, ?, ?, '{}', ?, 1, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", campaign, email, email, state, claimedBy, claimedAt);
    }
}
