package io.sluice.advisories;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.sluice.mail.UnsubscribeTokens;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CVE-2026-84176: platform-http-vertx's CORS handler reflects any Origin with Access-Control-Allow-Credentials: true.
 * Sluice keeps CORS off: a page on another origin gets no Access-Control-Allow-* answer from the admin API, the
 * progress page, the Postmark webhook, the unsubscribe link or the management port, for a simple request (which a
 * browser sends with cookies or credentials and then must not let the page read) or a preflight (OPTIONS).
 */
@Timeout(120)
class CrossOriginTest {

    private static final String EVIL = "https://evil.example";

    private SluiceRunner sluice;
    private String unsubscribeToken;

    @BeforeEach
    void start() {
        sluice = new SluiceRunner(SluiceRunner.tempDir("cross-origin"))
                .set("sluice.webhook.username", "postmark").set("sluice.webhook.password", "hook-secret")
                .start();
        long campaign = sluice.campaign("Hello", "Hi", null, "email\nada@example.com\n", "email,code\nada@example.com,valid\n");
        long recipient = ((Number) sluice.row("ada@example.com").get("ID")).longValue();
        unsubscribeToken = sluice.bean("unsubscribeTokens", UnsubscribeTokens.class).sign(campaign, recipient);
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    /** A cross-origin request as a browser sends it, plus CORS answer headers a server might echo back. */
    private RawHttp.Response crossOrigin(int port, String method, String path, String authorization, String contentType, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Origin", EVIL);
        headers.put("Cookie", "session=browser-cookie");
        headers.put("Access-Control-Allow-Origin", EVIL);
        headers.put("Access-Control-Allow-Credentials", "true");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return RawHttp.send(port, method, path, headers, body);
    }

    /** The preflight a browser sends before a credentialed POST with an Authorization header. */
    private static RawHttp.Response preflight(int port, String path) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Origin", EVIL);
        headers.put("Access-Control-Request-Method", "POST");
        headers.put("Access-Control-Request-Headers", "authorization, content-type");
        return RawHttp.send(port, "OPTIONS", path, headers, null);
    }

    private static List<String> corsHeaders(RawHttp.Response response) {
        List<String> found = new ArrayList<>();
        for (String line : response.head().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("access-control-allow")) {
                found.add(line);
            }
        }
        return found;
    }

    @Test
    void no_surface_grants_another_origin_access() {
        int admin = port(sluice.baseUrl());
        int management = port(sluice.managementUrl());
        String bearer = "Bearer " + SluiceRunner.TOKEN;
        String webhookAuth = "Basic " + Base64.getEncoder().encodeToString("postmark:hook-secret".getBytes(StandardCharsets.UTF_8));
        String managementAuth = "Basic " + Base64.getEncoder().encodeToString(
                (SluiceRunner.MANAGEMENT_USER + ":" + SluiceRunner.MANAGEMENT_PASSWORD).getBytes(StandardCharsets.UTF_8));
        String bounce = "{\"RecordType\":\"Bounce\",\"ID\":42,\"Type\":\"SoftBounce\",\"TypeCode\":4096,\"MessageStream\":\"broadcast\","
                + "\"Email\":\"nobody@example.com\",\"BouncedAt\":\"2026-11-05T16:33:54Z\"}";

        Map<String, RawHttp.Response> answers = new LinkedHashMap<>();
        answers.put("GET /api/status", crossOrigin(admin, "GET", "/api/status", bearer, null, null));
        answers.put("GET /api/status without token", crossOrigin(admin, "GET", "/api/status", null, null, null));
        answers.put("POST /api/validation/run", crossOrigin(admin, "POST", "/api/validation/run", bearer, "text/plain", ""));
        answers.put("OPTIONS /api/status", preflight(admin, "/api/status"));
        answers.put("OPTIONS /api/campaigns", preflight(admin, "/api/campaigns"));
        answers.put("GET /admin", crossOrigin(admin, "GET", "/admin", null, null, null));
        answers.put("GET /admin/index.html", crossOrigin(admin, "GET", "/admin/index.html", null, null, null));
        answers.put("OPTIONS /admin", preflight(admin, "/admin"));
        answers.put("POST /webhooks/postmark", crossOrigin(admin, "POST", "/webhooks/postmark", webhookAuth, "application/json", bounce));
        answers.put("OPTIONS /webhooks/postmark", preflight(admin, "/webhooks/postmark"));
        answers.put("GET /unsubscribe/{token}", crossOrigin(admin, "GET", "/unsubscribe/" + unsubscribeToken, null, null, null));
        answers.put("POST /unsubscribe/{token}", crossOrigin(admin, "POST", "/unsubscribe/" + unsubscribeToken, null,
                "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"));
        answers.put("OPTIONS /unsubscribe/{token}", preflight(admin, "/unsubscribe/" + unsubscribeToken));
        answers.put("GET /observe/health", crossOrigin(management, "GET", "/observe/health", managementAuth, null, null));
        answers.put("OPTIONS /observe/health", preflight(management, "/observe/health"));

        assertThat(answers.get("GET /api/status").status()).as("the requests reached the routes").isEqualTo(200);
        assertThat(answers.get("POST /webhooks/postmark").status()).isEqualTo(200);
        assertThat(answers.get("POST /unsubscribe/{token}").status()).isEqualTo(200);
        assertThat(answers.get("GET /unsubscribe/{token}").status()).isEqualTo(200);
        answers.forEach((request, answer) -> assertThat(corsHeaders(answer))
                .as(request + " answered " + answer.status() + " without any Access-Control-Allow-* header").isEmpty());
    }
}
