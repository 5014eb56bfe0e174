package io.sluice.routes;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.dispatch.Recipient;
import io.sluice.mail.AmbiguousDeliveryException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dispatch-tick and recipient-send on Camel's test kit: the real routes and beans, real SMTP (GreenMail), mocks woven
 * by step id to watch what reaches recipient-send and what it records as sent.
 */
class DispatchTickRouteTest extends SluiceRouteTestSupport {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String AUDIENCE = """
            email,first_name
            ada@example.com,Ada
            grace@example.org,Grace
            temp@mailinator.com,Temp
            catchall@example.net,Catch
            nobody-validated@example.com,Nobody
            """;
    private static final String RESULTS = """
            email,code
            ada@example.com,valid
            grace@example.org,ok
            temp@mailinator.com,disposable
            catchall@example.net,accept_all
            """;

    @Override
    protected void settings(Properties settings) {
        smtp(settings, greenMail.getSmtp().getPort());
    }

    /** Every recipient that reaches recipient-send, and every one recorded SENT (after recipient-send-record-sent). */
    private void watchRecipientSend() throws Exception {
        advise("recipient-send", route -> {
            route.weaveAddFirst().to("mock:handed");
            route.weaveById("recipient-send-record-sent").after().to("mock:recorded");
        });
    }

    @Test
    void should_claim_filter_send_and_record_in_one_tick() throws Exception {
        watchRecipientSend();
        startSluice();
        campaign(AUDIENCE, RESULTS);
        MockEndpoint handed = getMockEndpoint("mock:handed");
        MockEndpoint recorded = getMockEndpoint("mock:recorded");
        handed.expectedMessageCount(4);
        recorded.expectedMessageCount(2);
        // The tick's own exchange, not the split's copies (which also come from dispatch-tick).
        NotifyBuilder tickDone = new NotifyBuilder(context).fromRoute("dispatch-tick")
                .filter(e -> e.getProperty(Exchange.SPLIT_INDEX) == null).whenCompleted(1).create();

        template.asyncSendBody("direct:dispatch-tick", null);

        assertThat(tickDone.matches(20, TimeUnit.SECONDS)).as("the tick completes").isTrue();
        MockEndpoint.assertIsSatisfied(handed, recorded);
        assertThat(handed.getReceivedExchanges()).extracting(e -> e.getMessage().getBody(Recipient.class).email()).as("claimed: every validated recipient, not the one still waiting for validation")
                .containsExactlyInAnyOrder("ada@example.com", "grace@example.org", "temp@mailinator.com", "catchall@example.net");
        assertThat(emails(recorded)).as("recorded SENT once each: only the allowed codes")
                .containsExactlyInAnyOrder("ada@example.com", "grace@example.org");

        assertThat(greenMail.getReceivedMessages()).extracting(DispatchTickRouteTest::to)
                .as("one message each at the SMTP server").containsExactlyInAnyOrder("ada@example.com", "grace@example.org");
        assertThat(row("ada@example.com")).containsEntry("STATE", "SENT");
        assertThat(row("ada@example.com").get("SMTP_REPLY").toString()).as("the server's reply is kept").startsWith("250");
        assertThat(state("grace@example.org")).isEqualTo("SENT");
        assertThat(row("temp@mailinator.com")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "disposable");
        assertThat(row("catchall@example.net")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "accept_all");
        assertThat(state("nobody-validated@example.com")).as("no verdict yet: never claimed, waits").isEqualTo("PENDING");
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM delivery_record", Long.class))
                .as("a delivery record per hand-off, none for the skipped").isEqualTo(2);
    }

    @Test
    void should_skip_a_recipient_whose_delivery_record_already_exists() throws Exception {
        watchRecipientSend();
        startSluice();
        long campaign = campaign("email,first_name\nada@example.com,Ada\ngrace@example.org,Grace\n",
                "email,code\nada@example.com,valid\ngrace@example.org,valid\n");
        long ada = ((Number) row("ada@example.com").get("ID")).longValue();
        // Handed over before (by this or another instance): its key is in the idempotent repository of recipient-send.
        jdbc().update("INSERT INTO delivery_record VALUES ('recipient-send', ?, CURRENT_TIMESTAMP)", campaign + ":" + ada);
        MockEndpoint handed = getMockEndpoint("mock:handed");
        MockEndpoint recorded = getMockEndpoint("mock:recorded");
        handed.expectedMessageCount(2);
        recorded.expectedMessageCount(1);

        tick();

        MockEndpoint.assertIsSatisfied(handed, recorded);
        assertThat(emails(recorded)).as("only the recipient never handed over is sent").containsExactly("grace@example.org");
        assertThat(greenMail.getReceivedMessages()).extracting(DispatchTickRouteTest::to).containsExactly("grace@example.org");
        assertThat(row("ada@example.com")).as("a duplicate is SKIPPED with the code duplicate, never sent")
                .containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "duplicate");
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM delivery_record WHERE message_id = ?", Long.class,
                campaign + ":" + ada)).as("its delivery record stays").isEqualTo(1);
    }

    @Test
    void should_record_each_delivery_failure_by_its_class_when_the_delivery_step_fails() throws Exception {
        // A fault injected where the SMTP hand-off happens: what dispatch-errors does with it is the route's business.
        advise("recipient-send", route -> {
            route.weaveById("recipient-send-deliver").replace().process(exchange -> {
                String email = exchange.getProperty("recipient", Recipient.class).email();
                InternetAddress address = new InternetAddress(email);
                if (email.startsWith("ada")) {
                    throw new SMTPAddressFailedException(address, "RCPT TO", 550, "5.1.1 No such user");
                }
                throw new AmbiguousDeliveryException(new SMTPSendFailedException("DATA", -1, "[EOF]", null, null, null, null));
            });
            route.weaveById("recipient-send-record-sent").after().to("mock:recorded");
        });
        startSluice();
        campaign("email,first_name\nada@example.com,Ada\ngrace@example.org,Grace\n",
                "email,code\nada@example.com,valid\ngrace@example.org,valid\n");
        MockEndpoint recorded = getMockEndpoint("mock:recorded");
        recorded.expectedMessageCount(0);

        tick();

        recorded.assertIsSatisfied();
        assertThat(row("ada@example.com")).as("a 5xx to RCPT TO is permanent: FAILED with the reply")
                .containsEntry("STATE", "FAILED");
        assertThat(row("ada@example.com").get("LAST_ERROR").toString()).contains("5.1.1 No such user");
        assertThat(row("grace@example.org")).as("no reply after the data: may have left, a person decides (at-most-once)")
                .containsEntry("STATE", "UNKNOWN");
        Map<String, Object> grace = row("grace@example.org");
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM delivery_record WHERE message_id = ?", Long.class,
                grace.get("CAMPAIGN_ID") + ":" + grace.get("ID"))).as("its delivery record stays: never sent again").isEqualTo(1);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    private static List<String> emails(MockEndpoint mock) {
        return mock.getReceivedExchanges().stream()
                .map(e -> e.getProperty("recipient", Recipient.class).email())
                .toList();
    }

    static String to(MimeMessage message) {
        try {
            return GreenMailUtil.getAddressList(message.getAllRecipients());
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

}
