package io.sluice.dispatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The content enricher of route {@code recipients-claim} (step {@code recipients-claim-enrich-verdicts}): merges the
 * validation-cache rows that {@code direct:recipients-claim-verdicts} read for a claimed chunk (one query for the whole
 * chunk) into the claimed recipients, each getting its address's cached code. The merge is plain Java
 * ({@link #merge}); {@link #aggregate} only moves bodies.
 *
 * <p>A recipient whose address has no row keeps a null code. The claim only takes addresses with a usable verdict, so
 * that happens only when a cache row vanished in between (a person deleted it); {@link Dispatch} then gives the
 * recipient back to PENDING, where an address without a verdict waits, as it always has.
 */
public final class ValidationVerdicts implements AggregationStrategy {

    /**
     * The lookup's parameters for a claimed chunk: {@code token} (the claim's), {@code minId} and {@code maxId} (the
     * chunk's lowest and highest recipient id), as {@code sql/validation-verdicts.sql} reads them.
     */
    public static Map<String, Object> keys(List<Recipient> claimed, String token) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Recipient r : claimed) {
            min = Math.min(min, r.id());
            max = Math.max(max, r.id());
        }
        Map<String, Object> keys = new HashMap<>();
        keys.put("token", token);
        keys.put("minId", claimed.isEmpty() ? 0L : min);
        keys.put("maxId", claimed.isEmpty() ? -1L : max);
        return keys;
    }

    /** Step {@code recipients-claim-any}: whether the claim took any recipient (the enricher runs only then). */
    public boolean any(List<Recipient> claimed) {
        return claimed != null && !claimed.isEmpty();
    }

    /**
     * The claimed recipients, in their order, each with the code the cache rows give its address ({@code email} =
     * the recipient's email key, {@code text_code}; column names in any case, as drivers report them), or null.
     */
    public static List<Recipient> merge(List<Recipient> claimed, List<? extends Map<String, ?>> cacheRows) {
        Map<String, String> codes = new HashMap<>();
        for (Map<String, ?> row : cacheRows) {
            Object email = column(row, "email");
            if (email != null) {
                Object code = column(row, "text_code");
                codes.put(email.toString(), code == null ? null : code.toString());
            }
        }
        List<Recipient> merged = new ArrayList<>(claimed.size());
        for (Recipient r : claimed) {
            merged.add(new Recipient(r.id(), r.campaignId(), r.email(), r.emailKey(), r.fields(), r.attempts(), codes.get(r.emailKey())));
        }
        return merged;
    }

    private static Object column(Map<String, ?> row, String name) {
        Object value = row.get(name);
        if (value == null) {
            value = row.get(name.toUpperCase(java.util.Locale.ROOT));
        }
        return value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange claim, Exchange lookup) {
        if (lookup == null) {
            return claim;
        }
        if (lookup.getException() != null) {
            // A failed lookup fails the claim: its transaction rolls back and the rows stay PENDING.
            claim.setException(lookup.getException());
            return claim;
        }
        List<Recipient> claimed = claim.getMessage().getBody(List.class);
        List<Map<String, ?>> rows = lookup.getMessage().getBody(List.class);
        claim.getMessage().setBody(merge(claimed, rows == null ? List.of() : rows));
        return claim;
    }
}
