package io.sluice.guard;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounce-rate kill switch against a stub of Postmark's GET /stats/outbound (documented response fields Sent,
 * Bounced, BounceRate, SpamComplaints, SpamComplaintsRate; errors as {"ErrorCode", "Message"} with 401/500).
 */
class GuardTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String TOKEN = "server-token-under-test";
    private WireMockServer postmark;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        sluice = new SluiceRunner(SluiceRunner.tempDir("guard")).smtp(greenMail.getSmtp().getPort())
                .set("sluice.postmark.api-url", postmark.baseUrl())
                .set("sluice.postmark.server-token", TOKEN)
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.guard.min-sent", "100")
                .set("sluice.guard.alert-url", postmark.baseUrl() + "/alert")
                .start();
        sluice.campaign("Hello", "Hi", null, "email\na@example.com\nb@example.com\n", "email,code\na@example.com,valid\nb@example.com,valid\n");
    }

    @AfterEach
    void stop() {
        sluice.close();
        postmark.stop();
    }

    private void stats(long sent, long bounced, long complaints) {
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson(String.format(
                "{\"Sent\":%d,\"Bounced\":%d,\"SMTPApiErrors\":0,\"BounceRate\":%.3f,\"SpamComplaints\":%d,\"SpamComplaintsRate\":%.3f,"
                        + "\"Opens\":0,\"UniqueOpens\":0,\"Tracked\":0,\"WithLinkTracking\":0,\"WithOpenTracking\":0,\"TotalTrackedLinksSent\":0,"
                        + "\"UniqueLinksClicked\":0,\"TotalClicks\":0,\"WithClientRecorded\":0,\"WithPlatformRecorded\":0}",
                sent, bounced, sent == 0 ? 0.0 : 100.0 * bounced / sent, complaints, sent == 0 ? 0.0 : 100.0 * complaints / sent))));
    }

    @Test
    void should_send_while_healthy_and_ask_for_the_campaign_window_of_the_stream() {
        stats(1000, 20, 0);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).hasSize(2);
        postmark.verify(getRequestedFor(urlPathEqualTo("/stats/outbound"))
                .withHeader("X-Postmark-Server-Token", equalTo(TOKEN))
                .withQueryParam("messagestream", equalTo("broadcast"))
                .withQueryParam("fromdate", matching("\\d{4}-\\d{2}-\\d{2}")));
    }

    @Test
    void should_halt_at_five_percent_bounces_and_stay_halted_until_a_person_resumes() {
        stats(1000, 50, 0);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).as("a 5% bounce rate halts before anything leaves").isEmpty();
        String status = sluice.call("GET", "/api/status", null, null).body();
        assertThat(status).contains("\"halted\":true", "\"sendLimit\":0", "bounce rate 5.00%", "\"state\":\"halted\"");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> postmark.verify(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/alert"))
                        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("\"event\":\"sluice.halted\""))));

        stats(1000, 0, 0);
        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).as("healthy figures never lift a halt").isEmpty();

        assertThat(sluice.call("POST", "/api/resume", "application/json", "{\"sendLimit\": 100}").statusCode()).isEqualTo(200);
        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).hasSize(2);
    }

    @Test
    void should_halt_on_the_complaint_rate() {
        stats(1000, 0, 1);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("complaint rate 0.100%");
    }

    @Test
    void should_not_halt_on_a_sample_smaller_than_min_sent() {
        stats(10, 5, 0);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).hasSize(2);
    }

    @Test
    void should_fail_closed_while_statistics_cannot_be_read_and_resume_by_itself() {
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody("{\"ErrorCode\":500,\"Message\":\"Internal server error\"}")));

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).isEmpty();
        String status = sluice.call("GET", "/api/status", null, null).body();
        assertThat(status).contains("\"halted\":false", "\"state\":\"unavailable\"", "statistics unavailable");

        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson("not json")));
        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).as("bad JSON keeps the gate closed").isEmpty();

        stats(1000, 10, 0);
        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).as("healthy statistics reopen the gate without a person").hasSize(2);
    }
}
