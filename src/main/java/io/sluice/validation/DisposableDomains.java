package io.sluice.validation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disposable (temporary-mail) domains. The story's list held 150,000 such addresses; the community list grew from
 * 3,614 domains then to 8,335 now, so operators load the current one from a file or URL, refreshed on a schedule.
 * A small built-in list is only the fallback when that location cannot be read.
 */
public class DisposableDomains {

    private static final Logger LOG = LoggerFactory.getLogger(DisposableDomains.class);

    private final String location;
    private volatile Set<String> domains;
    private volatile String source;

    public DisposableDomains(String location) {
        this.location = location == null ? "" : location.strip();
        this.domains = fallback();
        this.source = "built-in fallback";
        reload();
    }

    /** Re-reads the configured list; on failure keeps what it had and says so. */
    public synchronized void reload() {
        if (location.isEmpty()) {
            LOG.warn("No sluice.validation.disposable-list: using the built-in fallback of {} disposable domains", domains.size());
            return;
        }
        try (InputStream in = open(location)) {
            Set<String> loaded = parse(in);
            if (loaded.isEmpty()) {
                throw new IOException("the list is empty");
            }
            domains = loaded;
            source = location;
            LOG.info("Loaded {} disposable domains from {}", loaded.size(), location);
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOG.warn("Cannot load the disposable-domain list from {} ({}); keeping {} domains from {}", location,
                    e.getMessage(), domains.size(), source);
        }
    }

    /** Whether the address's domain, or a domain it is under, is disposable. */
    public boolean isDisposable(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        Set<String> current = domains;
        while (true) {
            if (current.contains(d)) {
                return true;
            }
            int dot = d.indexOf('.');
            if (dot < 0) {
                return false;
            }
            d = d.substring(dot + 1);
        }
    }

    public int size() {
        return domains.size();
    }

    private static InputStream open(String location) throws IOException, InterruptedException {
        if (location.startsWith("http://") || location.startsWith("https://")) {
            HttpResponse<InputStream> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(HttpRequest.newBuilder(URI.create(location)).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        }
        return Files.newInputStream(Path.of(location.startsWith("file:") ? location.substring(5) : location));
    }

    private static Set<String> parse(InputStream in) throws IOException {
        Set<String> result = new HashSet<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String domain = line.strip().toLowerCase(Locale.ROOT);
                if (!domain.isEmpty() && !domain.startsWith("#")) {
                    result.add(domain);
                }
            }
        }
        return result;
    }

    private static Set<String> fallback() {
        try (InputStream in = DisposableDomains.class.getResourceAsStream("/validation/disposable-fallback.txt")) {
            return in == null ? Set.of() : parse(in);
        } catch (IOException e) {
            return Set.of();
        }
    }
}
