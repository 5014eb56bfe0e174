package io.sluice.validation;

/** The circuit breakers' fallback: turns whatever failed inside a provider call into a ProviderAnswer. */
public class ProviderFailures {

    public ProviderAnswer answerFor(Throwable failure) {
        return ProviderCallException.answerFor(failure);
    }
}
