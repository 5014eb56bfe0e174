package io.sluice.admin;

import java.io.InputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/** What the admin API routes call: request checking and answers as maps the routes marshal to JSON. */
public class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    /** An API upload answers with its first rejects inline; the counts stay exact beyond that. */
    private static final int REJECTS_IN_ANSWER = 1000;
    /** Status reads that may wait on the database at once; more are refused at once rather than queued. */
    private static final int STATUS_READERS = 4;
    private static final String INTERNAL_ERROR = "internal error; the Sluice log has the details";
    private static final String DATABASE_DOWN = "the database is not answering; try again later";

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

    private EventLog events;

    /** Where campaign starts and pauses and uploads are written. */
    public void setEvents(EventLog events) {
        this.events = events;
    }

    private void record(String kind, Long campaign, Map<String, Object> detail) {
        if (events != null) {
            events.record(kind, "admin-api", campaign, null, detail);
        }
    }

    /** An import's entry in the event history: its counts and the first reasons its rows were rejected. */
    public static Map<String, Object> importDetail(ImportResult result, List<Rejects.Listed.Reject> rejects) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("source", result.source());
        detail.put("rows", result.rows());
        detail.put("imported", result.imported());
        detail.put("rejected", result.rejected());
        if (rejects != null && !rejects.isEmpty()) {
            detail.put("firstRejects", rejects.stream().limit(3).map(r -> "line " + r.line() + ": " + r.reason()).toList());
        }
        return detail;
    }

    private java.util.function.Supplier<Map<String, Object>> validationStatus = Map::of;
    /*
     * GET /api/status reads the database, and Hikari waits up to its connectionTimeout (30 s) for a connection to a
     * database that is gone. Ticks and imports should wait out a short blip, so the pool keeps its 30 s; the operator's
     * status call must say at once that the database is down. So the read runs on its own few threads under a deadline
     * (sluice.status.db-timeout): past it the call answers 503 with the reason and the read is left to finish or fail
     * on its own (never interrupted: an interrupt inside an embedded H2 database can close it); while every reader is
     * still waiting, a further call answers 503 at once. A deadline on the whole read, rather than a ping first, also
     * covers a database that accepts connections but does not answer, and a pool exhausted by other work.
     */
    private volatile Duration statusTimeout = Duration.ofMillis(1500);
    private final ThreadPoolExecutor statusReads = new ThreadPoolExecutor(0, STATUS_READERS, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread thread = new Thread(r, "status-read");
                thread.setDaemon(true);
                return thread;
            });

    /** How long GET /api/status waits for the database before it answers 503. */
    public void setStatusTimeout(Duration statusTimeout) {
        this.statusTimeout = statusTimeout;
    }

    /** Provider validation's part of the status: alerts, providers, disagreements, the last run. */
    public void setValidationStatus(java.util.function.Supplier<Map<String, Object>> validationStatus) {
        this.validationStatus = validationStatus;
    }

    private java.util.function.Supplier<Map<String, Object>> settleStatus = () -> null;

    /** The settlement of UNKNOWN recipients against Postmark's message log: on or off, its last run, its totals. */
    public void setSettleStatus(java.util.function.Supplier<Map<String, Object>> settleStatus) {
        this.settleStatus = settleStatus;
    }

    private java.util.function.Supplier<Map<String, Object>> deliveryStatus = Map::of;

    /** The delivery breaker's part of the status: its state and the last failure that counted against the server. */
    public void setDeliveryStatus(java.util.function.Supplier<Map<String, Object>> deliveryStatus) {
        this.deliveryStatus = deliveryStatus;
    }

    /** GET /api/status: the status, or a 503 with the reason when the database does not answer within the deadline. */
    public Map<String, Object> status() {
        Future<Map<String, Object>> read;
        try {
            read = statusReads.submit(this::readStatus);
        } catch (RejectedExecutionException e) {
            throw statusUnavailable("earlier status reads are still waiting for the database", null);
        }
        try {
            return read.get(statusTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw statusUnavailable("the database did not answer within " + statusTimeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw statusUnavailable("interrupted while reading the status", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (isDatabaseFailure(cause)) {
                throw statusUnavailable("the database is unreachable", cause);
            }
            throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
        }
    }

    private static ApiException statusUnavailable(String reason, Throwable cause) {
        // The driver's text (host names, files) goes to the log for the operator, not into the answer.
        LOG.warn("GET /api/status answered 503: {}{}", reason, cause == null ? "" : " (" + cause.getMessage() + ")");
        return new ApiException(503, "status unavailable: " + reason);
    }

    private Map<String, Object> readStatus() {
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
        status.put("settle", settleStatus.get());
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
            ImportResult result = audience.importCsv(id, csv, "upload to campaign " + id, rejects);
            Map<String, Object> answer = answer(result, rejects);
            record("audience-import", id, importDetail(result, rejects.kept()));
            return answer;
        } catch (ImportException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public Map<String, Object> importValidationResults(InputStream csv) {
        Rejects.Listed rejects = Rejects.listed(REJECTS_IN_ANSWER);
        try {
            ImportResult result = validationCache.importResults(csv, "validation results upload", "import", rejects);
            Map<String, Object> answer = answer(result, rejects);
            record("validation-results-import", null, importDetail(result, rejects.kept()));
            return answer;
        } catch (ImportException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public Map<String, Object> start(String campaignId) {
        long id = id(campaignId);
        Map<String, Object> answer = campaigns.start(id);
        record("campaign-start", id, Map.of("state", String.valueOf(answer.get("state"))));
        return answer;
    }

    public Map<String, Object> pause(String campaignId) {
        long id = id(campaignId);
        Map<String, Object> answer = campaigns.pause(id);
        record("campaign-pause", id, Map.of("state", String.valueOf(answer.get("state"))));
        return answer;
    }

    /** The JSON error body every refused call answers with. */
    public Map<String, Object> error(Throwable failure) {
        return Map.of("error", errorText(failure));
    }

    /**
     * The text of a refusal: what an ApiException says; for unreadable JSON, that it is; for a failure inside Sluice
     * (a bug, a database error) a fixed sentence, never the failure's own text, which carries class and method names.
     * Those go to the log instead, with the stack trace.
     */
    public String errorText(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof ApiException) {
            return cause.getMessage();
        }
        if (cause instanceof com.fasterxml.jackson.core.JacksonException) {
            return "the body is not valid JSON";
        }
        if (isDatabaseFailure(failure)) {
            LOG.warn("A request failed because the database is not answering: {}", failure.getMessage());
            return DATABASE_DOWN;
        }
        LOG.error("A request failed inside Sluice", failure);
        return INTERNAL_ERROR;
    }

    /** The HTTP status for a refused call: the ApiException's own, 400 for unreadable JSON, 503 database, else 500. */
    public int errorStatus(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof ApiException api) {
            return api.status();
        }
        if (cause instanceof com.fasterxml.jackson.core.JacksonException) {
            return 400;
        }
        return isDatabaseFailure(failure) ? 503 : 500;
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

    /** A failure to reach or use the database: Spring's data access errors or a JDBC one, anywhere in the chain. */
    static boolean isDatabaseFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DataAccessException || t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> answer(ImportResult result, Rejects.Listed rejects) {
        if (result.rows() > 0 && result.imported() == 0) {
            // Every row refused: nothing changed, and a 200 would read as success. Rows that are partly good import
            // (200 with the rejects), as the README documents for large files.
            String reasons = rejects.kept().stream().limit(3).map(r -> "line " + r.line() + ": " + r.reason())
                    .collect(java.util.stream.Collectors.joining("; "));
            throw ApiException.badRequest("nothing imported: all " + result.rows() + " rows were rejected ("
                    + reasons + (result.rejected() > 3 ? "; ..." : "") + ")");
        }
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
