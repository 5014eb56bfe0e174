package io.sluice.drills;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The final count, read from the database itself once the jar is gone, against what the SMTP sink accepted:
 * every recipient must be in one of PENDING / SENT / SKIPPED / FAILED / UNKNOWN (CLAIMED, any other state or a
 * missing row is unaccounted), no address accepted twice, no SENT row the server never accepted.
 */
record Accounting(long expected, Map<String, Long> states, long unaccounted, int duplicates, int extraCopies,
                  int maxCopies, long sentNeverAccepted, long failedButAccepted, long pendingButAccepted,
                  long unknownAccepted, long unknownNotAccepted, List<String> examples) {

    static final Set<String> FINAL = Set.of("PENDING", "SENT", "SKIPPED", "FAILED", "UNKNOWN");

    static Accounting of(DrillDb db, long campaignId, int expected, Map<String, Integer> copies) throws SQLException {
        Map<String, Long> states = new LinkedHashMap<>();
        for (String s : DrillCampaign.STATES) {
            states.put(s, 0L);
        }
        long rows = 0;
        long unaccounted = 0;
        long sentNeverAccepted = 0;
        long failedButAccepted = 0;
        long pendingButAccepted = 0;
        long unknownAccepted = 0;
        long unknownNotAccepted = 0;
        List<String> examples = new ArrayList<>();
        Set<String> known = new HashSet<>();
        try (Connection c = db.open();
             PreparedStatement q = c.prepareStatement("SELECT email_key, state, attempts, last_error FROM recipient WHERE campaign_id = ?")) {
            q.setLong(1, campaignId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    String email = rs.getString(1);
                    String state = rs.getString(2);
                    known.add(email);
                    states.merge(state, 1L, Long::sum);
                    int got = copies.getOrDefault(email, 0);
                    if (!FINAL.contains(state)) {
                        unaccounted++;
                        example(examples, state + " at the end: " + email);
                    }
                    switch (state) {
                        case "SENT" -> {
                            if (got == 0) {
                                sentNeverAccepted++;
                                example(examples, "SENT, never accepted by the server: " + email);
                            }
                        }
                        case "FAILED" -> {
                            if (got > 0) {
                                failedButAccepted++;
                                example(examples, "FAILED (" + rs.getInt(3) + " attempts, " + rs.getString(4) + "), accepted "
                                        + got + "x: " + email);
                            }
                        }
                        case "PENDING" -> {
                            if (got > 0) {
                                pendingButAccepted++;
                                example(examples, "PENDING, already accepted " + got + "x: " + email);
                            }
                        }
                        case "UNKNOWN" -> {
                            if (got > 0) {
                                unknownAccepted++;
                            } else {
                                unknownNotAccepted++;
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
        }
        if (rows < expected) {
            unaccounted += expected - rows;
            example(examples, (expected - rows) + " imported recipients have no row");
        }
        int duplicates = 0;
        int extra = 0;
        int max = 0;
        for (Map.Entry<String, Integer> e : copies.entrySet()) {
            max = Math.max(max, e.getValue());
            if (e.getValue() > 1) {
                duplicates++;
                extra += e.getValue() - 1;
                example(examples, "accepted " + e.getValue() + "x: " + e.getKey());
            }
            if (!known.contains(e.getKey())) {
                example(examples, "accepted, but no such recipient: " + e.getKey());
            }
        }
        return new Accounting(expected, states, unaccounted, duplicates, extra, max, sentNeverAccepted, failedButAccepted,
                pendingButAccepted, unknownAccepted, unknownNotAccepted, examples);
    }

    private static void example(List<String> examples, String line) {
        if (examples.size() < 8) {
            examples.add(line);
        }
    }

    long state(String s) {
        return states.getOrDefault(s, 0L);
    }

    /** One line of figures for the tables. */
    String statesLine() {
        StringBuilder out = new StringBuilder();
        states.forEach((k, v) -> {
            if (v > 0 || !k.equals("SKIPPED")) {
                out.append(out.length() == 0 ? "" : " ").append(k).append('=').append(v);
            }
        });
        return out.toString();
    }
}
