package io.sluice.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.Sluice;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Starts Sluice in-process exactly as the jar does (Sluice.create(): routes/ and application.properties from the
 * repository root), re-pointed at a private H2 database, folders and a free admin port by overriding the very
 * property keys the application reads.
 */
public final class SluiceRunner implements AutoCloseable {

    public static final String TOKEN = "test-admin-token";
    public static final String MANAGEMENT_USER = "ops";
    public static final String MANAGEMENT_PASSWORD = "test-management-secret";

    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Path dir;
    private Main main;
    private final HttpClient http = HttpClient.newHttpClient();

    public SluiceRunner(Path dir) {
        this.dir = dir;
        TestDatabase database = TestDatabase.forDirectory(dir);
        set("sluice.db.url", database.url());
        set("sluice.db.username", database.username());
        set("sluice.db.password", database.password());
        set("sluice.http.port", Integer.toString(freePort()));
        set("sluice.admin.token", TOKEN);
        set("sluice.management.port", Integer.toString(freePort()));
        set("sluice.management.username", MANAGEMENT_USER);
        set("sluice.management.password", MANAGEMENT_PASSWORD);
        set("sluice.demo.enabled", "false");
        set("sluice.outbox.dir", dir.resolve("outbox").toString());
        set("sluice.inbox.dir", dir.resolve("inbox").toString());
        // Ticks are driven by the tests; the cron never fires during a test.
        set("sluice.dispatch.cron", "0 0 0 1 1 ? 2099");
        set("sluice.dispatch.first-tick-delay-ms", "3600000");
        set("sluice.dispatch.initial-send-limit", "100");
        set("sluice.dispatch.retry-delay-ms", "10");
        set("sluice.status.waiting-refresh", "PT0S");
        set("sluice.unsubscribe.base-url", "https://sluice.example.com");
        set("sluice.unsubscribe.secret", "test-unsubscribe-secret-0123456789");
    }

    public SluiceRunner set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    public SluiceRunner smtp(int port) {
        set("sluice.delivery.mode", "smtp");
        set("sluice.smtp.host", "127.0.0.1");
        return set("sluice.smtp.port", Integer.toString(port));
    }

    public SluiceRunner start() {
        main = Sluice.create();
        settings.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("Sluice did not start", e);
        }
        return this;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    public JdbcTemplate jdbc() {
        return new JdbcTemplate(bean("dataSource", javax.sql.DataSource.class));
    }

    /**
     * Runs one dispatch tick and returns when every claimed recipient has an outcome. Tests drive their ticks inside
     * one endless cron period, so each gets a fresh period budget, as a cron tick would.
     */
    public void tick() {
        jdbc().update("DELETE FROM dispatch_budget");
        context().createProducerTemplate().sendBody("direct:dispatch-tick", null);
    }

    public String state(String email) {
        return jdbc().queryForObject("SELECT state FROM recipient WHERE email = ?", String.class, email);
    }

    public Map<String, Object> row(String email) {
        return jdbc().queryForMap("SELECT * FROM recipient WHERE email = ?", email);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + settings.get("sluice.http.port");
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + settings.get("sluice.management.port");
    }

    /** A call to the management port (Jolokia, health, metrics) with the given basic-auth user, or none when null. */
    public HttpResponse<String> management(String method, String path, String body, String user, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(managementUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    public HttpResponse<String> management(String method, String path, String body) {
        return management(method, path, body, MANAGEMENT_USER, MANAGEMENT_PASSWORD);
    }

    public Path dir() {
        return dir;
    }

    public HttpResponse<String> call(String method, String path, String contentType, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    public HttpResponse<String> call(String method, String path, String contentType, String body) {
        return call(method, path, contentType, body, TOKEN);
    }

    /** Creates and starts a campaign, imports the audience CSV and the validation results CSV through the admin API. */
    public long campaign(String subject, String text, String html, String audienceCsv, String validationCsv) {
        String json = "{\"name\":\"test\",\"from\":\"News <news@example.com>\",\"subject\":" + quote(subject)
                + ",\"textTemplate\":" + quote(text) + ",\"htmlTemplate\":" + quote(html) + "}";
        HttpResponse<String> created = call("POST", "/api/campaigns", "application/json", json);
        if (created.statusCode() != 201) {
            throw new IllegalStateException("campaign not created: " + created.statusCode() + " " + created.body());
        }
        long id = Long.parseLong(created.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
        if (validationCsv != null) {
            call("POST", "/api/validation-results", "text/csv", validationCsv);
        }
        call("POST", "/api/campaigns/" + id + "/audience", "text/csv", audienceCsv);
        call("POST", "/api/campaigns/" + id + "/start", null, null);
        return id;
    }

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + "\"";
    }

    @Override
    public void close() {
        if (main != null) {
            try {
                main.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            main = null;
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
