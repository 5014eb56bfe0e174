package io.sluice.mail;

import jakarta.mail.MessagingException;

/**
 * The message data went out whole, final "." included, and the conversation broke before the server's reply to it was
 * read (connection closed or reset, reply timeout). The server may have accepted the message or not; nobody can tell
 * from here. Thrown by {@link PooledMailSender} with Angus' own failure as its cause, so {@link FailureClassifier}, the
 * in-sender retry, the delivery breaker and the routes see one class.
 */
public class AmbiguousDeliveryException extends MessagingException {

    private static final long serialVersionUID = 1L;

    public AmbiguousDeliveryException(MessagingException cause) {
        super("no reply to the message data (it may or may not have been accepted): " + FailureClassifier.describe(cause), cause);
    }
}
