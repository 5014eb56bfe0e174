package io.sluice.drills;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A campaign made the way an operator makes one, through the admin API (README "Admin API"): create it, upload an
 * audience CSV of N addresses, upload provider results marking them valid, set the send limit, start it.
 */
final class DrillCampaign {

    static final String[] STATES = {"PENDING", "CLAIMED", "SENT", "SKIPPED", "FAILED", "UNKNOWN"};

    final long id;
    final int size;
    final String tag;

    private DrillCampaign(long id, int size, String tag) {
        this.id = id;
        this.size = size;
        this.tag = tag;
    }

    static String address(String tag, int i) {
        return tag + "-" + i + "@drill.example.com";
    }

    /** Creates, fills and validates a campaign of {@code size} addresses; it stays DRAFT until {@link #start}. */
    static DrillCampaign create(SluiceJar jar, String tag, int size) throws IOException {
        JsonNode created = jar.admin("POST", "/api/campaigns", """
                {"name": "drill %s", "from": "Drill <drill@example.com>", "subject": "Drill message for {{email}}",
                 "textTemplate": "Hello {{email}}, this is a drill. Unsubscribe: {{unsubscribe_url}}"}
                """.formatted(tag), "application/json");
        long id = created.path("id").asLong();
        StringBuilder audience = new StringBuilder("email,first_name\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 1; i <= size; i++) {
            audience.append(address(tag, i)).append(",Drill").append(i).append('\n');
            results.append(address(tag, i)).append(",valid\n");
        }
        JsonNode imported = jar.admin("POST", "/api/campaigns/" + id + "/audience", audience.toString(), "text/csv");
        if (imported.path("imported").asInt() != size) {
            throw new IllegalStateException("audience import answered " + imported);
        }
        JsonNode validated = jar.admin("POST", "/api/validation-results", results.toString(), "text/csv");
        if (validated.path("imported").asInt() != size) {
            throw new IllegalStateException("validation results answered " + validated);
        }
        return new DrillCampaign(id, size, tag);
    }

    void sendLimit(SluiceJar jar, int limit) throws IOException {
        jar.admin("PUT", "/api/send-limit", "{\"sendLimit\": " + limit + "}", "application/json");
    }

    void start(SluiceJar jar) throws IOException {
        jar.admin("POST", "/api/campaigns/" + id + "/start", null, null);
    }

    /** This campaign's counts by state from GET /api/status, or null when the status does not answer in 3 s. */
    Map<String, Long> counts(SluiceJar jar) {
        return counts(jar.status(Duration.ofSeconds(3)));
    }

    Map<String, Long> counts(JsonNode status) {
        if (status == null) {
            return null;
        }
        for (JsonNode c : status.path("campaigns")) {
            if (c.path("id").asLong() == id) {
                Map<String, Long> counts = new LinkedHashMap<>();
                for (String state : STATES) {
                    counts.put(state, c.path("counts").path(state).asLong(0));
                }
                return counts;
            }
        }
        return null;
    }

    /** Nothing PENDING or CLAIMED any more (by the status counts). */
    static boolean settled(Map<String, Long> counts) {
        return counts != null && counts.get("PENDING") == 0 && counts.get("CLAIMED") == 0;
    }
}
