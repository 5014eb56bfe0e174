package io.sluice.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.admin.ApiException;

/**
 * POST /api/addresses/check: a list checked against local checks and the cache only (no provider spend), so a team
 * can look at a list before importing it.
 */
public class AddressCheck {

    private final LocalChecks localChecks;
    private final ValidationCache cache;
    private final int limit;

    public AddressCheck(LocalChecks localChecks, ValidationCache cache, int limit) {
        this.localChecks = localChecks;
        this.cache = cache;
        this.limit = limit;
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
        for (String email : addresses) {
            LocalChecks.Verdict local = localChecks.check(email);
            String code;
            String reason;
            if (!local.passed()) {
                code = local.code();
                reason = local.reason();
            } else {
                code = cache.lookup(email);
                reason = code == null ? "not validated yet: a provider must check it" : "cached verdict";
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
