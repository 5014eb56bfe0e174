package io.sluice.guard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /webhooks/postmark with Postmark's documented Bounce and SpamComplaint payloads. */
class BounceWebhookTest {

    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        sluice = new SluiceRunner(SluiceRunner.tempDir("webhook"))
                .set("sluice.webhook.username", "postmark").set("sluice.webhook.password", "hook-secret")
                .set("sluice.webhook.soft-bounce-limit", "2").start();
        sluice.call("POST", "/api/validation-results", "text/csv", "email,code\njohn@example.com,valid\nsoft@example.com,valid\n");
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    private HttpResponse<String> post(String json, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sluice.baseUrl() + "/webhooks/postmark"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String bounce(String type, String email) {
        return "{\"RecordType\":\"Bounce\",\"ID\":4323372036854775807,\"Type\":\"" + type + "\",\"TypeCode\":1,\"Name\":\"Hard bounce\","
                + "\"Tag\":\"Test\",\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79483\",\"ServerID\":23,\"MessageStream\":\"broadcast\","
                + "\"Description\":\"The server was unable to deliver your message (ex: unknown user, mailbox not found).\","
                + "\"Details\":\"Test bounce details\",\"Email\":\"" + email + "\",\"From\":\"sender@example.com\","
                + "\"BouncedAt\":\"2019-11-05T16:33:54.9070259Z\",\"DumpAvailable\":true,\"Inactive\":true,\"CanActivate\":true,"
                + "\"Subject\":\"Test subject\",\"Content\":\"<Full dump of bounce>\",\"Metadata\":{}}";
    }

    private String code(String email) {
        return sluice.jdbc().queryForObject("SELECT text_code FROM email_validation_cache WHERE email = ?", String.class, email);
    }

    @Test
    void should_suppress_a_hard_bounce_at_once_keeping_reason_and_stream() throws Exception {
        HttpResponse<String> answer = post(bounce("HardBounce", "John@Example.com"), "postmark", "hook-secret");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"action\":\"suppressed\"");
        assertThat(sluice.jdbc().queryForMap("SELECT * FROM email_validation_cache WHERE email = 'john@example.com'"))
                .containsEntry("TEXT_CODE", "suppressed").containsEntry("REASON", "HardBounce").containsEntry("MESSAGE_STREAM", "broadcast");
    }

    @Test
    void should_suppress_a_spam_complaint() throws Exception {
        String complaint = "{\"RecordType\":\"SpamComplaint\",\"ID\":42,\"Type\":\"SpamComplaint\",\"TypeCode\":512,\"Name\":\"Spam complaint\","
                + "\"MessageStream\":\"broadcast\",\"Email\":\"john@example.com\",\"BouncedAt\":\"2019-11-05T16:33:54Z\"}";

        assertThat(post(complaint, "postmark", "hook-secret").statusCode()).isEqualTo(200);
        assertThat(code("john@example.com")).isEqualTo("suppressed");
    }

    @Test
    void should_count_soft_bounces_and_suppress_after_the_limit() throws Exception {
        assertThat(post(bounce("SoftBounce", "soft@example.com"), "postmark", "hook-secret").body()).contains("\"action\":\"counted\"");
        assertThat(code("soft@example.com")).isEqualTo("valid");

        assertThat(post(bounce("SoftBounce", "soft@example.com"), "postmark", "hook-secret").body()).contains("\"action\":\"suppressed\"");
        assertThat(code("soft@example.com")).isEqualTo("suppressed");
    }

    @Test
    void should_refuse_unauthenticated_or_malformed_payloads_and_change_nothing() throws Exception {
        assertThat(post(bounce("HardBounce", "john@example.com"), null, null).statusCode()).isEqualTo(401);
        assertThat(post(bounce("HardBounce", "john@example.com"), "postmark", "wrong").statusCode()).isEqualTo(401);
        assertThat(post("{not json", "postmark", "hook-secret").statusCode()).isEqualTo(400);
        assertThat(post("{\"RecordType\":\"Delivery\",\"Email\":\"john@example.com\"}", "postmark", "hook-secret").statusCode()).isEqualTo(400);
        assertThat(post(bounce("HardBounce", "not an address"), "postmark", "hook-secret").statusCode()).isEqualTo(400);
        assertThat(code("john@example.com")).isEqualTo("valid");
    }

    @Test
    void should_say_basic_auth_and_the_payload_problem_in_its_refusals_with_no_internals() throws Exception {
        HttpResponse<String> anonymous = post(bounce("HardBounce", "john@example.com"), null, null);
        HttpResponse<String> wrong = post(bounce("HardBounce", "john@example.com"), "postmark", "wrong");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).isEqualTo("{\"error\":\"missing or wrong Basic auth credentials\"}");
        assertThat(wrong.body()).isEqualTo(anonymous.body()).doesNotContain("bearer", "Bearer");

        java.util.Map<String, String> malformed = java.util.Map.of(
                "{not json", "payload is not JSON",
                "[]", "payload is not a JSON object",
                "\"HardBounce\"", "payload is not",
                "", "payload is not",
                "{\"RecordType\":\"Bounce\",\"Type\":\"HardBounce\"}", "payload needs a Type and a valid Email",
                "{\"RecordType\":\"Bounce\",\"Type\":\"HardBounce\",\"Email\":[\"john@example.com\"]}", "payload needs a Type and a valid Email",
                "{\"RecordType\":\"Bounce\",\"Type\":\"HardBounce\",\"Email\":\"john@example.com\\r\\nBcc: x@example.com\"}", "payload needs a Type and a valid Email");
        for (java.util.Map.Entry<String, String> payload : malformed.entrySet()) {
            HttpResponse<String> answer = post(payload.getKey(), "postmark", "hook-secret");
            assertThat(answer.statusCode()).as(payload.getKey()).isEqualTo(400);
            assertThat(answer.body()).as(payload.getKey()).contains(payload.getValue())
                    .doesNotContain("Failed to invoke", "Exception", "java.", "io.sluice");
        }
        // Read by position: H2 names the columns in upper case, MariaDB and PostgreSQL in lower case.
        assertThat(sluice.jdbc().query("SELECT email, text_code FROM email_validation_cache ORDER BY email",
                (rs, n) -> rs.getString(1) + "=" + rs.getString(2)))
                .as("nothing changed").containsExactly("john@example.com=valid", "soft@example.com=valid");
    }
}
