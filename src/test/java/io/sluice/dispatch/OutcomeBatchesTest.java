package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.support.SluiceRunner;
import io.sluice.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Outcomes are written per thread in batches: nothing reaches the table before a batch is full (or old enough, or
 * the tick ends), then the rows and the counters move together. What is not written yet stays CLAIMED, which is
 * what stale-claim recovery accounts for after a crash.
 */
class OutcomeBatchesTest {

    private Database database;
    private JdbcTemplate jdbc;
    private RecipientStore store;
    private RecipientStats stats;
    private long campaign;
    private Path dir;

    @BeforeEach
    void database() {
        dir = SluiceRunner.tempDir("outcomes");
        TestDatabase db = TestDatabase.forDirectory(dir);
        database = new Database(db.url(), db.username(), db.password(), 4);
        database.migrate();
        SqlFiles sql = new SqlFiles(database.vendor());
        jdbc = new JdbcTemplate(database.dataSource());
        campaign = RunningCampaign.create(database.dataSource(), sql, 5);
        store = new RecipientStore(database.dataSource(), sql, "test");
        stats = new RecipientStats(database.dataSource(), sql, java.time.Duration.ZERO);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void writes_a_threads_outcomes_when_its_batch_is_full_and_the_rest_at_the_end_of_the_tick() {
        List<Recipient> claimed = store.claim(5);
        assertThat(claimed).hasSize(5);
        OutcomeBatches batches = new OutcomeBatches(store, 3, 60_000);

        batches.add(new RecipientStore.Outcome(claimed.get(0), RecipientStore.SENT, "250 2.0.0 queued as A"));
        batches.add(new RecipientStore.Outcome(claimed.get(1), RecipientStore.SKIPPED, "invalid"));
        assertThat(states()).as("two outcomes wait in the thread's batch").containsEntry("CLAIMED", 5L);

        batches.add(new RecipientStore.Outcome(claimed.get(2), RecipientStore.SENT, "250 2.0.0 queued as C"));
        assertThat(states()).containsEntry("SENT", 2L).containsEntry("SKIPPED", 1L).containsEntry("CLAIMED", 2L);
        assertThat(counted()).as("the counters move with the rows")
                .containsEntry("SENT", 2L).containsEntry("SKIPPED", 1L).containsEntry("CLAIMED", 2L);
        assertThat(jdbc.queryForObject("SELECT smtp_reply FROM recipient WHERE id = ?", String.class, claimed.get(2).id()))
                .isEqualTo("250 2.0.0 queued as C");
        assertThat(jdbc.queryForObject("SELECT skip_code FROM recipient WHERE id = ?", String.class, claimed.get(1).id()))
                .isEqualTo("invalid");

        batches.add(new RecipientStore.Outcome(claimed.get(3), RecipientStore.SENT, "250 ok"));
        batches.flushAll();
        assertThat(states()).containsEntry("SENT", 3L).containsEntry("CLAIMED", 1L);
        assertThat(counted()).containsEntry("SENT", 3L).containsEntry("CLAIMED", 1L);
    }

    @Test
    void writes_a_batch_once_its_oldest_outcome_has_waited_long_enough() throws Exception {
        List<Recipient> claimed = store.claim(2);
        OutcomeBatches batches = new OutcomeBatches(store, 100, 50);

        batches.add(new RecipientStore.Outcome(claimed.get(0), RecipientStore.SENT, "250 ok"));
        assertThat(states()).containsEntry("CLAIMED", 2L);
        long firstAt = System.nanoTime();
        org.awaitility.Awaitility.await().until(() -> System.nanoTime() - firstAt > 60_000_000L);
        batches.add(new RecipientStore.Outcome(claimed.get(1), RecipientStore.SENT, "250 ok"));

        assertThat(states()).containsEntry("SENT", 2L).doesNotContainKey("CLAIMED");
    }

    @Test
    void the_flusher_writes_a_batch_whose_thread_sends_nothing_more() {
        List<Recipient> claimed = store.claim(2);
        OutcomeBatches batches = new OutcomeBatches(store, 100, 50);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            batches.start(scheduler);
            // This thread's next send hangs (a slow server): no further outcome comes to push the batch out.
            batches.add(new RecipientStore.Outcome(claimed.get(0), RecipientStore.SENT, "250 ok"));

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(states()).as("written by the flusher within the max delay, not left for a crash to turn UNKNOWN")
                            .containsEntry("SENT", 1L).containsEntry("CLAIMED", 1L));
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void the_flusher_writes_every_threads_due_batch_in_one_transaction() throws Exception {
        List<Recipient> claimed = store.claim(3);
        List<Integer> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        RecipientStore counting = new RecipientStore(database.dataSource(), new SqlFiles(database.vendor()), "test") {
            @Override
            public void write(List<Outcome> outcomes) {
                writes.add(outcomes.size());
                super.write(outcomes);
            }
        };
        OutcomeBatches batches = new OutcomeBatches(counting, 100, 50);
        // Three dispatch threads, one outcome each, then nothing more from any of them.
        for (Recipient r : claimed) {
            Thread lane = new Thread(() -> batches.add(new RecipientStore.Outcome(r, RecipientStore.SENT, "250 ok")));
            lane.start();
            lane.join();
        }
        long addedAt = System.nanoTime();
        await().until(() -> System.nanoTime() - addedAt > 60_000_000L);
        batches.flushDue();

        assertThat(writes).as("one commit for the three threads' batches, not one per thread").containsExactly(3);
        assertThat(states()).containsEntry("SENT", 3L).doesNotContainKey("CLAIMED");
    }

    @Test
    void a_batch_that_meets_a_transient_database_error_is_written_again_not_left_claimed() throws Exception {
        assumeTrue(TestDatabase.vendor().equals("h2"), "the lock timeout is set in the H2 URL");
        // A second pool on the same database whose lock waits give up after 200 ms: a real transient error.
        TestDatabase db = TestDatabase.forDirectory(dir);
        Database impatient = new Database(db.url() + ";LOCK_TIMEOUT=200", db.username(), db.password(), 2);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Connection blocker = database.dataSource().getConnection()) {
            RecipientStore impatientStore = new RecipientStore(impatient.dataSource(), new SqlFiles(impatient.vendor()), "test");
            List<Recipient> claimed = impatientStore.claim(2);
            OutcomeBatches batches = new OutcomeBatches(impatientStore, 1, 50);
            batches.start(scheduler);
            blocker.setAutoCommit(false);
            blocker.createStatement().executeUpdate("UPDATE recipient SET updated_at = CURRENT_TIMESTAMP WHERE id = " + claimed.get(0).id());

            batches.add(new RecipientStore.Outcome(claimed.get(0), RecipientStore.SENT, "250 ok"));
            assertThat(batches.waitingForRetry()).as("the lock timeout sent the batch back for a retry").isEqualTo(1);
            assertThat(states()).containsEntry("CLAIMED", 2L);

            blocker.rollback();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(states()).as("written once the lock is gone").containsEntry("SENT", 1L).containsEntry("CLAIMED", 1L);
                assertThat(counted()).containsEntry("SENT", 1L).containsEntry("CLAIMED", 1L);
            });
            assertThat(batches.waitingForRetry()).isZero();
        } finally {
            scheduler.shutdownNow();
            impatient.close();
        }
    }

    @Test
    void an_outcome_whose_row_is_no_longer_claimed_changes_nothing() {
        List<Recipient> claimed = store.claim(2);
        // Another instance recovered the first row as stale meanwhile.
        jdbc.update("UPDATE recipient SET state = 'UNKNOWN' WHERE id = ?", claimed.get(0).id());

        store.write(List.of(new RecipientStore.Outcome(claimed.get(0), RecipientStore.SENT, "250 late"),
                new RecipientStore.Outcome(claimed.get(1), RecipientStore.SENT, "250 ok")));

        assertThat(jdbc.queryForObject("SELECT state FROM recipient WHERE id = ?", String.class, claimed.get(0).id())).isEqualTo("UNKNOWN");
        // On MySQL/MariaDB the UPDATE's count (1 of 2) sends the batch round again, rows named first: the row still
        // claimed must be written all the same.
        assertThat(jdbc.queryForObject("SELECT smtp_reply FROM recipient WHERE id = ? AND state = 'SENT'", String.class, claimed.get(1).id()))
                .isEqualTo("250 ok");
        assertThat(counted()).as("only the row the guard let through is counted").containsEntry("SENT", 1L).containsEntry("CLAIMED", 1L);
    }

    @Test
    void a_claim_whose_update_takes_fewer_rows_than_it_selected_returns_and_counts_only_those() {
        // Two ticks of one H2 instance (which claims without row locks) selected the same rows; the other took the
        // first two between this claim's SELECT and its UPDATE.
        List<Recipient> candidates = jdbc.query("SELECT id, campaign_id, email, email_key, fields, attempts FROM recipient ORDER BY id",
                (rs, n) -> new Recipient(rs.getLong("id"), rs.getLong("campaign_id"), rs.getString("email"), rs.getString("email_key"),
                        rs.getString("fields"), rs.getInt("attempts"), "valid"));
        assertThat(store.claim(2)).extracting(Recipient::id).containsExactly(candidates.get(0).id(), candidates.get(1).id());

        List<Recipient> taken = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()))
                .execute(status -> store.take(candidates, "test/late", new Timestamp(System.currentTimeMillis())));

        assertThat(taken).extracting(Recipient::id).containsExactly(candidates.get(2).id(), candidates.get(3).id(), candidates.get(4).id());
        assertThat(taken).allSatisfy(r -> assertThat(r.attempts()).isEqualTo(1));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM recipient WHERE claimed_by = 'test/late'", Long.class)).isEqualTo(3L);
        assertThat(counted()).as("each row counted once, by the claim that took it").containsEntry("CLAIMED", 5L)
                .satisfies(byState -> assertThat(byState.getOrDefault("PENDING", 0L)).isZero());
    }

    private Map<String, Long> states() {
        Map<String, Long> result = new java.util.TreeMap<>();
        jdbc.query("SELECT state, COUNT(*) AS n FROM recipient GROUP BY state", rs -> {
            result.put(rs.getString("state"), rs.getLong("n"));
        });
        return result;
    }

    private Map<String, Long> counted() {
        return stats.byCampaign().get(campaign).byState();
    }
}
