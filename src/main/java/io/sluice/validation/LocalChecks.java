package io.sluice.validation;

import java.util.Locale;
import java.util.Set;

/**
 * The free, instant checks that run before any provider: syntax fit for SMTP delivery, disposable domains, and
 * (a policy flag, off by default) role accounts. Their verdicts use their own codes in the same cache.
 */
public class LocalChecks {

    public static final String INVALID_SYNTAX = "invalid_syntax";
    public static final String DISPOSABLE = "disposable";
    public static final String ROLE = "role";

    private static final Set<String> ROLE_ACCOUNTS = Set.of("abuse", "admin", "administrator", "billing", "contact",
            "help", "hostmaster", "info", "mailer-daemon", "marketing", "no-reply", "noc", "noreply", "postmaster",
            "root", "sales", "security", "support", "webmaster");

    /** A local verdict: the code to cache and why, or passed() when only a provider can tell more. */
    public record Verdict(String code, String reason) {
        public boolean passed() {
            return code == null;
        }
    }

    private final DisposableDomains disposable;
    private final boolean refuseRoleAccounts;

    public LocalChecks(DisposableDomains disposable, boolean refuseRoleAccounts) {
        this.disposable = disposable;
        this.refuseRoleAccounts = refuseRoleAccounts;
    }

    public Verdict check(String email) {
        EmailSyntax.Result syntax = EmailSyntax.check(email);
        if (!syntax.valid()) {
            return new Verdict(INVALID_SYNTAX, syntax.problem());
        }
        String normalized = syntax.normalized();
        int at = normalized.lastIndexOf('@');
        if (disposable.isDisposable(normalized.substring(at + 1))) {
            return new Verdict(DISPOSABLE, "disposable domain " + normalized.substring(at + 1));
        }
        if (refuseRoleAccounts && ROLE_ACCOUNTS.contains(normalized.substring(0, at).toLowerCase(Locale.ROOT))) {
            return new Verdict(ROLE, "role account");
        }
        return new Verdict(null, null);
    }
}
