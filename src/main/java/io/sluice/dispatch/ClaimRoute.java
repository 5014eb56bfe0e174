package io.sluice.dispatch;

import java.util.List;
import java.util.function.IntFunction;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;

/**
 * How {@link Dispatch} claims a chunk: it asks route {@code recipients-claim} for up to {@code limit} recipients. Dispatch
 * keeps the orchestration (budget, lanes, lease, recovery); the route holds the statements and the enricher. A failure
 * in the route (its transaction rolled back) comes back as the exception that caused it.
 */
public final class ClaimRoute implements IntFunction<List<Recipient>> {

    static final String ENDPOINT = "direct:recipients-claim";

    private final CamelContext context;
    private volatile ProducerTemplate producer;

    public ClaimRoute(CamelContext context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Recipient> apply(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        try {
            List<Recipient> claimed = producer().requestBodyAndHeader(ENDPOINT, null, "limit", limit, List.class);
            return claimed == null ? List.of() : claimed;
        } catch (CamelExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
    }

    /** Created at first use: the context has started by then (ProducerTemplate is thread-safe, one serves every lane). */
    private ProducerTemplate producer() {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = context.createProducerTemplate();
                }
                p = producer;
            }
        }
        return p;
    }
}
