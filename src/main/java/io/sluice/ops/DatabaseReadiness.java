package io.sluice.ops;

import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: Sluice is ready only while its database answers (every tick, import and admin call needs it). Not a
 * liveness check: a database outage is not cured by restarting Sluice, and a restart loop would only add load.
 */
public class DatabaseReadiness extends AbstractHealthCheck {

    private static final int TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    // The pool waits up to its connection timeout (30 s) for a dead database: the probe answers within its own bound.
    private final ExecutorService pinger = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "sluice-database-readiness");
        thread.setDaemon(true);
        return thread;
    });

    public DatabaseReadiness(DataSource dataSource) {
        super("sluice", "sluice-database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CompletableFuture<Boolean> ping = CompletableFuture.supplyAsync(this::ping, pinger);
        try {
            if (ping.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                builder.up();
            } else {
                builder.message("database did not answer within " + TIMEOUT_SECONDS + " s").down();
            }
        } catch (TimeoutException e) {
            builder.message("database did not answer within " + TIMEOUT_SECONDS + " s").down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.message("interrupted").down();
        } catch (Exception e) {
            // The driver's message names the host or file, never the password.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            builder.message("database unreachable: " + cause.getMessage()).down();
        }
    }

    private boolean ping() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(TIMEOUT_SECONDS);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
