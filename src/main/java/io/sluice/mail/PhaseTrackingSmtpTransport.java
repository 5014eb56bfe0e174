package io.sluice.mail;

import java.io.IOException;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus' SMTP transport, knowing where a failed send stood. A failure is one of two very different things: before the
 * final "." of the data was written, the server has nothing it could deliver; after it, and before the reply to it was
 * read, the server may have accepted the message. Angus' exceptions do not say which (a connection closed while
 * waiting for any reply is {@code SMTPSendFailedException} -1 "[EOF]", for MAIL FROM as for the data), so this class
 * watches the two steps of {@code finishData()} (Angus 2.0.5): the "." written by {@code sendCommand(".")}, then the
 * first {@code readServerResponse()} after it.
 * <p>
 * BDAT (chunking) is not used: it is only on with {@code mail.smtp.chunksize}, which Sluice never sets.
 */
public class PhaseTrackingSmtpTransport extends SMTPTransport {

    private enum Phase {
        /** Nothing of the message can have been accepted yet. */
        SENDING,
        /** The final "." was written; its reply not read yet. */
        DOT_WRITTEN,
        /** The final "." was written and its reply never came (closed, reset, timeout, garbage). */
        REPLY_LOST,
        /** The server answered the data with a reply code. */
        REPLY_READ
    }

    private Phase phase = Phase.SENDING;
    private boolean finishingData;
    private boolean readingDataReply;

    public PhaseTrackingSmtpTransport(Session session, URLName urlName) {
        super(session, urlName);
    }

    @Override
    public synchronized void sendMessage(Message message, Address[] addresses) throws MessagingException {
        phase = Phase.SENDING;
        super.sendMessage(message, addresses);
    }

    /** Whether the last send failed after its data was written whole and before any reply to it was read. */
    public synchronized boolean dataReplyMissing() {
        return phase == Phase.DOT_WRITTEN || phase == Phase.REPLY_LOST;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        finishingData = true;
        try {
            super.finishData();
        } finally {
            finishingData = false;
        }
    }

    @Override
    protected void sendCommand(String cmd) throws MessagingException {
        super.sendCommand(cmd);
        // Only returns once ".\r\n" was written and flushed: a write error before that leaves the phase at SENDING.
        if (finishingData && phase == Phase.SENDING && ".".equals(cmd)) {
            phase = Phase.DOT_WRITTEN;
        }
    }

    @Override
    protected int readServerResponse() throws MessagingException {
        // Only the first read after the "." is its reply: the RSET or QUIT Angus sends after a failure read their own.
        if (phase != Phase.DOT_WRITTEN || readingDataReply) {
            return super.readServerResponse();
        }
        readingDataReply = true;
        boolean answered = false;
        try {
            int code = super.readServerResponse();
            // -1: the connection closed ([EOF]) or the line had no reply code.
            answered = code >= 200 && code < 600;
            return code;
        } finally {
            readingDataReply = false;
            phase = answered ? Phase.REPLY_READ : Phase.REPLY_LOST;
        }
    }
}
