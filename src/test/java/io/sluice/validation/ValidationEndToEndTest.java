package io.sluice.validation;

import java.util.Arrays;
import java.util.List;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.support.SluiceRunner;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * From import to inbox: an audience imported with no validation results, the validation route fills the cache from
 * the stubbed providers (single checks, then a NeverBounce bulk job), and dispatch mails a real SMTP server
 * (GreenMail) only the deliverable addresses.
 */
class ValidationEndToEndTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String AUDIENCE = """
            email,first_name
            ada@example.com,Ada
            grace+news@example.org,Grace
            gone@example.com,Gone
            any@catchall.example,Any
            temp@mailinator.com,Temp
            """;

    private ProviderStubs stubs;
    private SluiceRunner sluice;

    @BeforeEach
    void stubs() {
        stubs = new ProviderStubs();
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        stubs.close();
    }

    private SluiceRunner start(String mode) {
        return sluice = new SluiceRunner(SluiceRunner.tempDir("validation-e2e")).smtp(greenMail.getSmtp().getPort())
                .set("sluice.validation.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.validation.mode", mode)
                .set("sluice.validation.bulk-poll-ms", "100")
                .set("sluice.neverbounce.api-url", stubs.url())
                .set("sluice.neverbounce.api-key", ProviderStubs.NB_KEY)
                .set("sluice.emaillistverify.api-url", stubs.url())
                .set("sluice.emaillistverify.api-key", ProviderStubs.ELV_KEY)
                .start();
    }

    private List<String> recipients() {
        return Arrays.stream(greenMail.getReceivedMessages()).map(ValidationEndToEndTest::to).sorted().toList();
    }

    private static String to(MimeMessage message) {
        try {
            return message.getAllRecipients()[0].toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void should_mail_only_the_addresses_the_validation_route_found_deliverable() {
        start("single");
        stubs.neverBounce("ada@example.com", ProviderStubs.nbResult("valid"));
        stubs.neverBounce("grace+news@example.org", ProviderStubs.nbResult("invalid", "bad_syntax"));
        stubs.emailListVerify("grace+news@example.org", "ok");
        stubs.neverBounce("gone@example.com", ProviderStubs.nbResult("invalid"));
        stubs.neverBounce("any@catchall.example", ProviderStubs.nbResult("catchall"));
        long id = sluice.campaign("Hello {{first_name}}", "Hi {{first_name}}", null, AUDIENCE, null);

        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).as("nothing leaves before validation").isEmpty();
        assertThat(sluice.state("ada@example.com")).isEqualTo("PENDING");

        sluice.context().createProducerTemplate().sendBody("direct:validation-run", null);
        sluice.tick();

        assertThat(recipients()).containsExactly("ada@example.com", "grace+news@example.org");
        assertThat(sluice.state("ada@example.com")).isEqualTo("SENT");
        assertThat(sluice.state("grace+news@example.org")).isEqualTo("SENT");
        assertThat(sluice.row("gone@example.com")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "invalid");
        assertThat(sluice.row("any@catchall.example")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "catchall");
        assertThat(sluice.row("temp@mailinator.com")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "disposable");
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"waitingForValidation\":0", "\"disagreements\":1");
        assertThat(id).isPositive();
    }

    @Test
    void should_validate_a_batch_as_one_neverbounce_bulk_job() {
        start("bulk");
        stubs.server.stubFor(post(urlPathEqualTo("/v4/jobs/create")).willReturn(okJson(
                "{\"status\":\"success\",\"job_id\":289022,\"execution_time\":388}")));
        String running = "{\"status\":\"success\",\"id\":289022,\"job_status\":\"%s\",\"filename\":\"sluice.csv\","
                + "\"created_at\":\"2026-11-23 16:40:25\",\"started_at\":\"2026-11-23 16:40:27\",\"finished_at\":null,"
                + "\"total\":{\"records\":4,\"billable\":4,\"processed\":%d,\"valid\":0,\"invalid\":0,\"catchall\":0,"
                + "\"disposable\":0,\"unknown\":0,\"duplicates\":0,\"bad_syntax\":0},\"bounce_estimate\":0,"
                + "\"percent_complete\":%d,\"execution_time\":15}";
        stubs.server.stubFor(post(urlPathEqualTo("/v4/jobs/status")).inScenario("job").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(String.format(running, "running", 2, 50))).willSetStateTo("done"));
        stubs.server.stubFor(post(urlPathEqualTo("/v4/jobs/status")).inScenario("job").whenScenarioStateIs("done")
                .willReturn(okJson(String.format(running, "complete", 4, 100))));
        stubs.server.stubFor(post(urlPathEqualTo("/v4/jobs/download")).willReturn(com.github.tomakehurst.wiremock.client.WireMock
                .aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream").withBody("""
                        email,email_status,bad_syntax
                        ada@example.com,valid,0
                        grace+news@example.org,invalid,1
                        gone@example.com,invalid,0
                        any@catchall.example,catchall,0
                        """)));
        sluice.campaign("Hello {{first_name}}", "Hi {{first_name}}", null, AUDIENCE, null);

        String answer = sluice.call("POST", "/api/validation/run", null, null).body();
        sluice.tick();

        assertThat(answer).contains("\"mode\":\"bulk\"", "\"cached\":3", "\"leftPending\":1");
        stubs.server.verify(postRequestedFor(urlPathEqualTo("/v4/jobs/create"))
                .withRequestBody(containing("\"input_location\":\"supplied\""))
                .withRequestBody(containing("[\"ada@example.com\"]"))
                .withRequestBody(containing("\"key\":\"" + ProviderStubs.NB_KEY + "\"")));
        stubs.server.verify(2, postRequestedFor(urlPathEqualTo("/v4/jobs/status")).withRequestBody(containing("\"job_id\":289022")));
        stubs.server.verify(0, postRequestedFor(urlPathEqualTo("/v4/single/check")));
        assertThat(recipients()).containsExactly("ada@example.com");
        assertThat(sluice.state("grace+news@example.org")).as("the + address NeverBounce called bad syntax waits").isEqualTo("PENDING");
        assertThat(sluice.row("gone@example.com")).containsEntry("SKIP_CODE", "invalid");
    }

    @Test
    void should_stop_neverbounce_when_a_bulk_job_is_refused_for_its_account() {
        start("bulk");
        stubs.server.stubFor(post(urlPathEqualTo("/v4/jobs/create")).willReturn(okJson(ProviderStubs.nbError("auth_failure",
                "We were unable to authenticate your request"))));
        sluice.campaign("Hello", "Hi", null, AUDIENCE, null);

        String answer = sluice.call("POST", "/api/validation/run", null, null).body();

        assertThat(answer).contains("\"leftPending\":4");
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("neverbounce stopped: auth_failure");
        assertThat(sluice.state("ada@example.com")).isEqualTo("PENDING");
    }
}
