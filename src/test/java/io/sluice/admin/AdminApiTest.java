package io.sluice.admin;

import java.net.http.HttpResponse;
import java.util.List;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API: bearer auth on every path, clear 400s that change nothing, and the documented answers. */
class AdminApiTest {

    private static SluiceRunner sluice;

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
}
