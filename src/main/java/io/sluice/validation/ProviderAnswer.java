package io.sluice.validation;

/**
 * What one call to a validation provider came back with, classified in one place so the failover policy reads
 * plainly: a verdict to cache, a transient failure (retried with backoff), a business failure (the account is
 * locked, the key refused, the credit gone: stop calling that provider), a permanent failure for this address (no
 * retry, ask the next provider), or the provider is unavailable right now (circuit open: ask the next provider).
 */
public record ProviderAnswer(Kind kind, String code, String reason, boolean syntaxRejected, long creditsUsed) {

    public enum Kind { VERDICT, TRANSIENT, BUSINESS, PERMANENT, UNAVAILABLE }

    public static ProviderAnswer verdict(String code, boolean syntaxRejected, long creditsUsed) {
        return new ProviderAnswer(Kind.VERDICT, code, null, syntaxRejected, creditsUsed);
    }

    public static ProviderAnswer failure(Kind kind, String reason) {
        return new ProviderAnswer(kind, null, reason, false, 0);
    }

    /** The metric label: the verdict code, or the failure kind. */
    public String label() {
        return kind == Kind.VERDICT ? code : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
