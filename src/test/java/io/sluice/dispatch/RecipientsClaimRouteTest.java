package io.sluice.dispatch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.sluice.support.SluiceRunner;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Route recipients-claim on the real routes/ and sql/ files: one chunk claimed in one transaction, the guarded update's
 * read-back when another claim took rows first (H2 claims without row locks), and the content enricher's single
 * lookup per chunk, whose failure rolls the whole chunk back.
 */
class RecipientsClaimRouteTest {

    private static final int AUDIENCE = 5;

    private SluiceRunner sluice;
    private ProducerTemplate producer;

    @BeforeEach
    void start() {
        Path dir = SluiceRunner.tempDir("claim-route");
        // No tick of its own during the test: the test calls the route.
        sluice = new SluiceRunner(dir).set("sluice.dispatch.first-tick-delay-ms", "3600000")
                .set("sluice.dispatch.cron", "0 0 0 1 1 ? 2099").start();
        StringBuilder audience = new StringBuilder("email,first_name\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 0; i < AUDIENCE; i++) {
            audience.append("reader").append(i).append("@example.com,R").append(i).append('\n');
            results.append("reader").append(i).append("@example.com,").append(i % 2 == 0 ? "valid" : "catchall").append('\n');
        }
        sluice.campaign("Hello", "Hi {{first_name}}", null, audience.toString(), results.toString());
        producer = sluice.context().createProducerTemplate();
    }

    @AfterEach
    void stop() throws Exception {
        producer.close();
        sluice.close();
    }

    @SuppressWarnings("unchecked")
    private List<Recipient> claim(int limit) {
        return producer.requestBodyAndHeader("direct:recipients-claim", null, "limit", limit, List.class);
    }

    @Test
    void a_chunk_is_claimed_and_each_recipient_carries_its_cached_code_from_one_lookup() {
        List<Recipient> claimed = claim(AUDIENCE);

        assertThat(claimed).hasSize(AUDIENCE);
        assertThat(claimed).allSatisfy(r -> {
            assertThat(r.validationCode()).as("code of %s", r.email()).isEqualTo(r.email().matches("reader[024]@.*") ? "valid" : "catchall");
            assertThat(r.attempts()).isEqualTo(1);
        });
        assertThat(count("CLAIMED")).isEqualTo(AUDIENCE);
        assertThat(exchanges("recipients-claim-verdicts-lookup")).as("one cache query for the whole chunk").isEqualTo(1);
        assertThat(exchanges("recipients-claimed-among")).as("the update took every row: no read-back").isZero();
        assertThat(claim(AUDIENCE)).as("nothing is claimed twice").isEmpty();
    }

    @Test
    void rows_another_claim_took_between_select_and_update_are_left_to_it() throws Exception {
        // H2's case: its select takes no row locks (MariaDB and PostgreSQL lock them FOR UPDATE SKIP LOCKED, so another
        // claim cannot take them in between, and this test's interloper would wait on the locks).
        assumeTrue(sluice.bean("database", io.sluice.db.Database.class).vendor() == io.sluice.db.Database.Vendor.H2);
        List<Long> ids = sluice.jdbc().queryForList("SELECT id FROM recipient ORDER BY id", Long.class);
        AdviceWith.adviceWith(sluice.context(), "recipients-claim", a -> a.weaveById("recipients-claim-update").before()
                .process(e -> CompletableFuture.runAsync(() -> sluice.jdbc().update(
                        "UPDATE recipient SET state = 'CLAIMED', claimed_by = 'other/1' WHERE id IN (?, ?)", ids.get(0), ids.get(1))).join()));

        List<Recipient> claimed = claim(AUDIENCE);

        assertThat(claimed).extracting(Recipient::id).containsExactly(ids.get(2), ids.get(3), ids.get(4));
        assertThat(claimed).allSatisfy(r -> assertThat(r.validationCode()).isNotNull());
        assertThat(exchanges("recipients-claimed-among")).as("the read-back ran because the count fell short").isEqualTo(1);
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE claimed_by = 'other/1'", Long.class)).isEqualTo(2);
    }

    @Test
    void a_failed_verdict_lookup_rolls_the_whole_chunk_back() throws Exception {
        AdviceWith.adviceWith(sluice.context(), "recipients-claim-verdicts", a -> a.weaveById("recipients-claim-verdicts-lookup")
                .replace().throwException(new IllegalStateException("cache unreachable")));
        Map<String, Object> countersBefore = counters();

        assertThatThrownBy(() -> claim(AUDIENCE)).isInstanceOf(CamelExecutionException.class).hasRootCauseMessage("cache unreachable");

        assertThat(count("PENDING")).as("the claim's UPDATE was rolled back").isEqualTo(AUDIENCE);
        assertThat(counters()).as("and its counters with it").isEqualTo(countersBefore);
    }

    @Test
    void a_recipient_whose_cache_row_vanished_before_the_enricher_goes_back_to_pending_unmailed() throws Exception {
        // H2 only: on MariaDB the claim's FOR UPDATE also locks the cache rows its subquery read, and the delete would wait.
        assumeTrue(sluice.bean("database", io.sluice.db.Database.class).vendor() == io.sluice.db.Database.Vendor.H2);
        AdviceWith.adviceWith(sluice.context(), "recipients-claim", a -> a.weaveById("recipients-claim-enrich-verdicts").before()
                .process(e -> CompletableFuture.runAsync(() -> sluice.jdbc().update(
                        "DELETE FROM email_validation_cache WHERE email = ?", "reader1@example.com")).join()));
        Tick tick = new Tick(AUDIENCE, null);
        tick.reserved(0, AUDIENCE);

        TickClaim claim = sluice.bean("dispatch", Dispatch.class).claim(tick);
        List<Recipient> held = new java.util.ArrayList<>();
        claim.lanes(1).get(0).forEach(held::add);

        assertThat(held).extracting(Recipient::email).as("the tick holds only recipients with a verdict")
                .containsExactly("reader0@example.com", "reader2@example.com", "reader3@example.com", "reader4@example.com");
        assertThat(held).allSatisfy(r -> assertThat(r.validationCode()).isNotNull());
        assertThat(sluice.row("reader1@example.com")).as("back to PENDING, its attempt given back")
                .containsEntry("STATE", "PENDING").containsEntry("ATTEMPTS", 0);
    }

    private long count(String state) {
        return sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE state = ?", Long.class, state);
    }

    private Map<String, Object> counters() {
        return Map.of("claimed", sluice.jdbc().queryForObject(
                "SELECT COALESCE(SUM(n), 0) FROM recipient_count WHERE state = 'CLAIMED'", Long.class),
                "pending", sluice.jdbc().queryForObject("SELECT COALESCE(SUM(n), 0) FROM recipient_count WHERE state = 'PENDING'", Long.class));
    }

    private long exchanges(String processorId) {
        return sluice.context().getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedProcessor(processorId).getExchangesTotal();
    }
}
