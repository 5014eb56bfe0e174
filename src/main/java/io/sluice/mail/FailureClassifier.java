package io.sluice.mail;

import java.io.IOException;
import java.util.Locale;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.apache.camel.Exchange;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * The one place that decides what a delivery failure means, by where the SMTP conversation stood when it failed. The
 * in-sender retry ({@link PooledMailSender}), the delivery breaker ({@link DeliveryGate}) and the dispatch-errors route
 * configuration all ask here.
 * <ul>
 * <li>{@link Kind#TRANSIENT}: the server has nothing it could deliver. Any failure before the final "." of the data was
 * written (connection refused, a reply to the greeting, EHLO, AUTH, MAIL FROM or RCPT TO that is not 5xx-to-RCPT, a
 * connection closed while waiting for one of those, a write error while streaming the data), any 4xx reply (the data's
 * included), a 5xx to MAIL FROM (the sender's setup, not this recipient), an authentication failure, a transient
 * database error. Retried, then returned to the pool.</li>
 * <li>{@link Kind#AMBIGUOUS}: the data went out whole and its reply never came ({@link AmbiguousDeliveryException}:
 * closed, reset, reply timeout). The server may have accepted it: at-most-once makes the recipient UNKNOWN and never
 * sends it again on its own; at-least-once retries it like a transient failure.</li>
 * <li>{@link Kind#PERMANENT}: a 5xx reply to RCPT TO, to DATA or to the data (the recipient or the message is refused),
 * and anything that is not a delivery problem at all (a broken template): FAILED, never retried.</li>
 * <li>{@link Kind#REJECTED}: the delivery breaker is open and the message was never handed to the server.</li>
 * </ul>
 */
public final class FailureClassifier {

    public enum Kind { TRANSIENT, AMBIGUOUS, PERMANENT, REJECTED }

    /** dispatch-errors: the delivery breaker refused the call; nothing was sent. */
    public boolean isRejected(Exchange exchange) {
        return classify(caught(exchange)) == Kind.REJECTED;
    }

    /** dispatch-errors: the data went out and no reply came. */
    public boolean isAmbiguous(Exchange exchange) {
        return classify(caught(exchange)) == Kind.AMBIGUOUS;
    }

    /** dispatch-errors: nothing was accepted; worth another try. */
    public boolean isTransient(Exchange exchange) {
        return classify(caught(exchange)) == Kind.TRANSIENT;
    }

    private static Throwable caught(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }

    public static boolean isTransientFailure(Throwable failure) {
        return classify(failure) == Kind.TRANSIENT;
    }

    /** What the failure means; see the class comment. */
    public static Kind classify(Throwable failure) {
        if (failure == null) {
            return Kind.PERMANENT;
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof CallNotPermittedException) {
                return Kind.REJECTED;
            }
            if (t instanceof AmbiguousDeliveryException) {
                return Kind.AMBIGUOUS;
            }
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException a) {
                // A reply to RCPT TO about this recipient.
                return a.getReturnCode() >= 500 && a.getReturnCode() < 600 ? Kind.PERMANENT : Kind.TRANSIENT;
            }
            if (t instanceof SMTPSendFailedException s) {
                // -1: the connection closed while waiting for a reply before the end of the data (after it, the sender
                // throws AmbiguousDeliveryException instead).
                int code = s.getReturnCode();
                boolean fromSender = s.getCommand() != null && s.getCommand().toUpperCase(Locale.ROOT).startsWith("MAIL FROM");
                return code >= 500 && code < 600 && !fromSender ? Kind.PERMANENT : Kind.TRANSIENT;
            }
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof IOException || t instanceof AuthenticationFailedException
                    || t instanceof org.springframework.dao.TransientDataAccessException
                    || t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException) {
                return Kind.TRANSIENT;
            }
        }
        // A MessagingException without a reply code or an I/O cause is a connection-level problem: refused, a bad
        // greeting ("Got bad greeting from SMTP host"), not connected.
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof MessagingException && !(t instanceof SendFailedException)) {
                return Kind.TRANSIENT;
            }
        }
        return Kind.PERMANENT;
    }

    /** A short reason for the recipient row: the server's reply when there is one. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof AmbiguousDeliveryException || t instanceof CallNotPermittedException) {
                return oneLine(t.getMessage());
            }
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException || t instanceof SMTPSendFailedException) {
                // The message is the server's reply line, code first: "550 5.1.1 No such user"; "[EOF]" when the
                // connection closed instead.
                String reply = oneLine(t.getMessage());
                String command = t instanceof SMTPSendFailedException s ? s.getCommand() : null;
                return command != null && reply.startsWith("[EOF]") ? reply + " (connection closed, waiting for the reply to " + verb(command) + ")" : reply;
            }
        }
        Throwable root = failure;
        while (next(root) != null) {
            root = next(root);
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return oneLine(message);
    }

    /** The SMTP verb of a command, without its address ("MAIL FROM:<a@b>" → "MAIL FROM"). */
    private static String verb(String command) {
        int colon = command.indexOf(':');
        return colon < 0 ? command : command.substring(0, colon);
    }

    static Integer smtpCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
            if (t instanceof SMTPSendFailedException s) {
                return s.getReturnCode();
            }
        }
        return null;
    }

    private static Throwable next(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }
}
