package io.sluice.validation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.sluice.admin.ApiException;

/**
 * POST /api/addresses/check: a list checked against local checks and the cache only (no provider spend), so a team
 * can look at a list before importing it.
 */
public class AddressCheck {

    private final LocalChecks localChecks;
    private final ValidationCache cache;
    private final int limit;
    private final CacheLookups lookups;
    private final Duration maxAge;

    public AddressCheck(LocalChecks localChecks, ValidationCache cache, int limit, CacheLookups lookups, Duration maxAge) {
        this.localChecks = localChecks;
        this.cache = cache;
        this.limit = limit;
        this.lookups = lookups;
        this.maxAge = maxAge;
    }

    public List<Map<String, Object>> check(String body) {
        List<String> addresses = new ArrayList<>();
        if (body != null) {
            body.lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(addresses::add);
        }
        if (addresses.size() > limit) {
            throw new ApiException(413, "at most " + limit + " addresses per call, got " + addresses.size());
        }
        List<Map<String, Object>> answer = new ArrayList<>(addresses.size());
        // One batched cache lookup for the whole list instead of one query per address.
        Map<String, ValidationCache.Cached> cached = cache.verdicts(
                addresses.stream().map(ValidationCache::key).collect(Collectors.toSet()), Instant.now().minus(maxAge));
        for (String email : addresses) {
            LocalChecks.Verdict local = localChecks.check(email);
            String code;
            String reason;
            if (!local.passed()) {
                code = local.code();
                reason = local.reason();
                lookups.add(CacheLookups.Source.CHECK, CacheLookups.Result.LOCAL, 1);
            } else {
                ValidationCache.Cached verdict = cached.get(ValidationCache.key(email));
                code = verdict == null ? null : verdict.code();
                boolean hit = verdict != null && verdict.fresh();
                reason = code == null ? "not validated yet: a provider must check it"
                        : hit ? "cached verdict" : "cached verdict older than sluice.validation.max-age: a provider checks it again before it is mailed";
                lookups.add(CacheLookups.Source.CHECK, hit ? CacheLookups.Result.HIT : CacheLookups.Result.MISS, 1);
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("email", email);
            row.put("code", code);
            row.put("verdict", Verdicts.of(code));
            row.put("reason", reason);
            answer.add(row);
        }
        return answer;
    }
}
