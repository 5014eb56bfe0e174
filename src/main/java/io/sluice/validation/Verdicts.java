package io.sluice.validation;

import java.util.Locale;
import java.util.Set;

/**
 * Maps any provider's own code to a normalised verdict for reports and policy. The cache keeps the provider's code
 * (valid from NeverBounce, ok from Email List Verify); the vocabulary is open, so an unknown code is "unknown".
 */
public final class Verdicts {

    private static final Set<String> DELIVERABLE = Set.of("valid", "ok");
    private static final Set<String> RISKY = Set.of("accept_all", "ok_for_all", "catchall", "role");
    private static final Set<String> UNDELIVERABLE = Set.of("invalid", "invalid_mx", "invalid_syntax", "email_disabled",
            "dead_server", "disposable", "suppressed", "unsubscribed", "spamtrap", "antispam_system",
            "unknown_email", "syntax_error", "domain_error");

    private Verdicts() {
    }

    public static String of(String code) {
        if (code == null) {
            return "unvalidated";
        }
        String c = code.toLowerCase(Locale.ROOT);
        if (DELIVERABLE.contains(c)) {
            return "deliverable";
        }
        if (RISKY.contains(c)) {
            return "risky";
        }
        if (UNDELIVERABLE.contains(c)) {
            return "undeliverable";
        }
        return "unknown";
    }
}
