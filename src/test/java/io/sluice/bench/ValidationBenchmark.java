package io.sluice.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import io.sluice.Sluice;
import io.sluice.audience.AudienceImporter;
import io.sluice.audience.Rejects;
import io.sluice.campaign.CampaignStore;
import io.sluice.validation.AddressCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Validation throughput against a stub NeverBounce that answers every single check after 300 ms (a JDK HttpServer on
 * loopback, one thread per request, so the stub is never the limit): with 100 calls in flight the ideal is
 * 100 / 0.3 s = 333 addresses/s. Then a second pass over the same addresses (a second campaign) must be served from
 * the cache with no provider call, and the reference client (Python asyncio + aiohttp, semaphore 100) runs against
 * the same stub. Run with bench/validation.sh.
 */
public final class ValidationBenchmark {

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.n", 3000);
        int concurrency = Integer.getInteger("bench.concurrency", 100);
        long delayMs = Long.getLong("bench.delay-ms", 300);
        String python = System.getProperty("bench.python", "/usr/bin/python3");
        String client = System.getProperty("bench.client", "bench/aiohttp_client.py");

        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicLong calls = new AtomicLong();
        ExecutorService stubThreads = Executors.newFixedThreadPool(concurrency * 3);
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        stub.setExecutor(stubThreads);
        byte[] answer = ("{\"status\":\"success\",\"result\":\"valid\",\"flags\":[\"has_dns\",\"has_dns_mx\"],"
                + "\"suggested_correction\":\"\",\"execution_time\":300}").getBytes(StandardCharsets.UTF_8);
        stub.createContext("/v4/single/check", exchange -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                Thread.sleep(delayMs);
                calls.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        stub.start();
        String stubUrl = "http://127.0.0.1:" + stub.getAddress().getPort();
        System.out.printf(Locale.ROOT, "== stub NeverBounce on %s, %d ms per answer; %d addresses, concurrency %d (ideal %.0f/s)%n",
                stubUrl, delayMs, n, concurrency, concurrency * 1000.0 / delayMs);

        Path dir = Files.createTempDirectory("sluice-validation-bench");
        Main main = Sluice.create();
        Map<String, String> settings = Map.ofEntries(
                Map.entry("sluice.db.url", "jdbc:h2:file:" + dir.resolve("db/sluice") + ";DB_CLOSE_ON_EXIT=FALSE"),
                Map.entry("sluice.http.port", Integer.toString(freePort())),
                Map.entry("sluice.http.host", "127.0.0.1"),
                Map.entry("sluice.admin.token", "bench-token"),
                Map.entry("sluice.demo.enabled", "false"),
                Map.entry("sluice.unsubscribe.secret", "bench-unsubscribe-secret-0123456789"),
                Map.entry("sluice.outbox.dir", dir.resolve("outbox").toString()),
                Map.entry("sluice.inbox.dir", dir.resolve("inbox").toString()),
                Map.entry("sluice.dispatch.cron", "0 0 0 1 1 ? 2099"),
                Map.entry("sluice.dispatch.first-tick-delay-ms", "3600000"),
                Map.entry("sluice.guard.cron", "0 0 0 1 1 ? 2099"),
                Map.entry("sluice.suppressions.cron", "0 0 0 1 1 ? 2099"),
                Map.entry("sluice.postmark.api-url", "http://127.0.0.1:" + freePort()),
                Map.entry("sluice.validation.cron", "0 0 0 1 1 ? 2099"),
                Map.entry("sluice.validation.providers", "neverbounce"),
                Map.entry("sluice.validation.batch-size", Integer.toString(n)),
                Map.entry("sluice.validation.threads", Integer.toString(concurrency)),
                Map.entry("sluice.neverbounce.api-url", stubUrl),
                Map.entry("sluice.neverbounce.api-key", "bench-key"),
                Map.entry("sluice.neverbounce.concurrency", Integer.toString(concurrency)),
                Map.entry("sluice.neverbounce.max-per-second", "100000"),
                Map.entry("sluice.neverbounce.timeout-ms", "10000"));
        settings.forEach(main::addOverrideProperty);
        main.start();
        int exit = 0;
        try {
            CamelContext context = main.getCamelContext();
            CampaignStore campaigns = context.getRegistry().lookupByNameAndType("campaignStore", CampaignStore.class);
            AudienceImporter audience = context.getRegistry().lookupByNameAndType("audienceImporter", AudienceImporter.class);
            JdbcTemplate jdbc = new JdbcTemplate(context.getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class));
            var producer = context.createProducerTemplate();

            // Warm-up: a small campaign of other addresses (JIT, connection pool, breaker).
            importCampaign(campaigns, audience, "warmup", 300);
            producer.requestBody("direct:validation-run", (Object) null);

            List<String> addresses = importCampaign(campaigns, audience, "reader", n);
            long callsBefore = calls.get();
            maxInFlight.set(0);
            long started = System.nanoTime();
            producer.requestBody("direct:validation-run", (Object) null);
            double seconds = (System.nanoTime() - started) / 1e9;
            Integer cached = jdbc.queryForObject("SELECT COUNT(*) FROM email_validation_cache WHERE email LIKE 'reader.%'", Integer.class);
            double rate = n / seconds;
            double ideal = concurrency * 1000.0 / delayMs;
            System.out.printf(Locale.ROOT, "sluice   first pass : %d addresses in %.2f s = %.1f addresses/s (%.1f%% of ideal %.0f/s); "
                            + "provider calls %d, max in flight at the stub %d, cached %d%n",
                    n, seconds, rate, 100 * rate / ideal, ideal, calls.get() - callsBefore, maxInFlight.get(), cached);
            if (cached == null || cached != n) {
                System.out.println("FAILED: not every address was cached");
                exit = 1;
            }

            importCampaign(campaigns, audience, "reader", n); // the same addresses in a second campaign
            callsBefore = calls.get();
            started = System.nanoTime();
            producer.requestBody("direct:validation-run", (Object) null);
            double second = (System.nanoTime() - started) / 1e9;
            Integer waiting = jdbc.queryForObject("SELECT COUNT(*) FROM recipient r WHERE r.state = 'PENDING' AND NOT EXISTS "
                    + "(SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key)", Integer.class);
            System.out.printf(Locale.ROOT, "sluice   second pass: a second campaign of the same %d addresses: run took %.3f s, "
                    + "provider calls %d, recipients waiting for validation %d%n", n, second, calls.get() - callsBefore, waiting);
            AddressCheck check = context.getRegistry().lookupByNameAndType("addressCheck", AddressCheck.class);
            String body = String.join("\n", addresses.subList(0, Math.min(10_000, addresses.size())));
            started = System.nanoTime();
            check.check(body);
            double checkSeconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "sluice   cache check: %d addresses (local checks + cache) in %.3f s = %.0f addresses/s%n",
                    Math.min(10_000, n), checkSeconds, Math.min(10_000, n) / checkSeconds);
            if (calls.get() != callsBefore || waiting != 0) {
                System.out.println("FAILED: the second pass called the provider or left recipients waiting");
                exit = 1;
            }
        } finally {
            main.stop();
        }

        // The reference approach against the same stub.
        maxInFlight.set(0);
        long callsBefore = calls.get();
        Process python3 = new ProcessBuilder(python, client, stubUrl + "/v4/single/check", Integer.toString(n), Integer.toString(concurrency))
                .redirectErrorStream(true).start();
        String out = new String(python3.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!python3.waitFor(300, TimeUnit.SECONDS) || python3.exitValue() != 0) {
            System.out.println("reference client failed: " + out);
            exit = 1;
        } else {
            System.out.println("aiohttp  reference  : " + out + String.format(Locale.ROOT, "; provider calls %d, max in flight at the stub %d",
                    calls.get() - callsBefore, maxInFlight.get()));
        }
        stub.stop(0);
        stubThreads.shutdownNow();
        System.exit(exit);
    }

    private static List<String> importCampaign(CampaignStore campaigns, AudienceImporter audience, String prefix, int count) {
        long id = campaigns.insert("bench " + prefix, "News <news@example.com>", "Hello", "Hi {{unsubscribe_url}}", null, "broadcast");
        StringBuilder csv = new StringBuilder("email\n");
        List<String> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String email = String.format(Locale.ROOT, "%s.%06d@example.com", prefix, i);
            addresses.add(email);
            csv.append(email).append('\n');
        }
        audience.importCsv(id, new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)), "bench " + prefix, Rejects.listed(5));
        return addresses;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
