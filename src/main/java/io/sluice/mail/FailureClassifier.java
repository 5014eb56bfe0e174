package io.sluice.mail;

import java.io.IOException;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.apache.camel.Exchange;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * The one place that decides whether a delivery failure is worth retrying. SMTP 4xx replies, connection errors,
 * timeouts and authentication failures (a configuration problem, not the recipient's) are transient: retried with
 * backoff, then returned to the pool. SMTP 5xx replies are permanent: the recipient is FAILED and never retried.
 */
public final class FailureClassifier {

    /** Used by the dispatch-errors route configuration to choose the transient handler. */
    public boolean isTransient(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (caught == null) {
            caught = exchange.getException();
        }
        return isTransientFailure(caught);
    }

    public static boolean isTransientFailure(Throwable failure) {
        Integer code = smtpCode(failure);
        if (code != null) {
            return code >= 400 && code < 500;
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof IOException || t instanceof AuthenticationFailedException
                    || t instanceof org.springframework.dao.TransientDataAccessException
                    || t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException) {
                return true;
            }
        }
        // A MessagingException without a reply code or an I/O cause is a connection-level problem (e.g. refused).
        return failure instanceof MessagingException && !(failure instanceof SendFailedException);
    }

    /** A short reason for the recipient row: the server's reply when there is one. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException || t instanceof SMTPSendFailedException) {
                // The message is the server's reply line, code first: "550 5.1.1 No such user".
                return oneLine(t.getMessage());
            }
        }
        Throwable root = failure;
        while (next(root) != null) {
            root = next(root);
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return oneLine(message);
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
        return text.replaceAll("\\s+", " ").strip();
    }
}
