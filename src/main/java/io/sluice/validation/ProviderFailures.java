package io.sluice.validation;

/** The circuit breakers' fallback: turns whatever failed inside a provider call into a ProviderAnswer. */
public class ProviderFailures {

    /**
     * The fallback gets no exception when the call was never made (circuit open or half-open and full) and, depending
     * on the path, none after a time-out either: the breaker's state and time-out flag tell the two apart.
     */
    public ProviderAnswer answerFor(Throwable failure, String breakerState, Boolean timedOut) {
        if (failure == null && !Boolean.TRUE.equals(timedOut) && breakerState != null && !"CLOSED".equals(breakerState)) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.UNAVAILABLE, "circuit breaker " + breakerState.toLowerCase(java.util.Locale.ROOT));
        }
        if (failure == null) {
            return ProviderAnswer.failure(ProviderAnswer.Kind.TRANSIENT, "timeout");
        }
        return ProviderCallException.answerFor(failure);
    }
}
