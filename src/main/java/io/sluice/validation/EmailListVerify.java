package io.sluice.validation;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Email List Verify single verify ({@code GET /api/verifyEmail?secret=...&email=...}): a plain-text answer, one code
 * (ok, email_disabled, dead_server, invalid_mx, invalid_syntax, ok_for_all, accept_all, disposable, unknown, ...;
 * the vocabulary is open and every code is kept as it came). The API takes its key only as a query parameter: the
 * route passes it in the CamelHttpQuery header, so it never appears in an endpoint URI that Camel logs.
 */
public class EmailListVerify {

    public static final String NAME = "emaillistverify";
    /** A single lower-case word is a verdict; anything else (a sentence, a page) is an error text. */
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]*");
    /** Error answers about the account rather than the address: a wrong key, no credit left, a blocked account. */
    private static final Pattern ACCOUNT = Pattern.compile(".*(key|secret|credit|unauthori|forbidden|account|suspend|blocked|payment|quota).*");

    private final String apiKey;

    public EmailListVerify(String apiKey) {
        this.apiKey = apiKey == null ? "" : apiKey.strip();
    }

    public boolean configured() {
        return !apiKey.isEmpty();
    }

    /** The query string of the verify call. */
    public String query(String email) {
        return "secret=" + URLEncoder.encode(apiKey, StandardCharsets.UTF_8) + "&email=" + URLEncoder.encode(email, StandardCharsets.UTF_8);
    }

    /** Classifies the answer. Transient answers are thrown so the circuit breaker counts them. */
    public ProviderAnswer read(Integer httpStatus, String body) {
        ProviderAnswer failure = NeverBounce.httpFailure(httpStatus);
        String text = body == null ? "" : body.strip().toLowerCase(Locale.ROOT);
        if (failure != null) {
            if (failure.kind() == ProviderAnswer.Kind.PERMANENT && ACCOUNT.matcher(text).matches()) {
                return ProviderAnswer.failure(ProviderAnswer.Kind.BUSINESS, failure.reason() + ": " + shorten(text));
            }
            return failure;
        }
        if (ACCOUNT.matcher(text).matches()) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.BUSINESS, shorten(text));
        }
        if (!CODE.matcher(text).matches()) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.PERMANENT, "unreadable Email List Verify answer: " + shorten(text));
        }
        boolean syntax = text.equals("invalid_syntax") || text.equals("syntax_error");
        return ProviderAnswer.verdict(text, syntax, 1);
    }

    private static String shorten(String text) {
        String oneLine = ProviderCallException.masked(text.replaceAll("\\s+", " "));
        return oneLine.length() > 120 ? oneLine.substring(0, 120) + "..." : oneLine;
    }
}
