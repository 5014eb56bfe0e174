package io.sluice.settle;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Postmark's outbound message search ({@code GET /messages/outbound}) about one UNKNOWN recipient: the query, and what
 * one page of the answer says. Pure: no Camel, no database.
 *
 * <p>As documented: {@code count} (at most 500) and {@code offset} are required, {@code count + offset} reaches at
 * most 10,000; {@code recipient}, {@code messagestream} (without it Postmark searches the default transactional
 * stream), {@code fromdate} / {@code todate} as {@code 2014-02-01T10:00:00} in US Eastern Time. The answer is
 * {@code {"TotalCount": n, "Messages": [{"MessageID", "To": [{"Email", "Name"}], "Recipients": [...],
 * "MessageStream", "Metadata": {...}, "ReceivedAt", "Status", ...}]}}, newest first; errors are
 * {@code {"ErrorCode": n, "Message": "..."}} with 401, 422 or 500.
 *
 * <p>A message is <em>this</em> send when its Metadata carries the campaign and recipient ids Sluice put in
 * {@code X-PM-Metadata-sluice-campaign} / {@code -sluice-recipient}, and its stream and addresses agree. Ids that match
 * with a stream or an address that does not is a contradiction, never taken as an answer either way.
 */
public final class PostmarkMessageSearch {

    /** Postmark's largest page. */
    public static final int PAGE_SIZE = 500;
    /** Postmark pages no further than count + offset = 10,000. */
    public static final int MAX_RESULTS = 10_000;
    /** The time zone Postmark reads fromdate and todate in. */
    static final ZoneId EASTERN = ZoneId.of("America/New_York");
    /**
     * Widens the window on both sides: clocks of Sluice, its database and Postmark differ by seconds, and Eastern local
     * times repeat for an hour when daylight saving time ends (Postmark may read a from-time an hour late). The
     * recipient filter keeps a wider window cheap.
     */
    static final Duration MARGIN = Duration.ofHours(2);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);
    static final String CAMPAIGN_KEY = "sluice-campaign";
    static final String RECIPIENT_KEY = "sluice-recipient";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PostmarkMessageSearch() {
    }

    /** The query string of one page, every value URL-encoded (an address is data, whatever characters it has). */
    public static String query(UnknownRecipient r, int offset) {
        Instant sentAfter = r.claimedAt() != null && r.claimedAt().isBefore(r.updatedAt()) ? r.claimedAt() : r.updatedAt();
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("recipient", r.email());
        params.put("messagestream", r.messageStream());
        params.put("fromdate", eastern(sentAfter.minus(MARGIN)));
        params.put("todate", eastern(r.updatedAt().plus(MARGIN)));
        params.put("count", Integer.toString(PAGE_SIZE));
        params.put("offset", Integer.toString(offset));
        StringBuilder query = new StringBuilder();
        params.forEach((name, value) -> query.append(query.isEmpty() ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return query.toString();
    }

    /** An instant as Postmark reads a date-time parameter: local time in US Eastern Time, to the second. */
    static String eastern(Instant instant) {
        return LocalDateTime.ofInstant(instant, EASTERN).format(DATE_TIME);
    }

    /** What one page of the answer says about the recipient. */
    public enum Kind {
        /** A message of this campaign to this recipient: it left. */
        FOUND,
        /** None on this page; {@link Page#totalCount} and {@link Page#messages} say whether more pages follow. */
        NONE_ON_PAGE,
        /** Not an answer: an HTTP or API error, or a body that is not the documented shape. */
        ERROR
    }

    /**
     * One page read.
     *
     * @param messageId   Postmark's MessageID of the matching message (FOUND)
     * @param detail      what to log or keep: the match (status, time), or the error
     * @param conflicts   messages on this page with this campaign's and recipient's ids but another stream or address
     * @param unauthorized the token was refused (401): no other call of this run can succeed
     */
    public record Page(Kind kind, long totalCount, int messages, String messageId, String detail, int conflicts,
                       boolean unauthorized) {

        static Page error(String detail, boolean unauthorized) {
            return new Page(Kind.ERROR, 0, 0, null, detail, 0, unauthorized);
        }
    }

    /** Reads one answer of the search for {@code r}. Never throws: whatever is not the documented answer is an ERROR. */
    public static Page read(UnknownRecipient r, Integer httpStatus, String body) {
        int status = httpStatus == null ? 0 : httpStatus;
        JsonNode json = parse(body);
        if (status != 200) {
            return Page.error("HTTP " + status + apiError(json, body), status == 401);
        }
        if (json == null || !json.isObject() || !json.path("TotalCount").isIntegralNumber() || !json.path("Messages").isArray()) {
            return Page.error("unreadable answer (not {\"TotalCount\", \"Messages\"}): " + shorten(body), false);
        }
        long total = json.get("TotalCount").asLong();
        JsonNode messages = json.get("Messages");
        int conflicts = 0;
        for (JsonNode m : messages) {
            if (!m.isObject() || !idsMatch(m.path("Metadata"), r)) {
                continue;
            }
            String stream = text(m.get("MessageStream"));
            List<String> addresses = addresses(m);
            boolean streamAgrees = stream == null || stream.equals(r.messageStream());
            boolean addressAgrees = addresses.isEmpty() || addresses.contains(r.email().toLowerCase(Locale.ROOT));
            String messageId = text(m.get("MessageID"));
            if (streamAgrees && addressAgrees && messageId != null && !messageId.isBlank()) {
                String logStatus = text(m.get("Status"));
                String receivedAt = text(m.get("ReceivedAt"));
                return new Page(Kind.FOUND, total, messages.size(), messageId, "Postmark MessageID " + messageId
                        + (logStatus == null ? "" : ", Status " + logStatus) + (receivedAt == null ? "" : ", ReceivedAt " + receivedAt),
                        conflicts, false);
            }
            conflicts++;
        }
        return new Page(Kind.NONE_ON_PAGE, total, messages.size(), null,
                total + " message(s) in the window, none of this campaign and recipient", conflicts, false);
    }

    /** The Metadata Sluice sets names this campaign and recipient (keys compared case-insensitively, values as text). */
    static boolean idsMatch(JsonNode metadata, UnknownRecipient r) {
        if (!metadata.isObject()) {
            return false;
        }
        String campaign = null;
        String recipient = null;
        for (var fields = metadata.fields(); fields.hasNext(); ) {
            var field = fields.next();
            if (field.getKey().equalsIgnoreCase(CAMPAIGN_KEY)) {
                campaign = text(field.getValue());
            } else if (field.getKey().equalsIgnoreCase(RECIPIENT_KEY)) {
                recipient = text(field.getValue());
            }
        }
        return Long.toString(r.campaignId()).equals(campaign == null ? null : campaign.strip())
                && Long.toString(r.id()).equals(recipient == null ? null : recipient.strip());
    }

    /** Every address the message went to (Recipients, To, Cc, Bcc), lower-cased. */
    private static List<String> addresses(JsonNode m) {
        List<String> found = new ArrayList<>();
        for (JsonNode a : m.path("Recipients")) {
            String text = text(a);
            if (text != null) {
                found.add(text.strip().toLowerCase(Locale.ROOT));
            }
        }
        for (String field : List.of("To", "Cc", "Bcc")) {
            for (JsonNode a : m.path(field)) {
                String text = text(a.get("Email"));
                if (text != null) {
                    found.add(text.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return found;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Postmark's own words for an error ({"ErrorCode", "Message"}), or the start of whatever came back. */
    private static String apiError(JsonNode json, String body) {
        if (json != null && json.isObject() && json.has("ErrorCode")) {
            return ": ErrorCode " + json.path("ErrorCode").asText() + ": " + shorten(json.path("Message").asText(""));
        }
        return body == null || body.isBlank() ? "" : ": " + shorten(body);
    }

    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
