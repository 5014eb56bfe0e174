package io.sluice.admin;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.audience.AudienceImporter;
import io.sluice.audience.ImportException;
import io.sluice.audience.ImportResult;
import io.sluice.audience.Rejects;
import io.sluice.campaign.Campaign;
import io.sluice.campaign.CampaignStore;
import io.sluice.dispatch.Dispatch;
import io.sluice.dispatch.RecipientStats;
import io.sluice.dispatch.SendControl;
import io.sluice.dispatch.Tick;
import io.sluice.guard.Guard;
import io.sluice.guard.Ramp;
import io.sluice.validation.ValidationCache;

/** What the admin API routes call: request checking and answers as maps the routes marshal to JSON. */
public class AdminApi {

    /** An API upload answers with its first rejects inline; the counts stay exact beyond that. */
    private static final int REJECTS_IN_ANSWER = 1000;

    private final CampaignStore campaigns;
    private final AudienceImporter audience;
    private final ValidationCache validationCache;
    private final SendControl sendControl;
    private final RecipientStats stats;
    private final Dispatch dispatch;
    private final Guard guard;
    private final Ramp ramp;

    public AdminApi(CampaignStore campaigns, AudienceImporter audience, ValidationCache validationCache,
                    SendControl sendControl, RecipientStats stats, Dispatch dispatch, Guard guard, Ramp ramp) {
        this.guard = guard;
        this.ramp = ramp;
        this.campaigns = campaigns;
        this.audience = audience;
        this.validationCache = validationCache;
        this.sendControl = sendControl;
        this.stats = stats;
        this.dispatch = dispatch;
    }

    private java.util.function.Supplier<Map<String, Object>> validationStatus = Map::of;

    /** Provider validation's part of the status: alerts, providers, disagreements, the last run. */
    public void setValidationStatus(java.util.function.Supplier<Map<String, Object>> validationStatus) {
        this.validationStatus = validationStatus;
    }

    private java.util.function.Supplier<Map<String, Object>> deliveryStatus = Map::of;

    /** The delivery breaker's part of the status: its state and the last failure that counted against the server. */
    public void setDeliveryStatus(java.util.function.Supplier<Map<String, Object>> deliveryStatus) {
        this.deliveryStatus = deliveryStatus;
    }

    public Map<String, Object> status() {
        SendControl.State control = sendControl.read();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("sendLimit", control.sendLimit());
        status.put("halted", control.halted());
        status.put("haltReason", control.haltReason());
        status.put("guard", guard.status());
        status.put("delivery", deliveryStatus.get());
        Tick last = dispatch.lastTick();
        status.put("lastTick", last == null ? null : last.toMap());
        Map<Long, RecipientStats.Counts> counts = stats.byCampaign();
        List<Campaign> all = campaigns.all();
        List<Map.Entry<Long, Long>> remaining = all.stream().filter(c -> Campaign.RUNNING.equals(c.state()))
                .map(c -> Map.entry(c.id(), remaining(counts.get(c.id())))).toList();
        status.put("ramp", ramp.status(remaining));
        List<Map<String, Object>> list = all.stream().map(c -> campaign(c, counts.get(c.id()))).toList();
        status.put("campaigns", list);
        status.put("validation", validationStatus.get());
        return status;
    }

    private static long remaining(RecipientStats.Counts counts) {
        return counts == null ? 0 : counts.state("PENDING") + counts.state("CLAIMED") - counts.waitingForValidation();
    }

    private static Map<String, Object> campaign(Campaign c, RecipientStats.Counts counts) {
        RecipientStats.Counts n = counts == null ? new RecipientStats.Counts() : counts;
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", c.id());
        map.put("name", c.name());
        map.put("state", c.state());
        map.put("messageStream", c.messageStream());
        map.put("total", n.total());
        map.put("counts", n.byState());
        map.put("skipped", n.skippedByCode());
        map.put("waitingForValidation", n.waitingForValidation());
        return map;
    }

    public Map<String, Object> importAudience(String campaignId, InputStream csv) {
        long id = id(campaignId);
        campaigns.require(id);
        Rejects.Listed rejects = Rejects.listed(REJECTS_IN_ANSWER);
        try {
            return answer(audience.importCsv(id, csv, "upload to campaign " + id, rejects), rejects);
        } catch (ImportException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public Map<String, Object> importValidationResults(InputStream csv) {
        Rejects.Listed rejects = Rejects.listed(REJECTS_IN_ANSWER);
        try {
            return answer(validationCache.importResults(csv, "validation results upload", "import", rejects), rejects);
        } catch (ImportException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public Map<String, Object> start(String campaignId) {
        return campaigns.start(id(campaignId));
    }

    public Map<String, Object> pause(String campaignId) {
        return campaigns.pause(id(campaignId));
    }

    /** The JSON error body every refused call answers with. */
    public Map<String, Object> error(Throwable failure) {
        failure = cause(failure);
        return Map.of("error", failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
    }

    /** The HTTP status for a refused call: the ApiException's own, 400 for unreadable JSON, else 500. */
    public int errorStatus(Throwable failure) {
        failure = cause(failure);
        if (failure instanceof ApiException api) {
            return api.status();
        }
        if (failure instanceof com.fasterxml.jackson.core.JacksonException
                || failure.getCause() instanceof com.fasterxml.jackson.core.JacksonException) {
            return 400;
        }
        return 500;
    }

    /** Bean calls wrap what a method throws; the answer is about the first Sluice or JSON failure inside. */
    private static Throwable cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException || t instanceof com.fasterxml.jackson.core.JacksonException) {
                return t;
            }
        }
        return failure;
    }

    private static Map<String, Object> answer(ImportResult result, Rejects.Listed rejects) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rows", result.rows());
        map.put("imported", result.imported());
        map.put("rejected", result.rejected());
        map.put("rejects", rejects.kept());
        return map;
    }

    static long id(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException | NullPointerException e) {
            throw ApiException.badRequest("campaign id must be a number, got: " + value);
        }
    }
}
