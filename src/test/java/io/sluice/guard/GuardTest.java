package io.sluice.guard;

import java.time.Duration;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
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
import static org.awaitility.Awaitility.await;

/**
 * The bounce-rate kill switch against a stub of Postmark's GET /stats/outbound (documented response fields Sent,
 * Bounced, BounceRate, SpamComplaints, SpamComplaintsRate; errors as {"ErrorCode", "Message"} with 401/500).
 */
class GuardTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String TOKEN = "server-token-under-test";
    /** The guard's per-call time limit in these tests, and how late the hung statistics API answers. */
    private static final int TIMEOUT_MS = 1000;
    /** The HTTP client's own limit: a call the guard gave up on is read until then, and dropped unjudged. */
    private static final int HTTP_TIMEOUT_MS = 3000;
    private static final int LATE_MS = 2000;
    private WireMockServer postmark;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
    }

    /** Sluice against the stub, with one running campaign of the given addresses, all validated. */
    private void sluice(String grace, String... emails) {
        sluice = new SluiceRunner(SluiceRunner.tempDir("guard")).smtp(greenMail.getSmtp().getPort())
                .set("sluice.postmark.api-url", postmark.baseUrl())
                .set("sluice.postmark.server-token", TOKEN)
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.guard.min-sent", "100")
                .set("sluice.guard.grace", grace)
                .set("sluice.guard.timeout-ms", Integer.toString(TIMEOUT_MS))
                .set("sluice.guard.http-timeout-ms", Integer.toString(HTTP_TIMEOUT_MS))
                .set("sluice.guard.alert-url", postmark.baseUrl() + "/alert")
                .start();
        sluice.campaign("Hello", "Hi", null, "email\n" + String.join("\n", emails) + "\n",
                "email,code\n" + String.join(",valid\n", emails) + ",valid\n");
    }

    private void sluice() {
        sluice("PT5M", "a@example.com", "b@example.com");
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        postmark.stop();
    }

    private void stats(long sent, long bounced, long complaints) {
        stats(sent, bounced, complaints, 0);
    }

    /** Postmark's statistics answer, after the given delay (beyond TIMEOUT_MS: a hung API that answers late). */
    private void stats(long sent, long bounced, long complaints, int delayMs) {
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson(String.format(
                "{\"Sent\":%d,\"Bounced\":%d,\"SMTPApiErrors\":0,\"BounceRate\":%.3f,\"SpamComplaints\":%d,\"SpamComplaintsRate\":%.3f,"
                        + "\"Opens\":0,\"UniqueOpens\":0,\"Tracked\":0,\"WithLinkTracking\":0,\"WithOpenTracking\":0,\"TotalTrackedLinksSent\":0,"
                        + "\"UniqueLinksClicked\":0,\"TotalClicks\":0,\"WithClientRecorded\":0,\"WithPlatformRecorded\":0}",
                sent, bounced, sent == 0 ? 0.0 : 100.0 * bounced / sent, complaints, sent == 0 ? 0.0 : 100.0 * complaints / sent))
                .withFixedDelay(delayMs)));
    }

    /** Waits until the stub has finished writing every statistics answer (the late ones included). */
    private void awaitEveryStatisticsAnswerSent() {
        await().atMost(Duration.ofSeconds(LATE_MS / 1000 + 10)).until(() -> postmark.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/stats/outbound"))
                .allMatch(GuardTest::answered));
    }

    private static boolean answered(ServeEvent event) {
        return event.getTiming() != null && event.getTiming().getResponseSendTime() != null;
    }

    private Guard guard() {
        return sluice.bean("guard", Guard.class);
    }

    private long sent() {
        return sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE state = 'SENT'", Long.class);
    }

    @Test
    void should_send_while_healthy_and_ask_for_the_campaign_window_of_the_stream() {
        sluice();
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
        sluice();
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
        sluice();
        stats(1000, 0, 1);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("complaint rate 0.100%");
    }

    @Test
    void should_not_halt_on_a_sample_smaller_than_min_sent() {
        sluice();
        stats(10, 5, 0);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).hasSize(2);
    }

    @Test
    void should_fail_closed_while_statistics_cannot_be_read_and_resume_by_itself() {
        sluice();
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

    @Test
    void should_drop_an_answer_that_arrives_after_the_time_limit_and_claim_nothing_at_start() {
        sluice();
        stats(1000, 0, 0, LATE_MS);

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).as("statistics never read in time: nothing leaves").isEmpty();
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE state = 'PENDING'", Long.class))
                .as("nothing is even claimed").isEqualTo(2);
        // The healthy answer the breaker gave up on still arrives, LATE_MS after the call: it must change nothing.
        awaitEveryStatisticsAnswerSent();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> guard().blocksDispatch() != null
                && "unavailable".equals(guard().status().get("state")) && guard().status().get("lastHealthyAt") == null);
        assertThat(guard().figures()).as("the late figures were never judged").isEmpty();
        assertThat((String) guard().status().get("lastError")).contains("statistics call failed");

        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).as("a hung API keeps the gate shut, tick after tick").isEmpty();
        awaitEveryStatisticsAnswerSent();
        assertThat(guard().blocksDispatch()).isNotNull();
    }

    @Test
    void should_end_an_abandoned_statistics_call_at_the_http_timeout_whatever_the_api_does() {
        sluice();
        int hangMs = 30_000;
        stats(1000, 0, 0, hangMs);

        long started = System.nanoTime();
        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).as("statistics never read in time: nothing leaves").isEmpty();
        // The breaker gave up at TIMEOUT_MS; the HTTP read it abandoned must end by HTTP_TIMEOUT_MS, not at the hang's end.
        await().atMost(Duration.ofMillis(HTTP_TIMEOUT_MS + 3000)).until(() -> statisticsReads() == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("ended by the client's limit, long before the API answered")
                .isLessThan(Duration.ofMillis(hangMs / 2));
        assertThat(guard().figures()).as("nothing was judged").isEmpty();
    }

    /** Threads still reading a statistics answer: an HTTP read on a call made by the guard's breaker. */
    private static long statisticsReads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("org.apache.hc.client5")))
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().contains("resilience4j")
                        || f.getClassName().contains("ResilienceProcessor")))
                .count();
    }

    @Test
    void should_close_the_gate_once_statistics_stay_unreadable_past_the_grace_and_reopen_only_on_a_timely_answer() {
        sluice("PT2S", "a@example.com", "b@example.com", "c@example.com");
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 1}");
        stats(1000, 0, 0);
        sluice.tick();
        assertThat(sent()).as("healthy: one recipient per tick").isEqualTo(1);

        stats(1000, 0, 0, LATE_MS);
        await().atMost(Duration.ofSeconds(10)).until(() -> guard().blocksDispatch() != null);
        sluice.tick();
        assertThat(sent()).as("past the grace with every fresh call hanging: nothing is claimed").isEqualTo(1);
        awaitEveryStatisticsAnswerSent();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> guard().blocksDispatch() != null);

        stats(1000, 0, 0);
        sluice.tick();
        assertThat(sent()).as("a timely healthy answer reopens the gate").isEqualTo(2);
        Map<String, Object> status = guard().status();
        assertThat(status).containsEntry("state", "healthy").containsEntry("lastError", null);
    }
}
