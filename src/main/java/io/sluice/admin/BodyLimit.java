package io.sluice.admin;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to a request body over {@code camel.server.maxBodySize} ({@code sluice.http.max-body-bytes}). Vert.x's
 * body handler refuses it with a bare 413 before any Camel route runs, and with no handler for that failure its router
 * logs "Unhandled exception in router" with nothing to say which call or why. This handler logs one line that does, and
 * answers the same JSON as every other refusal, then closes the connection so the client stops sending the rest (as
 * Tomcat does past its swallow limit).
 */
public final class BodyLimit implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(BodyLimit.class);

    private static final String REFUSED = "sluice.body-limit.refused";

    private final int port;
    private final long maxBytes;

    public BodyLimit(int port, long maxBytes) {
        this.port = port;
        this.maxBytes = maxBytes;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the HTTP server's router exists once the context is fully started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            LOG.warn("No platform-http router found: an oversized request body gets Vert.x's bare 413");
            return;
        }
        // A failure handler on every path of the routes' router: Camel mounts that router under a root router it keeps
        // to itself, and Vert.x looks status error handlers up on the root one.
        router.route().failureHandler(request -> {
            if (request.statusCode() == 413) {
                refuse(request);
            } else if (request.get(REFUSED) == null) {
                request.next();
            }
            // else: the connection this handler closed after its 413 fails the rest of a chunked body, which the
            // client was still sending; the answer is out and the line logged, there is nothing to add.
        });
    }

    void refuse(RoutingContext request) {
        request.put(REFUSED, Boolean.TRUE);
        HttpServerRequest http = request.request();
        String length = http.getHeader("Content-Length");
        LOG.warn("Refused {} {} with 413: request body over sluice.http.max-body-bytes ({} bytes; Content-Length {}). "
                        + "Large files go through the inbox.", http.method(), http.path(), maxBytes,
                length == null ? "not given" : length.matches("\\d{1,19}") ? length : "unreadable");
        HttpServerResponse response = request.response();
        if (!response.ended() && !response.closed()) {
            response.setStatusCode(413)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close")
                    .end("{\"error\":\"request body larger than " + maxBytes
                            + " bytes (sluice.http.max-body-bytes): send large files through the inbox\"}")
                    // Vert.x would otherwise keep reading (and dropping) the rest of the body until its end.
                    .onComplete(done -> http.connection().close());
        }
    }
}
