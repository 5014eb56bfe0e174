package io.sluice.dispatch;

import java.util.Map;

import io.sluice.support.ScriptedSmtpServer;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Transient failures are retried and returned to the pool; permanent ones are FAILED and never retried. */
@org.junit.jupiter.api.Timeout(30)
class DeliveryFailureTest {

    private static final String AUDIENCE = "email\nok@example.com\nbusy@example.com\ngone@example.com\n";
    private static final String RESULTS = "email,code\nok@example.com,valid\nbusy@example.com,valid\ngone@example.com,valid\n";

    private ScriptedSmtpServer smtp;
    private SluiceRunner sluice;

    @BeforeEach
    void start() throws Exception {
        smtp = new ScriptedSmtpServer();
        smtp.reply("busy@example.com", "451 4.3.0 Mailbox temporarily unavailable");
        smtp.reply("gone@example.com", "550 5.1.1 No such user");
        sluice = new SluiceRunner(SluiceRunner.tempDir("failures")).smtp(smtp.port())
                .set("sluice.dispatch.retry-attempts", "2")
                .set("sluice.dispatch.retry-after", "PT0S")
                .set("sluice.dispatch.max-attempts", "3")
                .start();
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
    }

    @AfterEach
    void stop() throws Exception {
        sluice.close();
        smtp.close();
    }

    @Test
    void should_fail_permanently_on_5xx_and_never_retry() {
        sluice.tick();
        sluice.tick();

        Map<String, Object> gone = sluice.row("gone@example.com");
        assertThat(gone.get("STATE")).isEqualTo("FAILED");
        assertThat(gone.get("LAST_ERROR").toString()).startsWith("550").contains("No such user");
        assertThat(gone.get("ATTEMPTS")).as("claimed once, never again").isEqualTo(1);
        assertThat(sluice.state("ok@example.com")).isEqualTo("SENT");
        assertThat(smtp.delivered()).containsExactly("ok@example.com");
    }

    @Test
    void should_return_transient_4xx_to_the_pool_and_send_it_once_the_server_accepts() {
        sluice.tick();

        Map<String, Object> busy = sluice.row("busy@example.com");
        assertThat(busy.get("STATE")).as("returned to the pool after in-tick retries").isEqualTo("PENDING");
        assertThat(busy.get("LAST_ERROR").toString()).startsWith("451");
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM delivery_record WHERE message_id LIKE ?", Integer.class,
                "%:" + busy.get("ID"))).as("its delivery record is dropped so the retry is not taken for a duplicate").isZero();

        smtp.accept("busy@example.com");
        sluice.tick();

        assertThat(sluice.state("busy@example.com")).isEqualTo("SENT");
        assertThat(smtp.delivered()).containsExactlyInAnyOrder("ok@example.com", "busy@example.com");
    }

    @Test
    void should_retry_a_transient_4xx_within_the_tick_and_send_it_when_the_retry_is_accepted() {
        smtp.replyOnce("ok@example.com", "421 4.7.0 Try again later");

        sluice.tick();

        Map<String, Object> ok = sluice.row("ok@example.com");
        assertThat(ok.get("STATE")).as("sent by the sender's in-tick retry").isEqualTo("SENT");
        assertThat(ok.get("ATTEMPTS")).as("one claim: it never went back to the pool").isEqualTo(1);
        assertThat(smtp.delivered()).containsOnlyOnce("ok@example.com");
    }

    @Test
    void should_give_up_on_a_transient_failure_after_max_attempts() {
        sluice.tick();
        sluice.tick();
        sluice.tick();
        sluice.tick();

        Map<String, Object> busy = sluice.row("busy@example.com");
        assertThat(busy.get("STATE")).isEqualTo("FAILED");
        assertThat(busy.get("LAST_ERROR").toString()).startsWith("gave up after 3 attempts: 451");
    }

    @Test
    void should_return_everything_to_the_pool_when_the_server_is_unreachable() throws Exception {
        smtp.close();

        sluice.tick();

        assertThat(sluice.jdbc().queryForList("SELECT state FROM recipient", String.class)).containsOnly("PENDING");
        assertThat(sluice.row("ok@example.com").get("LAST_ERROR").toString()).containsIgnoringCase("connect");
    }

    @Test
    void should_reuse_smtp_connections_across_messages() {
        sluice.jdbc().update("UPDATE recipient SET state = 'SENT' WHERE email <> 'ok@example.com'");
        String many = "email\n" + java.util.stream.IntStream.range(0, 60).mapToObj(i -> "user" + i + "@example.com\n")
                .reduce("", String::concat);
        String valid = "email,code\n" + java.util.stream.IntStream.range(0, 60).mapToObj(i -> "user" + i + "@example.com,valid\n")
                .reduce("", String::concat);
        sluice.campaign("Hello", "Hi", null, many, valid);

        sluice.tick();

        assertThat(smtp.delivered()).hasSize(61);
        assertThat(smtp.connections()).as("connections are pooled, not one per message").isLessThanOrEqualTo(15);
    }

}
