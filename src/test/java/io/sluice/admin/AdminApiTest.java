package io.sluice.admin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.support.LogCapture;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The admin API: bearer auth on every path, clear 4xx refusals that change nothing, and the documented answers. */
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SluiceRunner sluice;

    /** What a refusal must never show: Camel's wrappers, class names, stack text. */
    private static void assertClean(HttpResponse<String> answer) {
        assertThat(answer.body()).as("refusal text").doesNotContain("Failed to invoke", "Exception", "java.", "io.sluice",
                "org.apache", "com.fasterxml", "${", "\tat ", "REDACTED");
    }

    /**
     * Everything a refused call could have changed: the campaigns, recipients and validation cache rows, and what
     * GET /api/status says about send limit, halt and campaigns.
     */
    private static String stateOfEverything() throws Exception {
        JsonNode status = JSON.readTree(sluice.call("GET", "/api/status", null, null).body());
        return sluice.jdbc().queryForList("SELECT id, name, state FROM campaign ORDER BY id") + " "
                + sluice.jdbc().queryForList("SELECT campaign_id, email, state FROM recipient ORDER BY id") + " "
                + sluice.jdbc().queryForList("SELECT email, text_code, provider FROM email_validation_cache ORDER BY email") + " "
                + status.get("sendLimit") + " " + status.get("halted") + " " + status.get("campaigns");
    }

    private static String newCampaign() {
        return sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"n\",\"from\":\"a@example.com\",\"subject\":\"s\",\"textTemplate\":\"t\"}").body()
                .replaceAll(".*\"id\":(\\d+).*", "$1");
    }

    @BeforeAll
    static void start() {
        sluice = new SluiceRunner(SluiceRunner.tempDir("admin")).start();
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    @Test
    void should_refuse_every_admin_path_without_the_bearer_token() {
        List<String[]> calls = List.of(
                new String[] {"GET", "/api/status"},
                new String[] {"PUT", "/api/send-limit"},
                new String[] {"POST", "/api/campaigns"},
                new String[] {"POST", "/api/campaigns/1/audience"},
                new String[] {"POST", "/api/validation-results"},
                new String[] {"POST", "/api/campaigns/1/start"},
                new String[] {"POST", "/api/campaigns/1/pause"},
                new String[] {"POST", "/api/resume"},
                new String[] {"POST", "/api/ramp/resume"},
                new String[] {"POST", "/api/suppressions/sync"},
                new String[] {"POST", "/api/addresses/check"},
                new String[] {"POST", "/api/campaigns/1/unknown"},
                new String[] {"GET", "/api/events"});
        for (String[] call : calls) {
            assertThat(sluice.call(call[0], call[1], "application/json", "{}", null).statusCode())
                    .as(call[0] + " " + call[1] + " without a token").isEqualTo(401);
            HttpResponse<String> wrong = sluice.call(call[0], call[1], "application/json", "{}", "wrong-token");
            assertThat(wrong.statusCode()).as(call[0] + " " + call[1] + " with a wrong token").isEqualTo(401);
            assertThat(wrong.body()).contains("\"error\"").doesNotContain(SluiceRunner.TOKEN);
        }
    }

    @Test
    void should_reject_a_bad_send_limit_and_keep_the_old_one() {
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 250}");

        HttpResponse<String> negative = sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": -1}");
        HttpResponse<String> text = sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": \"lots\"}");
        HttpResponse<String> broken = sluice.call("PUT", "/api/send-limit", "application/json", "{sendLimit:");

        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("between 0 and");
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(text.body()).contains("whole number");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"sendLimit\":250");
    }

    @Test
    void should_reject_a_row_whose_merge_fields_are_too_long_and_import_the_rest() {
        HttpResponse<String> created = sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"Long\",\"from\":\"news@example.com\",\"subject\":\"Hi\",\"textTemplate\":\"Hello\"}");
        String id = created.body().replaceAll(".*\"id\":(\\d+).*", "$1");

        HttpResponse<String> audience = sluice.call("POST", "/api/campaigns/" + id + "/audience", "text/csv",
                "email,note\na@example.com,short\nb@example.com," + "x".repeat(100_001) + "\n");

        assertThat(audience.statusCode()).isEqualTo(200);
        assertThat(audience.body()).contains("\"imported\":1", "\"rejected\":1", "merge fields too long");
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE campaign_id = ?", Integer.class,
                Long.parseLong(id))).isEqualTo(1);
    }

    @Test
    void should_create_start_and_pause_a_campaign_and_report_it_in_status() {
        HttpResponse<String> created = sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"Notice\",\"from\":\"news@example.com\",\"subject\":\"Hi {{first_name}}\",\"textTemplate\":\"Hello\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = created.body().replaceAll(".*\"id\":(\\d+).*", "$1");

        HttpResponse<String> audience = sluice.call("POST", "/api/campaigns/" + id + "/audience", "text/csv",
                "email,first_name\na@example.com,A\nb@example.com,B\nA@EXAMPLE.COM,dup\nbroken,X\n");
        assertThat(audience.statusCode()).isEqualTo(200);
        assertThat(audience.body()).contains("\"rows\":4", "\"imported\":2", "\"rejected\":2",
                "duplicate of line 2", "unparseable address");
        // A second upload: addresses already in the campaign (any case) are found through the database's unique index.
        HttpResponse<String> again = sluice.call("POST", "/api/campaigns/" + id + "/audience", "text/csv",
                "email,first_name\nB@Example.com,B again\nc@example.com,C\na@example.com,A again\n");
        assertThat(again.body()).contains("\"rows\":3", "\"imported\":1", "\"rejected\":2",
                "duplicate of an address already in the campaign");
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE campaign_id = ?", Integer.class,
                Long.parseLong(id))).isEqualTo(3);

        assertThat(sluice.call("POST", "/api/campaigns/" + id + "/start", null, null).body()).contains("RUNNING");
        assertThat(sluice.call("POST", "/api/campaigns/" + id + "/pause", null, null).body()).contains("PAUSED");
        String status = sluice.call("GET", "/api/status", null, null).body();
        assertThat(status).contains("\"name\":\"Notice\"", "\"state\":\"PAUSED\"", "\"PENDING\":3", "\"waitingForValidation\":3",
                "\"halted\":false", "\"lastTick\"");
    }

    @Test
    void should_refuse_an_incomplete_campaign_with_a_message() {
        HttpResponse<String> noFrom = sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"x\",\"subject\":\"s\",\"textTemplate\":\"t\"}");
        HttpResponse<String> badTemplate = sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"x\",\"from\":\"a@example.com\",\"subject\":\"s\",\"textTemplate\":\"{{#open}}\"}");
        HttpResponse<String> unknown = sluice.call("POST", "/api/campaigns/99999/start", null, null);
        HttpResponse<String> notNumber = sluice.call("POST", "/api/campaigns/abc/audience", "text/csv", "email\na@example.com\n");

        assertThat(noFrom.statusCode()).isEqualTo(400);
        assertThat(noFrom.body()).contains("'from' is required");
        assertThat(badTemplate.statusCode()).isEqualTo(400);
        assertThat(badTemplate.body()).contains("not a valid Mustache template");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(notNumber.statusCode()).isEqualTo(400);
    }

    @Test
    void should_refuse_an_audience_without_an_email_column_and_import_nothing() {
        String id = sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"y\",\"from\":\"a@example.com\",\"subject\":\"s\",\"textTemplate\":\"t\"}").body()
                .replaceAll(".*\"id\":(\\d+).*", "$1");

        HttpResponse<String> answer = sluice.call("POST", "/api/campaigns/" + id + "/audience", "text/csv", "mail,name\nx@example.com,X\n");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("no 'email' column");
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE campaign_id = ?", Integer.class,
                Long.parseLong(id))).isZero();
    }

    @Test
    void should_import_validation_results_into_the_cache() {
        HttpResponse<String> answer = sluice.call("POST", "/api/validation-results", "text/csv",
                "email,code\nOK@Example.com,valid\nuser+tag@example.org,ok\nnot an address,valid\n");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"imported\":2", "\"rejected\":1");
        assertThat(sluice.jdbc().queryForObject("SELECT text_code FROM email_validation_cache WHERE email = 'ok@example.com'",
                String.class)).isEqualTo("valid");
    }

    @Test
    void should_check_addresses_locally_and_from_the_cache_without_spending_on_a_provider() {
        sluice.call("POST", "/api/validation-results", "text/csv", "email,code\nknown@example.com,valid\n");

        HttpResponse<String> answer = sluice.call("POST", "/api/addresses/check", "text/plain",
                "known@example.com\nuser+tag@example.org\nsomeone@mailinator.com\nnot an address\n");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(
                "{\"email\":\"known@example.com\",\"code\":\"valid\",\"verdict\":\"deliverable\"",
                "{\"email\":\"user+tag@example.org\",\"code\":null,\"verdict\":\"unvalidated\"",
                "{\"email\":\"someone@mailinator.com\",\"code\":\"disposable\",\"verdict\":\"undeliverable\"",
                "{\"email\":\"not an address\",\"code\":\"invalid_syntax\"");
    }

    @Test
    void should_refuse_more_addresses_than_the_limit_with_413() {
        String many = "a@example.com\n".repeat(10_001);

        HttpResponse<String> answer = sluice.call("POST", "/api/addresses/check", "text/plain", many);

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.body()).contains("at most 10000 addresses");
    }

    @Test
    void should_cache_a_local_disposable_verdict_at_import_so_the_address_does_not_wait_for_a_provider() {
        String id = sluice.call("POST", "/api/campaigns", "application/json",
                "{\"name\":\"z\",\"from\":\"a@example.com\",\"subject\":\"s\",\"textTemplate\":\"t\"}").body()
                .replaceAll(".*\"id\":(\\d+).*", "$1");

        sluice.call("POST", "/api/campaigns/" + id + "/audience", "text/csv", "email\ntemp-user@yopmail.com\n");

        assertThat(sluice.jdbc().queryForMap("SELECT text_code, provider FROM email_validation_cache WHERE email = 'temp-user@yopmail.com'"))
                .containsEntry("TEXT_CODE", "disposable").containsEntry("PROVIDER", "local");
    }

    @Test
    void should_refuse_a_body_of_another_content_type_with_415_and_change_nothing() throws Exception {
        String id = newCampaign();
        String before = stateOfEverything();
        List<String[]> calls = List.of(
                new String[] {"POST", "/api/campaigns/" + id + "/audience", "email=a@example.com"},
                new String[] {"POST", "/api/validation-results", "email=a@example.com&code=valid"},
                new String[] {"POST", "/api/campaigns", "name=x&from=a@example.com&subject=s&textTemplate=t"},
                new String[] {"PUT", "/api/send-limit", "sendLimit=5"},
                new String[] {"POST", "/api/resume", "sendLimit=5"},
                new String[] {"POST", "/api/addresses/check", "a@example.com"});
        for (String[] call : calls) {
            for (String type : new String[] {"application/x-www-form-urlencoded", "application/pdf", null}) {
                HttpResponse<String> answer = sluice.call(call[0], call[1], type, call[2]);
                assertThat(answer.statusCode()).as(call[0] + " " + call[1] + " as " + type).isEqualTo(415);
                assertThat(answer.body()).contains("\"error\":\"send the body as Content-Type: ");
                assertClean(answer);
            }
        }
        // The error names the caller's type only when it looks like one.
        assertThat(sluice.call("PUT", "/api/send-limit", "application/x-www-form-urlencoded", "sendLimit=5").body())
                .contains("application/json (got application/x-www-form-urlencoded)");

        assertThat(stateOfEverything()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void should_refuse_json_of_the_wrong_shape_or_types_with_400_and_change_nothing() throws Exception {
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 300}");
        String before = stateOfEverything();
        Map<String, String> sendLimits = Map.of(
                "", "the body must be a JSON object, and it is empty",
                "[1,2]", "the body must be a JSON object {...}, not array",
                "\"x\"", "not string",
                "{sendLimit:", "the body is not valid JSON (line 1, column 2)",
                "{\"sendLimit\": 2.5}", "whole number",
                "{\"sendLimit\": true}", "whole number",
                "{\"sendLimit\": 1e12}", "whole number",
                "{\"sendLimit\": 99999999999}", "between 0 and 1000000",
                "{\"sendLimit\": 1000001}", "between 0 and 1000000",
                "{\"sendLimit\": -5}", "between 0 and 1000000");
        sendLimits.forEach((body, reason) -> {
            HttpResponse<String> answer = sluice.call("PUT", "/api/send-limit", "application/json", body);
            assertThat(answer.statusCode()).as("send limit " + body).isEqualTo(400);
            assertThat(answer.body()).as("send limit " + body).contains(reason);
            assertClean(answer);
        });
        Map<String, String> campaigns = Map.of(
                "[{\"name\":\"x\"}]", "not array",
                "{\"name\":5,\"from\":\"a@example.com\",\"subject\":\"s\",\"textTemplate\":\"t\"}", "field 'name' must be a string",
                "{\"name\":\"x\",\"from\":[\"a@example.com\"],\"subject\":\"s\",\"textTemplate\":\"t\"}", "'from'",
                "{\"name\":\"x\",\"from\":\"a@example.com\",\"subject\":{},\"textTemplate\":\"t\"}", "'subject'",
                "", "empty");
        campaigns.forEach((body, reason) -> {
            HttpResponse<String> answer = sluice.call("POST", "/api/campaigns", "application/json", body);
            assertThat(answer.statusCode()).as("campaign " + body).isEqualTo(400);
            assertThat(answer.body()).as("campaign " + body).contains(reason);
            assertClean(answer);
        });
        HttpResponse<String> resume = sluice.call("POST", "/api/resume", "application/json", "{\"sendLimit\": -1}");
        assertThat(resume.statusCode()).isEqualTo(400);
        assertClean(resume);

        assertThat(stateOfEverything()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void should_answer_404_for_an_unknown_campaign_and_change_nothing() throws Exception {
        String before = stateOfEverything();
        for (String path : List.of("/api/campaigns/99999/start", "/api/campaigns/99999/pause", "/api/campaigns/-1/start")) {
            HttpResponse<String> answer = sluice.call("POST", path, null, null);
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).matches("\\{\"error\":\"no campaign -?\\d+\"}");
        }
        HttpResponse<String> audience = sluice.call("POST", "/api/campaigns/99999/audience", "text/csv", "email\nx@example.com\n");
        assertThat(audience.statusCode()).isEqualTo(404);
        assertThat(audience.body()).isEqualTo("{\"error\":\"no campaign 99999\"}");

        assertThat(stateOfEverything()).isEqualTo(before);
    }

    @Test
    void should_answer_404_to_a_path_traversal_in_the_page_files() {
        for (String path : List.of("/admin/..%2Fapplication.properties", "/admin/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                "/admin/..%5C..%5Capplication.properties", "/admin/page.js%00", "/admin/%2e%2e", "/admin/index.html%2F..%2F..%2Fpom.xml")) {
            HttpResponse<String> answer = sluice.call("GET", path, null, null, null);
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).doesNotContain("sluice.", "root:", "<project");
        }
    }

    @Test
    void should_reject_rows_with_unknown_codes_or_header_injection_and_keep_the_cache() throws Exception {
        sluice.call("POST", "/api/validation-results", "text/csv", "email,code\nkept@example.com,valid\n");
        String before = stateOfEverything();

        HttpResponse<String> answer = sluice.call("POST", "/api/validation-results", "text/csv",
                "email,code\nkept@example.com,vaild\nother@example.com,Jane Doe\n\"evil@example.com\r\nBcc: all@example.com\",valid\n");

        // Every row refused: a 400 that names the reasons, not a 200 that reads as success.
        assertThat(answer.statusCode()).isEqualTo(400);
        String error = JSON.readTree(answer.body()).get("error").asText();
        assertThat(error).startsWith("nothing imported: all 3 rows were rejected")
                .contains("line 2: unknown code 'vaild'", "line 3: unknown code 'jane doe'", "unparseable address");
        assertThat(stateOfEverything()).as("a typo never replaces a good verdict").isEqualTo(before);

        String id = newCampaign();
        String withCampaign = stateOfEverything();
        HttpResponse<String> audience = sluice.call("POST", "/api/campaigns/" + id + "/audience", "text/csv",
                "email,first_name\n\"evil@example.com\r\nBcc: all@example.com\",Eve\n\"evil2@example.com\nSubject: x\",Eve\n");
        assertThat(audience.statusCode()).isEqualTo(400);
        assertThat(audience.body()).contains("nothing imported: all 2 rows were rejected", "unparseable address");
        assertThat(stateOfEverything()).isEqualTo(withCampaign);
    }

    @Test
    void should_accept_every_code_the_providers_document_and_the_allowed_codes() {
        HttpResponse<String> answer = sluice.call("POST", "/api/validation-results", "text/csv", "email,result\n"
                + "v1@example.com,valid\nv2@example.com,invalid\nv3@example.com,disposable\nv4@example.com,catchall\n"
                + "v5@example.com,unknown\nv6@example.com,ok\nv7@example.com,email_disabled\nv8@example.com,ok_for_all\n"
                + "v9@example.com,smtp_protocol\nv10@example.com,ACCEPT_ALL\n");

        assertThat(answer.body()).contains("\"imported\":10", "\"rejected\":0");
    }

    @Test
    void should_refuse_a_body_over_the_limit_with_413_and_one_clear_log_line() throws Exception {
        String id = newCampaign();
        String before = stateOfEverything();
        try (LogCapture bodyLimit = LogCapture.of(BodyLimit.class);
             LogCapture router = LogCapture.of(io.vertx.ext.web.RoutingContext.class);
             Socket socket = new Socket("127.0.0.1", Integer.parseInt(sluice.baseUrl().replaceAll(".*:", "")))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // A 200 MB upload, as a client announces it: the server must refuse it on the header, before reading it.
            out.write(("POST /api/campaigns/" + id + "/audience HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + SluiceRunner.TOKEN + "\r\nContent-Type: text/csv\r\n"
                    + "Content-Length: 209715200\r\n\r\nemail\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String statusLine = in.readLine();
            StringBuilder rest = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                rest.append(line).append('\n');
            }
            // readLine returned null: the server closed the connection after the answer, the upload stops there.

            assertThat(statusLine).startsWith("HTTP/1.1 413");
            assertThat(rest.toString().toLowerCase()).contains("connection: close", "{\"error\":\"request body larger than 10485760 bytes");
            assertThat(bodyLimit.lines()).singleElement().asString()
                    .contains("WARN Refused POST /api/campaigns/" + id + "/audience with 413", "10485760 bytes", "Content-Length 209715200");
            assertThat(router.lines()).as("no bare router error").isEmpty();
        }
        assertThat(sluice.call("GET", "/api/status", null, null).statusCode()).as("still up").isEqualTo(200);
        assertThat(stateOfEverything()).isEqualTo(before);
    }

    @Test
    void should_refuse_a_chunked_body_once_it_passes_the_limit_with_one_clear_log_line() throws Exception {
        String id = newCampaign();
        String before = stateOfEverything();
        byte[] chunk = ("x@example.com\n".repeat(4096)).getBytes(StandardCharsets.US_ASCII);
        try (LogCapture bodyLimit = LogCapture.of(BodyLimit.class);
             LogCapture router = LogCapture.of(io.vertx.ext.web.RoutingContext.class);
             Socket socket = new Socket("127.0.0.1", Integer.parseInt(sluice.baseUrl().replaceAll(".*:", "")))) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/campaigns/" + id + "/audience HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + SluiceRunner.TOKEN + "\r\nContent-Type: text/csv\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nemail\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                // Up to 32 MiB, no length announced: the server counts and refuses past 10 MiB, then closes.
                for (long sent = 0; sent < 32L << 20; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (java.io.IOException closedByTheServer) {
                // expected: the server closed the connection after its 413
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !bodyLimit.lines().isEmpty());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> router.lines().isEmpty());
            assertThat(bodyLimit.lines()).singleElement().asString()
                    .contains("WARN Refused POST /api/campaigns/" + id + "/audience with 413", "Content-Length not given");
        }
        assertThat(sluice.call("GET", "/api/status", null, null).statusCode()).as("still up").isEqualTo(200);
        assertThat(stateOfEverything()).isEqualTo(before);
    }
}
