package io.sluice.validation;

import java.util.Locale;
import java.util.Set;

/**
 * Maps any provider's own code to a normalised verdict for reports and policy. The cache keeps the provider's code
 * (valid from NeverBounce, ok from Email List Verify); the vocabulary is open, so an unknown code is "unknown".
 * A provider's answer is cached whatever its code; a results file may carry only the codes listed here (see
 * {@link #known}) or those Sluice is told to mail.
 */
public final class Verdicts {

    private static final Set<String> DELIVERABLE = Set.of("valid", "ok");
    private static final Set<String> RISKY = Set.of("accept_all", "ok_for_all", "catchall", "role");
    private static final Set<String> UNDELIVERABLE = Set.of("invalid", "invalid_mx", "invalid_syntax", "email_disabled",
            "dead_server", "disposable", "suppressed", "unsubscribed", "spamtrap", "antispam_system",
            "unknown_email", "syntax_error", "domain_error");
    /** Codes that say the provider could not tell (NeverBounce unknown, Email List Verify smtp_protocol). */
    private static final Set<String> UNKNOWN = Set.of("unknown", "smtp_protocol");

    private Verdicts() {
    }

    /** Whether the code is one this class lists: every NeverBounce result, Email List Verify's, Sluice's own. */
    public static boolean known(String code) {
        if (code == null) {
            return false;
        }
        String c = code.toLowerCase(Locale.ROOT);
        return DELIVERABLE.contains(c) || RISKY.contains(c) || UNDELIVERABLE.contains(c) || UNKNOWN.contains(c);
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
