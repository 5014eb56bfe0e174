package io.sluice.dispatch;

/** Where Dispatch reports each recipient's outcome as it records it (the metrics count them; no table scans). */
public interface DispatchOutcomes {

    DispatchOutcomes NONE = new DispatchOutcomes() {
    };

    default void sent() {
    }

    default void skipped(String code) {
    }

    /**
     * {@code failureClass} is {@code transient} (returned to the pool or given up), {@code ambiguous} (no reply to the
     * data: UNKNOWN at-most-once, returned to the pool at-least-once) or {@code permanent}.
     */
    default void failed(String failureClass) {
    }

    /** A claimed recipient went back to the pool unsent because the delivery breaker was open. */
    default void released() {
    }
}
