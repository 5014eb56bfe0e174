package io.sluice.validation;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.audience.CsvRecords;

/**
 * NeverBounce API v4: request bodies and answer classification. The key always travels in the POST body (form or
 * JSON), never in a URI that Camel or a proxy could log. Errors come back with HTTP 200 and a {@code status} other
 * than {@code success}: {@code auth_failure}, {@code bad_referrer} (and credit or lock messages) stop the provider,
 * {@code temp_unavail} and {@code throttle_triggered} are retried, {@code general_failure} fails this address.
 */
public class NeverBounce {

    public static final String NAME = "neverbounce";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESULTS = Set.of("valid", "invalid", "disposable", "catchall", "unknown");
    private static final Set<String> JOB_WAITING = Set.of("under_review", "queued", "running", "parsing", "waiting",
            "waiting_analyzed", "uploading");

    private final String apiKey;
    private final int timeoutSeconds;

    public NeverBounce(String apiKey, int timeoutMs) {
        this.apiKey = apiKey == null ? "" : apiKey.strip();
        // Ask NeverBounce to answer (unknown) a little before our own per-call timeout cuts the call off.
        this.timeoutSeconds = Math.max(1, timeoutMs / 1000 - 2);
    }

    public boolean configured() {
        return !apiKey.isEmpty();
    }

    /** The form body of POST /v4/single/check. */
    public String singleCheckForm(String email) {
        return "key=" + encode(apiKey) + "&email=" + encode(email) + "&credits_info=1&timeout=" + timeoutSeconds;
    }

    /** Classifies the answer of /v4/single/check. Transient answers are thrown so the circuit breaker counts them. */
    public ProviderAnswer read(Integer httpStatus, String body) {
        ProviderAnswer failure = httpFailure(httpStatus);
        if (failure != null) {
            return failure;
        }
        JsonNode json;
        try {
            json = JSON.readTree(body == null ? "" : body);
        } catch (Exception e) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "unreadable NeverBounce answer");
        }
        if (json == null || !json.isObject()) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "unreadable NeverBounce answer");
        }
        String status = json.path("status").asText("");
        if (!"success".equals(status)) {
            return apiError(status, json.path("message").asText(""));
        }
        String result = json.path("result").asText("").toLowerCase(Locale.ROOT);
        if (result.isEmpty()) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "NeverBounce answer without a result");
        }
        boolean badSyntax = false;
        for (JsonNode flag : json.path("flags")) {
            badSyntax |= "bad_syntax".equals(flag.asText());
        }
        JsonNode credits = json.path("credits_info");
        long used = credits.path("paid_credits_used").asLong(0) + credits.path("free_credits_used").asLong(0);
        return ProviderAnswer.verdict(result, badSyntax && "invalid".equals(result), used);
    }

    static ProviderAnswer httpFailure(Integer httpStatus) {
        int code = httpStatus == null ? 0 : httpStatus;
        if (code == 429 || code >= 500 || code == 0) {
            throw new ProviderCallException(ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, "HTTP " + code));
        }
        if (code == 401 || code == 402 || code == 403) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.BUSINESS, "HTTP " + code);
        }
        if (code >= 300) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "HTTP " + code);
        }
        return null;
    }

    private static ProviderAnswer apiError(String status, String message) {
        String reason = status + (message.isEmpty() ? "" : ": " + ProviderCallException.masked(message));
        switch (status) {
            case "temp_unavail", "throttle_triggered" ->
                    throw new ProviderCallException(ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, reason));
            case "auth_failure", "bad_referrer" -> {
                return ProviderAnswer.failure(ProviderAnswer.Kind.BUSINESS, reason);
            }
            default -> {
                // general_failure also reports an exhausted or locked account; anything else fails this address only.
                String m = message.toLowerCase(Locale.ROOT);
                boolean account = m.contains("credit") || m.contains("lock") || m.contains("suspend") || m.contains("disabled")
                        || m.contains("account");
                return ProviderAnswer.failure(account ? ProviderAnswer.Kind.BUSINESS : ProviderAnswer.Kind.PERMANENT, reason);
            }
        }
    }

    // ---- bulk jobs: create with supplied input, poll status, download results ----

    /** JSON body of POST /v4/jobs/create: the addresses supplied inline, parsed and started at once. */
    public String jobCreateJson(List<String> emails) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", apiKey);
        body.put("input_location", "supplied");
        List<List<String>> input = new ArrayList<>(emails.size());
        emails.forEach(email -> input.add(List.of(email)));
        body.put("input", input);
        body.put("filename", "sluice-" + System.currentTimeMillis() + ".csv");
        body.put("auto_parse", 1);
        body.put("auto_start", 1);
        return write(body);
    }

    /** JSON body of POST /v4/jobs/status. */
    public String jobStatusJson(long jobId) {
        return write(Map.of("key", apiKey, "job_id", jobId));
    }

    /** JSON body of POST /v4/jobs/download: the verification result and the syntax flag appended to each row. */
    public String jobDownloadJson(long jobId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", apiKey);
        body.put("job_id", jobId);
        body.put("email_status", 1);
        body.put("bad_syntax", 1);
        return write(body);
    }

    /** The job id of a create answer, or the failure that prevented the job. */
    public Object jobCreated(Integer httpStatus, String body) {
        ProviderAnswer failure = readEnvelope(httpStatus, body);
        if (failure != null) {
            return failure;
        }
        long id = tree(body).path("job_id").asLong(-1);
        return id < 0 ? ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "job create answer without job_id") : id;
    }

    /** "waiting", "complete", or the failure of a status answer. */
    public Object jobState(Integer httpStatus, String body) {
        ProviderAnswer failure;
        try {
            failure = readEnvelope(httpStatus, body);
        } catch (ProviderCallException e) {
            return "waiting"; // a transient status failure: keep polling
        }
        if (failure != null) {
            return failure;
        }
        String state = tree(body).path("job_status").asText("");
        if ("complete".equals(state)) {
            return "complete";
        }
        if (JOB_WAITING.contains(state)) {
            return "waiting";
        }
        return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "job " + (state.isEmpty() ? "in an unknown state" : state));
    }

    /** A bulk result row: the address, NeverBounce's result, and whether it flagged the syntax. */
    public record BulkRow(String email, String result, boolean badSyntax) {
    }

    /**
     * Parses the download CSV. With a header row the columns are found by name ({@code email}, {@code email_status},
     * {@code bad_syntax}); without one, the appended columns follow the supplied address in the order requested.
     */
    public List<BulkRow> jobResults(String csv) {
        List<BulkRow> rows = new ArrayList<>();
        try (CsvRecords records = new CsvRecords(new java.io.StringReader(csv == null ? "" : csv))) {
            int emailColumn = 0;
            int statusColumn = 1;
            int syntaxColumn = 2;
            CsvRecords.Record record;
            boolean first = true;
            while ((record = records.next()) != null) {
                if (record.broken()) {
                    continue;
                }
                List<String> fields = record.fields().stream().map(f -> f.strip().toLowerCase(Locale.ROOT)).toList();
                if (first && fields.contains("email_status")) {
                    emailColumn = Math.max(0, fields.indexOf("email"));
                    statusColumn = fields.indexOf("email_status");
                    syntaxColumn = fields.indexOf("bad_syntax");
                    first = false;
                    continue;
                }
                first = false;
                if (fields.size() <= Math.max(emailColumn, statusColumn) || !RESULTS.contains(fields.get(statusColumn))) {
                    continue;
                }
                boolean badSyntax = syntaxColumn >= 0 && syntaxColumn < fields.size()
                        && Set.of("1", "true", "yes").contains(fields.get(syntaxColumn));
                rows.add(new BulkRow(record.fields().get(emailColumn).strip(), fields.get(statusColumn), badSyntax));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return rows;
    }

    /** The failure in a JSON answer's envelope (HTTP status, then {@code status}), or null on success. */
    private static ProviderAnswer readEnvelope(Integer httpStatus, String body) {
        ProviderAnswer failure = httpFailure(httpStatus);
        if (failure != null) {
            return failure;
        }
        JsonNode json = tree(body);
        if (json == null || !json.isObject()) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "unreadable NeverBounce answer");
        }
        String status = json.path("status").asText("");
        return "success".equals(status) ? null : apiError(status, json.path("message").asText(""));
    }

    private static JsonNode tree(String body) {
        try {
            return JSON.readTree(body == null ? "" : body);
        } catch (Exception e) {
            return null;
        }
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
