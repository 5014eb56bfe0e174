package io.sluice.dispatch;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.support.SluiceRunner;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The dispatch route end to end: admin API import, one tick, real SMTP (GreenMail), recipient states. */
class DispatchSmtpTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String AUDIENCE = """
            email,first_name,plan
            ada@example.com,Ada,<b>pro</b>
            grace+news@example.org,Grace,free
            temp@mailinator.com,Temp,free
            catchall@example.net,Catch,free
            nobody-validated@example.com,Nobody,free
            """;
    private static final String RESULTS = """
            email,code
            ada@example.com,valid
            GRACE+NEWS@example.org,ok
            temp@mailinator.com,disposable
            catchall@example.net,accept_all
            """;

    private Path dir;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        dir = SluiceRunner.tempDir("dispatch");
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort()).start();
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void should_mail_validated_recipients_with_merge_fields_and_bulk_headers() throws Exception {
        long id = sluice.campaign("Hello {{first_name}}", "Hi {{first_name}}, plan {{plan}}",
                "<p>Hi {{first_name}}, plan {{plan}}</p>", AUDIENCE, RESULTS);

        sluice.tick();

        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).as("only the two addresses with an allowed code are mailed").hasSize(2);
        MimeMessage ada = Arrays.stream(received)
                .filter(m -> to(m).contains("ada@example.com"))
                .findFirst().orElseThrow();
        assertThat(ada.getSubject()).isEqualTo("Hello Ada");
        assertThat(ada.getHeader("X-PM-Message-Stream")[0]).isEqualTo("broadcast");
        assertThat(ada.getHeader("List-Unsubscribe")[0]).startsWith("<https://sluice.example.com/unsubscribe/" + id + ".");
        assertThat(ada.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(ada.getMessageID()).matches("<" + id + "\\.\\d+\\..+@sluice\\.localdomain>");
        assertThat(ada.getSentDate()).isNotNull();
        String raw = GreenMailUtil.getWholeMessage(ada);
        assertThat(raw).as("text part keeps the merge value as written").contains("Hi Ada, plan <b>pro</b>");
        assertThat(raw).as("HTML part escapes the merge value").contains("<p>Hi Ada, plan &lt;b&gt;pro&lt;/b&gt;</p>");
        assertThat(raw).as("no Camel or quartz header leaks into the mail")
                .doesNotContainIgnoringCase("Camel").doesNotContain("fireTime").doesNotContain("breadcrumb");

        assertThat(sluice.state("ada@example.com")).isEqualTo("SENT");
        assertThat(sluice.row("ada@example.com").get("SMTP_REPLY").toString()).startsWith("250");
        assertThat(sluice.state("grace+news@example.org")).as("+ addresses are mailed").isEqualTo("SENT");
    }

    @Test
    void should_skip_disallowed_codes_and_leave_unvalidated_addresses_waiting() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);

        sluice.tick();

        assertThat(sluice.row("temp@mailinator.com")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "disposable");
        assertThat(sluice.row("catchall@example.net")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "accept_all");
        assertThat(sluice.state("nobody-validated@example.com")).as("no cache entry: never mailed, waits").isEqualTo("PENDING");
        assertThat(greenMail.getReceivedMessagesForDomain("example.com")).extracting(m -> to(m))
                .containsExactly("ada@example.com");

        String status = sluice.call("GET", "/api/status", null, null).body();
        assertThat(status).contains("\"waitingForValidation\":1").contains("\"disposable\":1").contains("\"accept_all\":1")
                .contains("\"SENT\":2");
    }

    @Test
    void should_not_mail_on_a_verdict_older_than_the_max_age_until_it_is_renewed() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        sluice.jdbc().update("UPDATE email_validation_cache SET checked_at = ? WHERE email = 'ada@example.com'",
                java.sql.Timestamp.from(java.time.Instant.now().minus(java.time.Duration.ofDays(91))));

        sluice.tick();

        assertThat(sluice.state("ada@example.com")).as("a 91-day-old verdict is expired: it waits").isEqualTo("PENDING");
        assertThat(sluice.state("grace+news@example.org")).isEqualTo("SENT");

        sluice.jdbc().update("UPDATE email_validation_cache SET checked_at = ? WHERE email = 'ada@example.com'",
                java.sql.Timestamp.from(java.time.Instant.now()));
        sluice.tick();

        assertThat(sluice.state("ada@example.com")).as("renewed: mailed").isEqualTo("SENT");
    }

    @Test
    void should_send_nothing_while_send_limit_is_zero() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        assertThat(sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 0}").statusCode()).isEqualTo(200);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(sluice.state("ada@example.com")).isEqualTo("PENDING");
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"gate\":\"sendLimit is 0\"");
    }

    @Test
    void should_claim_at_most_send_limit_per_tick() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 1}");

        sluice.tick();

        Map<String, Object> counts = sluice.jdbc().queryForMap(
                "SELECT SUM(CASE WHEN state <> 'PENDING' THEN 1 ELSE 0 END) AS handled FROM recipient");
        assertThat(((Number) counts.get("HANDLED")).intValue()).isEqualTo(1);
    }

    @Test
    void should_never_let_a_merge_value_create_a_header() throws Exception {
        String audience = "email,first_name\nada@example.com,\"Ada\r\nBcc: victim@example.org\r\nX-Injected: yes\"\n";
        sluice.campaign("Hello {{first_name}}", "Hi {{first_name}}", null, audience, "email,code\nada@example.com,valid\n");

        sluice.tick();

        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getHeader("X-Injected")).isNull();
        assertThat(received[0].getHeader("Bcc")).isNull();
        assertThat(received[0].getAllRecipients()).extracting(Object::toString).containsExactly("ada@example.com");
        assertThat(received[0].getSubject()).doesNotContain("\n").doesNotContain("\r").startsWith("Hello Ada");
    }

    @Test
    void should_send_nothing_twice_after_a_restart_on_the_same_database() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).hasSize(2);

        sluice.close();
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort()).start();
        sluice.tick();
        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).as("a restart sends nothing again").hasSize(2);
    }

    @Test
    void should_mark_a_crash_between_record_and_send_unknown_under_at_most_once() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        crashAfterDeliveryRecord("ada@example.com");

        sluice.close();
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort()).start();
        sluice.tick();

        assertThat(sluice.state("ada@example.com")).as("may or may not have left: a person decides").isEqualTo("UNKNOWN");
        assertThat(greenMail.getReceivedMessages()).extracting(m -> to(m))
                .containsExactly("grace+news@example.org");
    }

    @Test
    void should_resend_a_crash_between_record_and_send_under_at_least_once() {
        sluice.close();
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort()).set("sluice.delivery.guarantee", "at-least-once").start();
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        crashAfterDeliveryRecord("ada@example.com");

        sluice.close();
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort()).set("sluice.delivery.guarantee", "at-least-once").start();
        sluice.tick();

        assertThat(sluice.state("ada@example.com")).isEqualTo("SENT");
        assertThat(greenMail.getReceivedMessages()).hasSize(2);
    }

    /**
     * What a crash after the delivery record and before the send leaves behind: the row CLAIMED an hour ago (older
     * than the claim lease on every database) by a process that is gone, with its delivery record written.
     */
    private void crashAfterDeliveryRecord(String email) {
        long id = ((Number) sluice.row(email).get("ID")).longValue();
        long campaignId = ((Number) sluice.row(email).get("CAMPAIGN_ID")).longValue();
        sluice.jdbc().update("UPDATE recipient SET state = 'CLAIMED', claimed_by = 'dead', claimed_at = ? WHERE id = ?",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(3600)), id);
        sluice.jdbc().update("INSERT INTO delivery_record VALUES ('recipient-send', ?, CURRENT_TIMESTAMP)", campaignId + ":" + id);
    }

    @Test
    void should_run_again_after_a_tick_that_failed_before_sending() {
        sluice.campaign("Hello", "Hi", null, AUDIENCE, RESULTS);
        sluice.jdbc().execute("ALTER TABLE send_control RENAME TO send_control_gone");
        org.assertj.core.api.Assertions.assertThatThrownBy(sluice::tick).as("the tick cannot read its send control").isInstanceOf(RuntimeException.class);

        sluice.jdbc().execute("ALTER TABLE send_control_gone RENAME TO send_control");
        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).as("the failed tick did not leave the gate marked busy").hasSize(2);
    }

    static String to(MimeMessage message) {
        try {
            return GreenMailUtil.getAddressList(message.getAllRecipients());
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
