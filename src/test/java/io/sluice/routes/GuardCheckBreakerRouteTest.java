package io.sluice.routes;

import java.util.Properties;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * guard-check-breaker (in guard-check-stats) opens when Postmark's statistics cannot be read, and while it is open
 * the tick's guard gate stays shut: nothing is claimed, nothing reaches SMTP. Postmark is a WireMock stub of
 * GET /stats/outbound answering as the API does when it fails (HTTP 500 with its {"ErrorCode","Message"} body) or
 * hanging past sluice.guard.timeout-ms. The breaker's state is read from its MBean, as Hawtio shows it.
 */
class GuardCheckBreakerRouteTest extends SluiceRouteTestSupport {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    /** The guard's time limit when Postmark hangs; the hung answer comes after 2.5 times that. */
    private static final int TIMEOUT_MS = 1000;
    /** When Postmark fails fast: roomy, so that a cold first call on a loaded machine still ends in its 500. */
    private static final int ROOMY_TIMEOUT_MS = 10_000;
    /** guard-check-breaker's minimumNumberOfCalls: the breaker judges no sooner. */
    private static final int CALLS_TO_OPEN = 3;
    private final boolean hangs;
    private WireMockServer postmark;

    GuardCheckBreakerRouteTest(TestInfo test) {
        hangs = test.getTestMethod().orElseThrow().getName().contains("slower");
    }

    @Override
    protected void settings(Properties settings) {
        postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        smtp(settings, greenMail.getSmtp().getPort());
        settings.setProperty("sluice.postmark.api-url", postmark.baseUrl());
        settings.setProperty("sluice.postmark.server-token", "server-token-under-test");
        settings.setProperty("sluice.guard.timeout-ms", Integer.toString(hangs ? TIMEOUT_MS : ROOMY_TIMEOUT_MS));
        settings.setProperty("sluice.guard.min-sent", "100");
    }

    @AfterEach
    void stopPostmark() {
        postmark.stop();
    }

    @Test
    void should_open_on_server_errors_and_send_nothing() throws Exception {
        statistics(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"ErrorCode\":500,\"Message\":\"Internal server error\"}"));

        opensAndDispatchSendsNothing("statusCode: 500");
    }

    @Test
    void should_open_on_answers_slower_than_the_guard_timeout_and_send_nothing() throws Exception {
        statistics(okJson("{\"Sent\":1000,\"Bounced\":0,\"SpamComplaints\":0}").withFixedDelay(TIMEOUT_MS * 5 / 2));

        opensAndDispatchSendsNothing("no answer within " + TIMEOUT_MS + " ms");
    }

    private void statistics(ResponseDefinitionBuilder answer) {
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(answer));
    }

    /** Three failed calls open the breaker; the judge is told why each time (failedBecause), and nothing is sent. */
    private void opensAndDispatchSendsNothing(String failedBecause) throws Exception {
        // What guard-check-call hands the judge: the fallback's reason in guardCheckFailure when the breaker had no answer.
        // (A hung call's late answer still runs on through guard-check-stats, onto a copy nobody reads: the judge never
        // sees it.)
        advise("guard-check", route -> route.weaveById("guard-check-call").after().to("mock:statistics-judged"));
        startSluice();
        campaign("email\na@example.com\nb@example.com\n", "email,code\na@example.com,valid\nb@example.com,valid\n");
        MockEndpoint judged = getMockEndpoint("mock:statistics-judged");
        judged.expectedMessageCount(CALLS_TO_OPEN);

        for (int i = 0; i < CALLS_TO_OPEN; i++) {
            assertThat(breakerState()).as("closed before call %d", i + 1).isEqualTo("CLOSED");
            tick();
        }

        judged.assertIsSatisfied();
        assertThat(judged.getReceivedExchanges()).extracting(e -> e.getProperty("guardCheckFailure", String.class))
                .as("each call ended in the breaker's fallback, saying why").allMatch(reason -> reason != null
                        && reason.startsWith("statistics call failed: ") && reason.contains(failedBecause));
        assertThat(breakerState()).as("every call failed: the breaker is open").isEqualTo("OPEN");
        assertThat(greenMail.getReceivedMessages()).as("no statistics, no mail").isEmpty();
        assertThat(count("PENDING")).as("nothing even claimed").isEqualTo(2);

        MockEndpoint.resetMocks(context);
        judged.expectedMessageCount(1);
        tick();

        judged.assertIsSatisfied();
        assertThat(judged.getReceivedExchanges().get(0).getProperty("guardCheckFailure", String.class))
                .as("refused by the open breaker").endsWith("not made while the breaker is open (guard-check-breaker: OPEN)");
        postmark.verify(CALLS_TO_OPEN, getRequestedFor(urlPathEqualTo("/stats/outbound")));
        assertThat(breakerState()).as("the open breaker refuses the call without asking Postmark").isEqualTo("OPEN");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(count("PENDING")).isEqualTo(2);
        assertThat(call("GET", "/api/status", null, null).body()).as("the operator sees why")
                .contains("statistics unavailable");
    }

    private String breakerState() throws Exception {
        return (String) mbeans().getAttribute(mbean("processors", "guard-check-breaker"), "CircuitBreakerState");
    }
}
