package io.sluice.settle;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.ApiException;
import io.sluice.campaign.CampaignStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/campaigns/{id}/unknown}: a person decides about UNKNOWN recipients where no provider log can (any
 * SMTP server but Postmark), or overrules the wait. {@code {"action": "resend" | "mark-sent", "recipients": [ids]
 * (absent = every UNKNOWN recipient of the campaign), "reason": "..."}}. The request is checked whole before anything
 * changes: a bad one is a 400 and changes nothing.
 */
public class OperatorDecisions {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorDecisions.class);
    /** Ids one call may list. */
    static final int MAX_RECIPIENTS = 10_000;
    static final int MAX_REASON = 500;
    static final String ACTOR = "admin-api";
    private static final Set<String> FIELDS = Set.of("action", "recipients", "reason");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final CampaignStore campaigns;
    private final UnknownRecipients store;

    public OperatorDecisions(CampaignStore campaigns, UnknownRecipients store) {
        this.campaigns = campaigns;
        this.store = store;
    }

    /** @param contentType the request's Content-Type: JSON, or none (a form body would have been parsed as fields) */
    public Map<String, Object> decide(String campaignId, String contentType, String body) {
        long campaign = campaignId(campaignId);
        if (contentType != null && !contentType.isBlank() && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
            throw new ApiException(415, "send the body as application/json, not " + shorten(contentType));
        }
        JsonNode json = parse(body);
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest("unknown field '" + shorten(name) + "' (fields: action, recipients, reason)");
            }
        }
        JsonNode actionNode = json.get("action");
        String action = actionNode != null && actionNode.isTextual() ? actionNode.asText() : null;
        if (!"resend".equals(action) && !"mark-sent".equals(action)) {
            throw ApiException.badRequest("action must be \"resend\" or \"mark-sent\"");
        }
        JsonNode reasonNode = json.get("reason");
        if (reasonNode == null || !reasonNode.isTextual() || reasonNode.asText().isBlank()) {
            throw ApiException.badRequest("reason is required: a text saying why (it is kept in the event history)");
        }
        String reason = reasonNode.asText().strip();
        if (reason.length() > MAX_REASON) {
            throw ApiException.badRequest("reason is longer than " + MAX_REASON + " characters");
        }
        List<Long> ids = recipients(json);
        campaigns.require(campaign);

        UnknownRecipients.Decision decision = store.decide(campaign, "resend".equals(action), ids, reason, ACTOR);
        LOG.info("Operator decision on campaign {}: {} {} UNKNOWN recipient(s) ({}), {} listed not UNKNOWN; reason: {}", campaign,
                action, decision.changed(), ids == null ? "all" : ids.size() + " listed", decision.notUnknown().size(),
                reason.replaceAll("[\\r\\n]+", " "));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("campaign", campaign);
        answer.put("action", action);
        answer.put("changed", decision.changed());
        answer.put("notUnknown", decision.notUnknown());
        return answer;
    }

    /** The listed ids, or null for all; anything but a non-empty array of positive whole numbers is refused. */
    private static List<Long> recipients(JsonNode json) {
        if (!json.has("recipients")) {
            return null;
        }
        JsonNode list = json.get("recipients");
        if (!list.isArray()) {
            throw ApiException.badRequest("recipients must be an array of recipient ids (leave it out for every UNKNOWN recipient)");
        }
        if (list.isEmpty()) {
            throw ApiException.badRequest("recipients is empty: list ids, or leave it out for every UNKNOWN recipient");
        }
        if (list.size() > MAX_RECIPIENTS) {
            throw ApiException.badRequest("recipients lists more than " + MAX_RECIPIENTS + " ids: leave it out for all, or split the call");
        }
        List<Long> ids = new ArrayList<>(list.size());
        for (JsonNode id : list) {
            if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
                throw ApiException.badRequest("recipients must hold recipient ids (positive whole numbers), got: " + shorten(id.toString()));
            }
            ids.add(id.asLong());
        }
        return ids;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("a JSON object is required: {\"action\": \"resend\" | \"mark-sent\", \"reason\": \"...\"}");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not JSON: " + shorten(e.getOriginalMessage()));
        }
        if (json == null || !json.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return json;
    }

    private static long campaignId(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException | NullPointerException e) {
            throw ApiException.badRequest("campaign id must be a number, got: " + shorten(String.valueOf(value)));
        }
    }

    private static String shorten(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ");
        return oneLine.length() > 80 ? oneLine.substring(0, 80) + "..." : oneLine;
    }
}
