package io.sluice.dispatch;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.support.ScriptedSmtpServer;
import io.sluice.support.ScriptedSmtpServer.Fault;
import io.sluice.support.SluiceRunner;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failed SMTP conversation, judged by where it failed, through the real routes: a lost reply after the data is
 * UNKNOWN at-most-once and never sent again; a failure before the end of the data is retried and sent once; a 5xx to
 * the data is FAILED. The server counts what it really received.
 */
@Timeout(120)
class DeliveryOutcomesTest {

    private static final int RECIPIENTS = 3;

    private ScriptedSmtpServer smtp;
    private SluiceRunner sluice;

    @BeforeEach
    void server() throws Exception {
        smtp = new ScriptedSmtpServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (sluice != null) {
            sluice.close();
        }
        smtp.close();
    }

    private void start(String guarantee, String body) {
        sluice = new SluiceRunner(SluiceRunner.tempDir("outcomes")).smtp(smtp.port())
                .set("sluice.delivery.guarantee", guarantee)
                .set("sluice.smtp.timeout-ms", "500")
                .set("sluice.dispatch.retry-attempts", "2")
                .set("sluice.dispatch.retry-after", "PT0S")
                .start();
        String audience = "email\n" + addresses().stream().map(a -> a + "\n").collect(Collectors.joining());
        String results = "email,code\n" + addresses().stream().map(a -> a + ",valid\n").collect(Collectors.joining());
        sluice.campaign("Hello", body, null, audience, results);
    }

    private static List<String> addresses() {
        return IntStream.range(0, RECIPIENTS).mapToObj(i -> "user" + i + "@example.com").toList();
    }

    private Map<String, Long> states() {
        return sluice.jdbc().queryForList("SELECT state FROM recipient", String.class).stream()
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    }

    private double failures(String failureClass) {
        return sluice.bean(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class)
                .counter("sluice.failures", "class", failureClass).count();
    }

    @Test
    void a_drop_after_the_data_is_unknown_at_most_once_never_failed_and_never_sent_again() {
        start("at-most-once", "Hi");
        smtp.fault(Fault.DROP_AFTER_DOT);

        sluice.tick();

        assertThat(states()).as("every one UNKNOWN, none FAILED").isEqualTo(Map.of("UNKNOWN", (long) RECIPIENTS));
        Map<String, Object> row = sluice.row("user0@example.com");
        assertThat(row.get("LAST_ERROR").toString()).startsWith("no reply to the message data").contains("[EOF]");
        assertThat(row.get("ATTEMPTS")).as("no retry, in the sender or from the pool").isEqualTo(1);
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM delivery_record", Integer.class))
                .as("the delivery records stay: the server may have them").isEqualTo(RECIPIENTS);
        assertThat(failures("ambiguous")).isEqualTo(RECIPIENTS);
        assertThat(failures("permanent")).isZero();

        smtp.fault(Fault.NONE);
        sluice.tick();
        sluice.tick();

        assertThat(smtp.deliveredCounts()).as("the server received each exactly once")
                .isEqualTo(addresses().stream().collect(Collectors.toMap(a -> a, a -> 1L)));
        assertThat(states()).isEqualTo(Map.of("UNKNOWN", (long) RECIPIENTS));
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"UNKNOWN\":" + RECIPIENTS);
    }

    @Test
    void a_reply_slower_than_the_timeout_is_unknown_and_never_sent_again() {
        start("at-most-once", "Hi");
        smtp.slowReplyMillis(2000);
        smtp.fault(Fault.SLOW_REPLY);

        sluice.tick();
        smtp.fault(Fault.NONE);
        sluice.tick();

        assertThat(states()).isEqualTo(Map.of("UNKNOWN", (long) RECIPIENTS));
        assertThat(sluice.row("user1@example.com").get("LAST_ERROR").toString()).startsWith("no reply to the message data")
                .containsIgnoringCase("timed out");
        assertThat(smtp.duplicates()).as("never resent").isEmpty();
        assertThat(smtp.delivered()).hasSize(RECIPIENTS);
    }

    @Test
    void a_drop_during_the_data_is_retried_and_sent_once() {
        // Larger than the socket buffers, so the client is still writing the data when the server resets: a write error.
        start("at-most-once", "Hi\n" + "0123456789 ".repeat(600_000));
        // Two drops: at most two on one recipient, within its sender's two retries.
        smtp.fault(Fault.DROP_DURING_DATA, 2);

        sluice.tick();

        assertThat(smtp.faultsPlayed()).isEqualTo(2);
        assertThat(states()).isEqualTo(Map.of("SENT", (long) RECIPIENTS));
        assertThat(sluice.jdbc().queryForList("SELECT attempts FROM recipient", Integer.class))
                .as("retried by the sender, never returned to the pool").containsOnly(1);
        assertThat(smtp.deliveredCounts()).isEqualTo(addresses().stream().collect(Collectors.toMap(a -> a, a -> 1L)));
        assertThat(failures("ambiguous")).isZero();
    }

    @Test
    void a_451_to_the_data_is_retried_and_a_554_to_the_data_is_failed() {
        start("at-most-once", "Hi");
        smtp.fault(Fault.DATA_451, 2);

        sluice.tick();

        assertThat(states()).isEqualTo(Map.of("SENT", (long) RECIPIENTS));
        assertThat(smtp.duplicates()).isEmpty();

        sluice.jdbc().update("UPDATE recipient SET state = 'PENDING' WHERE email = 'user0@example.com'");
        sluice.jdbc().update("DELETE FROM delivery_record");
        smtp.fault(Fault.DATA_554);
        sluice.tick();

        Map<String, Object> row = sluice.row("user0@example.com");
        assertThat(row.get("STATE")).isEqualTo("FAILED");
        assertThat(row.get("LAST_ERROR").toString()).startsWith("554 5.6.0");
    }

    @Test
    void a_drop_after_the_data_is_sent_again_at_least_once() {
        start("at-least-once", "Hi");
        smtp.fault(Fault.DROP_AFTER_DOT, 1);

        sluice.tick();

        assertThat(states()).isEqualTo(Map.of("SENT", (long) RECIPIENTS));
        assertThat(smtp.delivered()).as("one address twice: at-least-once's accepted risk").hasSize(RECIPIENTS + 1);
        assertThat(smtp.duplicates()).hasSize(1);
    }

    @Test
    void a_lost_reply_after_the_sender_gave_up_is_returned_to_the_pool_at_least_once() {
        start("at-least-once", "Hi");
        smtp.fault(Fault.DROP_AFTER_DOT);

        sluice.tick();

        assertThat(states()).as("back to the pool, never UNKNOWN").isEqualTo(Map.of("PENDING", (long) RECIPIENTS));
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM delivery_record", Integer.class)).isZero();
        assertThat(failures("ambiguous")).isEqualTo(RECIPIENTS);

        smtp.fault(Fault.NONE);
        sluice.tick();

        assertThat(states()).isEqualTo(Map.of("SENT", (long) RECIPIENTS));
    }
}
