package io.sluice.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import io.sluice.campaign.Campaign;
import io.sluice.campaign.CampaignStore;
import io.sluice.dispatch.Recipient;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * Renders a campaign's templates for one recipient (Mustache; merge values are HTML-escaped in the HTML part) and
 * builds the RFC 5322 message with the headers a bulk sender owes: the Postmark message stream, RFC 8058 one-click
 * unsubscribe, a Message-ID and a Date. A CR or LF in a merge value can never start a header: the subject is folded
 * to one line and every other header is built from checked values, not from merge fields.
 */
public class MailComposer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {
    };

    private final CampaignStore campaigns;
    private final UnsubscribeTokens tokens;
    private final String unsubscribeBaseUrl;
    private final String unsubscribeMailto;
    private final String messageIdDomain;
    private final Session session;
    private final Map<Long, Templates> templates = new ConcurrentHashMap<>();

    private record Templates(Campaign campaign, Template subject, Template text, Template html) {
    }

    public MailComposer(CampaignStore campaigns, UnsubscribeTokens tokens, String unsubscribeBaseUrl,
                        String unsubscribeMailto, String messageIdDomain) {
        this.campaigns = campaigns;
        this.tokens = tokens;
        this.unsubscribeBaseUrl = stripTrailingSlash(unsubscribeBaseUrl);
        this.unsubscribeMailto = unsubscribeMailto == null || unsubscribeMailto.isBlank() ? null : unsubscribeMailto.strip();
        this.messageIdDomain = messageIdDomain;
        Properties props = new Properties();
        props.setProperty("mail.mime.charset", "UTF-8");
        this.session = Session.getInstance(props);
    }

    public SluiceMimeMessage compose(Recipient recipient) throws MessagingException {
        Templates t = templates.computeIfAbsent(recipient.campaignId(), this::compile);
        Campaign campaign = t.campaign();
        String token = tokens.sign(campaign.id(), recipient.id());
        String unsubscribeUrl = unsubscribeBaseUrl + "/unsubscribe/" + token;
        Map<String, Object> context = mergeContext(recipient, unsubscribeUrl);

        SluiceMimeMessage message = new SluiceMimeMessage(session,
                "<" + campaign.id() + "." + recipient.id() + "." + UUID.randomUUID() + "@" + messageIdDomain + ">");
        message.setFrom(new InternetAddress(campaign.from(), true));
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(recipient.email(), true));
        message.setSubject(singleLine(t.subject().execute(context)), "UTF-8");
        message.setSentDate(new Date());
        message.setHeader("X-PM-Message-Stream", campaign.messageStream());
        message.setHeader("List-Unsubscribe", listUnsubscribe(unsubscribeUrl, token));
        message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        // Postmark metadata: bounces and webhooks name the campaign and recipient they belong to.
        message.setHeader("X-PM-Metadata-sluice-campaign", Long.toString(campaign.id()));
        message.setHeader("X-PM-Metadata-sluice-recipient", Long.toString(recipient.id()));

        String text = t.text() == null ? null : t.text().execute(context);
        String html = t.html() == null ? null : t.html().execute(context);
        if (text != null && html != null) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart textPart = new MimeBodyPart();
            textPart.setText(text, "UTF-8", "plain");
            MimeBodyPart htmlPart = new MimeBodyPart();
            htmlPart.setText(html, "UTF-8", "html");
            alternative.addBodyPart(textPart);
            alternative.addBodyPart(htmlPart);
            message.setContent(alternative);
        } else if (html != null) {
            message.setText(html, "UTF-8", "html");
        } else {
            message.setText(text == null ? "" : text, "UTF-8", "plain");
        }
        message.saveChanges();
        return message;
    }

    /** The message as RFC 5322 bytes, for the outbox. */
    public byte[] toBytes(MimeMessage message) throws MessagingException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
            message.writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Step {@code mail-deliver-smtp-reply}: the server's reply to a sent message. A bean call, not {@code ${body.serverReply}}:
     * Camel 4.18 caches the introspection behind a Simple method call per object, so every message would be
     * introspected anew (and held in that cache until the heap ran short).
     */
    public String serverReply(SluiceMimeMessage message) {
        return message.getServerReply();
    }

    /** Step {@code mail-deliver-outbox-name}: where a recipient's message goes in the outbox, {@code campaign-<id>/<id>.eml}. */
    public String outboxFileName(io.sluice.dispatch.Recipient recipient) {
        return "campaign-" + recipient.campaignId() + "/" + recipient.id() + ".eml";
    }

    /** Compiles a template early so a broken one is refused when the campaign is created, not mid-send. */
    public static void checkTemplate(String name, String template) {
        if (template != null) {
            try {
                Mustache.compiler().compile(template);
            } catch (RuntimeException e) {
                throw io.sluice.admin.ApiException.badRequest(name + " is not a valid Mustache template: " + e.getMessage());
            }
        }
    }

    private Templates compile(long campaignId) {
        Campaign campaign = campaigns.find(campaignId)
                .orElseThrow(() -> new IllegalStateException("recipient of unknown campaign " + campaignId));
        Mustache.Compiler plain = Mustache.compiler().escapeHTML(false).defaultValue("");
        Mustache.Compiler html = Mustache.compiler().escapeHTML(true).defaultValue("");
        return new Templates(campaign, plain.compile(campaign.subject()),
                campaign.textTemplate() == null ? null : plain.compile(campaign.textTemplate()),
                campaign.htmlTemplate() == null ? null : html.compile(campaign.htmlTemplate()));
    }

    private Map<String, Object> mergeContext(Recipient recipient, String unsubscribeUrl) {
        Map<String, Object> context = new HashMap<>();
        if (recipient.fields() != null && !recipient.fields().isBlank()) {
            try {
                context.putAll(JSON.readValue(recipient.fields(), FIELDS));
            } catch (IOException e) {
                throw new IllegalStateException("merge fields of recipient " + recipient.id() + " are not JSON", e);
            }
        }
        context.put("email", recipient.email());
        context.put("unsubscribe_url", unsubscribeUrl);
        return context;
    }

    private String listUnsubscribe(String unsubscribeUrl, String token) {
        String header = "<" + unsubscribeUrl + ">";
        if (unsubscribeMailto != null) {
            header += ", <mailto:" + unsubscribeMailto + "?subject=unsubscribe%20" + token + ">";
        }
        return header;
    }

    static String singleLine(String text) {
        return text.replaceAll("[\\r\\n\\u0085\\u2028\\u2029]+", " ").strip();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
