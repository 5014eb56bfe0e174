package io.sluice.validation;

/**
 * Thrown inside a provider's circuit breaker for a transient answer (5xx, throttle, temporarily unavailable), so the
 * breaker counts it as a failure; the breaker's fallback turns it back into the answer it carries.
 */
public class ProviderCallException extends RuntimeException {

    private final transient ProviderAnswer answer;

    public ProviderCallException(ProviderAnswer answer) {
        super(answer.reason(), null, false, false);
        this.answer = answer;
    }

    public ProviderAnswer answer() {
        return answer;
    }

    /** The answer for whatever failed inside the breaker: timeouts, I/O errors, an open circuit, a full bulkhead. */
    public static ProviderAnswer answerFor(Throwable failure) {
        if (failure == null) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, "no answer");
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProviderCallException call) {
                return call.answer();
            }
            String name = t.getClass().getSimpleName();
            if (name.equals("CallNotPermittedException")) {
                return ProviderAnswer.failure(ProviderAnswer.Kind.UNAVAILABLE, "circuit breaker open");
            }
            if (name.equals("BulkheadFullException")) {
                return ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, "concurrency limit reached");
            }
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, "timeout");
            }
        }
        String message = failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        return ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, masked(message));
    }

    /** Any key or secret parameter in a message is masked before it can reach the status or the log. */
    static String masked(String message) {
        return message == null ? null : message.replaceAll("(?i)(secret|key)=[^&\\s]*", "$1=***");
    }
}
