package io.sluice.mail;

import java.util.Properties;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.URLName;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.mail.JavaMailSender;
import org.apache.camel.component.mail.MailAuthenticator;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JavaMailSender for camel-mail's {@code javaMailSender} option that keeps authenticated SMTP connections open
 * and reuses them: camel-mail's default sender connects, sends one message and closes, every time. Each send
 * borrows an idle connection (or opens one), and gives it back afterwards; a connection that failed in any way is
 * closed and never reused, so the next send reconnects.
 * <p>
 * Every connection is a {@link PhaseTrackingSmtpTransport}, so a failure after the message data went out whole and
 * before its reply was read is thrown as {@link AmbiguousDeliveryException} (the server may have accepted it). A
 * transient failure ({@link FailureClassifier}: nothing was accepted) is retried here, on a fresh connection, with
 * exponential backoff and jitter; an ambiguous one only under at-least-once (under at-most-once a retry could deliver
 * the message twice). What is still failing after the last retry goes back to the route, whose {@code dispatch-errors}
 * handlers decide the recipient's state with the same classifier. The retries live here rather than in a Camel
 * redelivery policy because a route with redelivery copies the exchange before every step of every message "in case":
 * that cost more CPU per message than the SMTP conversation (bench/README.md).
 */
public class PooledMailSender implements JavaMailSender, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PooledMailSender.class);

    private final LinkedBlockingDeque<Transport> idle = new LinkedBlockingDeque<>();
    private Properties properties = new Properties();
    private Session session;
    private String host;
    private int port;
    private String username;
    private String password;
    private String protocol = "smtp";
    private MailAuthenticator authenticator;
    private final int retryAttempts;
    private final long retryDelayMillis;
    private final boolean retryAmbiguous;
    private volatile java.util.function.BooleanSupplier stopRetrying = () -> false;

    public PooledMailSender(String host, int port, String username, String password, boolean startTls, int timeoutMillis) {
        this(host, port, username, password, startTls, timeoutMillis, 0, 0, false);
    }

    /**
     * @param retryAttempts    retries of a transient failure after the first try (0: none)
     * @param retryDelayMillis delay before the first retry; it doubles with each retry, give or take 15 %
     * @param retryAmbiguous   whether a send whose reply was lost after the data went out is retried too (at-least-once)
     */
    public PooledMailSender(String host, int port, String username, String password, boolean startTls, int timeoutMillis,
                            int retryAttempts, long retryDelayMillis, boolean retryAmbiguous) {
        this.retryAmbiguous = retryAmbiguous;
        this.retryAttempts = Math.max(0, retryAttempts);
        this.retryDelayMillis = Math.max(0, retryDelayMillis);
        this.host = host;
        this.port = port;
        this.username = username == null || username.isBlank() ? null : username;
        this.password = this.username == null ? null : password;
        properties.setProperty("mail.smtp.host", host);
        properties.setProperty("mail.smtp.port", Integer.toString(port));
        properties.setProperty("mail.smtp.auth", Boolean.toString(this.username != null));
        properties.setProperty("mail.smtp.starttls.enable", Boolean.toString(startTls));
        properties.setProperty("mail.smtp.starttls.required", Boolean.toString(startTls));
        properties.setProperty("mail.smtp.connectiontimeout", Integer.toString(timeoutMillis));
        properties.setProperty("mail.smtp.timeout", Integer.toString(timeoutMillis));
        properties.setProperty("mail.smtp.writetimeout", Integer.toString(timeoutMillis));
        // Saves a DNS lookup of our own host name on every new connection.
        properties.setProperty("mail.smtp.localhost", "sluice.localdomain");
    }

    /**
     * Asked before each retry: true ends the retries at once (the delivery breaker opened meanwhile: the server is down
     * for everyone, and this thread should give its recipient back rather than keep knocking).
     */
    public void setStopRetrying(java.util.function.BooleanSupplier stopRetrying) {
        this.stopRetrying = stopRetrying;
    }

    @Override
    public void send(MimeMessage message) throws MessagingException {
        for (int retry = 1; ; retry++) {
            try {
                sendOnce(message);
                return;
            } catch (MessagingException | RuntimeException e) {
                FailureClassifier.Kind kind = FailureClassifier.classify(e);
                boolean worthRetrying = kind == FailureClassifier.Kind.TRANSIENT
                        || (kind == FailureClassifier.Kind.AMBIGUOUS && retryAmbiguous);
                if (retry > retryAttempts || !worthRetrying || stopRetrying.getAsBoolean()) {
                    throw e;
                }
                long delay = delayBefore(retry);
                LOG.warn("SMTP delivery failed ({}); retry {} of {} in {} ms", FailureClassifier.describe(e), retry, retryAttempts, delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Exponential backoff with jitter: the first delay, doubled per retry, then moved by up to 15 % either way. */
    long delayBefore(int retry) {
        double base = retryDelayMillis * Math.pow(2, retry - 1);
        return Math.round(base * (0.85 + 0.3 * ThreadLocalRandom.current().nextDouble()));
    }

    private void sendOnce(MimeMessage message) throws MessagingException {
        Transport transport = idle.pollFirst();
        if (transport == null) {
            transport = connect();
        }
        try {
            transport.sendMessage(message, message.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(transport);
            if (e instanceof MessagingException m && transport instanceof PhaseTrackingSmtpTransport tracked && tracked.dataReplyMissing()) {
                throw new AmbiguousDeliveryException(m);
            }
            throw e;
        }
        if (message instanceof SluiceMimeMessage sluice && transport instanceof SMTPTransport smtp) {
            sluice.setServerReply(smtp.getLastServerResponse());
        }
        idle.offerFirst(transport);
    }

    private Transport connect() throws MessagingException {
        // Built here rather than looked up by protocol: the session would only hand out a registered provider class.
        Transport transport = "smtp".equals(protocol)
                ? new PhaseTrackingSmtpTransport(getSession(), new URLName(protocol, host, port, null, username, password))
                : getSession().getTransport(protocol);
        transport.connect(host, port, username, password);
        LOG.debug("Opened SMTP connection to {}:{}", host, port);
        return transport;
    }

    /** How many connections are open and idle right now (for tests and metrics). */
    public int idleConnections() {
        return idle.size();
    }

    @Override
    public void close() {
        Transport transport;
        while ((transport = idle.pollFirst()) != null) {
            closeQuietly(transport);
        }
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            LOG.debug("Closing a failed SMTP connection: {}", e.getMessage());
        }
    }

    @Override
    public synchronized Session getSession() {
        if (session == null) {
            session = Session.getInstance(properties);
        }
        return session;
    }

    @Override
    public synchronized void setSession(Session session) {
        this.session = session;
    }

    @Override
    public Properties getJavaMailProperties() {
        return properties;
    }

    @Override
    public void setJavaMailProperties(Properties javaMailProperties) {
        this.properties = javaMailProperties;
    }

    @Override
    public void addAdditionalJavaMailProperty(String key, String value) {
        properties.setProperty(key, value);
    }

    @Override
    public void setHost(String host) {
        this.host = host;
    }

    @Override
    public String getHost() {
        return host;
    }

    @Override
    public void setPort(int port) {
        this.port = port;
    }

    @Override
    public int getPort() {
        return port;
    }

    @Override
    public void setUsername(String username) {
        this.username = username;
    }

    @Override
    public String getUsername() {
        return username;
    }

    @Override
    public void setPassword(String password) {
        this.password = password;
    }

    @Override
    public String getPassword() {
        return password;
    }

    @Override
    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public void setAuthenticator(MailAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public MailAuthenticator getAuthenticator() {
        return authenticator;
    }
}
