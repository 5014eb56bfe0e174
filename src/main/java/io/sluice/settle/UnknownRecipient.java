package io.sluice.settle;

import java.time.Instant;

/**
 * A recipient in state UNKNOWN: its delivery record was written, but Sluice never saw the server's reply (a crash, or
 * a connection lost after the message data). {@code claimedAt} (when the send could start, may be null) and
 * {@code updatedAt} (when it became UNKNOWN, no earlier than the send) bound when Postmark can have received it;
 * {@code updatedAt} is also what the guarded UPDATEs compare.
 */
public record UnknownRecipient(long id, long campaignId, String email, String messageStream, Instant claimedAt,
                               Instant updatedAt) {
}
