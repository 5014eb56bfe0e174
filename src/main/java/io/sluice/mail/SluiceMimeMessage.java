package io.sluice.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * A MimeMessage that keeps the Message-ID Sluice gave it (Jakarta Mail replaces it on save otherwise) and carries
 * the server's reply back from the sender so the recipient row can record it.
 */
public class SluiceMimeMessage extends MimeMessage {

    private final String messageId;
    private volatile String serverReply;

    public SluiceMimeMessage(Session session, String messageId) {
        super(session);
        this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", messageId);
    }

    public String getServerReply() {
        return serverReply;
    }

    public void setServerReply(String serverReply) {
        this.serverReply = serverReply;
    }
}
