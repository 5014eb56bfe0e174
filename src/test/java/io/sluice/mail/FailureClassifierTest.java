package io.sluice.mail;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.mail.FailureClassifier.Kind;
import io.sluice.support.ScriptedSmtpServer;
import io.sluice.support.ScriptedSmtpServer.Fault;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The classifier against the exceptions Angus Mail really throws, produced by a scripted SMTP server failing at each
 * point of the conversation: before the end of the data nothing was accepted (transient), after the final "." with
 * no reply it may have been (ambiguous), a 5xx to the recipient or the data is permanent.
 */
@Timeout(60)
class FailureClassifierTest {

    private ScriptedSmtpServer smtp;

    @BeforeEach
    void start() throws Exception {
        smtp = new ScriptedSmtpServer();
    }

    @AfterEach
    void stop() throws Exception {
        smtp.close();
    }

    private PooledMailSender sender(int timeoutMillis, int retries, boolean retryAmbiguous) {
        return new PooledMailSender("127.0.0.1", smtp.port(), "", "", false, timeoutMillis, retries, 1, retryAmbiguous);
    }

    private static MimeMessage message(PooledMailSender sender, String to, int bodyBytes) throws MessagingException {
        MimeMessage message = new MimeMessage(sender.getSession());
        message.setFrom(new InternetAddress("news@example.com"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject("Hello");
        StringBuilder body = new StringBuilder("Hi\r\n");
        while (body.length() < bodyBytes) {
            body.append("0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\r\n");
        }
        message.setText(body.toString());
        message.saveChanges();
        return message;
    }

    /** What one send to this server throws, retries off. */
    private MessagingException failure(int timeoutMillis, int bodyBytes) throws MessagingException {
        PooledMailSender sender = sender(timeoutMillis, 0, false);
        try {
            MimeMessage message = message(sender, "someone@example.com", bodyBytes);
            return catchThrowableOfType(MessagingException.class, () -> sender.send(message));
        } finally {
            sender.close();
        }
    }

    private MessagingException failure() throws MessagingException {
        return failure(5000, 100);
    }

    @Test
    void a_refused_connection_is_transient() throws Exception {
        smtp.refuseConnections();

        MessagingException e = failure();

        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.TRANSIENT);
        assertThat(FailureClassifier.describe(e)).containsIgnoringCase("connect");
    }

    @Test
    void a_421_greeting_is_transient() throws Exception {
        smtp.fault(Fault.GREETING_421);

        MessagingException e = failure();

        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void a_421_to_mail_from_is_transient() throws Exception {
        smtp.fault(Fault.MAIL_421);

        MessagingException e = failure();

        assertThat(e).isInstanceOf(SMTPSendFailedException.class);
        assertThat(((SMTPSendFailedException) e).getReturnCode()).isEqualTo(421);
        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void a_connection_closed_while_waiting_for_the_reply_to_mail_from_is_transient_not_permanent() throws Exception {
        PooledMailSender sender = sender(5000, 0, false);
        sender.send(message(sender, "first@example.com", 100));
        assertThat(sender.idleConnections()).isEqualTo(1);
        // The server dies and comes back: the pooled connection was reset under it.
        smtp.refuseConnections();
        smtp.acceptConnections();

        MessagingException e = catchThrowableOfType(MessagingException.class, () -> sender.send(message(sender, "second@example.com", 100)));
        sender.close();

        assertThat(e).isNotInstanceOf(AmbiguousDeliveryException.class);
        assertThat(FailureClassifier.classify(e)).as("%s", e).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void a_451_to_rcpt_is_transient_and_a_550_permanent() throws Exception {
        smtp.fault(Fault.RCPT_451);
        assertThat(FailureClassifier.classify(failure())).isEqualTo(Kind.TRANSIENT);

        smtp.fault(Fault.NONE);
        smtp.reply("someone@example.com", "550 5.1.1 No such user");
        MessagingException e = failure();
        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.PERMANENT);
        assertThat(FailureClassifier.describe(e)).startsWith("550 5.1.1 No such user");
    }

    @Test
    void a_451_to_the_data_is_transient_and_a_554_permanent() throws Exception {
        smtp.fault(Fault.DATA_451);
        MessagingException e = failure();
        assertThat(e).isNotInstanceOf(AmbiguousDeliveryException.class);
        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.TRANSIENT);
        assertThat(FailureClassifier.describe(e)).startsWith("451");

        smtp.fault(Fault.DATA_554);
        e = failure();
        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.PERMANENT);
        assertThat(FailureClassifier.describe(e)).startsWith("554 5.6.0");
        assertThat(smtp.delivered()).isEmpty();
    }

    @Test
    void a_drop_while_the_data_is_still_being_written_is_transient() throws Exception {
        smtp.fault(Fault.DROP_DURING_DATA);

        // Larger than the socket buffers (~4 MB on Linux loopback): the client is still writing when the reset comes.
        MessagingException e = failure(5000, 6_000_000);

        assertThat(e).isNotInstanceOf(AmbiguousDeliveryException.class);
        assertThat(FailureClassifier.classify(e)).as("%s", e).isEqualTo(Kind.TRANSIENT);
        assertThat(smtp.delivered()).isEmpty();
    }

    @Test
    void a_drop_after_a_small_message_was_written_whole_is_ambiguous_even_if_the_server_had_not_read_the_dot() throws Exception {
        smtp.fault(Fault.DROP_DURING_DATA);

        // The whole message, "." included, left in one write before the reset: from the client, a lost reply.
        MessagingException e = failure();

        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.AMBIGUOUS);
    }

    @Test
    void a_drop_after_the_final_dot_is_ambiguous_and_keeps_angus_failure_as_its_cause() throws Exception {
        smtp.fault(Fault.DROP_AFTER_DOT);

        MessagingException e = failure();

        assertThat(e).isInstanceOf(AmbiguousDeliveryException.class);
        // The failure of issue 20: Angus' reply code -1, "[EOF]", which the classifier once took for a permanent 5xx.
        assertThat(e.getCause()).isInstanceOf(SMTPSendFailedException.class);
        assertThat(((SMTPSendFailedException) e.getCause()).getReturnCode()).isEqualTo(-1);
        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.AMBIGUOUS);
        assertThat(FailureClassifier.describe(e)).startsWith("no reply to the message data").contains("[EOF]");
        assertThat(smtp.delivered()).as("the server had it").containsExactly("someone@example.com");
    }

    @Test
    void a_reset_after_the_final_dot_is_ambiguous() throws Exception {
        smtp.fault(Fault.RESET_AFTER_DOT);

        MessagingException e = failure();

        assertThat(FailureClassifier.classify(e)).as("%s", e).isEqualTo(Kind.AMBIGUOUS);
        assertThat(smtp.delivered()).containsExactly("someone@example.com");
    }

    @Test
    void a_reply_slower_than_the_timeout_after_the_data_is_ambiguous() throws Exception {
        smtp.fault(Fault.SLOW_REPLY);
        smtp.slowReplyMillis(3000);

        MessagingException e = failure(300, 100);

        assertThat(e).isInstanceOf(AmbiguousDeliveryException.class);
        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.AMBIGUOUS);
        assertThat(FailureClassifier.describe(e)).containsIgnoringCase("timed out");
    }

    @Test
    void the_sender_never_retries_an_ambiguous_failure_at_most_once_but_does_at_least_once() throws Exception {
        smtp.fault(Fault.DROP_AFTER_DOT, 1);
        PooledMailSender atMostOnce = sender(5000, 3, false);
        MimeMessage first = message(atMostOnce, "once@example.com", 100);
        MessagingException e = catchThrowableOfType(MessagingException.class, () -> atMostOnce.send(first));
        atMostOnce.close();
        assertThat(e).isInstanceOf(AmbiguousDeliveryException.class);
        assertThat(smtp.delivered()).containsExactly("once@example.com");

        smtp.fault(Fault.DROP_AFTER_DOT, 1);
        PooledMailSender atLeastOnce = sender(5000, 3, true);
        atLeastOnce.send(message(atLeastOnce, "twice@example.com", 100));
        atLeastOnce.close();
        assertThat(smtp.delivered()).as("the retry delivered it again: at-least-once's accepted risk")
                .containsExactly("once@example.com", "twice@example.com", "twice@example.com");
    }

    @Test
    void the_sender_retries_a_transient_failure_and_delivers_once() throws Exception {
        smtp.fault(Fault.MAIL_421, 2);
        PooledMailSender sender = sender(5000, 3, false);

        sender.send(message(sender, "retried@example.com", 100));
        sender.close();

        assertThat(smtp.delivered()).containsExactly("retried@example.com");
        assertThat(smtp.faultsPlayed()).isEqualTo(2);
    }

    @Test
    void a_5xx_to_mail_from_is_the_senders_setup_not_the_recipients_and_stays_transient() {
        SMTPSendFailedException e = new SMTPSendFailedException("MAIL FROM:<news@example.com>", 550,
                "550 5.7.1 Sender signature not confirmed", null, null, null, null);

        assertThat(FailureClassifier.classify(e)).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void an_open_delivery_breaker_is_a_refusal() {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("test");
        breaker.transitionToOpenState();

        assertThat(FailureClassifier.classify(CallNotPermittedException.createCallNotPermittedException(breaker)))
                .isEqualTo(Kind.REJECTED);
    }

    @Test
    void a_failure_outside_the_smtp_conversation_is_permanent() {
        assertThat(FailureClassifier.classify(new IllegalArgumentException("template: no such field"))).isEqualTo(Kind.PERMANENT);
    }
}
