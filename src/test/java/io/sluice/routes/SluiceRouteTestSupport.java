package io.sluice.routes;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

import io.sluice.Sluice;
import io.sluice.SluiceConfiguration;
import io.sluice.support.SluiceRunner;
import io.sluice.support.TestDatabase;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.apache.camel.util.function.ThrowingConsumer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Route tests on Camel's own test kit (camel-test-main-junit5): each test gets a CamelContext initialised the way
 * Camel Main initialises Sluice's ({@link Sluice#PROPERTY_LOCATIONS}, {@link SluiceConfiguration}, the real
 * {@code routes/*.camel.yaml} from the working directory), re-pointed at a private H2 database (or the server that
 * {@code -Dsluice.test.db} names), folders and free ports by overriding exactly the keys the application reads.
 * <p>
 * The context is not started before the test has advised it ({@link #isUseAdviceWith()}): a test weaves its mocks by
 * step id with {@link #advise}, then calls {@link #startSluice()}. JMX is on, so a test reads and stops routes and
 * processors through their MBeans, as Hawtio does over Jolokia. Camel's management HTTP server stays off here: its
 * users file is written by a Main listener ({@code ops.ManagementAccess}) that only Sluice's own Main runs, and
 * {@code ops.ManagementTest} / {@code e2e.HawtioStopDispatchTest} cover that port.
 * <p>
 * {@code CamelMainTestSupport} rather than {@code @CamelMainTest}: the annotation takes only constant properties, and
 * every test here needs its own database, GreenMail / WireMock ports and folders, known only when it runs
 * ({@link #setupResources()} runs before the context is created).
 */
public abstract class SluiceRouteTestSupport extends CamelMainTestSupport {

    protected static final String TOKEN = SluiceRunner.TOKEN;
    /** A cron that never fires during a test (year 2099): ticks are driven by the test unless it says otherwise. */
    protected static final String NEVER = "0 0 0 1 1 ? 2099";

    private final HttpClient http = HttpClient.newHttpClient();
    protected Path dir;
    private int httpPort;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected boolean useJmx() {
        return true;
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return Sluice.PROPERTY_LOCATIONS;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        // What Sluice.create() adds to Camel Main: the beans the routes call, the database migration.
        configuration.addConfiguration(SluiceConfiguration.class);
    }

    /** Runs before the CamelContext is created: the settings it starts with. */
    @Override
    protected void setupResources() throws Exception {
        dir = Files.createTempDirectory("route-test");
        httpPort = SluiceRunner.freePort();
        Properties settings = new Properties();
        TestDatabase database = TestDatabase.forDirectory(dir);
        settings.setProperty("sluice.db.url", database.url());
        settings.setProperty("sluice.db.username", database.username());
        settings.setProperty("sluice.db.password", database.password());
        settings.setProperty("sluice.http.host", "127.0.0.1");
        settings.setProperty("sluice.http.port", Integer.toString(httpPort));
        settings.setProperty("sluice.admin.token", TOKEN);
        settings.setProperty("sluice.management.port", Integer.toString(SluiceRunner.freePort()));
        settings.setProperty("camel.management.enabled", "false");
        settings.setProperty("sluice.demo.enabled", "false");
        settings.setProperty("sluice.outbox.dir", dir.resolve("outbox").toString());
        settings.setProperty("sluice.inbox.dir", dir.resolve("inbox").toString());
        settings.setProperty("sluice.dispatch.cron", NEVER);
        settings.setProperty("sluice.dispatch.first-tick-delay-ms", "3600000");
        settings.setProperty("sluice.guard.cron", NEVER);
        settings.setProperty("sluice.dispatch.initial-send-limit", "100");
        settings.setProperty("sluice.dispatch.retry-delay-ms", "10");
        settings.setProperty("sluice.status.waiting-refresh", "PT0S");
        settings.setProperty("sluice.unsubscribe.base-url", "https://sluice.example.com");
        settings.setProperty("sluice.unsubscribe.secret", "test-unsubscribe-secret-0123456789");
        settings(settings);
        camelContextConfiguration().withUseOverridePropertiesWithPropertiesComponent(settings);
    }

    /** A test class's own settings on top of the defaults above (SMTP port, Postmark stub, rates). */
    protected abstract void settings(Properties settings);

    /** Delivery over SMTP to the given local port (GreenMail). */
    protected static void smtp(Properties settings, int port) {
        settings.setProperty("sluice.delivery.mode", "smtp");
        settings.setProperty("sluice.smtp.host", "127.0.0.1");
        settings.setProperty("sluice.smtp.port", Integer.toString(port));
    }

    /** Weaves a route by the ids of its steps, before the context starts. */
    protected void advise(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) throws Exception {
        AdviceWith.adviceWith(context, routeId, advice);
    }

    protected void startSluice() {
        context.start();
    }

    /** One dispatch tick, as the schedule fires it, on a fresh period budget (each test tick is its own period). */
    protected void tick() {
        jdbc().update("DELETE FROM dispatch_budget");
        template.sendBody("direct:dispatch-tick", null);
    }

    protected JdbcTemplate jdbc() {
        return new JdbcTemplate(context.getRegistry().lookupByNameAndType("dataSource", DataSource.class));
    }

    protected Map<String, Object> row(String email) {
        return jdbc().queryForMap("SELECT * FROM recipient WHERE email = ?", email);
    }

    protected String state(String email) {
        return jdbc().queryForObject("SELECT state FROM recipient WHERE email = ?", String.class, email);
    }

    protected long count(String state) {
        return jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE state = ?", Long.class, state);
    }

    /** Creates and starts a campaign through the admin API: validation results first, then the audience. */
    protected long campaign(String audienceCsv, String validationCsv) {
        HttpResponse<String> created = call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"route test\",\"from\":\"News <news@example.com>\",\"subject\":\"Hello {{first_name}}\","
                        + "\"textTemplate\":\"Hi {{first_name}}\",\"htmlTemplate\":null}");
        if (created.statusCode() != 201) {
            throw new IllegalStateException("campaign not created: " + created.statusCode() + " " + created.body());
        }
        long id = Long.parseLong(created.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
        expect(200, call("POST", "/api/validation-results", "text/csv", validationCsv));
        expect(200, call("POST", "/api/campaigns/" + id + "/audience", "text/csv", audienceCsv));
        expect(200, call("POST", "/api/campaigns/" + id + "/start", null, null));
        return id;
    }

    /** An audience of n addresses {@code reader<i>@example.com} and their validation results, all valid. */
    protected static String[] validAudience(int n) {
        StringBuilder audience = new StringBuilder("email,first_name\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 0; i < n; i++) {
            audience.append("reader").append(i).append("@example.com,Reader").append(i).append('\n');
            results.append("reader").append(i).append("@example.com,valid\n");
        }
        return new String[] {audience.toString(), results.toString()};
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() / 100 != status / 100) {
            throw new IllegalStateException("admin API answered " + response.statusCode() + ": " + response.body());
        }
    }

    protected HttpResponse<String> call(String method, String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", e);
        }
    }

    protected static MBeanServer mbeans() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    /**
     * The MBean of a route or processor of this context, by its id: what Hawtio lists under Camel → routes / processors
     * (type routes or processors), and what its buttons call over Jolokia.
     */
    protected ObjectName mbean(String type, String id) throws Exception {
        Set<ObjectName> names = mbeans().queryNames(
                new ObjectName("org.apache.camel:type=" + type + ",name=" + ObjectName.quote(id) + ",*"), null);
        return names.stream()
                .filter(n -> context.getManagementName().equals(ObjectName.unquote(quoted(n.getKeyProperty("context")))))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no MBean " + type + " " + id + " in " + names));
    }

    private static String quoted(String value) {
        return value.startsWith("\"") ? value : ObjectName.quote(value);
    }
}
